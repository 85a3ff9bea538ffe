import { Chart, Testing } from 'cdk8s';
import {
  DifyEndpoint,
  DifyBackendConfig,
  DifyDatabase,
  DifyPluginDaemon,
  DifySettings,
  DifyStorage,
  DifyUrls,
  EnvSet,
  ExternalRedis,
  PluginStorage,
  SecretKeyRef,
  VectorStore,
  isSensitiveEnvName,
  redisBrokerUrl,
  redisSentinelBrokerUrl,
} from '../lib';
import { formatIssues, validateSchemas } from './support/schema';
import { difyDocs, podSpecs } from './util';

const ref = (key: string) => SecretKeyRef.of('ext', key);

/** Plain values and secret env (name -> "secret/key") of an EnvSet; fails if a credential is plain. */
function view(e: EnvSet): { plain: Record<string, string>; secret: Record<string, string> } {
  const plain = e.plainData();
  for (const name of Object.keys(plain)) expect([name, isSensitiveEnvName(name)]).toEqual([name, false]);
  const secret = Object.fromEntries(e.secretEnv().map((v) => [v.name, `${v.valueFrom!.secretKeyRef!.name}/${v.valueFrom!.secretKeyRef!.key}`]));
  return { plain, secret };
}

const pg = () => DifyDatabase.external({ host: 'dify.abc123.eu-west-1.rds.amazonaws.com', username: 'dify', password: ref('db-password') });
const standalone = () => ExternalRedis.standalone({ host: 'redis.internal', password: ref('redis-password'), brokerUrl: ref('broker-url') });
const sentinel = () =>
  ExternalRedis.sentinel({
    sentinels: [{ host: 'sentinel-0.redis' }, { host: 'sentinel-1.redis', port: 26380 }],
    masterName: 'mymaster',
    password: ref('redis-password'),
    sentinelPassword: ref('sentinel-password'),
    socketTimeoutSeconds: 0.5,
    db: 2,
    brokerUrl: ref('broker-url'),
  });

describe('DifyDatabase.external (PostgreSQL)', () => {
  test('renders DB_* for the api image with upstream defaults and the password by reference', () => {
    expect(view(pg().backendEnv())).toEqual({
      plain: { DB_TYPE: 'postgresql', DB_HOST: 'dify.abc123.eu-west-1.rds.amazonaws.com', DB_PORT: '5432', DB_DATABASE: 'dify', DB_USERNAME: 'dify' },
      secret: { DB_PASSWORD: 'ext/db-password' },
    });
  });
  test('gives the plugin daemon its own database and DB_SSL_MODE', () => {
    expect(view(pg().pluginDaemonEnv())).toEqual({
      plain: {
        DB_TYPE: 'postgresql',
        DB_HOST: 'dify.abc123.eu-west-1.rds.amazonaws.com',
        DB_PORT: '5432',
        DB_DATABASE: 'dify_plugin',
        DB_USERNAME: 'dify',
        DB_SSL_MODE: 'disable',
      },
      secret: { DB_PASSWORD: 'ext/db-password' },
    });
  });
  test.each([
    ['disable', 'disable'],
    ['allow', 'disable'],
    ['prefer', 'disable'],
    ['require', 'require'],
    ['verify-ca', 'require'],
    ['verify-full', 'require'],
  ] as const)('sslMode %s: DB_EXTRAS=sslmode=<mode> for the api image, DB_SSL_MODE=%s for the daemon', (mode, daemon) => {
    const db = DifyDatabase.external({
      host: 'pg.internal',
      port: 6432,
      database: 'dify_prod',
      pluginDatabase: 'dify_plugins',
      username: 'dify@server',
      password: ref('db'),
      sslMode: mode,
    });
    expect(view(db.backendEnv()).plain).toMatchObject({ DB_EXTRAS: `sslmode=${mode}`, DB_PORT: '6432', DB_DATABASE: 'dify_prod', DB_USERNAME: 'dify@server' });
    expect(view(db.pluginDaemonEnv()).plain).toMatchObject({ DB_SSL_MODE: daemon, DB_DATABASE: 'dify_plugins' });
  });
  test('implements PostgresConnection for anything that reads host/port', () => {
    const db = pg();
    expect([db.type, db.host, db.port, db.database, db.pluginDatabase, db.username, String(db.password)]).toEqual([
      'postgresql',
      'dify.abc123.eu-west-1.rds.amazonaws.com',
      5432,
      'dify',
      'dify_plugin',
      'dify',
      'ext/db-password',
    ]);
  });
  test('sslRootCert: the CA is mounted into the api-image pods and named by sslrootcert in DB_EXTRAS; the plugin daemon only encrypts', () => {
    const externalDatabase = DifyDatabase.external({
      host: 'dify.abc123.eu-west-1.rds.amazonaws.com',
      username: 'dify',
      password: ref('db-password'),
      sslMode: 'verify-full',
      sslRootCert: SecretKeyRef.of('rds-ca', 'global-bundle.pem'),
    });
    expect(view(externalDatabase.backendEnv()).plain.DB_EXTRAS).toBe('sslmode=verify-full&sslrootcert=/etc/dify/files/secrets/rds-ca/global-bundle.pem');
    expect(view(externalDatabase.pluginDaemonEnv()).plain).toMatchObject({ DB_SSL_MODE: 'require' });
    const { docs } = difyDocs({ externalDatabase, agent: false });
    expect(formatIssues(validateSchemas(docs, { defaultNamespace: 'dify' }))).toEqual(formatIssues([]));
    const configMaps = new Map(docs.filter((d) => d.kind === 'ConfigMap').map((d) => [d.metadata.name, d.data ?? {}]));
    const mounting: string[] = [];
    for (const pod of podSpecs(docs)) {
      const component = pod.metadata.labels['app.kubernetes.io/component'];
      const env = Object.assign({}, ...(pod.spec.containers[0].envFrom ?? []).map((f: any) => configMaps.get(f.configMapRef?.name) ?? {}));
      const files = (pod.spec.volumes ?? []).filter((v: any) => v.name.startsWith('files-'));
      const reads = String(env.DB_EXTRAS ?? '').includes('sslrootcert=');
      expect({ component, mounts: files.map((v: any) => v.secret.secretName) }).toEqual({ component, mounts: reads ? ['rds-ca'] : [] });
      if (reads) mounting.push(component);
    }
    expect(mounting).toEqual(expect.arrayContaining(['api', 'beat', 'migration', 'worker']));
    expect(mounting).not.toContain('plugin-daemon');
  });
});

describe('DifyDatabase.externalMysql', () => {
  test('renders DB_TYPE=mysql on 3306 for both sides', () => {
    const db = DifyDatabase.externalMysql({ host: 'mysql.internal', username: 'root', password: ref('mysql') });
    expect(view(db.backendEnv())).toEqual({
      plain: { DB_TYPE: 'mysql', DB_HOST: 'mysql.internal', DB_PORT: '3306', DB_DATABASE: 'dify', DB_USERNAME: 'root' },
      secret: { DB_PASSWORD: 'ext/mysql' },
    });
    expect(view(db.pluginDaemonEnv()).plain).toEqual({
      DB_TYPE: 'mysql',
      DB_HOST: 'mysql.internal',
      DB_PORT: '3306',
      DB_DATABASE: 'dify_plugin',
      DB_USERNAME: 'root',
      DB_SSL_MODE: 'disable',
    });
  });
});

describe('ExternalRedis.standalone', () => {
  test('renders REDIS_* and the broker URL by reference, TLS off', () => {
    expect(view(standalone().backendEnv())).toEqual({
      plain: { REDIS_HOST: 'redis.internal', REDIS_PORT: '6379', REDIS_DB: '0', REDIS_USE_SSL: 'false', CELERY_BACKEND: 'redis', BROKER_USE_SSL: 'false' },
      secret: { REDIS_PASSWORD: 'ext/redis-password', CELERY_BROKER_URL: 'ext/broker-url' },
    });
    expect(view(standalone().pluginDaemonEnv())).toEqual({
      plain: { REDIS_HOST: 'redis.internal', REDIS_PORT: '6379', REDIS_DB: '0', REDIS_USE_SSL: 'false' },
      secret: { REDIS_PASSWORD: 'ext/redis-password' },
    });
  });
  test('TLS verifies certificates by default and passes CA and client certificate paths', () => {
    const r = ExternalRedis.standalone({
      host: 'master.dify.abc.euw1.cache.amazonaws.com',
      port: 6380,
      username: 'dify',
      db: 3,
      password: ref('p'),
      brokerUrl: ref('b'),
      tls: { caCertsPath: '/etc/redis-tls/ca.crt', certFilePath: '/etc/redis-tls/tls.crt', keyFilePath: '/etc/redis-tls/tls.key' },
    });
    expect(view(r.backendEnv()).plain).toEqual({
      REDIS_HOST: 'master.dify.abc.euw1.cache.amazonaws.com',
      REDIS_PORT: '6380',
      REDIS_USERNAME: 'dify',
      REDIS_DB: '3',
      REDIS_USE_SSL: 'true',
      REDIS_SSL_CERT_REQS: 'CERT_REQUIRED',
      REDIS_SSL_CA_CERTS: '/etc/redis-tls/ca.crt',
      REDIS_SSL_CERTFILE: '/etc/redis-tls/tls.crt',
      REDIS_SSL_KEYFILE: '/etc/redis-tls/tls.key',
      CELERY_BACKEND: 'redis',
      BROKER_USE_SSL: 'true',
    });
    expect(view(r.pluginDaemonEnv()).plain).toEqual({
      REDIS_HOST: 'master.dify.abc.euw1.cache.amazonaws.com',
      REDIS_PORT: '6380',
      REDIS_USERNAME: 'dify',
      REDIS_DB: '3',
      REDIS_USE_SSL: 'true',
      REDIS_SSL_CERT_REQS: 'CERT_REQUIRED',
      REDIS_SSL_CA_CERTS: '/etc/redis-tls/ca.crt',
    });
    expect([r.mode, r.tls]).toEqual(['standalone', true]);
  });

  test('TLS files from Secret keys: mounted read-only where they are read, their paths in the env', () => {
    const tls = SecretKeyRef.of('redis-client-tls', 'tls.crt');
    const key = SecretKeyRef.of('redis-client-tls', 'tls.key');
    const ca = SecretKeyRef.of('redis-ca.example.internal', 'ca.crt');
    const externalRedis = ExternalRedis.standalone({
      host: 'redis.internal',
      password: ref('p'),
      brokerUrl: ref('b'),
      tls: { caCerts: ca, certFile: tls, keyFile: key },
    });
    expect(view(externalRedis.backendEnv()).plain).toMatchObject({
      REDIS_SSL_CA_CERTS: '/etc/dify/files/secrets/redis-ca.example.internal/ca.crt',
      REDIS_SSL_CERTFILE: '/etc/dify/files/secrets/redis-client-tls/tls.crt',
      REDIS_SSL_KEYFILE: '/etc/dify/files/secrets/redis-client-tls/tls.key',
    });
    const { docs } = difyDocs({ externalRedis, externalDatabase: pg(), agent: false });
    expect(formatIssues(validateSchemas(docs, { defaultNamespace: 'dify' }))).toEqual(formatIssues([]));
    const configMaps = new Map(docs.filter((d) => d.kind === 'ConfigMap').map((d) => [d.metadata.name, d.data ?? {}]));
    const envOf = (pod: any) => Object.assign({}, ...(pod.spec.containers[0].envFrom ?? []).map((f: any) => configMaps.get(f.configMapRef?.name) ?? {}));
    const pods = podSpecs(docs);
    // Every pod whose environment names a Redis TLS file mounts it, and no other pod mounts any.
    const readers = pods.filter((pod) => envOf(pod).REDIS_SSL_CA_CERTS !== undefined).map((pod) => pod.metadata.labels['app.kubernetes.io/component']);
    expect(readers.sort()).toEqual(expect.arrayContaining(['api', 'beat', 'migration', 'plugin-daemon', 'worker']));
    for (const pod of pods) {
      const component = pod.metadata.labels['app.kubernetes.io/component'];
      const env = envOf(pod);
      const files = (pod.spec.volumes ?? []).filter((v: any) => v.name.startsWith('files-'));
      if (!readers.includes(component)) {
        expect({ component, files }).toEqual({ component, files: [] });
        continue;
      }
      const ca = { secretName: 'redis-ca.example.internal', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o440 };
      const client = {
        secretName: 'redis-client-tls',
        items: [
          { key: 'tls.crt', path: 'tls.crt' },
          { key: 'tls.key', path: 'tls.key' },
        ],
        defaultMode: 0o440,
      };
      // The plugin daemon verifies the server only; the api image also presents the client certificate.
      expect({ component, volumes: files.map((v: any) => v.secret) }).toEqual({ component, volumes: env.REDIS_SSL_CERTFILE ? [ca, client] : [ca] });
      for (const v of files) {
        expect(v.name).toMatch(/^files-[0-9a-f]{10}$/);
        expect(pod.spec.containers[0].volumeMounts).toContainEqual({
          name: v.name,
          mountPath: `/etc/dify/files/secrets/${v.secret.secretName}`,
          readOnly: true,
        });
      }
      // 0440 files are readable through the pod's fsGroup.
      expect({ component, fsGroup: typeof pod.spec.securityContext.fsGroup }).toEqual({ component, fsGroup: 'number' });
    }
  });
});

describe('ExternalRedis.sentinel', () => {
  test('renders REDIS_SENTINEL_* and CELERY_SENTINEL_* with passwords by reference', () => {
    expect(view(sentinel().backendEnv())).toEqual({
      plain: {
        REDIS_USE_SENTINEL: 'true',
        REDIS_SENTINELS: 'sentinel-0.redis:26379,sentinel-1.redis:26380',
        REDIS_SENTINEL_SERVICE_NAME: 'mymaster',
        REDIS_SENTINEL_SOCKET_TIMEOUT: '0.5',
        REDIS_DB: '2',
        REDIS_USE_SSL: 'false',
        CELERY_BACKEND: 'redis',
        BROKER_USE_SSL: 'false',
        CELERY_USE_SENTINEL: 'true',
        CELERY_SENTINEL_MASTER_NAME: 'mymaster',
        CELERY_SENTINEL_SOCKET_TIMEOUT: '0.5',
      },
      secret: {
        REDIS_PASSWORD: 'ext/redis-password',
        REDIS_SENTINEL_PASSWORD: 'ext/sentinel-password',
        CELERY_SENTINEL_PASSWORD: 'ext/sentinel-password',
        CELERY_BROKER_URL: 'ext/broker-url',
      },
    });
  });
  test('the plugin daemon gets Sentinel settings without Celery ones', () => {
    const { plain, secret } = view(sentinel().pluginDaemonEnv());
    expect(plain).toEqual({
      REDIS_USE_SENTINEL: 'true',
      REDIS_SENTINELS: 'sentinel-0.redis:26379,sentinel-1.redis:26380',
      REDIS_SENTINEL_SERVICE_NAME: 'mymaster',
      REDIS_SENTINEL_SOCKET_TIMEOUT: '0.5',
      REDIS_DB: '2',
      REDIS_USE_SSL: 'false',
    });
    expect(secret).toEqual({ REDIS_PASSWORD: 'ext/redis-password', REDIS_SENTINEL_PASSWORD: 'ext/sentinel-password' });
  });
});

describe('ExternalRedis.cluster', () => {
  test('renders REDIS_CLUSTERS for the api image and delegates the daemon to a non-cluster Redis', () => {
    const c = ExternalRedis.cluster({
      nodes: [{ host: 'redis-0.redis' }, { host: 'redis-1.redis' }, { host: 'redis-2.redis', port: 7000 }],
      password: ref('cluster-password'),
      brokerUrl: ref('broker-url'),
      pluginDaemon: standalone(),
    });
    expect(view(c.backendEnv())).toEqual({
      plain: {
        REDIS_USE_CLUSTERS: 'true',
        REDIS_CLUSTERS: 'redis-0.redis:6379,redis-1.redis:6379,redis-2.redis:7000',
        REDIS_USE_SSL: 'false',
        CELERY_BACKEND: 'redis',
      },
      secret: { REDIS_CLUSTERS_PASSWORD: 'ext/cluster-password', CELERY_BROKER_URL: 'ext/broker-url' },
    });
    expect(view(c.pluginDaemonEnv())).toEqual(view(standalone().pluginDaemonEnv()));
  });
});

describe('redisBrokerUrl', () => {
  test.each([
    ['p@ss/word:1', 'p%40ss%2Fword%3A1'],
    ['a:b@c/d', 'a%3Ab%40c%2Fd'],
    ['semi;colon#hash?q%', 'semi%3Bcolon%23hash%3Fq%25'],
    ['plain', 'plain'],
  ])('URL-encodes %j', (password, encoded) => {
    const url = redisBrokerUrl({ host: 'redis.internal', password });
    expect(url).toBe(`redis://:${encoded}@redis.internal:6379/1`);
    // A URL parser recovers exactly the host, port, db and password.
    const u = new URL(url);
    expect([u.hostname, u.port, u.pathname, decodeURIComponent(u.password), u.username]).toEqual(['redis.internal', '6379', '/1', password, '']);
  });
  test('supports TLS, ACL users, other ports and dbs, and no password', () => {
    expect(redisBrokerUrl({ host: 'r.example.com', port: 6380, username: 'cel@ry', password: 'x/y', db: 5, ssl: true })).toBe(
      'rediss://cel%40ry:x%2Fy@r.example.com:6380/5',
    );
    expect(redisBrokerUrl({ host: '10.0.0.5' })).toBe('redis://10.0.0.5:6379/1');
  });
  test('builds one sentinel:// URL per Sentinel joined by ";"', () => {
    expect(redisSentinelBrokerUrl({ sentinels: [{ host: 's0' }, { host: 's1', port: 26380 }], password: 'a;b@c' })).toBe(
      'sentinel://:a%3Bb%40c@s0:26379/1;sentinel://:a%3Bb%40c@s1:26380/1',
    );
  });
});

describe('wiring: DifyBackendConfig and DifyPluginDaemon with external services', () => {
  const credentials = { secretKey: ref('secret-key'), sandboxApiKey: ref('sandbox'), pluginDaemonKey: ref('daemon'), pluginInnerApiKey: ref('inner') };
  const config = new DifyBackendConfig({
    urls: DifyUrls.fromHost('dify.example.com', { tls: true }),
    database: DifyDatabase.external({ host: 'pg.internal', username: 'dify', password: ref('db-password'), sslMode: 'verify-full' }),
    redis: sentinel(),
    storage: DifyStorage.s3({ bucket: 'acme-dify', region: 'eu-west-1', useAwsManagedIam: true }),
    vectorStore: VectorStore.pgvector({ host: 'pgvector.internal', user: 'vec', password: ref('vec'), database: 'vectors' }),
    credentials,
    sandbox: DifyEndpoint.of({ host: 'dify-sandbox', port: 8194 }),
    pluginDaemon: DifyEndpoint.of({ host: 'dify-plugin-daemon', port: 5002 }),
    ssrfProxy: DifyEndpoint.of({ host: 'dify-ssrf-proxy', port: 3128 }),
    settings: new DifySettings(),
  });

  test.each(['api', 'worker', 'beat', 'migration'] as const)('%s gets the external database and Sentinel settings, credentials by reference', (mode) => {
    const { plain, secret } = view(config.env(mode));
    expect(plain).toMatchObject({
      DB_TYPE: 'postgresql',
      DB_HOST: 'pg.internal',
      DB_EXTRAS: 'sslmode=verify-full',
      REDIS_USE_SENTINEL: 'true',
      CELERY_USE_SENTINEL: 'true',
      STORAGE_TYPE: 's3',
      VECTOR_STORE: 'pgvector',
    });
    expect(plain).not.toHaveProperty('REDIS_HOST');
    expect(secret).toMatchObject({
      DB_PASSWORD: 'ext/db-password',
      REDIS_PASSWORD: 'ext/redis-password',
      CELERY_BROKER_URL: 'ext/broker-url',
      CELERY_SENTINEL_PASSWORD: 'ext/sentinel-password',
      PGVECTOR_PASSWORD: 'ext/vec',
      SECRET_KEY: 'ext/secret-key',
    });
  });

  test('extraEnv cannot override a name the external connections manage', () => {
    const c = new DifyBackendConfig({ ...config.props, settings: new DifySettings({ extraEnv: { REDIS_SENTINELS: 'other:26379' } }) });
    expect(() => c.env('api')).toThrow(/^settings\.extraEnv\.REDIS_SENTINELS: got "other:26379"; REDIS_SENTINELS is set by a typed property/);
  });

  test('the plugin daemon StatefulSet reads the external database, Redis and object storage', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'dify' });
    new DifyPluginDaemon(chart, 'PluginDaemon', {
      instance: 'dify',
      image: 'langgenius/dify-plugin-daemon:0.6.10-local',
      database: DifyDatabase.external({ host: 'pg.internal', username: 'dify', password: ref('db-password'), sslMode: 'require' }),
      redis: standalone(),
      api: { host: 'dify-api', port: 5001 },
      serverKey: ref('daemon'),
      innerApiKey: ref('inner'),
      storage: PluginStorage.s3({ bucket: 'acme-plugins', region: 'eu-west-1', useAwsManagedIam: true }),
    });
    const docs = Testing.synth(chart);
    const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'dify-plugin-daemon-env');
    const sts = docs.find((d) => d.kind === 'StatefulSet');
    expect(cm.data).toMatchObject({
      DB_HOST: 'pg.internal',
      DB_DATABASE: 'dify_plugin',
      DB_SSL_MODE: 'require',
      REDIS_HOST: 'redis.internal',
      REDIS_USE_SSL: 'false',
      PLUGIN_STORAGE_TYPE: 'aws_s3',
      PLUGIN_STORAGE_OSS_BUCKET: 'acme-plugins',
      AWS_REGION: 'eu-west-1',
      S3_USE_AWS: 'true',
      S3_USE_AWS_MANAGED_IAM: 'true',
      PLUGIN_WORKING_PATH: '/app/storage/cwd',
    });
    expect(cm.data).not.toHaveProperty('PLUGIN_STORAGE_LOCAL_ROOT');
    const env = sts.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'ext', key: 'db-password' } } });
    expect(env).toContainEqual({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'ext', key: 'redis-password' } } });
    // The working directory stays on the volume claim.
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('storage');
  });
});

describe('bad database and Redis input names the field, the value and what is allowed', () => {
  const p = ref('p');
  const b = ref('b');
  test.each<[string, () => unknown, RegExp]>([
    [
      'database host with a scheme',
      () => DifyDatabase.external({ host: 'postgres://db:5432', username: 'u', password: p }),
      /^database\.host: got "postgres:\/\/db:5432"; must be a host name or IPv4 or IPv6 address.*it is a URL, not a host: give "db", and 5432 as database\.port/,
    ],
    [
      'database port',
      () => DifyDatabase.external({ host: 'db', port: 70000, username: 'u', password: p }),
      /^database\.port: got 70000; must be an integer from 1 to 65535/,
    ],
    [
      'database name',
      () => DifyDatabase.external({ host: 'db', database: 'Dify-Prod', username: 'u', password: p }),
      /^database\.database: got "Dify-Prod"; must be a lowercase SQL identifier/,
    ],
    [
      'same plugin database',
      () => DifyDatabase.external({ host: 'db', pluginDatabase: 'dify', username: 'u', password: p }),
      /^database\.pluginDatabase: got "dify"; must differ from database "dify"/,
    ],
    [
      'database username with whitespace',
      () => DifyDatabase.external({ host: 'db', username: 'dify admin', password: p }),
      /^database\.username: got "dify admin"; must be a non-empty user name without whitespace/,
    ],
    [
      'database password as a string',
      () => DifyDatabase.external({ host: 'db', username: 'u', password: 'hunter2' as any }),
      /^database\.password: got "<not a SecretKeyRef>"; must be a SecretKeyRef instance/,
    ],
    [
      'sslRootCert without verification',
      () => DifyDatabase.external({ host: 'db', username: 'u', password: p, sslMode: 'require', sslRootCert: SecretKeyRef.of('ca', 'ca.pem') }),
      /^database\.sslMode: got "require"; must be "verify-ca" or "verify-full" with sslRootCert: libpq reads the root certificate only when it verifies the server$/,
    ],
    [
      'sslMode',
      () => DifyDatabase.external({ host: 'db', username: 'u', password: p, sslMode: 'on' as any }),
      /^database\.sslMode: got "on"; must be "disable", "allow", "prefer", "require", "verify-ca" or "verify-full"$/,
    ],
    [
      'mysql port',
      () => DifyDatabase.externalMysql({ host: 'db', port: 0, username: 'root', password: p }),
      /^database\.mysql\.port: got 0; must be an integer from 1 to 65535/,
    ],
    [
      'redis host with a port that contradicts redis.port',
      () => ExternalRedis.standalone({ host: 'redis:6379', port: 6380, password: p, brokerUrl: b }),
      /^redis\.host: got "redis:6379"; has port 6379, which contradicts redis\.port \(6380\): give the port once/,
    ],
    ['redis db', () => ExternalRedis.standalone({ host: 'redis', db: 16, password: p, brokerUrl: b }), /^redis\.db: got 16; must be an integer from 0 to 15/],
    [
      'redis without password',
      () => ExternalRedis.standalone({ host: 'redis', brokerUrl: b } as any),
      /^redis\.password: got undefined; is required: a SecretKeyRef instance/,
    ],
    [
      'redis without broker URL',
      () => ExternalRedis.standalone({ host: 'redis', password: p } as any),
      /^redis\.brokerUrl: got undefined; is required: a SecretKeyRef instance/,
    ],
    [
      'redis cert reqs',
      () => ExternalRedis.standalone({ host: 'redis', password: p, brokerUrl: b, tls: { certReqs: 'required' as any } }),
      /^redis\.tls\.certReqs: got "required"; must be "CERT_NONE", "CERT_OPTIONAL" or "CERT_REQUIRED"$/,
    ],
    [
      'redis client cert without key',
      () => ExternalRedis.standalone({ host: 'redis', password: p, brokerUrl: b, tls: { certFilePath: '/tls/tls.crt' } }),
      /^redis\.tls\.keyFile: got undefined; a client certificate and its key are required together for mutual TLS/,
    ],
    [
      'redis client key from a Secret without a certificate',
      () => ExternalRedis.standalone({ host: 'redis', password: p, brokerUrl: b, tls: { keyFile: SecretKeyRef.of('redis-tls', 'tls.key') } }),
      /^redis\.tls\.certFile: got undefined; a client certificate and its key are required together/,
    ],
    [
      'redis CA from a Secret and a path',
      () =>
        ExternalRedis.standalone({
          host: 'redis',
          password: p,
          brokerUrl: b,
          tls: { caCerts: SecretKeyRef.of('redis-tls', 'ca.crt'), caCertsPath: '/tls/ca.crt' },
        }),
      /^redis\.tls\.caCertsPath: got "\/tls\/ca\.crt"; conflicts with caCerts: give the Secret key \(mounted for you\) or the path of a file you mount, not both$/,
    ],
    [
      'redis CA given as a string where a Secret or ConfigMap key belongs',
      () => ExternalRedis.standalone({ host: 'redis', password: p, brokerUrl: b, tls: { caCerts: 'redis-tls/ca.crt' as any } }),
      /^redis\.tls\.caCerts: got "redis-tls\/ca\.crt"; must be a SecretKeyRef instance \(from SecretKeyRef\.of\(\)\) or a ConfigMapKeyRef instance \(from ConfigMapKeyRef\.of\(\)\)$/,
    ],
    [
      'redis CERT_NONE with a CA from a Secret',
      () =>
        ExternalRedis.standalone({ host: 'redis', password: p, brokerUrl: b, tls: { certReqs: 'CERT_NONE', caCerts: SecretKeyRef.of('redis-tls', 'ca.crt') } }),
      /^redis\.tls\.certReqs: got "CERT_NONE"; conflicts with caCerts/,
    ],
    [
      'redis CERT_NONE with a CA',
      () => ExternalRedis.standalone({ host: 'redis', password: p, brokerUrl: b, tls: { certReqs: 'CERT_NONE', caCertsPath: '/tls/ca.crt' } }),
      /^redis\.tls\.certReqs: got "CERT_NONE"; conflicts with caCertsPath/,
    ],
    [
      'redis relative CA path',
      () => ExternalRedis.standalone({ host: 'redis', password: p, brokerUrl: b, tls: { caCertsPath: 'ca.crt' } }),
      /^redis\.tls\.caCertsPath: got "ca.crt"; must be an absolute file path/,
    ],
    [
      'sentinel without sentinels',
      () => ExternalRedis.sentinel({ sentinels: [], masterName: 'm', password: p, brokerUrl: b }),
      /^redis\.sentinel\.sentinels: got \[\]; must list at least one \{ host, port\? \} node/,
    ],
    [
      'sentinel duplicate node',
      () => ExternalRedis.sentinel({ sentinels: [{ host: 's' }, { host: 's', port: 26379 }], masterName: 'm', password: p, brokerUrl: b }),
      /^redis\.sentinel\.sentinels: got "s:26379"; must not list the same host:port twice/,
    ],
    [
      'sentinel master name',
      () => ExternalRedis.sentinel({ sentinels: [{ host: 's' }], masterName: 'my master', password: p, brokerUrl: b }),
      /^redis\.sentinel\.masterName: got "my master"; must be the Sentinel master name/,
    ],
    [
      'sentinel timeout',
      () => ExternalRedis.sentinel({ sentinels: [{ host: 's' }], masterName: 'm', password: p, brokerUrl: b, socketTimeoutSeconds: 0 }),
      /^redis\.sentinel\.socketTimeoutSeconds: got 0; must be a number of seconds greater than 0 and at most 60/,
    ],
    [
      'sentinel node port',
      () => ExternalRedis.sentinel({ sentinels: [{ host: 's', port: -1 }], masterName: 'm', password: p, brokerUrl: b }),
      /^redis\.sentinel\.sentinels\[0\]\.port: got -1; must be an integer from 1 to 65535/,
    ],
    [
      'cluster daemon on a cluster',
      () =>
        ExternalRedis.cluster({
          nodes: [{ host: 'a' }],
          password: p,
          brokerUrl: b,
          pluginDaemon: ExternalRedis.cluster({ nodes: [{ host: 'b' }], password: p, brokerUrl: b, pluginDaemon: standalone() }),
        }),
      /^redis\.cluster\.pluginDaemon: got "cluster"; must be ExternalRedis\.standalone\(\) or ExternalRedis\.sentinel\(\)/,
    ],
    [
      'cluster without nodes',
      () => ExternalRedis.cluster({ nodes: undefined as any, password: p, brokerUrl: b, pluginDaemon: standalone() }),
      /^redis\.cluster\.nodes: got undefined; is required: an array of objects \(RedisNode\)$/,
    ],
    ['broker URL helper db', () => redisBrokerUrl({ host: 'r', db: 99 }), /^redisBrokerUrl\.db: got 99; must be an integer from 0 to 15/],
    ['broker URL helper host', () => redisBrokerUrl({ host: 'redis://r' }), /^redisBrokerUrl\.host: got "redis:\/\/r"; must be a host name or IPv4 address/],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});
