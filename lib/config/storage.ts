import { EnvSet } from '../core/env';
import { SecretKeyRef } from '../core/secret-ref';
import { invalid, validateDnsSubdomain, validateMemory, validateUrl } from '../core/validation';

/** Props of {@link DifyStorage.persistentVolume}. */
export interface PersistentVolumeStorageOptions {
  /** Size of the ReadWriteOnce volume. @default "10Gi" */
  readonly size?: string;
  /** StorageClass of the volume. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
}

/** Props of {@link DifyStorage.s3}. */
export interface S3StorageOptions {
  /** Bucket name (S3_BUCKET_NAME). */
  readonly bucket: string;
  /** Region (S3_REGION). */
  readonly region: string;
  /** Endpoint for S3-compatible stores (S3_ENDPOINT). @default - AWS */
  readonly endpoint?: string;
  /** Access key (S3_ACCESS_KEY). @default - none; use useAwsManagedIam */
  readonly accessKey?: SecretKeyRef;
  /** Secret key (S3_SECRET_KEY). @default - none; use useAwsManagedIam */
  readonly secretKey?: SecretKeyRef;
  /** Use the pod's IAM role (IRSA / pod identity) (S3_USE_AWS_MANAGED_IAM). @default false */
  readonly useAwsManagedIam?: boolean;
  /** Addressing style (S3_ADDRESS_STYLE). @default "auto" */
  readonly addressStyle?: 'auto' | 'virtual' | 'path';
}

/**
 * Where api and worker keep uploaded files. Chosen with a factory:
 * `DifyStorage.persistentVolume()` or `DifyStorage.s3({...})`.
 */
export abstract class DifyStorage {
  /**
   * OpenDAL `fs` storage on one ReadWriteOnce PersistentVolumeClaim. api and
   * worker mount the same claim and are co-scheduled on one node (a RWO volume
   * may be mounted by many pods of one node), so no RWX storage is needed.
   */
  public static persistentVolume(options: PersistentVolumeStorageOptions = {}): DifyStorage {
    return new PersistentVolumeStorage(options);
  }

  /** Amazon S3 or an S3-compatible object store. */
  public static s3(options: S3StorageOptions): DifyStorage {
    return new S3Storage(options);
  }

  /** `STORAGE_TYPE` value. */
  public abstract readonly storageType: string;
  /** The claim to create and mount at /app/api/storage, if any. */
  public abstract readonly volume?: { readonly size: string; readonly storageClassName?: string };
  /** api/worker environment for this storage. */
  public abstract env(): EnvSet;
}

class PersistentVolumeStorage extends DifyStorage {
  public readonly storageType = 'opendal';
  public readonly volume: { size: string; storageClassName?: string };
  constructor(o: PersistentVolumeStorageOptions) {
    super();
    const size = validateMemory('storage.size', o.size ?? '10Gi');
    if (o.storageClassName !== undefined) validateDnsSubdomain('storage.storageClassName', o.storageClassName);
    this.volume = { size, storageClassName: o.storageClassName };
  }
  public env(): EnvSet {
    return new EnvSet().plain({ STORAGE_TYPE: 'opendal', OPENDAL_SCHEME: 'fs', OPENDAL_FS_ROOT: 'storage' }, 'storage');
  }
}

class S3Storage extends DifyStorage {
  public readonly storageType = 's3';
  public readonly volume = undefined;
  constructor(private readonly o: S3StorageOptions) {
    super();
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(o.bucket ?? '')) {
      invalid('storage.s3.bucket', o.bucket, 'must be an S3 bucket name (3-63 lowercase letters, digits, \'.\' and \'-\')');
    }
    if (!o.region) invalid('storage.s3.region', o.region, 'must be a non-empty region such as "us-east-1"');
    if (o.endpoint !== undefined) validateUrl('storage.s3.endpoint', o.endpoint);
    const hasKeys = o.accessKey !== undefined || o.secretKey !== undefined;
    if (o.useAwsManagedIam && hasKeys) {
      invalid('storage.s3.useAwsManagedIam', true, 'conflicts with accessKey/secretKey; use one or the other');
    }
    if (!o.useAwsManagedIam && (o.accessKey === undefined || o.secretKey === undefined)) {
      invalid('storage.s3.accessKey', o.accessKey?.toString(), 'accessKey and secretKey are both required unless useAwsManagedIam is true');
    }
  }
  public env(): EnvSet {
    return new EnvSet()
      .plain({
        STORAGE_TYPE: 's3',
        S3_BUCKET_NAME: this.o.bucket,
        S3_REGION: this.o.region,
        S3_ENDPOINT: this.o.endpoint,
        S3_ADDRESS_STYLE: this.o.addressStyle ?? 'auto',
        S3_USE_AWS_MANAGED_IAM: this.o.useAwsManagedIam ? 'true' : 'false',
      }, 'storage.s3')
      .secret({ S3_ACCESS_KEY: this.o.accessKey, S3_SECRET_KEY: this.o.secretKey });
  }
}
