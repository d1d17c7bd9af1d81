// A cdk8s app of your own that uses the constructs from npm:
//   npm install cdk8s-triton-jetson cdk8s cdk8s-plus-27 constructs
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { TritonJetsonStack } from 'cdk8s-triton-jetson';

const app = new App();
const chart = new Chart(app, 'edge-inference', { disableResourceNameHashes: true });

const stack = new TritonJetsonStack(chart, 'triton', {
  namespace: 'inference',
  nfs: { server: '192.168.1.20', path: '/srv/nfs/models' },
  service: { nodePorts: { http: 31800, grpc: 31801, metrics: 31802 } },
});

// Your own cdk8s-plus workloads can mount the shared model repository, e.g. a pod that
// lists it (read-only: the seeding Job is what writes it).
const lister = new kplus.Deployment(chart, 'model-lister', {
  metadata: { name: 'model-lister', namespace: 'inference' },
  containers: [{ image: 'busybox:1.36', command: ['sh', '-c', 'ls -lR /models/repository; sleep 3600'] }],
});
const models = kplus.Volume.fromPersistentVolumeClaim(chart, 'models', stack.modelStore.volumeClaim, { readOnly: true });
lister.containers[0].mount('/models', models, { readOnly: true });

app.synth();
