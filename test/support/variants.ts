import { ClusterConfigInput } from '../../lib';

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
};
