import { EnvSet } from '../core/env';
import { SecretKeyRef } from '../core/secret-ref';
import { invalid, validateUrl } from '../core/validation';
import { validateSecretKeyRef } from './connections';
import { validateBucket, validateFolder, validateRegion, validateS3Bucket } from '../core/validation';
import { guardProps } from '../core/guard';
import {
  OBJECT_STORES,
  StoreSide,
  checkAzureContainer,
  checkCosBucket,
  checkCredentials,
  checkHostOrUrl,
  checkOssAuthVersion,
  objectStoreEnv,
} from './object-stores';

/** Props of {@link PluginStorage.s3}. */
export interface PluginS3StorageOptions {
  /** Bucket (PLUGIN_STORAGE_OSS_BUCKET); the daemon creates it when missing and allowed to. */
  readonly bucket: string;
  /** Region (AWS_REGION); required by the daemon. */
  readonly region: string;
  /** Endpoint of an S3-compatible store (S3_ENDPOINT; renders S3_USE_AWS=false). @default - Amazon S3 (S3_USE_AWS=true) */
  readonly endpoint?: string;
  /** Path-style requests, usually needed by MinIO (S3_USE_PATH_STYLE). @default false */
  readonly usePathStyle?: boolean;
  /** Use the pod's IAM role / IRSA (S3_USE_AWS_MANAGED_IAM); Amazon S3 only. @default false */
  readonly useAwsManagedIam?: boolean;
  /** Access key (AWS_ACCESS_KEY). @default - none; use useAwsManagedIam */
  readonly accessKey?: SecretKeyRef;
  /** Secret key (AWS_SECRET_KEY). @default - none; use useAwsManagedIam */
  readonly secretKey?: SecretKeyRef;
}

/** Props of {@link PluginStorage.azureBlob}. */
export interface PluginAzureBlobStorageOptions {
  /** Container (AZURE_BLOB_STORAGE_CONTAINER_NAME). */
  readonly containerName: string;
  /** Storage account connection string (AZURE_BLOB_STORAGE_CONNECTION_STRING). */
  readonly connectionString: SecretKeyRef;
}

/** Props of {@link PluginStorage.tencentCos}. */
export interface PluginTencentCosStorageOptions {
  /** Bucket as `<name>-<APPID>` (PLUGIN_STORAGE_OSS_BUCKET). */
  readonly bucket: string;
  /** Region (TENCENT_COS_REGION). */
  readonly region: string;
  /** SecretId (TENCENT_COS_SECRET_ID). */
  readonly secretId: SecretKeyRef;
  /** SecretKey (TENCENT_COS_SECRET_KEY). */
  readonly secretKey: SecretKeyRef;
}

/** Props of {@link PluginStorage.aliyunOss}. */
export interface PluginAliyunOssStorageOptions {
  /** Bucket (PLUGIN_STORAGE_OSS_BUCKET). */
  readonly bucket: string;
  /** Endpoint URL (ALIYUN_OSS_ENDPOINT). */
  readonly endpoint: string;
  /** Region (ALIYUN_OSS_REGION). */
  readonly region: string;
  /** AccessKey ID (ALIYUN_OSS_ACCESS_KEY_ID). */
  readonly accessKeyId: SecretKeyRef;
  /** AccessKey secret (ALIYUN_OSS_ACCESS_KEY_SECRET). */
  readonly accessKeySecret: SecretKeyRef;
  /** Signature version (ALIYUN_OSS_AUTH_VERSION). @default "v4" */
  readonly authVersion?: 'v1' | 'v4';
  /** Folder inside the bucket (ALIYUN_OSS_PATH). @default - the bucket root */
  readonly path?: string;
}

/** Props of {@link PluginStorage.volcengineTos}. */
export interface PluginVolcengineTosStorageOptions {
  /** Bucket (PLUGIN_STORAGE_OSS_BUCKET). */
  readonly bucket: string;
  /** Endpoint (VOLCENGINE_TOS_ENDPOINT), host or URL. */
  readonly endpoint: string;
  /** Region (VOLCENGINE_TOS_REGION). */
  readonly region: string;
  /** Access key (VOLCENGINE_TOS_ACCESS_KEY). */
  readonly accessKey: SecretKeyRef;
  /** Secret key (VOLCENGINE_TOS_SECRET_KEY). */
  readonly secretKey: SecretKeyRef;
}

/**
 * Where the plugin daemon keeps plugin packages, installed plugins and
 * assets (PLUGIN_STORAGE_TYPE), with the daemon-side env names of upstream's
 * compose file: `PluginStorage.local()` (default: its PersistentVolumeClaim),
 * `.s3()`, `.azureBlob()`, `.tencentCos()`, `.aliyunOss()`, `.volcengineTos()`.
 * With an object store the daemon still runs plugins from its working
 * directory (PLUGIN_WORKING_PATH) on the claim, which stays.
 */
export abstract class PluginStorage {
  /** The daemon's own volume (PLUGIN_STORAGE_TYPE=local, PLUGIN_STORAGE_LOCAL_ROOT). */
  public static local(): PluginStorage {
    return new (class extends PluginStorage {
      public readonly storageType = 'local';
      public env(localRoot: string): EnvSet {
        return new EnvSet().plain({ PLUGIN_STORAGE_TYPE: 'local' }, 'pluginStorage').defaults({ PLUGIN_STORAGE_LOCAL_ROOT: localRoot }, 'pluginStorage');
      }
    })();
  }

  /** Amazon S3 or an S3-compatible store (PLUGIN_STORAGE_TYPE=aws_s3). */
  public static s3(o: PluginS3StorageOptions): PluginStorage {
    const p = 'pluginStorage.s3';
    guardProps('PluginS3StorageOptions', o, p);
    validateS3Bucket(`${p}.bucket`, o.bucket);
    validateRegion(`${p}.region`, o.region, 'us-east-1');
    if (o.endpoint !== undefined) validateUrl(`${p}.endpoint`, o.endpoint);
    const hasKeys = o.accessKey !== undefined || o.secretKey !== undefined;
    if (o.useAwsManagedIam && hasKeys) invalid(`${p}.useAwsManagedIam`, true, 'conflicts with accessKey/secretKey; use one or the other');
    if (o.useAwsManagedIam && o.endpoint !== undefined) {
      invalid(`${p}.endpoint`, o.endpoint, 'conflicts with useAwsManagedIam: managed IAM is for Amazon S3; S3-compatible stores need accessKey/secretKey');
    }
    if (!o.useAwsManagedIam) {
      validateSecretKeyRef(`${p}.accessKey`, o.accessKey, 'the access key (accessKey and secretKey are both required unless useAwsManagedIam is true)');
      validateSecretKeyRef(`${p}.secretKey`, o.secretKey, 'the secret key (accessKey and secretKey are both required unless useAwsManagedIam is true)');
    }
    return new ObjectPluginStorage(
      's3',
      { ...o, useAws: o.endpoint === undefined, usePathStyle: o.usePathStyle === true, useAwsManagedIam: o.useAwsManagedIam === true },
      p,
    );
  }

  /** Azure Blob Storage (PLUGIN_STORAGE_TYPE=azure_blob). */
  public static azureBlob(o: PluginAzureBlobStorageOptions): PluginStorage {
    const p = 'pluginStorage.azureBlob';
    guardProps('PluginAzureBlobStorageOptions', o, p);
    checkAzureContainer(`${p}.containerName`, o.containerName);
    return new ObjectPluginStorage('azureBlob', o, p);
  }

  /** Tencent Cloud COS (PLUGIN_STORAGE_TYPE=tencent_cos). */
  public static tencentCos(o: PluginTencentCosStorageOptions): PluginStorage {
    const p = 'pluginStorage.tencentCos';
    guardProps('PluginTencentCosStorageOptions', o, p);
    checkCosBucket(`${p}.bucket`, o.bucket, 'dify-plugins-1250000000');
    validateRegion(`${p}.region`, o.region, 'ap-guangzhou');
    return new ObjectPluginStorage('tencentCos', o, p);
  }

  /** Alibaba Cloud OSS (PLUGIN_STORAGE_TYPE=aliyun_oss). */
  public static aliyunOss(o: PluginAliyunOssStorageOptions): PluginStorage {
    const p = 'pluginStorage.aliyunOss';
    guardProps('PluginAliyunOssStorageOptions', o, p);
    validateBucket(`${p}.bucket`, o.bucket, 'an OSS bucket name');
    validateUrl(`${p}.endpoint`, o.endpoint);
    validateRegion(`${p}.region`, o.region, 'ap-southeast-1');
    checkOssAuthVersion(`${p}.authVersion`, o.authVersion);
    if (o.path !== undefined) validateFolder(`${p}.path`, o.path);
    return new ObjectPluginStorage('aliyunOss', { ...o, authVersion: o.authVersion ?? 'v4' }, p);
  }

  /** Volcengine TOS (PLUGIN_STORAGE_TYPE=volcengine_tos). */
  public static volcengineTos(o: PluginVolcengineTosStorageOptions): PluginStorage {
    const p = 'pluginStorage.volcengineTos';
    guardProps('PluginVolcengineTosStorageOptions', o, p);
    validateBucket(`${p}.bucket`, o.bucket, 'a TOS bucket name');
    checkHostOrUrl(`${p}.endpoint`, o.endpoint);
    validateRegion(`${p}.region`, o.region, 'cn-beijing');
    return new ObjectPluginStorage('volcengineTos', o, p);
  }

  /** PLUGIN_STORAGE_TYPE value. */
  public abstract readonly storageType: string;
  /** The daemon's storage environment; `localRoot` is the mounted volume. */
  public abstract env(localRoot: string): EnvSet;
}

/** An object store of {@link OBJECT_STORES} the daemon supports, rendered through the table's plugins side. */
class ObjectPluginStorage extends PluginStorage {
  public readonly storageType: string;
  private readonly side: StoreSide;
  constructor(
    provider: 's3' | 'azureBlob' | 'tencentCos' | 'aliyunOss' | 'volcengineTos',
    private readonly values: object,
    private readonly source: string,
  ) {
    super();
    this.side = OBJECT_STORES[provider].plugins;
    // S3's keys are optional with managed IAM and checked by PluginStorage.s3 itself.
    if (provider !== 's3') checkCredentials(this.side, values, source);
    this.storageType = this.side.type;
  }
  public env(_localRoot: string): EnvSet {
    return objectStoreEnv('PLUGIN_STORAGE_TYPE', this.side, this.values, this.source);
  }
}
