import { TritonService } from '../../lib';
import { synthConstruct } from './helpers';

describe('TritonService', () => {
  test('is the tutorial\'s NodePort Service by default', () => {
    const [svc] = synthConstruct((scope) => new TritonService(scope, 'svc'));
    expect(svc).toMatchSnapshot();
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.selector).toEqual({ app: 'triton' });
    expect(svc.spec.externalTrafficPolicy).toBe('Cluster');
    expect(svc.spec.ports).toEqual([
      { name: 'http', protocol: 'TCP', port: 8000, targetPort: 'http', nodePort: 30800 },
      { name: 'grpc', protocol: 'TCP', port: 8001, targetPort: 'grpc', nodePort: 30801 },
      { name: 'metrics', protocol: 'TCP', port: 8002, targetPort: 'metrics', nodePort: 30802 },
    ]);
  });

  test('takes NodePorts, ports, selector and traffic policy from its props', () => {
    const [svc] = synthConstruct((scope) => new TritonService(scope, 'svc', {
      name: 'inference', selector: { app: 'inference' }, externalTrafficPolicy: 'Local',
      targetPorts: { http: 9000, grpc: 9001, metrics: 9002 }, nodePorts: { http: 31000, grpc: 31001, metrics: 31002 },
    }));
    expect(svc.metadata.name).toBe('inference');
    expect(svc.spec.selector).toEqual({ app: 'inference' });
    expect(svc.spec.externalTrafficPolicy).toBe('Local');
    expect(svc.spec.ports.map((p: { port: number; nodePort: number }) => [p.port, p.nodePort])).toEqual([[9000, 31000], [9001, 31001], [9002, 31002]]);
  });
});
