import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { Environment } from '../apps/environments';
import { parseEnvFile } from '../cli/env-file';
import { FromEnvResult, PACKAGE_NAME, convertEnvFile, isCredential } from '../cli/from-env';
import { fromEnv, main, parseArgs } from '../cli/main';
import { CREDENTIALS, DifySecrets, requiredCredentials } from '../lib';
import { UPSTREAM, VARIANTS, convertVariant, fixtureFile, variant } from './fixtures/from-env/variants';
import { renderDocs } from './util';

const ROOT = join(__dirname, '..');
const TMP = join(__dirname, '.tmp-from-env');
const CLASSES = ['typed', 'extraEnv', 'secret', 'dropped'];

interface Converted {
  readonly name: string;
  readonly input: Record<string, string>;
  readonly result: FromEnvResult;
  /** The committed fixture holds what the converter writes today. */
  readonly committed: boolean;
  /** Every key and string value of the rendered manifests, `\0`-separated (what a leak check searches). */
  readonly text: string;
  /** The rendered manifests' documents. */
  readonly docs: Record<string, any>[];
}

const converted: Record<string, Converted> = {};
let baseline = '';

beforeAll(() => {
  rmSync(TMP, { recursive: true, force: true });
  mkdirSync(TMP, { recursive: true });
  baseline = stringsOf(renderDocs({ name: 'baseline', namespace: 'dify', dify: { host: 'x.localhost', secrets: DifySecrets.existing('baseline') } }));
  for (const [label, text] of Object.entries(VARIANTS)) {
    const result = convertVariant(label);
    const fixture = fixtureFile(label);
    const committed = existsSync(fixture) && readFileSync(fixture, 'utf8') === result.source;
    // The committed file when current (the one the type-check pass covers), else today's output beside it.
    const file = committed ? fixture : join(TMP, `fe-${label}.ts`);
    if (!committed) writeFileSync(file, result.source.replace(/'\.\.\/\.\.\/\.\.\//g, "'../../"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const env = Object.values(require(file) as Record<string, Environment>)[0];
    const docs = renderDocs(env);
    converted[label] = { name: `fe-${label}`, input: parseEnvFile(text).values, result, committed, text: stringsOf(docs), docs };
  }
});

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** Every key and string value in `docs`, unescaped (a YAML or JSON text would escape quotes and backslashes). */
function stringsOf(docs: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        walk(x);
      }
  };
  walk(docs);
  return out.join('\0');
}

/** Credential values of the input (whole values, and passwords inside URLs). */
function credentials(input: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(input)) {
    if (!v.trim() || !isCredential(k, v)) continue;
    out.push(v);
    const m = /:\/\/[^/:@]*:([^@/]+)@/.exec(v);
    if (m) out.push(m[1], decodeURIComponent(m[1]));
  }
  return out;
}

describe.each(Object.keys(VARIANTS))('from-env on %s', (label) => {
  const c = () => converted[label];

  test('the generated file imports what it uses and synthesizes', () => {
    expect(c().result.source).toMatch(/^export const fe[A-Z]\w*: Environment = \{$/m);
    expect(c().docs.some((d) => d.kind === 'Deployment' && d.metadata.name === 'dify-api')).toBe(true);
  });

  test('no credential of the input is in the generated file or the manifests', () => {
    // The search covers nested values: the Secret the credentials are read from is named deep in every pod spec.
    expect(c().text).toContain(`${c().name}-dify-credentials`);
    const creds = credentials(c().input).filter((v) => !baseline.includes(v));
    expect(creds.length).toBeGreaterThan(0);
    for (const v of creds) {
      expect({ v, inSource: c().result.source.includes(v) }).toEqual({ v, inSource: false });
      expect({ v, inManifests: c().text.includes(v) }).toEqual({ v, inManifests: false });
    }
  });

  test('every input key is reported exactly once with a classification and a reason', () => {
    const keys = c().result.report.map((l) => l.key);
    expect(keys).toEqual(Object.keys(c().input));
    expect(new Set(keys).size).toBe(keys.length);
    for (const l of c().result.report) {
      expect(CLASSES).toContain(l.classification);
      expect(`${l.target}${l.reason}`.length).toBeGreaterThan(0);
      if (l.classification === 'dropped') expect(l.reason.length).toBeGreaterThan(0);
    }
  });

  test('the Secret holds exactly the keys the generated installation reads', () => {
    const read = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, any>;
        if (o.secretKeyRef?.name === c().result.secretName) read.add(o.secretKeyRef.key);
        if (o.secret?.secretName === c().result.secretName) for (const i of o.secret.items ?? [{ key: '(every key)' }]) read.add(i.key);
        Object.values(o).forEach(walk);
      }
    };
    walk(c().docs);
    expect(Object.keys(c().result.secrets).sort()).toEqual([...read].sort());
    // The installation's own rows come from the library's credentials table, the agent stack's included.
    const agent = c().docs.some((d) => d.kind === 'Deployment' && d.metadata.name === 'dify-agent-backend');
    const rows = requiredCredentials(
      {
        postgres: c().docs.some((d) => d.metadata.name === 'dify-postgres'),
        redis: c().docs.some((d) => d.metadata.name === 'dify-redis'),
        weaviate: c().docs.some((d) => d.metadata.name === 'dify-weaviate'),
      },
      { agent },
    );
    for (const row of rows) expect(Object.keys(c().result.secrets)).toContain(CREDENTIALS[row].key);
  });

  test('upstream development defaults are never carried over', () => {
    const dev = [
      'difyai123456',
      'dify-sandbox',
      'lYkiYYT6owG+71oLerGzA7GXCgOT++6ovaezWAjpCjf+Sjc3ZtU+qUEi',
      'QaHbTe77CtuXmsfyhR7+vRjI/+XbV1AaFy691iy+kGDv2Jvy0/eAh8Y1',
      'WVF5YThaHlkYwhGUSmCRgsX3tD5ngdN8pkih',
      'sk-9f73s3ljTXVcMT3Blb3ljTqtsKiGHXVcMT3BlbkFJLK7U',
      'dify-agent-run-token-for-dev-only',
    ];
    const values = Object.values(c().result.secrets);
    for (const d of dev) expect(values.some((v) => v.includes(d))).toBe(false);
    for (const k of ['secret-key', 'sandbox-api-key', 'plugin-daemon-key', 'plugin-inner-api-key'])
      expect(c().result.secrets[k]).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const flagged = c()
      .result.report.filter((l) => l.flag === 'development-default')
      .map((l) => l.key);
    expect(flagged).toEqual(expect.arrayContaining(['PLUGIN_DAEMON_KEY', 'PLUGIN_DIFY_INNER_API_KEY', 'SANDBOX_API_KEY', 'CODE_EXECUTION_API_KEY']));
  });
});

describe('from-env mappings', () => {
  const docsOf = (label: string) => converted[label].docs;
  const env = (label: string, component: string) =>
    docsOf(label).find((d) => d.kind === 'ConfigMap' && d.metadata.name === `dify-${component}-env`)!.data as Record<string, string>;
  const secretEnv = (label: string, deployment: string) => {
    const d = docsOf(label).find((x) => x.kind === 'Deployment' && x.metadata.name === deployment)!;
    return Object.fromEntries(
      d.spec.template.spec.containers[0].env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef]),
    );
  };
  const line = (label: string, key: string) => converted[label].result.report.find((l) => l.key === key)!;

  test('upstream env.example: embedded stores, fresh credentials for every embedded store', () => {
    const r = converted.upstream.result;
    expect(r.source).toContain('DifySecrets.existing(credentials)');
    expect(r.source).not.toMatch(/externalDatabase|externalRedis|vectorStore|storage:/);
    expect(Object.keys(r.secrets)).toEqual(expect.arrayContaining(['postgres-password', 'redis-password', 'celery-broker-url', 'weaviate-api-key']));
    expect(r.secrets['celery-broker-url']).toBe(`redis://:${encodeURIComponent(r.secrets['redis-password'])}@dify-redis:6379/1`);
    expect(line('upstream', 'COMPOSE_PROFILES')).toMatchObject({ classification: 'dropped', reason: expect.stringContaining('compose-only') });
    expect(line('upstream', 'EXPOSE_NGINX_PORT').classification).toBe('dropped');
    expect(line('upstream', 'NGINX_PORT').classification).toBe('dropped');
    expect(line('upstream', 'SQLALCHEMY_POOL_SIZE')).toMatchObject({ classification: 'typed', reason: 'dify-cdk8s default; omitted' });
    expect(line('upstream', 'DB_PASSWORD')).toMatchObject({ classification: 'secret', flag: 'development-default' });
  });

  test('the agent v2 stack gets its own credentials: fresh, in the shape the table gives them', () => {
    const r = converted.upstream.result;
    expect(line('upstream', 'DIFY_AGENT_API_TOKEN')).toMatchObject({ classification: 'secret', target: expect.stringContaining('/agent-api-token') });
    expect(line('upstream', 'DIFY_AGENT_SERVER_SECRET_KEY')).toMatchObject({ classification: 'secret', flag: 'development-default' });
    // The backend decodes the server key as base64url and needs exactly 32 bytes; the others are hex like the generator's.
    expect(Buffer.from(r.secrets['agent-server-secret-key'], 'base64url')).toHaveLength(32);
    expect(r.secrets['agent-api-token']).toMatch(/^[0-9a-f]{64}$/);
    expect(r.secrets['agent-local-sandbox-token']).toMatch(/^[0-9a-f]{64}$/);
    expect(r.secrets['agent-redis-url']).toBe(`redis://:${encodeURIComponent(r.secrets['redis-password'])}@dify-redis:6379/2`);
    // With the agent stack off (Sentinel Redis), none of its keys is written.
    const off = converted['sentinel-custom-plugin'].result;
    expect(Object.keys(off.secrets).filter((k) => k.startsWith('agent-') || k.includes('dify-agent'))).toEqual([]);
    expect(line('sentinel-custom-plugin', 'DIFY_AGENT_API_TOKEN')).toMatchObject({
      classification: 'dropped',
      reason: expect.stringContaining('agent: false'),
    });
  });

  test('the .env is read as compose reads it: a password keeps its #, quotes and escapes are undone', () => {
    const text = variant({
      REDIS_HOST: 'redis.acme.internal',
      REDIS_PASSWORD: 'R3d#s-acme # the comment compose strips',
      CELERY_BROKER_URL: '',
      SECRET_KEY: String.raw`"sk-\\\"quoted\" $$x"`,
      INIT_PASSWORD: "'init#pass $HOME'",
    });
    const r = convertEnvFile(`${text}\nFROM_SHELL\n`, { name: 'hash' });
    expect(r.secrets['redis-password']).toBe('R3d#s-acme');
    expect(r.secrets['celery-broker-url']).toBe('redis://:R3d%23s-acme@redis.acme.internal:6379/1');
    expect(r.secrets['secret-key']).toBe('sk-\\"quoted" $x');
    expect(r.secrets['init-password']).toBe('init#pass $HOME');
    expect(r.notes).toContainEqual(expect.stringMatching(/^not converted: FROM_SHELL has no "=" \(compose takes the value from the shell environment\)/));
    expect(() => convertEnvFile('A="open\n', { name: 'bad', sourceName: 'docker/.env' })).toThrow(
      'from-env: docker/.env line 1: unterminated quoted value "open',
    );
  });

  test('a changed setting only another component reads is reported with what carries it, from the parity table', () => {
    const r = convertEnvFile(variant({ DIFY_AGENT_E2B_TEMPLATE: 'acme/sandbox-template', DIFY_AGENT_REDIS_PREFIX: 'acme' }), { name: 'comp' });
    const at = (key: string) => r.report.find((l) => l.key === key)!;
    expect(at('DIFY_AGENT_E2B_TEMPLATE')).toMatchObject({
      classification: 'dropped',
      flag: 'check',
      reason: 'read by agent_backend as DIFY_AGENT_E2B_TEMPLATE; a typed property carries it: set agent.runtime by hand',
    });
    expect(at('DIFY_AGENT_REDIS_PREFIX')).toMatchObject({ classification: 'dropped', flag: 'check', reason: expect.stringContaining('orphans') });
  });

  test('S3 storage becomes DifyStorage.s3 with both keys by Secret reference', () => {
    expect(converted.s3.result.source).toContain('storage: DifyStorage.s3({');
    expect(env('s3', 'api')).toMatchObject({ STORAGE_TYPE: 's3', S3_BUCKET_NAME: 'acme-dify-files', S3_REGION: 'eu-west-1' });
    expect(secretEnv('s3', 'dify-api').S3_SECRET_KEY).toEqual({ name: 'fe-s3-dify-credentials', key: 's3-secret-key' });
    expect(converted.s3.result.secrets['s3-secret-key']).toBe('wJalrXUtnFEMI/K7MDENG+bPxRfiCYacme0001');
    expect(docsOf('s3').some((d) => d.kind === 'PersistentVolumeClaim' && d.metadata.name === 'dify-storage')).toBe(false);
  });

  test('an external PostgreSQL replaces the embedded one; its special-character password reaches only the Secret', () => {
    const r = converted['external-postgres'].result;
    expect(r.source).toContain('externalDatabase: DifyDatabase.external({');
    expect(env('external-postgres', 'api')).toMatchObject({ DB_HOST: 'pg.acme.internal', DB_USERNAME: 'dify_app', DB_DATABASE: 'dify_prod' });
    expect(docsOf('external-postgres').some((d) => d.kind === 'StatefulSet' && d.metadata.name === 'dify-postgres')).toBe(false);
    expect(r.secrets['db-password']).toBe('p@ss w0rd#1;$x"y/:%');
    expect(r.secrets['postgres-password']).toBeUndefined();
  });

  test('an external Redis with a password keeps the given broker URL in the Secret only', () => {
    const r = converted['external-redis'].result;
    expect(r.source).toContain('externalRedis: ExternalRedis.standalone({');
    expect(env('external-redis', 'api')).toMatchObject({ REDIS_HOST: 'redis.acme.internal', REDIS_DB: '2' });
    expect(r.secrets).toMatchObject({ 'redis-password': 'R3d!s-acme-pass', 'celery-broker-url': 'redis://:R3d%21s-acme-pass@redis.acme.internal:6379/3' });
    expect(secretEnv('external-redis', 'dify-worker').CELERY_BROKER_URL.key).toBe('celery-broker-url');
  });

  test('qdrant becomes VectorStore.qdrant and the embedded Weaviate goes away', () => {
    expect(converted.qdrant.result.source).toContain('vectorStore: VectorStore.qdrant({');
    expect(env('qdrant', 'api')).toMatchObject({ VECTOR_STORE: 'qdrant', QDRANT_URL: 'https://qdrant.acme.internal:6333' });
    expect(docsOf('qdrant').some((d) => d.metadata.name === 'dify-weaviate')).toBe(false);
    expect(converted.qdrant.result.secrets['qdrant-api-key']).toBe('qdrant-acme-key-0001');
  });

  test('on object storage, SERVER_WORKER_AMOUNT scales the api in pods', () => {
    expect(docsOf('s3').find((d) => d.kind === 'Deployment' && d.metadata.name === 'dify-api')!.spec.replicas).toBe(3);
    expect(line('s3', 'SERVER_WORKER_AMOUNT')).toMatchObject({ classification: 'typed' });
  });

  test('SMTP mail becomes DifyMail.smtp with the password by reference', () => {
    expect(converted.smtp.result.source).toContain('mail: DifyMail.smtp({');
    expect(env('smtp', 'api')).toMatchObject({ MAIL_TYPE: 'smtp', SMTP_SERVER: 'smtp.acme.example', SMTP_PORT: '587', SMTP_OPPORTUNISTIC_TLS: 'true' });
    expect(secretEnv('smtp', 'dify-api').SMTP_PASSWORD.key).toBe('smtp-password');
  });

  test('https URLs on two hosts become host, apiHost and tls; sizing, log level and plain variables are carried', () => {
    const r = converted['tls-hosts'].result;
    expect(r.source).toMatch(/host: 'dify\.acme\.example',\n\s+apiHost: 'api\.dify\.acme\.example',\n\s+tls: true,/);
    expect(env('tls-hosts', 'api')).toMatchObject({
      CONSOLE_API_URL: 'https://api.dify.acme.example',
      APP_WEB_URL: 'https://dify.acme.example',
      LOG_LEVEL: 'DEBUG',
      SQLALCHEMY_POOL_SIZE: '50',
    });
    // A key with a typed prop is never passed through extraEnv: the converter sets the prop, and the value arrives.
    expect(env('tls-hosts', 'web')).toMatchObject({ ALLOW_EMBED: 'true', TEXT_GENERATION_TIMEOUT_MS: '120000' });
    expect(line('tls-hosts', 'ALLOW_EMBED')).toMatchObject({ classification: 'typed', target: 'settings.web.allowEmbed = true' });
    expect(line('tls-hosts', 'TEXT_GENERATION_TIMEOUT_MS')).toMatchObject({ classification: 'typed', target: 'settings.web.textGenerationTimeoutMs = 120000' });
    // On the default ReadWriteOnce claim the worker stays one pod; the compose host's 8 Celery processes run in it.
    expect(docsOf('tls-hosts').find((d) => d.kind === 'Deployment' && d.metadata.name === 'dify-worker')!.spec.replicas).toBe(1);
    expect(r.source).toContain('worker: { concurrency: 8 }');
    expect(r.source).not.toContain('replicas');
    expect(line('tls-hosts', 'CELERY_WORKER_AMOUNT')).toMatchObject({ classification: 'typed', target: 'settings.processes.worker.concurrency = 8' });
    expect(line('tls-hosts', 'SECRET_KEY')).toMatchObject({ classification: 'secret', flag: 'development-default' });
    expect(line('tls-hosts', 'SQLALCHEMY_POOL_SIZE')).toMatchObject({ classification: 'typed', target: 'settings.databasePool.size = 50' });
  });

  test('Sentinel Redis, a custom vector store and S3 plugin storage; a real SECRET_KEY is kept', () => {
    const r = converted['sentinel-custom-plugin'].result;
    expect(r.source).toContain("{ host: 's1.acme.internal', port: 26379 }");
    expect(env('sentinel-custom-plugin', 'api')).toMatchObject({
      REDIS_USE_SENTINEL: 'true',
      REDIS_SENTINELS: 's1.acme.internal:26379,s2.acme.internal:26379',
      VECTOR_STORE: 'tidb_vector',
      TIDB_VECTOR_HOST: 'tidb.acme.internal',
    });
    expect(secretEnv('sentinel-custom-plugin', 'dify-api').TIDB_VECTOR_PASSWORD.key).toBe('tidb-vector-password');
    expect(env('sentinel-custom-plugin', 'plugin-daemon')).toMatchObject({
      PLUGIN_STORAGE_TYPE: 'aws_s3',
      PLUGIN_STORAGE_OSS_BUCKET: 'acme-plugins',
      AWS_REGION: 'eu-west-1',
    });
    expect(r.secrets).toMatchObject({
      'secret-key': 'a-real-secret-key-kept-from-compose-0001',
      'plugin-aws-secret-key': 'plugin-secret-acme-0001',
      'celery-broker-url': 'sentinel://:sentinel-master-pass-0001@s1.acme.internal:26379/1;sentinel://:sentinel-master-pass-0001@s2.acme.internal:26379/1',
    });
    expect(line('sentinel-custom-plugin', 'SECRET_KEY')).toMatchObject({ classification: 'secret', flag: undefined });
  });

  test('credentials are recognised by upstream name, by name pattern and by userinfo in URLs', () => {
    for (const [name, value] of [
      ['DB_PASSWORD', 'x'],
      ['ACME_API_TOKEN', 'x'],
      ['ACME_CLIENT_SECRET', 'x'],
      ['ACME_SENTRY_DSN', 'x'],
      ['ACME_URL', 'postgres://u:p@db/x'],
      ['ACME_STORAGE_CONNECTION_STRING', 'x'],
      ['ACME_SIGNING_KEY', 'x'],
    ]) {
      expect({ name, credential: isCredential(name, value) }).toEqual({ name, credential: true });
    }
    for (const [name, value] of [
      ['ACCESS_TOKEN_EXPIRE_MINUTES', '60'],
      ['WEAVIATE_AUTHENTICATION_APIKEY_ENABLED', 'true'],
      ['ALIYUN_OSS_AUTH_VERSION', 'v4'],
      ['NGINX_SSL_CERT_KEY_FILENAME', 'dify.key'],
      ['TURNSTILE_SITE_KEY', 'x'],
      ['REDIS_KEY_PREFIX', 'dify'],
      ['ACME_URL', 'https://acme.example/x@y'],
    ]) {
      expect({ name, credential: isCredential(name, value) }).toEqual({ name, credential: false });
    }
  });

  test('input dify-cdk8s cannot express stops with a message naming it', () => {
    expect(() => convertEnvFile(variant({ REDIS_USE_CLUSTERS: 'true' }), { name: 'x' })).toThrow(
      /REDIS_USE_CLUSTERS=true: configure ExternalRedis.cluster\(\) by hand/,
    );
    expect(() => convertEnvFile(variant({ LOG_LEVEL: 'verbose' }), { name: 'x' })).toThrow(/^from-env: .*settings.logLevel: got "VERBOSE"; must be "DEBUG"/);
    expect(() => convertEnvFile(variant({ STORAGE_TYPE: 's3', S3_BUCKET_NAME: 'Bad_Bucket', S3_REGION: 'eu-west-1' }), { name: 'x' })).toThrow(
      /STORAGE_TYPE=s3: storage.s3.bucket: got "Bad_Bucket"/,
    );
    expect(() => convertEnvFile(UPSTREAM, { name: 'Not A Name' })).toThrow(/--name: got Not A Name; must be/);
  });

  test('unknown keys go to extraEnv, unknown credentials and userinfo URLs to the Secret', () => {
    const r = converted['unknown-and-userinfo'].result;
    expect(line('unknown-and-userinfo', 'ACME_FEATURE_FLAG')).toMatchObject({ classification: 'extraEnv', reason: expect.stringContaining('not in upstream') });
    expect(env('unknown-and-userinfo', 'api').ACME_FEATURE_FLAG).toBe('on');
    expect(line('unknown-and-userinfo', 'ACME_SERVICE_TOKEN')).toMatchObject({
      classification: 'secret',
      target: expect.stringContaining('components.api.secretEnv.ACME_SERVICE_TOKEN + components.worker.secretEnv.ACME_SERVICE_TOKEN'),
    });
    expect(line('unknown-and-userinfo', 'ACME_WEBHOOK').classification).toBe('secret');
    expect(r.secrets).toMatchObject({ 'acme-service-token': 'acme-token-0001', 'acme-webhook': 'https://bot:hunter2-acme@hooks.acme.example/notify' });
    // Wired by Secret reference into the components compose gives them to, never as plain config.
    for (const d of ['dify-api', 'dify-worker']) {
      expect(secretEnv('unknown-and-userinfo', d)).toMatchObject({
        ACME_SERVICE_TOKEN: { name: 'fe-unknown-and-userinfo-dify-credentials', key: 'acme-service-token' },
        ACME_WEBHOOK: { name: 'fe-unknown-and-userinfo-dify-credentials', key: 'acme-webhook' },
      });
    }
  });

  test('every generated file is committed under test/fixtures/from-env, where the type-check pass of npm test covers it', () => {
    const stale = Object.keys(VARIANTS).filter((label) => !converted[label].committed);
    expect({ stale, fix: 'npm run gen:fixtures' }).toEqual({ stale: [], fix: 'npm run gen:fixtures' });
  });
});

describe('from-env command', () => {
  test('writes the environment file and a 0600 secret file holding the credentials', () => {
    const dir = join(TMP, 'cmd');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'compose.env'), VARIANTS.s3);
    const { result, output, secretFile } = fromEnv(parseArgs([join(dir, 'compose.env'), '--name', 'acme', '--out', join(dir, 'acme.ts')]), ROOT);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secretText = readFileSync(secretFile, 'utf8');
    expect(secretText).toContain('s3-secret-key=wJalrXUtnFEMI/K7MDENG+bPxRfiCYacme0001\n');
    for (const [k, v] of Object.entries(result.secrets)) expect(secretText).toContain(`${k}=${v}\n`);
    expect(readFileSync(join(dir, 'acme.ts'), 'utf8')).toContain("from '../../../lib'");
    expect(output).toContain(`--from-env-file=${join('test', '.tmp-from-env', 'cmd', 'acme.secret.env')}`);
    expect(output).toContain('kind: ExternalSecret');
    expect(output).not.toContain('wJalrXUtnFEMI');
    // git itself says so: the rule that ignores it is named.
    expect(output).toMatch(/\(mode 0600; git-ignored by \.gitignore:\d+:[^;]+; never commit it\)/);
    expect(() => fromEnv(parseArgs([join(dir, 'compose.env'), '--name', 'acme', '--out', join(dir, 'acme.ts')]), ROOT)).toThrow(/exists; pass --force/);
  });

  test('outside this repository the file imports the package by name and declares its own Environment shape', () => {
    const dir = mkdtempSync(join(tmpdir(), 'from-env-consumer-'));
    // git looks no further up than the temp folder, wherever the temp folder is.
    const ceiling = process.env.GIT_CEILING_DIRECTORIES;
    process.env.GIT_CEILING_DIRECTORIES = dirname(dir);
    try {
      writeFileSync(join(dir, 'compose.env'), VARIANTS['unknown-and-userinfo']);
      const { result, output, ignore } = fromEnv(parseArgs(['compose.env', '--name', 'acme']), dir);
      const source = readFileSync(join(dir, 'apps', 'acme.ts'), 'utf8');
      expect(source).toBe(result.source);
      expect(source).toContain("import { DifyProps, DifySecrets, SecretKeyRef } from 'dify-cdk8s';");
      expect(source).toContain('export interface Environment {');
      expect(source).not.toMatch(/from '\.|environments'/);
      expect(PACKAGE_NAME).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).name);
      // Not in a git repository: the command does not claim the file is ignored.
      expect(ignore).toEqual({ kind: 'no-git', why: 'not inside a git repository' });
      expect(output).toContain('(mode 0600; not inside a git repository: keep it out of version control)');
      expect(output).toContain("new Dify(new Chart(app, acme.name, { namespace: acme.namespace }), 'Dify', acme.dify);");
      // In a git repository that does not ignore it, the command says so loudly.
      expect(spawnSync('git', ['init', '-q', dir]).status).toBe(0);
      const again = fromEnv(parseArgs(['compose.env', '--name', 'acme', '--force']), dir);
      expect(again.ignore).toEqual({ kind: 'not-ignored' });
      expect(again.output).toContain('NOT git-ignored: add "*.secret.env" to .gitignore before you commit anything');
      writeFileSync(join(dir, '.gitignore'), 'apps/*.secret.env\n');
      expect(fromEnv(parseArgs(['compose.env', '--name', 'acme', '--force']), dir).ignore).toEqual({ kind: 'ignored', rule: '.gitignore:1:apps/*.secret.env' });
    } finally {
      if (ceiling === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
      else process.env.GIT_CEILING_DIRECTORIES = ceiling;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('runs as a process: exit code, files and a report line per key', () => {
    const dir = join(TMP, 'proc');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'up.env'), UPSTREAM);
    // The command's source, run as the app command runs apps/main.ts (transpile-only, bundle cached between runs);
    // the built command is run from the packed tarball by `npm run check:package`.
    const run = (args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'scripts', 'app.js'), join(ROOT, 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    const ok = run(['from-env', join(dir, 'up.env'), '--name', 'proc', '--out', join(dir, 'proc.ts')]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(statSync(join(dir, 'proc.secret.env')).mode & 0o777).toBe(0o600);
    for (const key of Object.keys(parseEnvFile(UPSTREAM).values)) expect(ok.stdout).toMatch(new RegExp(`^[ !] ${key} +(typed|extraEnv|secret|dropped) `, 'm'));
    expect(ok.stdout).toContain('kubectl -n dify create secret generic proc-dify-credentials --from-env-file=');
  });

  test('a usage error exits 2 with the message and the usage on stderr, nothing on stdout', () => {
    const dir = join(TMP, 'usage');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'up.env'), UPSTREAM);
    const out: string[] = [];
    const err: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((t) => out.push(String(t)) > 0);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((t) => err.push(String(t)) > 0);
    try {
      expect(main(['from-env', join(dir, 'up.env')])).toBe(2);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(err.join('')).toContain('--name is required');
    expect(err.join('')).toContain('Usage: dify-cdk8s from-env');
    expect(out).toEqual([]);
  });
});
