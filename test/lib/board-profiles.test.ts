import { BOARD_PROFILES, BOARD_PROFILE_NAMES, ClusterConfigError, parseClusterConfig, PROFILE_NODE_LABEL, tritonArgs, TritonJetsonStack, renderModelConfig } from '../../lib';
import { stackPropsSchema } from '../../lib/config';
import { INCEPTION_GRAPHDEF, DENSENET_ONNX } from '../../lib/model-catalog';
import { jetsonModuleMemory, modelBackend, nominalMemoryBytes, profileLeadingArgs, tritonMemoryFor } from '../../lib/board-profiles';
import { profileDaemonSets } from '../../lib/profile-plan';
import { checkModelsServable, profileImage, UnservableModelError } from '../../lib/triton-images';
import { TRITON_MODEL_REPOSITORY_PATH } from '../../lib/triton-daemon-set';
import { TUTORIAL_DEFAULTS } from '../../lib/tutorial-defaults';
import { IMAGE_BACKEND_DIRECTORY, PRESETS, TUTORIAL_IMAGE_REPOSITORY } from '../../images/triton-jetson/presets';
import { findManifest, Manifest, podSpec, readDist } from '../support/manifests';
import { testChart } from './helpers';
import { synthManifests } from '../support/synth';
import { VARIANTS } from '../support/variants';

const daemonSets = (manifests: Manifest[]) => manifests.filter((m) => m.kind === 'DaemonSet');

describe('board profile facts', () => {
  test('jetpack4 is the tutorial: its image, flags and a Nano 4GB\'s 1536Mi/3Gi', () => {
    const p = BOARD_PROFILES.jetpack4;
    expect(p.image).toBe(TUTORIAL_IMAGE_REPOSITORY);
    expect(p.tritonVersion).toBe(PRESETS['4.6'].tritonVersion);
    expect(profileLeadingArgs(p, TRITON_MODEL_REPOSITORY_PATH)).toEqual(tritonArgs().slice(0, 3));
    expect(tritonMemoryFor(p.defaultMemoryBytes)).toEqual({
      memoryRequest: TUTORIAL_DEFAULTS.tritonResources.memoryRequest,
      memoryLimit: TUTORIAL_DEFAULTS.tritonResources.memoryLimit,
    });
    expect(p.runtime).toBe('docker-default-nvidia');
    expect(p.maxK3sMinor).toBe(34);
  });

  test('the recipe profiles agree with the image presets (Triton version, tag, backend directory)', () => {
    expect(BOARD_PROFILES.jetpack5.image).toBe(PRESETS['5.1.2'].nameAndTag);
    expect(BOARD_PROFILES.jetpack5.tritonVersion).toBe(PRESETS['5.1.2'].tritonVersion);
    for (const name of ['jetpack4', 'jetpack5'] as const) {
      expect(BOARD_PROFILES[name].backendDirectory).toBe(IMAGE_BACKEND_DIRECTORY);
      // The recipe's ENTRYPOINT passes it; args repeating it would be redundant.
      expect(BOARD_PROFILES[name].passBackendDirectory).toBe(false);
    }
  });

  test('jetpack6 runs NGC\'s -igpu image: tritonserver as its entrypoint\'s argument, its backend directory, no TensorFlow, no 5.3 flag', () => {
    const p = BOARD_PROFILES.jetpack6;
    expect(p.image).toMatch(/^nvcr\.io\/nvidia\/tritonserver:\d\d\.\d\d-py3-igpu$/);
    expect(p.argsPrefix).toEqual(['tritonserver']);
    expect(profileLeadingArgs(p, '/m')).toEqual(['--model-repository=/m', '--backend-directory=/opt/tritonserver/backends']);
    expect(p.backends).not.toContain('tensorflow');
    expect(p.runtime).toBe('containerd-runtimeclass');
    expect(p.maxK3sMinor).toBeUndefined();
  });

  test('only the Nano\'s Maxwell GPU lowers the minimum compute capability', () => {
    expect(BOARD_PROFILE_NAMES.filter((n) => BOARD_PROFILES[n].minComputeCapability)).toEqual(['jetpack4']);
  });

  test('memory sizing: 3/8 request, 3/4 limit, whole MiB; nominal memory from MemTotal', () => {
    expect(tritonMemoryFor(8 * 1024 ** 3)).toEqual({ memoryRequest: '3Gi', memoryLimit: '6Gi' });
    expect(tritonMemoryFor(16 * 1024 ** 3)).toEqual({ memoryRequest: '6Gi', memoryLimit: '12Gi' });
    expect(tritonMemoryFor(2 * 1024 ** 3)).toEqual({ memoryRequest: '768Mi', memoryLimit: '1536Mi' });
    expect(nominalMemoryBytes(4045880)).toBe(4 * 1024 ** 3); // Jetson Nano 4GB
    expect(nominalMemoryBytes(7620536)).toBe(8 * 1024 ** 3); // an Orin 8GB
  });

  test('module memory: MemTotal (less the carve-outs) maps to the nearest Jetson module size', () => {
    const GI = 1024 ** 3;
    expect(nominalMemoryBytes(64349016)).toBe(64 * GI); // AGX Orin 64GB: 61.4 GiB seen by the kernel
    expect(nominalMemoryBytes(30536000)).toBe(32 * GI); // AGX Orin 32GB devkit: about 29.1 GiB
    expect(nominalMemoryBytes(15_650_000)).toBe(16 * GI); // Orin NX / Xavier NX 16GB
    expect(nominalMemoryBytes(3_500_000)).toBe(4 * GI); // Orin Nano 4GB
    expect(nominalMemoryBytes(2_030_000)).toBe(2 * GI); // Nano 2GB
    expect(jetsonModuleMemory(64349016)).toEqual({ bytes: 64 * GI, module: true });
    // Not a module size within the carve-out tolerance (e.g. a PC with 5 GiB): whole GiB, rounded up.
    expect(jetsonModuleMemory(5 * 1024 * 1024)).toEqual({ bytes: 5 * GI, module: false });
    expect(jetsonModuleMemory(200 * 1024 * 1024)).toEqual({ bytes: 200 * GI, module: false });
  });

  test('model backends: platform or backend; what each profile\'s default image cannot load', () => {
    expect(modelBackend(INCEPTION_GRAPHDEF.config)).toBe('tensorflow');
    expect(modelBackend({ platform: 'onnxruntime_onnx' })).toBe('onnxruntime');
    expect(modelBackend({ backend: 'python' })).toBe('python');
    const images = BOARD_PROFILE_NAMES.map((p) => profileImage(parseClusterConfig({}).triton, p));
    expect(() => checkModelsServable({ models: [] }, [INCEPTION_GRAPHDEF], images))
      .toThrow(/^models some Triton image cannot load [^\n]*: seeding\.builtinModels: model "inception_graphdef" needs the tensorflow backend; the jetpack6 image/);
    // The tutorial's Triton 2.17.0 has no PyTorch or Python (they reached Jetson in 2.18.0).
    expect(BOARD_PROFILES.jetpack4.backends).toEqual(['tensorrt', 'tensorflow', 'onnxruntime']);
    expect(BOARD_PROFILES.jetpack5.backends).toEqual(['tensorrt', 'tensorflow', 'onnxruntime', 'pytorch', 'python']);
    expect(BOARD_PROFILES.jetpack6.backends).toEqual(['tensorrt', 'onnxruntime', 'pytorch', 'python']);
  });
});

describe('which DaemonSets a description gives', () => {
  test('no profile anywhere: the tutorial\'s single DaemonSet, exactly dist/', () => {
    expect(profileDaemonSets(stackPropsSchema.parse({}))).toBeUndefined();
    // Nodes without profiles change nothing in the manifests either.
    const withNodes = synthManifests({ nodes: { server: { name: 'jm-node-1' }, agents: [{ name: 'jm-node-2' }] } });
    expect(withNodes).toEqual(readDist());
    expect(daemonSets(withNodes).map((d) => d.metadata.name)).toEqual(['triton']);
  });

  test('all Orin: one triton-jetpack6, NGC image and command, RuntimeClass nvidia, sized for the smallest board', () => {
    const manifests = synthManifests(VARIANTS['all Orin (jetpack6)']);
    expect(daemonSets(manifests).map((d) => d.metadata.name)).toEqual(['triton-jetpack6']);
    const ds = findManifest(manifests, 'DaemonSet', 'triton-jetpack6');
    const spec = podSpec(ds);
    const container = spec.containers[0];
    expect(container.image).toBe(BOARD_PROFILES.jetpack6.image);
    // NGC's entrypoint (/opt/nvidia/nvidia_entrypoint.sh) stays: tritonserver is its first argument.
    expect(container.command).toBeUndefined();
    expect(container.args[0]).toBe('tritonserver');
    expect(container.args).toContain('--backend-directory=/opt/tritonserver/backends');
    expect(container.args).not.toContain('--min-supported-compute-capability=5.3');
    expect(container.args).not.toContain('--backend-config=tensorflow,version=2');
    expect(spec.runtimeClassName).toBe('nvidia');
    // Two 8Gi boards and one 16Gi: sized for 8Gi.
    expect(container.resources.requests.memory).toBe('3Gi');
    expect(container.resources.limits.memory).toBe('6Gi');
    expect(ds.spec.selector.matchLabels).toEqual({ app: 'triton', [PROFILE_NODE_LABEL]: 'jetpack6' });
    expect(findManifest(manifests, 'Service', 'triton').spec.selector).toEqual({ app: 'triton' });
  });

  test('mixed: one DaemonSet per profile, disjoint selectors and nodes, one Service selecting both', () => {
    const manifests = synthManifests(VARIANTS['mixed Nano and Orin']);
    const [nano, orin] = daemonSets(manifests);
    expect([nano.metadata.name, orin.metadata.name]).toEqual(['triton-jetpack4', 'triton-jetpack6']);
    for (const [ds, profile] of [[nano, 'jetpack4'], [orin, 'jetpack6']] as const) {
      expect(ds.spec.selector.matchLabels).toEqual({ app: 'triton', [PROFILE_NODE_LABEL]: profile });
      expect(ds.spec.template.metadata.labels).toMatchObject({ app: 'triton', [PROFILE_NODE_LABEL]: profile });
      const terms = podSpec(ds).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
      expect(terms[0].matchExpressions).toEqual(expect.arrayContaining([{ key: PROFILE_NODE_LABEL, operator: 'In', values: [profile] }]));
    }
    // The Nano keeps the tutorial's container: image, args, Docker's default runtime, 1536Mi/3Gi.
    const tutorial = podSpec(findManifest(readDist(), 'DaemonSet', 'triton'));
    expect(podSpec(nano).containers[0].args).toEqual(tutorial.containers[0].args);
    expect(podSpec(nano).containers[0].image).toBe(tutorial.containers[0].image);
    expect(podSpec(nano).containers[0].resources).toEqual(tutorial.containers[0].resources);
    expect(podSpec(nano).runtimeClassName).toBeUndefined();
    expect(podSpec(orin).runtimeClassName).toBe('nvidia');
    expect(podSpec(orin).containers[0].resources.limits.memory).toBe('12Gi');
    expect(findManifest(manifests, 'Service', 'triton').spec.selector).toEqual({ app: 'triton' });
  });

  test('triton.profiles alone names the DaemonSets; a node outside it is an error naming the node', () => {
    const jetpack5 = { profiles: ['jetpack4', 'jetpack5'] as ('jetpack4' | 'jetpack5')[], images: { jetpack5: 'registry.lan/triton-jetson:2.35.0-jetpack5.1.2' } };
    expect(synthManifests({ triton: jetpack5 }).filter((m) => m.kind === 'DaemonSet').map((d) => d.metadata.name))
      .toEqual(['triton-jetpack4', 'triton-jetpack5']);
    expect(() => parseClusterConfig({ triton: { profiles: ['jetpack4'] }, nodes: { server: { name: 'orin-1', profile: 'jetpack6' } } }))
      .toThrow(/nodes\.server\.profile: node "orin-1" is jetpack6, which triton\.profiles \(jetpack4\) leaves out/);
    expect(() => parseClusterConfig({ triton: { profiles: ['jetpack4', 'jetpack4'] } })).toThrow(ClusterConfigError);
    expect(() => parseClusterConfig({ nodes: { server: { name: 'n', profile: 'jetpack7' } } })).toThrow(ClusterConfigError);
  });

  test('k3s.version above v1.34 only when every node is declared jetpack6; else the issue names the node', () => {
    const orins = { server: { name: 'orin-1', profile: 'jetpack6' as const }, agents: [{ name: 'orin-2', profile: 'jetpack6' as const }] };
    expect(parseClusterConfig({ nodes: orins, k3s: { version: 'v1.35.1+k3s1' } }).k3s.version).toBe('v1.35.1+k3s1');
    expect(() => parseClusterConfig({ nodes: { ...orins, agents: [...orins.agents, { name: 'jm-node-1', profile: 'jetpack4' }] }, k3s: { version: 'v1.35.1+k3s1' } }))
      .toThrow(/k3s\.version: must be v1\.34 or older: .*node "jm-node-1" is jetpack4 \(cgroup v1\)/);
    expect(() => parseClusterConfig({ nodes: { ...orins, agents: [{ name: 'xavier-1', profile: 'jetpack5' }] }, k3s: { version: 'v1.35.1+k3s1' } }))
      .toThrow(/node "xavier-1" is jetpack5 \(cgroup v1 assumed\)/);
    expect(() => parseClusterConfig({ nodes: { server: { name: 'orin-1', profile: 'jetpack6' }, agents: [{ name: 'n' }] }, k3s: { version: 'v1.35.1+k3s1' } }))
      .toThrow(/node "n" declares no profile/);
    expect(() => parseClusterConfig({ k3s: { version: 'v1.35.1+k3s1' } })).toThrow(/must be v1\.34 or older/);
  });

  test('per-profile image override and a changed triton.resources apply', () => {
    const manifests = synthManifests({
      triton: { profiles: ['jetpack6'], images: { jetpack6: 'registry.lan/tritonserver:25.03-py3-igpu' }, resources: { memoryRequest: '2Gi', memoryLimit: '5Gi' } },
      seeding: { builtinModels: false },
    });
    const container = podSpec(findManifest(manifests, 'DaemonSet', 'triton-jetpack6')).containers[0];
    expect(container.image).toBe('registry.lan/tritonserver:25.03-py3-igpu');
    expect(container.resources.limits.memory).toBe('5Gi');
  });

  test('a model a profile cannot load is refused, naming the model and the profile', () => {
    // The builtin inception_graphdef needs TensorFlow, which the jetpack6 image lacks.
    expect(() => synthManifests({ triton: { profiles: ['jetpack4', 'jetpack6'] } })).toThrow(UnservableModelError);
    expect(() => synthManifests({ triton: { profiles: ['jetpack4', 'jetpack6'] } }))
      .toThrow(/seeding\.builtinModels: model "inception_graphdef" needs the tensorflow backend; the jetpack6 image nvcr\.io\/nvidia\/tritonserver:25\.03-py3-igpu \(Triton 2\.56\.0\)/);
    // Seeding off: nothing known about the repository's models, nothing refused.
    expect(() => synthManifests({ triton: { profiles: ['jetpack6'] }, seeding: { enabled: false } })).not.toThrow();
    expect(() => synthManifests({ triton: { profiles: ['jetpack4', 'jetpack5'], images: { jetpack5: 'r.lan/t:2.35.0-jetpack5.1.2' } } })).not.toThrow();
  });

  test('the refusal is a ClusterConfigError raised before the stack joins the construct tree', () => {
    const chart = testChart();
    expect(() => new TritonJetsonStack(chart, 'stack', { triton: { profiles: ['jetpack6'] } })).toThrow(ClusterConfigError);
    expect(chart.node.children).toHaveLength(0);
  });
});

describe('densenet_onnx: a catalog model every profile loads, off by default', () => {
  test('off unless seeding.catalogModels lists it; then seeded, and servable by every profile', () => {
    const names = (cluster: object) => Object.keys(findManifest(synthManifests(cluster), 'ConfigMap', 'model-seed').data).filter((k) => k.endsWith('.config.pbtxt'));
    expect(names({})).toEqual(['inception_graphdef.config.pbtxt']);
    expect(names({ seeding: { catalogModels: ['densenet_onnx'] } }).sort()).toEqual(['densenet_onnx.config.pbtxt', 'inception_graphdef.config.pbtxt']);
    const images = BOARD_PROFILE_NAMES.map((p) => profileImage(parseClusterConfig({}).triton, p));
    expect(() => checkModelsServable({ models: [] }, [DENSENET_ONNX], images)).not.toThrow();
    expect(() => parseClusterConfig({ seeding: { catalogModels: ['resnet'] } })).toThrow(ClusterConfigError);
  });

  test('its config.pbtxt says what Triton\'s example says (docs/examples/model_repository/densenet_onnx at v2.56.0)', () => {
    // Same fields and values; "reshape: {" and Triton's "reshape {" are the same protobuf text format.
    const text = renderModelConfig('densenet_onnx', DENSENET_ONNX.config).replace(/\s+/g, ' ');
    for (const fragment of [
      'platform: "onnxruntime_onnx"', 'name: "data_0"', 'data_type: TYPE_FP32', 'format: FORMAT_NCHW', 'dims: [ 3, 224, 224 ]',
      'reshape: { shape: [ 1, 3, 224, 224 ] }', 'name: "fc6_1"', 'dims: [ 1000 ]', 'reshape: { shape: [ 1, 1000, 1, 1 ] }',
      'label_filename: "densenet_labels.txt"',
    ]) expect(text).toContain(fragment);
    expect(text).toMatch(/max_batch_size: 0/);
  });
});
