import { ApiObjectMetadata } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { KubePersistentVolumeClaim, Quantity } from '../imports/k8s';
import { modelStorePropsSchema, parseConstructProps } from './config';
import { componentLabels } from './labels';

/** Properties of {@link ModelStore}. */
export interface ModelStoreProps {
  /**
   * Name of the PersistentVolumeClaim.
   * @default "models-pvc"
   */
  readonly claimName?: string;
  /**
   * Namespace of the claim.
   * @default "default"
   */
  readonly namespace?: string;
  /**
   * StorageClass that provisions the volume; it must support ReadWriteMany.
   * @default "nfs-client"
   */
  readonly storageClassName?: string;
  /**
   * Requested size, as a Kubernetes quantity.
   * @default "10Gi"
   */
  readonly size?: string;
}

/**
 * The shared model repository: one ReadWriteMany claim that every Triton pod and the
 * seeding Job mount (the tutorial's `models-pvc`).
 */
export class ModelStore extends Construct {
  /** Name of the claim, for volumes that mount it. */
  public readonly claimName: string;
  /** The claim object. */
  public readonly claim: KubePersistentVolumeClaim;
  /**
   * The claim as a cdk8s-plus reference, so your own cdk8s-plus workloads can mount the model
   * repository (`kplus.Volume.fromPersistentVolumeClaim(scope, id, store.volumeClaim)`).
   * A reference only: it adds nothing to the manifests.
   */
  public readonly volumeClaim: kplus.IPersistentVolumeClaim;

  constructor(scope: Construct, id: string, props: ModelStoreProps = {}) {
    const { claimName, namespace, storageClassName, size } = parseConstructProps('ModelStore', modelStorePropsSchema, props);
    super(scope, id);
    this.claimName = claimName;
    const metadata: ApiObjectMetadata = { name: claimName, namespace, labels: componentLabels('model-store') };
    this.claim = new KubePersistentVolumeClaim(this, 'claim', {
      metadata,
      spec: {
        storageClassName,
        accessModes: ['ReadWriteMany'],
        resources: { requests: { storage: Quantity.fromString(size) } },
      },
    });
    this.volumeClaim = kplus.PersistentVolumeClaim.fromClaimName(this, 'volume-claim', this.claimName);
  }
}
