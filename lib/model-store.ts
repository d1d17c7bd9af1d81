import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { KubePersistentVolumeClaim, Quantity } from '../imports/k8s';
import { modelStorePropsSchema } from './config/construct-props-schema';
import { parseConstructProps } from './config/parse-props';
import { checkUniqueObjects, namespaceOf } from './k8s-scope';
import { componentLabels } from './labels';
import { checkConstructRef } from './construct-refs';
import { NfsProvisioner } from './nfs-provisioner';
import { MODEL_REPOSITORY_SUBPATH, SEED_STAGING_SUBPATH } from './seed/seed-defaults';
import { TUTORIAL_DEFAULTS } from './tutorial-defaults';

/** Properties of {@link ModelStore}. */
export interface ModelStoreProps {
  /**
   * Name of the PersistentVolumeClaim.
   * @default "models-pvc"
   */
  readonly claimName?: string;
  /**
   * Namespace of the claim (the seeding Job and Triton must run in it).
   * @default - the Chart's namespace, else "default"
   */
  readonly namespace?: string;
  /**
   * The provisioner whose StorageClass provisions the volume.
   * @default - none (see storageClassName)
   */
  readonly provisioner?: NfsProvisioner;
  /**
   * StorageClass that provisions the volume; it must support ReadWriteMany.
   * @default - the provisioner's StorageClass, else "nfs-client"
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
 * seeding Job mount (the tutorial's `models-pvc`). It owns the layout of the volume: Triton's
 * repository is the folder `repositorySubPath` (what ModelSeedJob publishes into and
 * TritonDaemonSet mounts), staging happens next to it in `stagingSubPath`.
 */
export class ModelStore extends Construct {
  /** Name of the claim, for volumes that mount it. */
  public readonly claimName: string;
  /** Namespace of the claim. */
  public readonly namespace: string;
  /** Folder of the claim that is Triton's model repository ("repository"). */
  public readonly repositorySubPath: string = MODEL_REPOSITORY_SUBPATH;
  /** Folder of the claim where models are staged before they are published (".staging"). */
  public readonly stagingSubPath: string = SEED_STAGING_SUBPATH;
  /** The claim object (an L1 `v1` PersistentVolumeClaim). */
  public readonly claim: ApiObject;
  /**
   * The claim as a cdk8s-plus reference, so your own cdk8s-plus workloads can mount the model
   * repository (`kplus.Volume.fromPersistentVolumeClaim(scope, id, store.volumeClaim)`).
   * A reference only: it adds nothing to the manifests.
   */
  public readonly volumeClaim: kplus.IPersistentVolumeClaim;

  constructor(scope: Construct, id: string, props: ModelStoreProps = {}) {
    const { provisioner, ...rest } = props;
    checkConstructRef('ModelStore', 'provisioner', provisioner, NfsProvisioner);
    const settings = parseConstructProps('ModelStore', modelStorePropsSchema, rest);
    super(scope, id);
    checkUniqueObjects(this);
    this.claimName = settings.claimName;
    this.namespace = namespaceOf(this, settings.namespace);
    const storageClassName = settings.storageClassName ?? provisioner?.storageClassName ?? TUTORIAL_DEFAULTS.storageClassName;
    this.claim = new KubePersistentVolumeClaim(this, 'claim', {
      metadata: { name: this.claimName, namespace: this.namespace, labels: componentLabels(this, 'model-store') },
      spec: {
        storageClassName,
        accessModes: ['ReadWriteMany'],
        resources: { requests: { storage: Quantity.fromString(settings.size) } },
      },
    });
    this.volumeClaim = kplus.PersistentVolumeClaim.fromClaimName(this, 'volume-claim', this.claimName);
  }
}
