// A cdk8s app of your own that uses the constructs, as `cdk8s init typescript-app` makes it
// (this folder's tsconfig.json is that template's, byte for byte):
//   npm install cdk8s-triton-jetson cdk8s cdk8s-plus-27 constructs
// Four charts, one file each under dist/: the whole stack, the building blocks composed by
// hand, the stack beside a cdk8s-plus-27 workload, and a cdk8s-plus-33 workload (the version
// `cdk8s init` installs) mounting the model repository.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as kplus33 from 'cdk8s-plus-33';
import {
  ModelSeedJob, ModelStore, NfsProvisioner, TritonDaemonSet, TritonJetsonStack, TritonService,
} from 'cdk8s-triton-jetson';

const app = new App();

// 1. The whole stack, in the Chart's namespace.
const edge = new Chart(app, 'edge-inference', { namespace: 'inference', disableResourceNameHashes: true });
new TritonJetsonStack(edge, 'triton', {
  createNamespace: true,
  nfs: { server: '192.168.1.20', path: '/srv/nfs/models' },
  service: { nodePorts: { http: 31800, grpc: 31801, metrics: 31802 } },
  triton: { imagePullSecrets: ['registry-cred'], tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
  seeding: { ttlSecondsAfterFinished: null },
});

// 2. The building blocks, composed by hand: each takes the others, not their names, so Triton
//    serves exactly the folder the Job publishes into.
const blocks = new Chart(app, 'building-blocks', { namespace: 'lab', disableResourceNameHashes: true });
// Its own name gives it its own provisioner name too (k8s-sigs.io/lab-nfs): a provisioner serves
// every StorageClass naming it, so two sharing one would provision each other's claims.
const provisioner = new NfsProvisioner(blocks, 'nfs', { name: 'lab-nfs', storageClassName: 'lab-nfs', nfsServer: 'nas.lan', nfsPath: '/export/lab' });
const modelStore = new ModelStore(blocks, 'models', { provisioner, claimName: 'lab-models' });
const seedJob = new ModelSeedJob(blocks, 'seed', { modelStore });
const triton = new TritonDaemonSet(blocks, 'triton', { name: 'lab-triton', modelStore, seedJob });
new TritonService(blocks, 'service', { triton, name: 'lab-triton', nodePorts: { http: 32000, grpc: 32001, metrics: 32002 } });

// 3. The stack beside your own cdk8s-plus-27 workloads: a pod that lists the repository
//    (read-only: the seeding Job writes it), and an Ingress to Triton's HTTP port.
const mixed = new Chart(app, 'with-cdk8s-plus', { namespace: 'apps', disableResourceNameHashes: true });
const stack = new TritonJetsonStack(mixed, 'triton', {
  instance: 'apps',
  service: { nodePorts: { http: 31900, grpc: 31901, metrics: 31902 } },
});
const lister = new kplus.Deployment(mixed, 'model-lister', {
  metadata: { name: 'model-lister' },
  containers: [{ image: 'busybox:1.36', command: ['sh', '-c', 'ls -lR /models/repository; sleep 3600'] }],
});
const models = kplus.Volume.fromPersistentVolumeClaim(mixed, 'models', stack.modelStore.volumeClaim, { readOnly: true });
lister.containers[0].mount('/models', models, { readOnly: true });
const ingress = new kplus.Ingress(mixed, 'ingress', { metadata: { name: 'triton' } });
ingress.addRule('/v2', kplus.IngressBackend.fromService(stack.service.plusService, { port: stack.service.ports.http }), kplus.HttpIngressPathType.PREFIX);

// 4. cdk8s-plus-33 (what `cdk8s init` installs today) mounting ModelStore's claim.
const plus33 = new Chart(app, 'with-cdk8s-plus-33', { namespace: 'batch', disableResourceNameHashes: true });
const store33 = new ModelStore(plus33, 'models');
const reader = new kplus33.Deployment(plus33, 'model-reader', {
  metadata: { name: 'model-reader' },
  containers: [{ image: 'busybox:1.36', command: ['sh', '-c', 'ls -lR /models; sleep 3600'] }],
});
reader.containers[0].mount('/models', kplus33.Volume.fromPersistentVolumeClaim(plus33, 'claim', store33.volumeClaim, { readOnly: true }), { readOnly: true });

app.synth();
