import { ModelStore } from '../../lib';
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
});
