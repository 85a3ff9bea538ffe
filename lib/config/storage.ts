import { EnvSet } from '../core/env';
import { validateMemory } from '../core/k8s-rules';
import { SecretKeyRef } from '../core/secret-ref';
import { invalid, validateBucket, validateDnsSubdomain, validateFolder, validateRegion, validateS3Bucket, validateUrl } from '../core/validation';
import { validateSecretKeyRef, validateServiceHost } from './connections';
import {
  OBJECT_STORES,
  ObjectStoreName,
  checkAzureContainer,
  checkCosBucket,
  checkCredentials,
  checkHostOrUrl,
  checkOssAuthVersion,
  objectStoreEnv,
} from './object-stores';
import { guardProps } from '../core/guard';

/** Props of {@link DifyStorage.persistentVolume}. */
export interface PersistentVolumeStorageOptions {
  /** Size of the volume. @default "10Gi" */
  readonly size?: string;
  /** StorageClass of the volume. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /**
   * `ReadWriteOnce` pins api, worker and websocket to one node (one pod each: more cannot drain);
   * `ReadWriteMany` (a storage class that provides it, e.g. NFS, CephFS, Filestore, EFS) lets each run several pods
   * on any node. The claim is `<instance>-storage` for ReadWriteOnce, `<instance>-storage-rwx` for ReadWriteMany
   * (an access mode cannot change on a claim). @default "ReadWriteOnce"
   */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
}

/** Props of {@link DifyStorage.s3}. */
export interface S3StorageOptions {
  /** Bucket name (S3_BUCKET_NAME). */
  readonly bucket: string;
  /** Region (S3_REGION). */
  readonly region: string;
  /** Endpoint for S3-compatible stores (S3_ENDPOINT); not with useAwsManagedIam. @default - AWS */
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

/** Props of {@link DifyStorage.azureBlob}. */
export interface AzureBlobStorageOptions {
  /** Storage account (AZURE_BLOB_ACCOUNT_NAME). */
  readonly accountName: string;
  /** Container (AZURE_BLOB_CONTAINER_NAME). */
  readonly containerName: string;
  /** Account key (AZURE_BLOB_ACCOUNT_KEY). */
  readonly accountKey: SecretKeyRef;
  /** Blob endpoint (AZURE_BLOB_ACCOUNT_URL). @default "https://<accountName>.blob.core.windows.net" */
  readonly accountUrl?: string;
}

/** Props of {@link DifyStorage.googleCloudStorage}. */
export interface GoogleCloudStorageOptions {
  /** Bucket (GOOGLE_STORAGE_BUCKET_NAME). */
  readonly bucket: string;
  /**
   * Base64 of a service account key JSON (GOOGLE_STORAGE_SERVICE_ACCOUNT_JSON_BASE64).
   * @default - Application Default Credentials (GKE Workload Identity)
   */
  readonly serviceAccountJsonBase64?: SecretKeyRef;
}

/** Props of {@link DifyStorage.aliyunOss}. */
export interface AliyunOssStorageOptions {
  /** Bucket (ALIYUN_OSS_BUCKET_NAME). */
  readonly bucket: string;
  /** Endpoint URL (ALIYUN_OSS_ENDPOINT), e.g. `https://oss-ap-southeast-1-internal.aliyuncs.com`. */
  readonly endpoint: string;
  /** Region (ALIYUN_OSS_REGION), e.g. `ap-southeast-1`; used by signature v4. */
  readonly region: string;
  /** AccessKey ID (ALIYUN_OSS_ACCESS_KEY). */
  readonly accessKey: SecretKeyRef;
  /** AccessKey secret (ALIYUN_OSS_SECRET_KEY). */
  readonly secretKey: SecretKeyRef;
  /** Signature version (ALIYUN_OSS_AUTH_VERSION). @default "v4" */
  readonly authVersion?: 'v1' | 'v4';
  /** Folder inside the bucket (ALIYUN_OSS_PATH). @default - the bucket root */
  readonly path?: string;
  /** CloudBox ID (ALIYUN_CLOUDBOX_ID). @default - none */
  readonly cloudBoxId?: string;
}

/** Props of {@link DifyStorage.tencentCos}. */
export interface TencentCosStorageOptions {
  /** Bucket as `<name>-<APPID>` (TENCENT_COS_BUCKET_NAME). */
  readonly bucket: string;
  /** Region (TENCENT_COS_REGION), e.g. `ap-guangzhou`. */
  readonly region: string;
  /** SecretId (TENCENT_COS_SECRET_ID). */
  readonly secretId: SecretKeyRef;
  /** SecretKey (TENCENT_COS_SECRET_KEY). */
  readonly secretKey: SecretKeyRef;
  /** Scheme (TENCENT_COS_SCHEME). @default "https" */
  readonly scheme?: 'http' | 'https';
  /** Custom domain host, used instead of the region endpoint (TENCENT_COS_CUSTOM_DOMAIN). @default - none */
  readonly customDomain?: string;
}

/** Props of {@link DifyStorage.huaweiObs}. */
export interface HuaweiObsStorageOptions {
  /** Bucket (HUAWEI_OBS_BUCKET_NAME). */
  readonly bucket: string;
  /** Endpoint URL (HUAWEI_OBS_SERVER), e.g. `https://obs.cn-north-4.myhuaweicloud.com`. */
  readonly server: string;
  /** Access key (HUAWEI_OBS_ACCESS_KEY). */
  readonly accessKey: SecretKeyRef;
  /** Secret key (HUAWEI_OBS_SECRET_KEY). */
  readonly secretKey: SecretKeyRef;
  /** Path-style addressing (HUAWEI_OBS_PATH_STYLE). @default false */
  readonly pathStyle?: boolean;
}

/** Props of {@link DifyStorage.volcengineTos}. */
export interface VolcengineTosStorageOptions {
  /** Bucket (VOLCENGINE_TOS_BUCKET_NAME). */
  readonly bucket: string;
  /** Endpoint host or https URL (VOLCENGINE_TOS_ENDPOINT), e.g. `tos-cn-beijing.volces.com`. */
  readonly endpoint: string;
  /** Region (VOLCENGINE_TOS_REGION), e.g. `cn-beijing`. */
  readonly region: string;
  /** Access key (VOLCENGINE_TOS_ACCESS_KEY). */
  readonly accessKey: SecretKeyRef;
  /** Secret key (VOLCENGINE_TOS_SECRET_KEY). */
  readonly secretKey: SecretKeyRef;
}

/** Props of {@link DifyStorage.oci}. */
export interface OciStorageOptions {
  /** Bucket (OCI_BUCKET_NAME). */
  readonly bucket: string;
  /** S3-compatibility endpoint URL (OCI_ENDPOINT), e.g. `https://<namespace>.compat.objectstorage.us-ashburn-1.oraclecloud.com`. */
  readonly endpoint: string;
  /** Region (OCI_REGION), e.g. `us-ashburn-1`. */
  readonly region: string;
  /** Customer secret key ID (OCI_ACCESS_KEY). */
  readonly accessKey: SecretKeyRef;
  /** Customer secret key (OCI_SECRET_KEY). */
  readonly secretKey: SecretKeyRef;
}

/** Props of {@link DifyStorage.baiduObs}. */
export interface BaiduObsStorageOptions {
  /** Bucket (BAIDU_OBS_BUCKET_NAME). */
  readonly bucket: string;
  /** Endpoint host or https URL (BAIDU_OBS_ENDPOINT), e.g. `bj.bcebos.com`. */
  readonly endpoint: string;
  /** Access key (BAIDU_OBS_ACCESS_KEY). */
  readonly accessKey: SecretKeyRef;
  /** Secret key (BAIDU_OBS_SECRET_KEY). */
  readonly secretKey: SecretKeyRef;
}

/** Props of {@link DifyStorage.supabase}. */
export interface SupabaseStorageOptions {
  /** Bucket (SUPABASE_BUCKET_NAME). */
  readonly bucket: string;
  /** Project URL (SUPABASE_URL), e.g. `https://<project>.supabase.co`. */
  readonly url: string;
  /** Service key (SUPABASE_API_KEY). */
  readonly apiKey: SecretKeyRef;
}

/** Props of {@link DifyStorage.clickzettaVolume}. */
export interface ClickzettaVolumeStorageOptions {
  /** User (CLICKZETTA_USERNAME). */
  readonly username: string;
  /** Password (CLICKZETTA_PASSWORD). */
  readonly password: SecretKeyRef;
  /** Instance (CLICKZETTA_INSTANCE). */
  readonly instance: string;
  /** Service endpoint host (CLICKZETTA_SERVICE). @default "api.clickzetta.com" */
  readonly service?: string;
  /** Workspace (CLICKZETTA_WORKSPACE). @default "quick_start" */
  readonly workspace?: string;
  /** Virtual cluster (CLICKZETTA_VCLUSTER). @default "default_ap" */
  readonly vcluster?: string;
  /** Schema (CLICKZETTA_SCHEMA). @default "dify" */
  readonly schema?: string;
  /** Volume type (CLICKZETTA_VOLUME_TYPE). @default "user" */
  readonly volumeType?: 'table' | 'user' | 'external';
  /** External volume name (CLICKZETTA_VOLUME_NAME); required for, and only for, `external`. @default - none */
  readonly volumeName?: string;
  /** Table volume prefix (CLICKZETTA_VOLUME_TABLE_PREFIX). @default "dataset_" */
  readonly tablePrefix?: string;
  /** User volume directory prefix (CLICKZETTA_VOLUME_DIFY_PREFIX). @default "dify_km" */
  readonly difyPrefix?: string;
}

/**
 * Where api and worker keep uploaded files. Chosen with a factory:
 * `DifyStorage.persistentVolume()` (default), `.s3()`, `.azureBlob()`,
 * `.googleCloudStorage()`, `.aliyunOss()`, `.tencentCos()`, `.huaweiObs()`,
 * `.volcengineTos()`, `.oci()`, `.baiduObs()`, `.supabase()` or
 * `.clickzettaVolume()`: every STORAGE_TYPE Dify 1.16.1 supports. Credentials
 * are always SecretKeyRefs.
 */
export abstract class DifyStorage {
  /**
   * OpenDAL `fs` storage on one PersistentVolumeClaim. ReadWriteOnce (default):
   * api, worker and websocket mount the same claim and are co-scheduled on one
   * node (a RWO volume may be mounted by many pods of one node), one pod each.
   * ReadWriteMany: any number of pods on any node.
   */
  public static persistentVolume(options: PersistentVolumeStorageOptions = {}): DifyStorage {
    guardProps('PersistentVolumeStorageOptions', options, 'storage');
    return new PersistentVolumeStorage(options);
  }

  /** Amazon S3 or an S3-compatible object store (STORAGE_TYPE=s3). */
  public static s3(options: S3StorageOptions): DifyStorage {
    guardProps('S3StorageOptions', options, 'storage.s3');
    return new S3Storage(options);
  }

  /** Azure Blob Storage with an account key (STORAGE_TYPE=azure-blob). */
  public static azureBlob(o: AzureBlobStorageOptions): DifyStorage {
    const p = 'storage.azureBlob';
    guardProps('AzureBlobStorageOptions', o, p);
    if (typeof o.accountName !== 'string' || !/^[a-z0-9]{3,24}$/.test(o.accountName)) {
      invalid(`${p}.accountName`, o.accountName, 'must be an Azure storage account name: 3-24 lowercase letters and digits');
    }
    checkAzureContainer(`${p}.containerName`, o.containerName);
    const accountUrl = o.accountUrl ?? `https://${o.accountName}.blob.core.windows.net`;
    validateHttpsUrl(`${p}.accountUrl`, accountUrl);
    return new ObjectStorage('azureBlob', { ...o, accountUrl }, p);
  }

  /** Google Cloud Storage (STORAGE_TYPE=google-storage). */
  public static googleCloudStorage(o: GoogleCloudStorageOptions): DifyStorage {
    const p = 'storage.googleCloudStorage';
    guardProps('GoogleCloudStorageOptions', o, p);
    if (typeof o.bucket !== 'string' || !/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(o.bucket) || o.bucket.split('.').some((l) => l.length > 63)) {
      invalid(
        `${p}.bucket`,
        o.bucket,
        "must be a GCS bucket name: 3-222 lowercase letters, digits, '-', '_' and '.' (dot-separated parts of at most 63), starting and ending alphanumeric",
      );
    }
    return new ObjectStorage('googleCloudStorage', o, p);
  }

  /** Alibaba Cloud OSS (STORAGE_TYPE=aliyun-oss). */
  public static aliyunOss(o: AliyunOssStorageOptions): DifyStorage {
    const p = 'storage.aliyunOss';
    guardProps('AliyunOssStorageOptions', o, p);
    validateBucket(`${p}.bucket`, o.bucket, 'an OSS bucket name');
    validateUrl(`${p}.endpoint`, o.endpoint);
    validateRegion(`${p}.region`, o.region, 'ap-southeast-1');
    checkOssAuthVersion(`${p}.authVersion`, o.authVersion);
    if (o.path !== undefined) validateFolder(`${p}.path`, o.path);
    if (o.cloudBoxId !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(o.cloudBoxId))
      invalid(`${p}.cloudBoxId`, o.cloudBoxId, "must be a CloudBox ID: letters, digits, '-' and '_'");
    return new ObjectStorage('aliyunOss', { ...o, authVersion: o.authVersion ?? 'v4' }, p);
  }

  /** Tencent Cloud COS (STORAGE_TYPE=tencent-cos). */
  public static tencentCos(o: TencentCosStorageOptions): DifyStorage {
    const p = 'storage.tencentCos';
    guardProps('TencentCosStorageOptions', o, p);
    checkCosBucket(`${p}.bucket`, o.bucket, 'dify-files-1250000000');
    validateRegion(`${p}.region`, o.region, 'ap-guangzhou');
    if (o.scheme !== undefined && !['http', 'https'].includes(o.scheme)) invalid(`${p}.scheme`, o.scheme, 'must be "http" or "https"');
    if (o.customDomain !== undefined) validateServiceHost(`${p}.customDomain`, o.customDomain);
    return new ObjectStorage('tencentCos', { ...o, scheme: o.scheme ?? 'https' }, p);
  }

  /** Huawei Cloud OBS (STORAGE_TYPE=huawei-obs). */
  public static huaweiObs(o: HuaweiObsStorageOptions): DifyStorage {
    const p = 'storage.huaweiObs';
    guardProps('HuaweiObsStorageOptions', o, p);
    validateBucket(`${p}.bucket`, o.bucket, 'an OBS bucket name', true);
    validateUrl(`${p}.server`, o.server);
    return new ObjectStorage('huaweiObs', { ...o, pathStyle: o.pathStyle === true }, p);
  }

  /** Volcengine TOS (STORAGE_TYPE=volcengine-tos). */
  public static volcengineTos(o: VolcengineTosStorageOptions): DifyStorage {
    const p = 'storage.volcengineTos';
    guardProps('VolcengineTosStorageOptions', o, p);
    validateBucket(`${p}.bucket`, o.bucket, 'a TOS bucket name');
    checkHostOrUrl(`${p}.endpoint`, o.endpoint);
    validateRegion(`${p}.region`, o.region, 'cn-beijing');
    return new ObjectStorage('volcengineTos', o, p);
  }

  /** Oracle Cloud Object Storage through its S3 compatibility API (STORAGE_TYPE=oci-storage). */
  public static oci(o: OciStorageOptions): DifyStorage {
    const p = 'storage.oci';
    guardProps('OciStorageOptions', o, p);
    if (typeof o.bucket !== 'string' || !/^[A-Za-z0-9._-]{1,256}$/.test(o.bucket)) {
      invalid(`${p}.bucket`, o.bucket, "must be an OCI bucket name: 1-256 letters, digits, '-', '_' and '.'");
    }
    validateHttpsUrl(`${p}.endpoint`, o.endpoint);
    validateRegion(`${p}.region`, o.region, 'us-ashburn-1');
    return new ObjectStorage('oci', o, p);
  }

  /** Baidu Cloud BOS (STORAGE_TYPE=baidu-obs). */
  public static baiduObs(o: BaiduObsStorageOptions): DifyStorage {
    const p = 'storage.baiduObs';
    guardProps('BaiduObsStorageOptions', o, p);
    validateBucket(`${p}.bucket`, o.bucket, 'a BOS bucket name');
    checkHostOrUrl(`${p}.endpoint`, o.endpoint);
    return new ObjectStorage('baiduObs', o, p);
  }

  /** Supabase Storage (STORAGE_TYPE=supabase). */
  public static supabase(o: SupabaseStorageOptions): DifyStorage {
    const p = 'storage.supabase';
    guardProps('SupabaseStorageOptions', o, p);
    if (typeof o.bucket !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(o.bucket)) {
      invalid(`${p}.bucket`, o.bucket, "must be a Supabase bucket name: up to 100 letters, digits, '-', '_' and '.', starting alphanumeric");
    }
    validateHttpsUrl(`${p}.url`, o.url);
    return new ObjectStorage('supabase', o, p);
  }

  /** ClickZetta Lakehouse volumes (STORAGE_TYPE=clickzetta-volume). */
  public static clickzettaVolume(o: ClickzettaVolumeStorageOptions): DifyStorage {
    const p = 'storage.clickzettaVolume';
    guardProps('ClickzettaVolumeStorageOptions', o, p);
    const name = (prop: string, v: string | undefined) => {
      if (v !== undefined && (typeof v !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(v))) {
        invalid(`${p}.${prop}`, v, "must be 1-128 letters, digits, '_', '.' and '-'");
      }
    };
    name('username', o.username);
    if (o.username === undefined) invalid(`${p}.username`, undefined, 'is required');
    name('instance', o.instance);
    if (o.instance === undefined) invalid(`${p}.instance`, undefined, 'is required');
    for (const k of ['workspace', 'vcluster', 'schema', 'volumeName', 'tablePrefix', 'difyPrefix'] as const) name(k, o[k]);
    if (o.service !== undefined) validateServiceHost(`${p}.service`, o.service);
    const volumeType = o.volumeType ?? 'user';
    if (!['table', 'user', 'external'].includes(volumeType)) invalid(`${p}.volumeType`, volumeType, 'must be "table", "user" or "external"');
    if ((volumeType === 'external') !== (o.volumeName !== undefined)) {
      invalid(`${p}.volumeName`, o.volumeName, `is required for volumeType "external" and only used by it (volumeType is "${volumeType}")`);
    }
    return new ObjectStorage(
      'clickzettaVolume',
      {
        ...o,
        service: o.service ?? 'api.clickzetta.com',
        workspace: o.workspace ?? 'quick_start',
        vcluster: o.vcluster ?? 'default_ap',
        schema: o.schema ?? 'dify',
        volumeType,
        tablePrefix: o.tablePrefix ?? 'dataset_',
        difyPrefix: o.difyPrefix ?? 'dify_km',
      },
      p,
    );
  }

  /** `STORAGE_TYPE` value. */
  public abstract readonly storageType: string;
  /** The claim to create and mount at /app/api/storage, if any. */
  public abstract readonly volume?: { readonly size: string; readonly storageClassName?: string; readonly accessMode: 'ReadWriteOnce' | 'ReadWriteMany' };
  /** api/worker environment for this storage. */
  public abstract env(): EnvSet;
}

class PersistentVolumeStorage extends DifyStorage {
  public readonly storageType = 'opendal';
  public readonly volume: { size: string; storageClassName?: string; accessMode: 'ReadWriteOnce' | 'ReadWriteMany' };
  constructor(o: PersistentVolumeStorageOptions) {
    super();
    const size = validateMemory('storage.size', o.size ?? '10Gi');
    if (o.storageClassName !== undefined) validateDnsSubdomain('storage.storageClassName', o.storageClassName);
    const accessMode = o.accessMode ?? 'ReadWriteOnce';
    if (!['ReadWriteOnce', 'ReadWriteMany'].includes(accessMode)) invalid('storage.accessMode', accessMode, 'must be "ReadWriteOnce" or "ReadWriteMany"');
    this.volume = { size, storageClassName: o.storageClassName, accessMode };
  }
  public env(): EnvSet {
    // The root is relative to /app/api, where the claim is mounted: another root must stay inside it (storage/…).
    return new EnvSet().plain({ STORAGE_TYPE: 'opendal' }, 'storage').defaults({ OPENDAL_SCHEME: 'fs', OPENDAL_FS_ROOT: 'storage' }, 'storage');
  }
}

class S3Storage extends DifyStorage {
  public readonly storageType = OBJECT_STORES.s3.files.type;
  public readonly volume = undefined;
  constructor(private readonly o: S3StorageOptions) {
    super();
    validateS3Bucket('storage.s3.bucket', o.bucket);
    validateRegion('storage.s3.region', o.region, 'us-east-1');
    if (o.endpoint !== undefined) validateUrl('storage.s3.endpoint', o.endpoint);
    if (o.addressStyle !== undefined && !['auto', 'virtual', 'path'].includes(o.addressStyle)) {
      invalid('storage.s3.addressStyle', o.addressStyle, 'must be "auto", "virtual" or "path"');
    }
    const hasKeys = o.accessKey !== undefined || o.secretKey !== undefined;
    if (o.useAwsManagedIam && hasKeys) {
      invalid('storage.s3.useAwsManagedIam', true, 'conflicts with accessKey/secretKey; use one or the other');
    }
    if (!o.useAwsManagedIam && (o.accessKey === undefined || o.secretKey === undefined)) {
      invalid('storage.s3.accessKey', o.accessKey?.toString(), 'accessKey and secretKey are both required unless useAwsManagedIam is true');
    }
    if (o.useAwsManagedIam && o.endpoint !== undefined) {
      invalid(
        'storage.s3.endpoint',
        o.endpoint,
        'conflicts with useAwsManagedIam: Dify ignores the endpoint with managed IAM; S3-compatible stores need accessKey/secretKey',
      );
    }
    if (hasKeys) {
      validateSecretKeyRef('storage.s3.accessKey', o.accessKey, 'the access key');
      validateSecretKeyRef('storage.s3.secretKey', o.secretKey, 'the secret key');
    }
  }
  public env(): EnvSet {
    const values = { ...this.o, addressStyle: this.o.addressStyle ?? 'auto', useAwsManagedIam: this.o.useAwsManagedIam === true };
    return objectStoreEnv('STORAGE_TYPE', OBJECT_STORES.s3.files, values, 'storage.s3');
  }
}

/** Any object store of {@link OBJECT_STORES}: its credentials are checked, its options rendered through the table. */
class ObjectStorage extends DifyStorage {
  public readonly volume = undefined;
  public readonly storageType: string;
  constructor(
    private readonly provider: ObjectStoreName,
    private readonly values: object,
    private readonly source: string,
  ) {
    super();
    checkCredentials(OBJECT_STORES[provider].files, values, source);
    this.storageType = OBJECT_STORES[provider].files.type;
  }
  public env(): EnvSet {
    return objectStoreEnv('STORAGE_TYPE', OBJECT_STORES[this.provider].files, this.values, this.source);
  }
}

function validateHttpsUrl(prop: string, value: string): string {
  validateUrl(prop, value);
  if (!value.startsWith('https://')) invalid(prop, value, 'must be an https:// URL: credentials and files must not travel in clear text');
  return value;
}
