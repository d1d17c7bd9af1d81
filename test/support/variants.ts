import type { ClusterConfigInput } from '../../lib';


/** Configurations every manifest-level test (schema, API server) covers besides the default. */
export const VARIANTS: Record<string, ClusterConfigInput> = {
  'default': {},
  'provisioner off': { provisioner: { enabled: false }, storage: { storageClassName: 'existing-nfs' } },
  'containerd runtime class': { k3s: { runtime: 'containerd' } },
  'custom ports and namespace': {
    namespace: 'inference',
    triton: { ports: { http: 9000, grpc: 9001, metrics: 9002 }, nodeSelector: { 'triton-jetson.dev/jetson': 'true' } },
    service: { nodePorts: { http: 31000, grpc: 31001, metrics: 31002 }, externalTrafficPolicy: 'Local' },
  },
  'a second model': {
    models: [{
      name: 'densenet_onnx',
      downloads: [
        { url: 'https://models.example.com/densenet/model.onnx', archive: 'file', files: [{ to: '1/model.onnx' }] },
        { url: 'https://models.example.com/densenet/densenet_labels.txt', archive: 'file', files: [{ to: 'densenet_labels.txt' }] },
      ],
      config: {
        platform: 'onnxruntime_onnx',
        maxBatchSize: 0,
        input: [{ name: 'data_0', dataType: 'TYPE_FP32', format: 'FORMAT_NCHW', dims: [3, 224, 224] }],
        output: [{ name: 'fc6_1', dataType: 'TYPE_FP32', dims: [1000], labelFilename: 'densenet_labels.txt' }],
      },
    }],
    seeding: { mirror: 'http://mirror.lan:8080' },
  },
  'network policies': { networkPolicy: { enabled: true }, seeding: { mirror: 'http://mirror.lan:8080' } },
  // A real cluster's needs (lib/types/pod.ts) and a GitOps repository's (docs/gitops.md): its own
  // namespace rendered first, a private registry, a tainted GPU pool, a priority class, extra
  // environment, pod annotations and labels, a Job Argo CD and Flux leave alone.
  'pod customization and GitOps': {
    namespace: 'edge-ai',
    createNamespace: true,
    triton: {
      image: 'registry.example.com/ml/triton-jetson:2.19.0',
      // A tag of the user's own: its Triton release is declared (the seeded model's backend depends on it).
      tritonVersions: { jetpack4: '2.19.0' },
      imagePullSecrets: ['registry-cred'],
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      priorityClassName: 'jetson-critical',
      env: [{ name: 'TZ', value: 'UTC' }, { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      podAnnotations: { 'example.com/owner': 'ml-team' },
      podLabels: { team: 'ml' },
    },
    provisioner: {
      imagePullSecrets: ['registry-cred'],
      tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
      priorityClassName: 'jetson-critical',
      env: [{ name: 'TZ', value: 'UTC' }],
      podLabels: { team: 'ml' },
    },
    seeding: {
      imagePullSecrets: ['registry-cred'],
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoExecute', tolerationSeconds: 600 }],
      priorityClassName: 'jetson-critical',
      env: [{ name: 'HTTPS_PROXY', valueFrom: { secretKeyRef: { name: 'proxy', key: 'url', optional: true } } }],
      podAnnotations: { 'example.com/owner': 'ml-team' },
      ttlSecondsAfterFinished: null,
      jobAnnotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' },
    },
  },
  // Board profiles (docs/profiles.md). Four Orin on JetPack 6: one DaemonSet triton-jetpack6, NGC image.
  'all Orin (jetpack6)': {
    nodes: {
      server: { name: 'orin-1', profile: 'jetpack6', memory: '8Gi' },
      agents: [{ name: 'orin-2', profile: 'jetpack6', memory: '8Gi' }, { name: 'orin-3', profile: 'jetpack6', memory: '16Gi' }],
    },
    // The catalog's densenet_onnx (ONNX Runtime) instead of the TensorFlow inception_graphdef.
    seeding: { builtinModels: false, catalogModels: ['densenet_onnx'] },
  },
  // Two Nano (Docker) and two Orin (containerd) behind one Service.
  'mixed Nano and Orin': {
    nodes: {
      server: { name: 'jm-node-1', profile: 'jetpack4' },
      agents: [
        { name: 'jm-node-2', profile: 'jetpack4' },
        { name: 'orin-1', profile: 'jetpack6', memory: '16Gi' },
        { name: 'orin-2', profile: 'jetpack6', memory: '16Gi' },
      ],
    },
    // The catalog's densenet_onnx (ONNX Runtime) instead of the TensorFlow inception_graphdef.
    seeding: { builtinModels: false, catalogModels: ['densenet_onnx'] },
  },
  // Every generation behind one Service: Nano (Docker), Xavier on JetPack 5 with the user's pushed
  // recipe image (the default names no registry), Orin on JetPack 6 (NGC's -igpu image).
  'Nano, Xavier and Orin': {
    nodes: {
      server: { name: 'jm-node-1', profile: 'jetpack4' },
      agents: [
        { name: 'xavier-1', profile: 'jetpack5', memory: '8Gi' },
        { name: 'orin-1', profile: 'jetpack6', memory: '16Gi' },
      ],
    },
    triton: { images: { jetpack5: 'registry.lan:5000/edge/triton-jetson:2.35.0-jetpack5.1.2' } },
    seeding: { builtinModels: false, catalogModels: ['densenet_onnx'] },
  },
};
