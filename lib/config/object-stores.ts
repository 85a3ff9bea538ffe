/**
 * The object stores of uploaded files (Dify's api and worker: STORAGE_TYPE) and of plugin packages (the
 * plugin daemon: PLUGIN_STORAGE_TYPE), one row per provider: which variable each side reads for each
 * option (upstream's docker-compose.yaml and env.example for Dify 1.16.1; the daemon's names as its
 * compose service sets them), and the checks both sides share. `DifyStorage` and `PluginStorage` render
 * through this table; neither keeps a mapping of its own.
 */
import { EnvSet } from '../core/env';
import { SecretKeyRef } from '../core/secret-ref';
import { dnsNameProblem, invalid, validateUrl } from '../core/validation';
import { validateSecretKeyRef } from './connections';

/** An option's variable. A credential names itself in messages (`secret`) and goes by Secret reference. */
export interface StoreField {
  readonly env: string;
  /** What the credential is, e.g. "the access key"; set for credentials only. */
  readonly secret?: string;
  /** An optional credential (checked only when given). @default false */
  readonly optional?: boolean;
}

/** How one side configures a provider: its type value and a variable per option. */
export interface StoreSide {
  /** STORAGE_TYPE (files) or PLUGIN_STORAGE_TYPE (plugins) value. */
  readonly type: string;
  readonly fields: Readonly<Record<string, StoreField>>;
}

/** One provider: its files side (`DifyStorage`) and, when the daemon supports it, its plugins side (`PluginStorage`). */
export interface ObjectStoreProvider {
  readonly files: StoreSide;
  readonly plugins?: StoreSide;
}

const f = (env: string): StoreField => ({ env });
const cred = (env: string, secret: string, optional = false): StoreField => ({ env, secret, optional });

/** Every object store, by factory name (`DifyStorage.<name>`, `PluginStorage.<name>`). */
export const OBJECT_STORES = {
  s3: {
    files: {
      type: 's3',
      fields: {
        bucket: f('S3_BUCKET_NAME'),
        region: f('S3_REGION'),
        endpoint: f('S3_ENDPOINT'),
        addressStyle: f('S3_ADDRESS_STYLE'),
        useAwsManagedIam: f('S3_USE_AWS_MANAGED_IAM'),
        accessKey: cred('S3_ACCESS_KEY', 'the access key', true),
        secretKey: cred('S3_SECRET_KEY', 'the secret key', true),
      },
    },
    plugins: {
      type: 'aws_s3',
      fields: {
        bucket: f('PLUGIN_STORAGE_OSS_BUCKET'),
        region: f('AWS_REGION'),
        /** Derived: true for Amazon S3, false with an endpoint. */
        useAws: f('S3_USE_AWS'),
        endpoint: f('S3_ENDPOINT'),
        usePathStyle: f('S3_USE_PATH_STYLE'),
        useAwsManagedIam: f('S3_USE_AWS_MANAGED_IAM'),
        accessKey: cred('AWS_ACCESS_KEY', 'the access key', true),
        secretKey: cred('AWS_SECRET_KEY', 'the secret key', true),
      },
    },
  },
  azureBlob: {
    files: {
      type: 'azure-blob',
      fields: {
        accountName: f('AZURE_BLOB_ACCOUNT_NAME'),
        containerName: f('AZURE_BLOB_CONTAINER_NAME'),
        accountUrl: f('AZURE_BLOB_ACCOUNT_URL'),
        accountKey: cred('AZURE_BLOB_ACCOUNT_KEY', 'the storage account key'),
      },
    },
    plugins: {
      type: 'azure_blob',
      fields: {
        containerName: f('AZURE_BLOB_STORAGE_CONTAINER_NAME'),
        connectionString: cred('AZURE_BLOB_STORAGE_CONNECTION_STRING', 'the storage account connection string'),
      },
    },
  },
  googleCloudStorage: {
    files: {
      type: 'google-storage',
      fields: {
        bucket: f('GOOGLE_STORAGE_BUCKET_NAME'),
        serviceAccountJsonBase64: cred('GOOGLE_STORAGE_SERVICE_ACCOUNT_JSON_BASE64', 'the base64 of a service account key JSON', true),
      },
    },
  },
  aliyunOss: {
    files: {
      type: 'aliyun-oss',
      fields: {
        bucket: f('ALIYUN_OSS_BUCKET_NAME'),
        endpoint: f('ALIYUN_OSS_ENDPOINT'),
        region: f('ALIYUN_OSS_REGION'),
        authVersion: f('ALIYUN_OSS_AUTH_VERSION'),
        path: f('ALIYUN_OSS_PATH'),
        cloudBoxId: f('ALIYUN_CLOUDBOX_ID'),
        accessKey: cred('ALIYUN_OSS_ACCESS_KEY', 'the AccessKey ID'),
        secretKey: cred('ALIYUN_OSS_SECRET_KEY', 'the AccessKey secret'),
      },
    },
    plugins: {
      type: 'aliyun_oss',
      fields: {
        bucket: f('PLUGIN_STORAGE_OSS_BUCKET'),
        endpoint: f('ALIYUN_OSS_ENDPOINT'),
        region: f('ALIYUN_OSS_REGION'),
        authVersion: f('ALIYUN_OSS_AUTH_VERSION'),
        path: f('ALIYUN_OSS_PATH'),
        accessKeyId: cred('ALIYUN_OSS_ACCESS_KEY_ID', 'the AccessKey ID'),
        accessKeySecret: cred('ALIYUN_OSS_ACCESS_KEY_SECRET', 'the AccessKey secret'),
      },
    },
  },
  tencentCos: {
    files: {
      type: 'tencent-cos',
      fields: {
        bucket: f('TENCENT_COS_BUCKET_NAME'),
        region: f('TENCENT_COS_REGION'),
        scheme: f('TENCENT_COS_SCHEME'),
        customDomain: f('TENCENT_COS_CUSTOM_DOMAIN'),
        secretId: cred('TENCENT_COS_SECRET_ID', 'the SecretId'),
        secretKey: cred('TENCENT_COS_SECRET_KEY', 'the SecretKey'),
      },
    },
    plugins: {
      type: 'tencent_cos',
      fields: {
        bucket: f('PLUGIN_STORAGE_OSS_BUCKET'),
        region: f('TENCENT_COS_REGION'),
        secretId: cred('TENCENT_COS_SECRET_ID', 'the SecretId'),
        secretKey: cred('TENCENT_COS_SECRET_KEY', 'the SecretKey'),
      },
    },
  },
  huaweiObs: {
    files: {
      type: 'huawei-obs',
      fields: {
        bucket: f('HUAWEI_OBS_BUCKET_NAME'),
        server: f('HUAWEI_OBS_SERVER'),
        pathStyle: f('HUAWEI_OBS_PATH_STYLE'),
        accessKey: cred('HUAWEI_OBS_ACCESS_KEY', 'the access key'),
        secretKey: cred('HUAWEI_OBS_SECRET_KEY', 'the secret key'),
      },
    },
  },
  volcengineTos: {
    files: {
      type: 'volcengine-tos',
      fields: {
        bucket: f('VOLCENGINE_TOS_BUCKET_NAME'),
        endpoint: f('VOLCENGINE_TOS_ENDPOINT'),
        region: f('VOLCENGINE_TOS_REGION'),
        accessKey: cred('VOLCENGINE_TOS_ACCESS_KEY', 'the access key'),
        secretKey: cred('VOLCENGINE_TOS_SECRET_KEY', 'the secret key'),
      },
    },
    plugins: {
      type: 'volcengine_tos',
      fields: {
        bucket: f('PLUGIN_STORAGE_OSS_BUCKET'),
        endpoint: f('VOLCENGINE_TOS_ENDPOINT'),
        region: f('VOLCENGINE_TOS_REGION'),
        accessKey: cred('VOLCENGINE_TOS_ACCESS_KEY', 'the access key'),
        secretKey: cred('VOLCENGINE_TOS_SECRET_KEY', 'the secret key'),
      },
    },
  },
  oci: {
    files: {
      type: 'oci-storage',
      fields: {
        bucket: f('OCI_BUCKET_NAME'),
        endpoint: f('OCI_ENDPOINT'),
        region: f('OCI_REGION'),
        accessKey: cred('OCI_ACCESS_KEY', 'the customer secret key ID'),
        secretKey: cred('OCI_SECRET_KEY', 'the customer secret key'),
      },
    },
  },
  baiduObs: {
    files: {
      type: 'baidu-obs',
      fields: {
        bucket: f('BAIDU_OBS_BUCKET_NAME'),
        endpoint: f('BAIDU_OBS_ENDPOINT'),
        accessKey: cred('BAIDU_OBS_ACCESS_KEY', 'the access key'),
        secretKey: cred('BAIDU_OBS_SECRET_KEY', 'the secret key'),
      },
    },
  },
  supabase: {
    files: {
      type: 'supabase',
      fields: { bucket: f('SUPABASE_BUCKET_NAME'), url: f('SUPABASE_URL'), apiKey: cred('SUPABASE_API_KEY', 'the Supabase service key') },
    },
  },
  clickzettaVolume: {
    files: {
      type: 'clickzetta-volume',
      fields: {
        username: f('CLICKZETTA_USERNAME'),
        instance: f('CLICKZETTA_INSTANCE'),
        service: f('CLICKZETTA_SERVICE'),
        workspace: f('CLICKZETTA_WORKSPACE'),
        vcluster: f('CLICKZETTA_VCLUSTER'),
        schema: f('CLICKZETTA_SCHEMA'),
        volumeType: f('CLICKZETTA_VOLUME_TYPE'),
        volumeName: f('CLICKZETTA_VOLUME_NAME'),
        tablePrefix: f('CLICKZETTA_VOLUME_TABLE_PREFIX'),
        difyPrefix: f('CLICKZETTA_VOLUME_DIFY_PREFIX'),
        password: cred('CLICKZETTA_PASSWORD', 'the ClickZetta password'),
      },
    },
  },
} as const satisfies Readonly<Record<string, ObjectStoreProvider>>;

export type ObjectStoreName = keyof typeof OBJECT_STORES;

/** Checks every credential of `side` in `options` (required ones must be SecretKeyRefs; optional ones when given). */
export function checkCredentials(side: StoreSide, options: object, prop: string): void {
  const o = options as Record<string, unknown>;
  for (const [name, field] of Object.entries(side.fields)) {
    if (!field.secret || (field.optional && o[name] === undefined)) continue;
    validateSecretKeyRef(`${prop}.${name}`, o[name] as SecretKeyRef, field.secret);
  }
}

/**
 * The environment of `side` for `values` (the options with their defaults resolved, plus any derived
 * option the side lists): `typeVariable` set to the side's type, each plain option under its variable,
 * each credential by Secret reference. Options left undefined are not rendered.
 */
export function objectStoreEnv(typeVariable: string, side: StoreSide, values: object, source: string): EnvSet {
  const v = values as Record<string, unknown>;
  const plain: Record<string, string | number | boolean | undefined> = { [typeVariable]: side.type };
  const secrets: Record<string, SecretKeyRef | undefined> = {};
  for (const [name, field] of Object.entries(side.fields)) {
    if (field.secret) secrets[field.env] = v[name] as SecretKeyRef | undefined;
    else plain[field.env] = v[name] as string | number | boolean | undefined;
  }
  return new EnvSet().plain(plain, source).secret(secrets);
}

/** An Azure Blob container name (both sides). */
export function checkAzureContainer(prop: string, value: unknown): void {
  if (typeof value !== 'string' || !/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(value)) {
    invalid(prop, value, "must be an Azure container name: 3-63 lowercase letters, digits and single '-', starting and ending alphanumeric");
  }
}

/** A Tencent COS bucket, `<name>-<APPID>` (both sides); `example` shows one. */
export function checkCosBucket(prop: string, value: unknown, example: string): void {
  if (typeof value !== 'string' || !/^[a-z0-9][a-z0-9-]*-[0-9]{5,}$/.test(value) || value.length > 63) {
    invalid(prop, value, `must be a COS bucket as <name>-<APPID>, e.g. "${example}" (lowercase letters, digits and '-')`);
  }
}

/** An Alibaba OSS signature version (both sides). */
export function checkOssAuthVersion(prop: string, value: unknown): void {
  if (value !== undefined && value !== 'v1' && value !== 'v4') invalid(prop, value, 'must be "v1" or "v4"');
}

/** An endpoint host such as "tos-cn-beijing.volces.com", or an http(s) URL without a trailing slash (both sides). */
export function checkHostOrUrl(prop: string, value: unknown): string {
  const allowed = 'must be an endpoint host such as "tos-cn-beijing.volces.com" or an http(s):// URL without a trailing slash';
  if (typeof value === 'string' && /^https?:\/\//.test(value)) {
    if (value.endsWith('/')) return invalid(prop, value, allowed);
    return validateUrl(prop, value);
  }
  if (typeof value !== 'string' || !value.includes('.')) return invalid(prop, value, allowed);
  const problem = dnsNameProblem(value);
  if (problem) invalid(prop, value, `${allowed}; it ${problem}`);
  return value;
}
