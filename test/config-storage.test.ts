import { DifyStorage, EnvSet, PluginStorage, SecretKeyRef, isSensitiveEnvName } from '../lib';

const ref = (key: string) => SecretKeyRef.of('storage-creds', key);

/** Plain values and secret env (name -> "secret/key"); fails if a credential is plain. */
function view(e: EnvSet): { plain: Record<string, string>; secret: Record<string, string> } {
  const plain = e.plainData();
  for (const name of Object.keys(plain)) expect([name, isSensitiveEnvName(name)]).toEqual([name, false]);
  const secret = Object.fromEntries(e.secretEnv().map((v) => [v.name, `${v.valueFrom!.secretKeyRef!.name}/${v.valueFrom!.secretKeyRef!.key}`]));
  return { plain, secret };
}

describe('DifyStorage factories render upstream names, credentials by reference', () => {
  test.each<[string, DifyStorage, Record<string, string>, Record<string, string>]>([
    ['persistentVolume', DifyStorage.persistentVolume(), { STORAGE_TYPE: 'opendal', OPENDAL_SCHEME: 'fs', OPENDAL_FS_ROOT: 'storage' }, {}],
    [
      's3 with keys',
      DifyStorage.s3({
        bucket: 'dify-files',
        region: 'eu-west-1',
        endpoint: 'https://minio.internal:9000',
        addressStyle: 'path',
        accessKey: ref('ak'),
        secretKey: ref('sk'),
      }),
      {
        STORAGE_TYPE: 's3',
        S3_BUCKET_NAME: 'dify-files',
        S3_REGION: 'eu-west-1',
        S3_ENDPOINT: 'https://minio.internal:9000',
        S3_ADDRESS_STYLE: 'path',
        S3_USE_AWS_MANAGED_IAM: 'false',
      },
      { S3_ACCESS_KEY: 'storage-creds/ak', S3_SECRET_KEY: 'storage-creds/sk' },
    ],
    [
      's3 with IRSA',
      DifyStorage.s3({ bucket: 'dify-files', region: 'eu-west-1', useAwsManagedIam: true }),
      { STORAGE_TYPE: 's3', S3_BUCKET_NAME: 'dify-files', S3_REGION: 'eu-west-1', S3_ADDRESS_STYLE: 'auto', S3_USE_AWS_MANAGED_IAM: 'true' },
      {},
    ],
    [
      'azureBlob',
      DifyStorage.azureBlob({ accountName: 'acmedify', containerName: 'dify-files', accountKey: ref('azure') }),
      {
        STORAGE_TYPE: 'azure-blob',
        AZURE_BLOB_ACCOUNT_NAME: 'acmedify',
        AZURE_BLOB_CONTAINER_NAME: 'dify-files',
        AZURE_BLOB_ACCOUNT_URL: 'https://acmedify.blob.core.windows.net',
      },
      { AZURE_BLOB_ACCOUNT_KEY: 'storage-creds/azure' },
    ],
    [
      'googleCloudStorage with Workload Identity',
      DifyStorage.googleCloudStorage({ bucket: 'acme_dify.files' }),
      { STORAGE_TYPE: 'google-storage', GOOGLE_STORAGE_BUCKET_NAME: 'acme_dify.files' },
      {},
    ],
    [
      'googleCloudStorage with a key',
      DifyStorage.googleCloudStorage({ bucket: 'acme-dify', serviceAccountJsonBase64: ref('gcs') }),
      { STORAGE_TYPE: 'google-storage', GOOGLE_STORAGE_BUCKET_NAME: 'acme-dify' },
      { GOOGLE_STORAGE_SERVICE_ACCOUNT_JSON_BASE64: 'storage-creds/gcs' },
    ],
    [
      'aliyunOss',
      DifyStorage.aliyunOss({
        bucket: 'acme-dify',
        endpoint: 'https://oss-ap-southeast-1-internal.aliyuncs.com',
        region: 'ap-southeast-1',
        accessKey: ref('ak'),
        secretKey: ref('sk'),
        path: 'dify/files',
      }),
      {
        STORAGE_TYPE: 'aliyun-oss',
        ALIYUN_OSS_BUCKET_NAME: 'acme-dify',
        ALIYUN_OSS_ENDPOINT: 'https://oss-ap-southeast-1-internal.aliyuncs.com',
        ALIYUN_OSS_REGION: 'ap-southeast-1',
        ALIYUN_OSS_AUTH_VERSION: 'v4',
        ALIYUN_OSS_PATH: 'dify/files',
      },
      { ALIYUN_OSS_ACCESS_KEY: 'storage-creds/ak', ALIYUN_OSS_SECRET_KEY: 'storage-creds/sk' },
    ],
    [
      'tencentCos',
      DifyStorage.tencentCos({ bucket: 'dify-files-1250000000', region: 'ap-guangzhou', secretId: ref('id'), secretKey: ref('key') }),
      { STORAGE_TYPE: 'tencent-cos', TENCENT_COS_BUCKET_NAME: 'dify-files-1250000000', TENCENT_COS_REGION: 'ap-guangzhou', TENCENT_COS_SCHEME: 'https' },
      { TENCENT_COS_SECRET_ID: 'storage-creds/id', TENCENT_COS_SECRET_KEY: 'storage-creds/key' },
    ],
    [
      'huaweiObs',
      DifyStorage.huaweiObs({
        bucket: 'dify.files',
        server: 'https://obs.cn-north-4.myhuaweicloud.com',
        accessKey: ref('ak'),
        secretKey: ref('sk'),
        pathStyle: true,
      }),
      {
        STORAGE_TYPE: 'huawei-obs',
        HUAWEI_OBS_BUCKET_NAME: 'dify.files',
        HUAWEI_OBS_SERVER: 'https://obs.cn-north-4.myhuaweicloud.com',
        HUAWEI_OBS_PATH_STYLE: 'true',
      },
      { HUAWEI_OBS_ACCESS_KEY: 'storage-creds/ak', HUAWEI_OBS_SECRET_KEY: 'storage-creds/sk' },
    ],
    [
      'volcengineTos',
      DifyStorage.volcengineTos({
        bucket: 'dify-files',
        endpoint: 'tos-cn-beijing.volces.com',
        region: 'cn-beijing',
        accessKey: ref('ak'),
        secretKey: ref('sk'),
      }),
      {
        STORAGE_TYPE: 'volcengine-tos',
        VOLCENGINE_TOS_BUCKET_NAME: 'dify-files',
        VOLCENGINE_TOS_ENDPOINT: 'tos-cn-beijing.volces.com',
        VOLCENGINE_TOS_REGION: 'cn-beijing',
      },
      { VOLCENGINE_TOS_ACCESS_KEY: 'storage-creds/ak', VOLCENGINE_TOS_SECRET_KEY: 'storage-creds/sk' },
    ],
    [
      'oci',
      DifyStorage.oci({
        bucket: 'Dify_Files',
        endpoint: 'https://ns.compat.objectstorage.us-ashburn-1.oraclecloud.com',
        region: 'us-ashburn-1',
        accessKey: ref('ak'),
        secretKey: ref('sk'),
      }),
      {
        STORAGE_TYPE: 'oci-storage',
        OCI_BUCKET_NAME: 'Dify_Files',
        OCI_ENDPOINT: 'https://ns.compat.objectstorage.us-ashburn-1.oraclecloud.com',
        OCI_REGION: 'us-ashburn-1',
      },
      { OCI_ACCESS_KEY: 'storage-creds/ak', OCI_SECRET_KEY: 'storage-creds/sk' },
    ],
    [
      'baiduObs',
      DifyStorage.baiduObs({ bucket: 'dify-files', endpoint: 'https://bj.bcebos.com', accessKey: ref('ak'), secretKey: ref('sk') }),
      { STORAGE_TYPE: 'baidu-obs', BAIDU_OBS_BUCKET_NAME: 'dify-files', BAIDU_OBS_ENDPOINT: 'https://bj.bcebos.com' },
      { BAIDU_OBS_ACCESS_KEY: 'storage-creds/ak', BAIDU_OBS_SECRET_KEY: 'storage-creds/sk' },
    ],
    [
      'supabase',
      DifyStorage.supabase({ bucket: 'dify', url: 'https://abcd.supabase.co', apiKey: ref('supabase') }),
      { STORAGE_TYPE: 'supabase', SUPABASE_BUCKET_NAME: 'dify', SUPABASE_URL: 'https://abcd.supabase.co' },
      { SUPABASE_API_KEY: 'storage-creds/supabase' },
    ],
    [
      'clickzettaVolume',
      DifyStorage.clickzettaVolume({ username: 'dify', password: ref('cz'), instance: 'inst01' }),
      {
        STORAGE_TYPE: 'clickzetta-volume',
        CLICKZETTA_USERNAME: 'dify',
        CLICKZETTA_INSTANCE: 'inst01',
        CLICKZETTA_SERVICE: 'api.clickzetta.com',
        CLICKZETTA_WORKSPACE: 'quick_start',
        CLICKZETTA_VCLUSTER: 'default_ap',
        CLICKZETTA_SCHEMA: 'dify',
        CLICKZETTA_VOLUME_TYPE: 'user',
        CLICKZETTA_VOLUME_TABLE_PREFIX: 'dataset_',
        CLICKZETTA_VOLUME_DIFY_PREFIX: 'dify_km',
      },
      { CLICKZETTA_PASSWORD: 'storage-creds/cz' },
    ],
  ])('%s', (_name, storage, plain, secret) => {
    expect(view(storage.env())).toEqual({ plain, secret });
    expect(storage.storageType).toBe(plain.STORAGE_TYPE);
  });

  test('only persistentVolume asks for a claim', () => {
    expect(DifyStorage.persistentVolume({ size: '20Gi', storageClassName: 'fast' }).volume).toEqual({
      size: '20Gi',
      storageClassName: 'fast',
      accessMode: 'ReadWriteOnce',
    });
    expect(DifyStorage.supabase({ bucket: 'dify', url: 'https://abcd.supabase.co', apiKey: ref('k') }).volume).toBeUndefined();
  });

  test('tencentCos custom domain and http scheme, clickzetta external volume', () => {
    expect(
      view(
        DifyStorage.tencentCos({
          bucket: 'dify-1250000000',
          region: 'ap-shanghai',
          secretId: ref('i'),
          secretKey: ref('k'),
          scheme: 'http',
          customDomain: 'files.example.cn',
        }).env(),
      ).plain,
    ).toMatchObject({ TENCENT_COS_SCHEME: 'http', TENCENT_COS_CUSTOM_DOMAIN: 'files.example.cn' });
    expect(
      view(DifyStorage.clickzettaVolume({ username: 'u', password: ref('p'), instance: 'i', volumeType: 'external', volumeName: 'dify_vol' }).env()).plain,
    ).toMatchObject({ CLICKZETTA_VOLUME_TYPE: 'external', CLICKZETTA_VOLUME_NAME: 'dify_vol' });
  });
});

describe('PluginStorage factories render the daemon-side names, credentials by reference', () => {
  test.each<[string, PluginStorage, Record<string, string>, Record<string, string>]>([
    ['local', PluginStorage.local(), { PLUGIN_STORAGE_TYPE: 'local', PLUGIN_STORAGE_LOCAL_ROOT: '/app/storage' }, {}],
    [
      's3 on AWS with IRSA',
      PluginStorage.s3({ bucket: 'acme-plugins', region: 'eu-west-1', useAwsManagedIam: true }),
      {
        PLUGIN_STORAGE_TYPE: 'aws_s3',
        PLUGIN_STORAGE_OSS_BUCKET: 'acme-plugins',
        AWS_REGION: 'eu-west-1',
        S3_USE_AWS: 'true',
        S3_USE_PATH_STYLE: 'false',
        S3_USE_AWS_MANAGED_IAM: 'true',
      },
      {},
    ],
    [
      's3-compatible with keys',
      PluginStorage.s3({
        bucket: 'plugins',
        region: 'us-east-1',
        endpoint: 'http://minio.minio:9000',
        usePathStyle: true,
        accessKey: ref('ak'),
        secretKey: ref('sk'),
      }),
      {
        PLUGIN_STORAGE_TYPE: 'aws_s3',
        PLUGIN_STORAGE_OSS_BUCKET: 'plugins',
        AWS_REGION: 'us-east-1',
        S3_USE_AWS: 'false',
        S3_ENDPOINT: 'http://minio.minio:9000',
        S3_USE_PATH_STYLE: 'true',
        S3_USE_AWS_MANAGED_IAM: 'false',
      },
      { AWS_ACCESS_KEY: 'storage-creds/ak', AWS_SECRET_KEY: 'storage-creds/sk' },
    ],
    [
      'azureBlob',
      PluginStorage.azureBlob({ containerName: 'dify-plugins', connectionString: ref('conn') }),
      { PLUGIN_STORAGE_TYPE: 'azure_blob', AZURE_BLOB_STORAGE_CONTAINER_NAME: 'dify-plugins' },
      { AZURE_BLOB_STORAGE_CONNECTION_STRING: 'storage-creds/conn' },
    ],
    [
      'tencentCos',
      PluginStorage.tencentCos({ bucket: 'plugins-1250000000', region: 'ap-guangzhou', secretId: ref('id'), secretKey: ref('key') }),
      { PLUGIN_STORAGE_TYPE: 'tencent_cos', PLUGIN_STORAGE_OSS_BUCKET: 'plugins-1250000000', TENCENT_COS_REGION: 'ap-guangzhou' },
      { TENCENT_COS_SECRET_ID: 'storage-creds/id', TENCENT_COS_SECRET_KEY: 'storage-creds/key' },
    ],
    [
      'aliyunOss',
      PluginStorage.aliyunOss({
        bucket: 'plugins',
        endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
        region: 'cn-hangzhou',
        accessKeyId: ref('id'),
        accessKeySecret: ref('secret'),
        path: 'dify',
      }),
      {
        PLUGIN_STORAGE_TYPE: 'aliyun_oss',
        PLUGIN_STORAGE_OSS_BUCKET: 'plugins',
        ALIYUN_OSS_ENDPOINT: 'https://oss-cn-hangzhou.aliyuncs.com',
        ALIYUN_OSS_REGION: 'cn-hangzhou',
        ALIYUN_OSS_AUTH_VERSION: 'v4',
        ALIYUN_OSS_PATH: 'dify',
      },
      { ALIYUN_OSS_ACCESS_KEY_ID: 'storage-creds/id', ALIYUN_OSS_ACCESS_KEY_SECRET: 'storage-creds/secret' },
    ],
    [
      'volcengineTos',
      PluginStorage.volcengineTos({
        bucket: 'plugins',
        endpoint: 'tos-cn-beijing.volces.com',
        region: 'cn-beijing',
        accessKey: ref('ak'),
        secretKey: ref('sk'),
      }),
      {
        PLUGIN_STORAGE_TYPE: 'volcengine_tos',
        PLUGIN_STORAGE_OSS_BUCKET: 'plugins',
        VOLCENGINE_TOS_ENDPOINT: 'tos-cn-beijing.volces.com',
        VOLCENGINE_TOS_REGION: 'cn-beijing',
      },
      { VOLCENGINE_TOS_ACCESS_KEY: 'storage-creds/ak', VOLCENGINE_TOS_SECRET_KEY: 'storage-creds/sk' },
    ],
  ])('%s', (_name, storage, plain, secret) => {
    expect(view(storage.env('/app/storage'))).toEqual({ plain, secret });
    expect(storage.storageType).toBe(plain.PLUGIN_STORAGE_TYPE);
  });
});

describe('bad storage input names the field, the value and what is allowed', () => {
  const k = ref('k');
  test.each<[string, () => unknown, RegExp]>([
    [
      'S3 endpoint with IRSA',
      () => DifyStorage.s3({ bucket: 'dify-files', region: 'eu-west-1', useAwsManagedIam: true, endpoint: 'https://minio:9000' }),
      /^storage\.s3\.endpoint: got "https:\/\/minio:9000"; conflicts with useAwsManagedIam/,
    ],
    [
      'S3 address style',
      () => DifyStorage.s3({ bucket: 'dify-files', region: 'eu-west-1', useAwsManagedIam: true, addressStyle: 'dns' as any }),
      /^storage\.s3\.addressStyle: got "dns"; must be "auto", "virtual" or "path"/,
    ],
    [
      'S3 secret key as a string',
      () => DifyStorage.s3({ bucket: 'dify-files', region: 'eu-west-1', accessKey: k, secretKey: 'abc' as any }),
      /^storage\.s3\.secretKey: got "<not a SecretKeyRef>"; must be a SecretKeyRef instance \(from SecretKeyRef\.of\(\)\)$/,
    ],
    [
      'Azure account name',
      () => DifyStorage.azureBlob({ accountName: 'Acme-Dify', containerName: 'files', accountKey: k }),
      /^storage\.azureBlob\.accountName: got "Acme-Dify"; must be an Azure storage account name: 3-24 lowercase letters and digits/,
    ],
    [
      'Azure container with double dash',
      () => DifyStorage.azureBlob({ accountName: 'acme', containerName: 'dify--files', accountKey: k }),
      /^storage\.azureBlob\.containerName: got "dify--files"; must be an Azure container name/,
    ],
    [
      'Azure plain-http URL',
      () => DifyStorage.azureBlob({ accountName: 'acme', containerName: 'files', accountKey: k, accountUrl: 'http://acme.blob.core.windows.net' }),
      /^storage\.azureBlob\.accountUrl: got "http:\/\/acme\.blob\.core\.windows\.net"; must be an https:\/\/ URL/,
    ],
    [
      'Azure without key',
      () => DifyStorage.azureBlob({ accountName: 'acme', containerName: 'files' } as any),
      /^storage\.azureBlob\.accountKey: got undefined; is required: a SecretKeyRef instance/,
    ],
    ['GCS bucket', () => DifyStorage.googleCloudStorage({ bucket: 'Acme' }), /^storage\.googleCloudStorage\.bucket: got "Acme"; must be a GCS bucket name/],
    [
      'OSS endpoint without scheme',
      () => DifyStorage.aliyunOss({ bucket: 'acme', endpoint: 'oss-cn-hangzhou.aliyuncs.com', region: 'cn-hangzhou', accessKey: k, secretKey: k }),
      /^storage\.aliyunOss\.endpoint: got "oss-cn-hangzhou\.aliyuncs\.com"; must be an absolute http:\/\/ or https:\/\/ URL/,
    ],
    [
      'OSS auth version',
      () =>
        DifyStorage.aliyunOss({
          bucket: 'acme',
          endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
          region: 'cn-hangzhou',
          accessKey: k,
          secretKey: k,
          authVersion: 'v2' as any,
        }),
      /^storage\.aliyunOss\.authVersion: got "v2"; must be "v1" or "v4"/,
    ],
    [
      'OSS path with leading slash',
      () =>
        DifyStorage.aliyunOss({
          bucket: 'acme',
          endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
          region: 'cn-hangzhou',
          accessKey: k,
          secretKey: k,
          path: '/dify',
        }),
      /^storage\.aliyunOss\.path: got "\/dify"; must be a relative folder/,
    ],
    [
      'COS bucket without APPID',
      () => DifyStorage.tencentCos({ bucket: 'dify-files', region: 'ap-guangzhou', secretId: k, secretKey: k }),
      /^storage\.tencentCos\.bucket: got "dify-files"; must be a COS bucket as <name>-<APPID>/,
    ],
    [
      'COS region',
      () => DifyStorage.tencentCos({ bucket: 'dify-1250000000', region: 'Guangzhou', secretId: k, secretKey: k }),
      /^storage\.tencentCos\.region: got "Guangzhou"; must be a region such as "ap-guangzhou"/,
    ],
    [
      'OBS server',
      () => DifyStorage.huaweiObs({ bucket: 'dify', server: 'obs.cn-north-4.myhuaweicloud.com', accessKey: k, secretKey: k }),
      /^storage\.huaweiObs\.server: got "obs\.cn-north-4\.myhuaweicloud\.com"; must be an absolute http:\/\/ or https:\/\/ URL/,
    ],
    [
      'TOS endpoint',
      () => DifyStorage.volcengineTos({ bucket: 'dify', endpoint: 'tos cn', region: 'cn-beijing', accessKey: k, secretKey: k }),
      /^storage\.volcengineTos\.endpoint: got "tos cn"; must be an endpoint host/,
    ],
    [
      'OCI bucket',
      () =>
        DifyStorage.oci({
          bucket: 'my bucket',
          endpoint: 'https://ns.compat.objectstorage.us-ashburn-1.oraclecloud.com',
          region: 'us-ashburn-1',
          accessKey: k,
          secretKey: k,
        }),
      /^storage\.oci\.bucket: got "my bucket"; must be an OCI bucket name/,
    ],
    [
      'BOS bucket',
      () => DifyStorage.baiduObs({ bucket: 'Dify', endpoint: 'bj.bcebos.com', accessKey: k, secretKey: k }),
      /^storage\.baiduObs\.bucket: got "Dify"; must be a BOS bucket name/,
    ],
    [
      'Supabase URL',
      () => DifyStorage.supabase({ bucket: 'dify', url: 'abcd.supabase.co', apiKey: k }),
      /^storage\.supabase\.url: got "abcd\.supabase\.co"; must be an absolute http:\/\/ or https:\/\/ URL/,
    ],
    [
      'ClickZetta external without name',
      () => DifyStorage.clickzettaVolume({ username: 'u', password: k, instance: 'i', volumeType: 'external' }),
      /^storage\.clickzettaVolume\.volumeName: got undefined; is required for volumeType "external"/,
    ],
    [
      'ClickZetta volume type',
      () => DifyStorage.clickzettaVolume({ username: 'u', password: k, instance: 'i', volumeType: 'shared' as any }),
      /^storage\.clickzettaVolume\.volumeType: got "shared"; must be "table", "user" or "external"/,
    ],
    [
      'plugin S3 without credentials',
      () => PluginStorage.s3({ bucket: 'plugins', region: 'eu-west-1' }),
      /^pluginStorage\.s3\.accessKey: got undefined; must be a SecretKeyRef to the access key \(accessKey and secretKey are both required unless useAwsManagedIam is true\)/,
    ],
    [
      'plugin S3 IAM and keys',
      () => PluginStorage.s3({ bucket: 'plugins', region: 'eu-west-1', useAwsManagedIam: true, accessKey: k, secretKey: k }),
      /^pluginStorage\.s3\.useAwsManagedIam: got true; conflicts with accessKey\/secretKey/,
    ],
    [
      'plugin S3 region',
      () => PluginStorage.s3({ bucket: 'plugins', region: '', useAwsManagedIam: true }),
      /^pluginStorage\.s3\.region: got ""; must be a region such as "us-east-1"/,
    ],
    [
      'plugin Azure container',
      () => PluginStorage.azureBlob({ containerName: 'Plugins', connectionString: k }),
      /^pluginStorage\.azureBlob\.containerName: got "Plugins"; must be an Azure container name/,
    ],
    [
      'plugin Azure connection string as a string',
      () => PluginStorage.azureBlob({ containerName: 'plugins', connectionString: 'DefaultEndpointsProtocol=https;AccountKey=x' as any }),
      /^pluginStorage\.azureBlob\.connectionString: got "<not a SecretKeyRef>"; must be a SecretKeyRef/,
    ],
    [
      'plugin OSS bucket',
      () =>
        PluginStorage.aliyunOss({ bucket: 'a', endpoint: 'https://oss-cn-hangzhou.aliyuncs.com', region: 'cn-hangzhou', accessKeyId: k, accessKeySecret: k }),
      /^pluginStorage\.aliyunOss\.bucket: got "a"; must be an OSS bucket name/,
    ],
    [
      'plugin TOS endpoint with trailing slash',
      () =>
        PluginStorage.volcengineTos({ bucket: 'plugins', endpoint: 'https://tos-cn-beijing.volces.com/', region: 'cn-beijing', accessKey: k, secretKey: k }),
      /^pluginStorage\.volcengineTos\.endpoint: got "https:\/\/tos-cn-beijing\.volces\.com\/"; must be an endpoint host/,
    ],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});
