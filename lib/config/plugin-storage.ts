import { EnvSet } from '../core/env';
import { SecretKeyRef } from '../core/secret-ref';
import { invalid, validateUrl } from '../core/validation';
import { validateSecretKeyRef } from './connections';
import { validateBucket, validateFolder, validateRegion, validateS3Bucket } from '../core/validation';
import { guardProps } from '../core/guard';

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
        return new EnvSet()
          .plain({ PLUGIN_STORAGE_TYPE: 'local' }, 'pluginDaemon.storage')
          .defaults({ PLUGIN_STORAGE_LOCAL_ROOT: localRoot }, 'pluginDaemon.storage');
      }
    })();
  }

  /** Amazon S3 or an S3-compatible store (PLUGIN_STORAGE_TYPE=aws_s3). */
  public static s3(o: PluginS3StorageOptions): PluginStorage {
    const p = 'pluginDaemon.storage.s3';
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
      'aws_s3',
      {
        PLUGIN_STORAGE_OSS_BUCKET: o.bucket,
        AWS_REGION: o.region,
        S3_USE_AWS: o.endpoint === undefined ? 'true' : 'false',
        S3_ENDPOINT: o.endpoint,
        S3_USE_PATH_STYLE: o.usePathStyle ? 'true' : 'false',
        S3_USE_AWS_MANAGED_IAM: o.useAwsManagedIam ? 'true' : 'false',
      },
      { AWS_ACCESS_KEY: o.accessKey, AWS_SECRET_KEY: o.secretKey },
      p,
    );
  }

  /** Azure Blob Storage (PLUGIN_STORAGE_TYPE=azure_blob). */
  public static azureBlob(o: PluginAzureBlobStorageOptions): PluginStorage {
    const p = 'pluginDaemon.storage.azureBlob';
    guardProps('PluginAzureBlobStorageOptions', o, p);
    if (typeof o.containerName !== 'string' || !/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(o.containerName)) {
      invalid(
        `${p}.containerName`,
        o.containerName,
        "must be an Azure container name: 3-63 lowercase letters, digits and single '-', starting and ending alphanumeric",
      );
    }
    return new ObjectPluginStorage(
      'azure_blob',
      { AZURE_BLOB_STORAGE_CONTAINER_NAME: o.containerName },
      { AZURE_BLOB_STORAGE_CONNECTION_STRING: validateSecretKeyRef(`${p}.connectionString`, o.connectionString, 'the storage account connection string') },
      p,
    );
  }

  /** Tencent Cloud COS (PLUGIN_STORAGE_TYPE=tencent_cos). */
  public static tencentCos(o: PluginTencentCosStorageOptions): PluginStorage {
    const p = 'pluginDaemon.storage.tencentCos';
    guardProps('PluginTencentCosStorageOptions', o, p);
    if (typeof o.bucket !== 'string' || !/^[a-z0-9][a-z0-9-]*-[0-9]{5,}$/.test(o.bucket) || o.bucket.length > 63) {
      invalid(`${p}.bucket`, o.bucket, 'must be a COS bucket as <name>-<APPID>, e.g. "dify-plugins-1250000000" (lowercase letters, digits and \'-\')');
    }
    validateRegion(`${p}.region`, o.region, 'ap-guangzhou');
    return new ObjectPluginStorage(
      'tencent_cos',
      { PLUGIN_STORAGE_OSS_BUCKET: o.bucket, TENCENT_COS_REGION: o.region },
      {
        TENCENT_COS_SECRET_ID: validateSecretKeyRef(`${p}.secretId`, o.secretId, 'the SecretId'),
        TENCENT_COS_SECRET_KEY: validateSecretKeyRef(`${p}.secretKey`, o.secretKey, 'the SecretKey'),
      },
      p,
    );
  }

  /** Alibaba Cloud OSS (PLUGIN_STORAGE_TYPE=aliyun_oss). */
  public static aliyunOss(o: PluginAliyunOssStorageOptions): PluginStorage {
    const p = 'pluginDaemon.storage.aliyunOss';
    guardProps('PluginAliyunOssStorageOptions', o, p);
    validateBucket(`${p}.bucket`, o.bucket, 'an OSS bucket name');
    validateUrl(`${p}.endpoint`, o.endpoint);
    validateRegion(`${p}.region`, o.region, 'ap-southeast-1');
    if (o.authVersion !== undefined && !['v1', 'v4'].includes(o.authVersion)) invalid(`${p}.authVersion`, o.authVersion, 'must be "v1" or "v4"');
    if (o.path !== undefined) validateFolder(`${p}.path`, o.path);
    return new ObjectPluginStorage(
      'aliyun_oss',
      {
        PLUGIN_STORAGE_OSS_BUCKET: o.bucket,
        ALIYUN_OSS_ENDPOINT: o.endpoint,
        ALIYUN_OSS_REGION: o.region,
        ALIYUN_OSS_AUTH_VERSION: o.authVersion ?? 'v4',
        ALIYUN_OSS_PATH: o.path,
      },
      {
        ALIYUN_OSS_ACCESS_KEY_ID: validateSecretKeyRef(`${p}.accessKeyId`, o.accessKeyId, 'the AccessKey ID'),
        ALIYUN_OSS_ACCESS_KEY_SECRET: validateSecretKeyRef(`${p}.accessKeySecret`, o.accessKeySecret, 'the AccessKey secret'),
      },
      p,
    );
  }

  /** Volcengine TOS (PLUGIN_STORAGE_TYPE=volcengine_tos). */
  public static volcengineTos(o: PluginVolcengineTosStorageOptions): PluginStorage {
    const p = 'pluginDaemon.storage.volcengineTos';
    guardProps('PluginVolcengineTosStorageOptions', o, p);
    validateBucket(`${p}.bucket`, o.bucket, 'a TOS bucket name');
    if (
      typeof o.endpoint !== 'string' ||
      !(/^https?:\/\/\S+[^/]$/.test(o.endpoint) || /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(o.endpoint))
    ) {
      invalid(`${p}.endpoint`, o.endpoint, 'must be an endpoint host such as "tos-cn-beijing.volces.com" or an http(s):// URL without a trailing slash');
    }
    validateRegion(`${p}.region`, o.region, 'cn-beijing');
    return new ObjectPluginStorage(
      'volcengine_tos',
      { PLUGIN_STORAGE_OSS_BUCKET: o.bucket, VOLCENGINE_TOS_ENDPOINT: o.endpoint, VOLCENGINE_TOS_REGION: o.region },
      {
        VOLCENGINE_TOS_ACCESS_KEY: validateSecretKeyRef(`${p}.accessKey`, o.accessKey, 'the access key'),
        VOLCENGINE_TOS_SECRET_KEY: validateSecretKeyRef(`${p}.secretKey`, o.secretKey, 'the secret key'),
      },
      p,
    );
  }

  /** PLUGIN_STORAGE_TYPE value. */
  public abstract readonly storageType: string;
  /** The daemon's storage environment; `localRoot` is the mounted volume. */
  public abstract env(localRoot: string): EnvSet;
}

class ObjectPluginStorage extends PluginStorage {
  constructor(
    public readonly storageType: string,
    private readonly plainValues: Record<string, string | undefined>,
    private readonly secretValues: Record<string, SecretKeyRef | undefined>,
    private readonly source: string,
  ) {
    super();
  }
  public env(_localRoot: string): EnvSet {
    return new EnvSet().plain({ PLUGIN_STORAGE_TYPE: this.storageType, ...this.plainValues }, this.source).secret(this.secretValues);
  }
}
