// A cdk8s app of your own that uses the constructs from npm:
//   npm install cdk8s-triton-jetson cdk8s cdk8s-plus-27 constructs
import { App, Chart } from 'cdk8s';
import { TritonJetsonStack } from 'cdk8s-triton-jetson';

const app = new App();
const chart = new Chart(app, 'edge-inference', { disableResourceNameHashes: true });

new TritonJetsonStack(chart, 'triton', {
  namespace: 'inference',
  nfs: { server: '192.168.1.20', path: '/srv/nfs/models' },
  service: { nodePorts: { http: 31800, grpc: 31801, metrics: 31802 } },
});

app.synth();
