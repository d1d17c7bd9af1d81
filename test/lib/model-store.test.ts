import * as kplus from 'cdk8s-plus-27';
import { ModelStore } from '../../lib';
import { podSpec } from '../support/manifests';
import { synthConstruct } from './helpers';

describe('ModelStore', () => {
  test('is the tutorial\'s models-pvc by default', () => {
    const manifests = synthConstruct((scope) => new ModelStore(scope, 'store'));
    expect(manifests).toMatchSnapshot();
    expect(manifests).toHaveLength(1);
    expect(manifests[0]).toMatchObject({
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'models-pvc', namespace: 'default' },
      spec: { storageClassName: 'nfs-client', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '10Gi' } } },
    });
  });

  test('takes name, class and size from its props', () => {
    const [claim] = synthConstruct((scope) => new ModelStore(scope, 'store', { claimName: 'repo', storageClassName: 'fast', size: '50Gi', namespace: 'ml' }));
    expect(claim.metadata).toMatchObject({ name: 'repo', namespace: 'ml' });
    expect(claim.spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '50Gi' } } });
  });

  test('hands cdk8s-plus workloads a reference to the claim, which renders nothing itself', () => {
    const manifests = synthConstruct((scope) => {
      const store = new ModelStore(scope, 'store', { claimName: 'repo' });
      const browser = new kplus.Deployment(scope, 'model-browser', { containers: [{ image: 'busybox:1.36', command: ['sleep', 'infinity'] }] });
      const models = kplus.Volume.fromPersistentVolumeClaim(scope, 'models', store.volumeClaim, { readOnly: true });
      browser.containers[0].mount('/models', models, { readOnly: true });
    });
    expect(manifests.map((m) => m.kind)).toEqual(['PersistentVolumeClaim', 'Deployment']);
    const spec = podSpec(manifests[1]);
    expect(spec.volumes).toEqual([{ name: expect.any(String), persistentVolumeClaim: { claimName: 'repo', readOnly: true } }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: spec.volumes[0].name, mountPath: '/models', readOnly: true }]);
  });
});
