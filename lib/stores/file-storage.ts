import { k8s } from '../core/k8s';
import { guardApp } from '../core/collisions';
import { Construct } from 'constructs';
import { DifyStorage } from '../config/storage';
import { EnvSet } from '../core/env';
import { metadataLabels } from '../core/labels';
import { keepAnnotations } from '../core/lifecycle';
import { invalid } from '../core/validation';
import { guardProps } from '../core/guard';

/** Props of {@link DifyFileStorage}. */
export interface DifyFileStorageProps {
  readonly instance: string;
  /** Where api and worker keep uploaded files. @default DifyStorage.persistentVolume() */
  readonly storage?: DifyStorage;
}

/**
 * The file storage api and worker share: object storage (nothing to create)
 * or one ReadWriteOnce claim, `<instance>-storage`, that this construct
 * creates. Components reference it, so a claim is never mounted without
 * being created.
 *
 * @example
 * const files = new DifyFileStorage(chart, 'Storage', { instance: 'dify', storage: DifyStorage.persistentVolume({ size: '20Gi' }) });
 */
export class DifyFileStorage extends Construct {
  /** The storage settings. */
  public readonly storage: DifyStorage;
  /** The claim api and worker mount at /app/api/storage, when storage is a volume. */
  public readonly claimName?: string;
  /** Whether the claim is ReadWriteOnce: its pods share one node, one pod per workload. */
  public readonly readWriteOnce: boolean;
  public readonly claim?: k8s.KubePersistentVolumeClaim;

  constructor(scope: Construct, id: string, props: DifyFileStorageProps) {
    super(scope, id);
    guardProps('DifyFileStorageProps', props);
    guardApp(this);
    this.storage = props.storage ?? DifyStorage.persistentVolume();
    if (!(this.storage instanceof DifyStorage))
      invalid('storage', typeof this.storage, 'must be a DifyStorage such as DifyStorage.persistentVolume() or DifyStorage.s3({...})');
    const volume = this.storage.volume;
    this.readWriteOnce = volume?.accessMode === 'ReadWriteOnce';
    if (volume) {
      this.claimName = volume.accessMode === 'ReadWriteMany' ? `${props.instance}-storage-rwx` : `${props.instance}-storage`;
      this.claim = new k8s.KubePersistentVolumeClaim(this, 'Claim', {
        // Data that outlives the workloads: kept by delete and prune, rendered into the data kustomization.
        metadata: { name: this.claimName, labels: metadataLabels({ instance: props.instance, component: 'storage' }), annotations: keepAnnotations() },
        spec: {
          accessModes: [volume.accessMode],
          storageClassName: volume.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(volume.size) } },
        },
      });
    }
  }

  /** api/worker environment (STORAGE_TYPE and its settings). */
  public env(): EnvSet {
    return this.storage.env();
  }
}
