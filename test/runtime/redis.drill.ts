/**
 * Drill: the embedded Redis starts from its rendered start command with a
 * password full of URL delimiters and config-quoting characters, its probe
 * authenticates, and every CELERY_BROKER_URL the library builds (helper,
 * in-cluster generator, ExternalSecret template) authenticates the way Celery
 * reads it (kombu/redis-py: userinfo percent-decoded once).
 */
import { chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { join } from 'path';
import {
  RUN_AS,
  RunResult,
  ServerHandle,
  Substitution,
  adapt,
  changedLines,
  cleanEnv,
  freePort,
  requireBinary,
  runCommand,
  scratchDir,
  startServer,
} from './support/host';
import { Doc, container, containerEnv, pick, synthDify } from './support/rendered';
import { DifySecrets, RemoteCredentialRefs, redisBrokerUrl } from '../../lib';

const REDIS_CLI = requireBinary('redis-cli', 'redis-tools');
requireBinary('redis-server', 'redis-server');
/** Debian's interpreter, where python3-kombu and python3-redis are installed (not a virtualenv's). */
const PYTHON = requireBinary('python3', 'python3-kombu python3-redis', ['/usr/bin']);
const BROKER_PY = join(__dirname, 'support', 'broker.py');

const PASSWORDS: Array<[string, string]> = [
  ['@ / : % (URL delimiters, escapes)', 'p@ss/w:rd%41%zz@@//::%2F'],
  ['" \\ + space # ; (config quoting)', 'q"uo\\te\\x41 +plus #hash ;semi'],
];

/** Go's url.QueryEscape (text/template's `urlquery`): all but A-Z a-z 0-9 - _ . ~ percent-encoded, space as "+". */
function goQueryEscape(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9\-_.~]/.test(c)) return c;
      return b === 0x20 ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/**
 * A model of External Secrets' template engine for the one template shape the
 * library renders (`{{ index . "k" | urlquery | replace "+" "%20" }}`); any
 * other shape fails so the model is updated, not silently bypassed.
 */
function renderEsoTemplate(template: string, data: Record<string, string>): string {
  const m = template.match(/^(.*)\{\{ index \. "([^"]+)" \| urlquery \| replace "\+" "%20" \}\}(.*)$/);
  if (!m) throw new Error(`ExternalSecret template "${template}" has a shape this model does not evaluate`);
  return `${m[1]}${goQueryEscape(data[m[2]]).split('+').join('%20')}${m[3]}`;
}

describe.each(PASSWORDS)('Redis drill, password with %s', (_label, password) => {
  const docs: Doc[] = synthDify();
  const redis = container(pick(docs, 'StatefulSet', 'dify-redis'), 'redis');
  const redisEnv = containerEnv(docs, redis);
  const service = pick(docs, 'Service', 'dify-redis');
  const rendezvous = `@${service.metadata.name}:${service.spec.ports[0].port}/`;
  let scratch: { dir: string; cleanup: () => void };
  let port: number;
  let server: ServerHandle | undefined;
  let confPath: string;

  /** redis-cli with the password in REDISCLI_AUTH (as the probe does), or none with `null`. */
  const cli = (args: string[], auth: string | null = password): RunResult =>
    runCommand(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...args], {
      env: cleanEnv(scratch.dir, auth === null ? {} : { REDISCLI_AUTH: auth }),
      cwd: scratch.dir,
    });
  const python = (args: string[], extraEnv: Record<string, string> = {}): any => {
    const r = runCommand(PYTHON, [BROKER_PY, ...args], { env: cleanEnv(scratch.dir, extraEnv), cwd: scratch.dir });
    if (r.status !== 0) throw new Error(`broker.py ${args[0]}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    scratch = scratchDir('redis');
    port = await freePort();
    for (const d of ['run', 'data']) {
      mkdirSync(join(scratch.dir, d));
      if (RUN_AS) chownSync(join(scratch.dir, d), RUN_AS.uid, RUN_AS.gid);
    }
    confPath = join(scratch.dir, 'run', 'redis.conf');
    const subs: Substitution[] = [
      { from: '/run/redis/redis.conf', to: confPath, count: 2, why: 'the pod mounts a tmpfs emptyDir at /run/redis' },
      { from: 'dir /data', to: `dir ${join(scratch.dir, 'data')}`, why: 'the data volume is mounted at /data' },
      { from: 'port 6379', to: `port ${port}\\nbind 127.0.0.1`, why: 'a free port; loopback only (a pod has its own network namespace)' },
    ];
    const script = adapt(redis.command[2], subs);
    expect(changedLines(redis.command[2], script, subs)).toHaveLength(2);
    expect(redis.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    server = await startServer('redis', '/bin/sh', ['-c', script], {
      env: cleanEnv(scratch.dir, { REDIS_PASSWORD: password, REDISCLI_AUTH: password }),
      cwd: scratch.dir,
      logDir: scratch.dir,
      port,
    });
  });

  afterAll(async () => {
    await server?.stop();
    scratch?.cleanup();
  });

  test('the container reads the password and the probe credential from the same Secret key', () => {
    expect(redisEnv.REDIS_PASSWORD.secretKeyRef).toBeDefined();
    expect(redisEnv.REDISCLI_AUTH.secretKeyRef).toEqual(redisEnv.REDIS_PASSWORD.secretKeyRef);
  });

  test('Redis runs from the rendered start command with exactly this password, not shown on its command line', () => {
    const cmdline = readFileSync(`/proc/${server!.process.pid}/cmdline`, 'utf8').split('\0').join(' ');
    expect(cmdline).toContain('redis-server');
    expect(cmdline).not.toContain(password);
    expect(statSync(confPath).mode & 0o777).toBe(0o600);
    expect(cli(['CONFIG', 'GET', 'requirepass']).stdout.split('\n')[1]).toBe(password);
    expect(cli(['CONFIG', 'GET', 'appendonly']).stdout.split('\n')[1]).toBe('yes');
    expect(cli(['PING'], null).stdout).toMatch(/NOAUTH/);
  });

  test('the readiness probe passes with the password and fails without it', () => {
    const probe = redis.readinessProbe.exec.command as string[];
    expect(probe.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const script = adapt(probe[2], [{ from: '-h 127.0.0.1', to: `-h 127.0.0.1 -p ${port}`, why: 'the drill port' }]);
    const run = (auth: string): number | null =>
      runCommand('/bin/sh', ['-c', script], { env: cleanEnv(scratch.dir, { REDISCLI_AUTH: auth }), cwd: scratch.dir }).status;
    expect(run(password)).toBe(0);
    expect(run(`${password}-wrong`)).not.toBe(0);
  });

  const sources: Array<[string, () => string]> = [
    ['redisBrokerUrl()', () => redisBrokerUrl({ host: service.metadata.name, port: service.spec.ports[0].port, password })],
    [
      'the in-cluster secret generator (existing password, broker URL missing)',
      () => {
        const script = join(scratch.dir, 'generate.py');
        writeFileSync(script, pick(docs, 'ConfigMap', 'dify-secret-generator-script').data['generate.py']);
        const job = container(pick(docs, 'Job', /^dify-secret-generator-/), 'generate');
        const env = Object.fromEntries(Object.entries(containerEnv(docs, job)).map(([k, v]) => [k, v.value ?? '']));
        const values = python(['generate', script], { ...env, EXISTING: JSON.stringify({ [env.REDIS_PASSWORD_KEY]: password }) });
        const brokerKey = Object.entries(JSON.parse(env.REDIS_URL_KEYS) as Record<string, number>).find(([, db]) => db === 1)![0];
        return values[brokerKey];
      },
    ],
    [
      'the ExternalSecret template (modelled: Go urlquery + replace)',
      () => {
        const ref = (key: string): { key: string } => ({ key: `dify/${key}` });
        const remoteRefs: RemoteCredentialRefs = {
          secretKey: ref('secret-key'),
          sandboxApiKey: ref('sandbox'),
          pluginDaemonKey: ref('plugin-daemon'),
          pluginInnerApiKey: ref('plugin-inner'),
          postgresPassword: ref('postgres'),
          redisPassword: ref('redis'),
          weaviateApiKey: ref('weaviate'),
          agentApiToken: ref('agent-api'),
          agentServerSecretKey: ref('agent-server'),
          agentSandboxToken: ref('agent-sandbox'),
        };
        const esoDocs = synthDify({ secrets: DifySecrets.external({ store: { name: 'vault' }, remoteRefs }) });
        const template = pick(esoDocs, 'ExternalSecret', 'dify-credentials').spec.target.template.data as Record<string, string>;
        // The key api reads CELERY_BROKER_URL from, templated from the key Redis reads its password from.
        const api = containerEnv(esoDocs, container(pick(esoDocs, 'Deployment', 'dify-api'), 'api'));
        const redisKey = containerEnv(esoDocs, container(pick(esoDocs, 'StatefulSet', 'dify-redis'), 'redis')).REDIS_PASSWORD.secretKeyRef!.key;
        return renderEsoTemplate(template[api.CELERY_BROKER_URL.secretKeyRef!.key], { [redisKey]: password });
      },
    ],
  ];

  test.each(sources)('CELERY_BROKER_URL from %s authenticates as Celery reads it', (_source, build) => {
    const rendered = build();
    expect(rendered.split(rendezvous)).toHaveLength(2);
    // The Service name and port become the drill's loopback address.
    const url = rendered.replace(rendezvous, `@127.0.0.1:${port}/`);
    cli(['-n', '1', 'DEL', 'drill:broker']);
    const ok = python(['check', url]);
    expect(ok.parsed).toMatchObject({ transport: 'redis', hostname: '127.0.0.1', port, password, virtual_host: '1' });
    expect(ok).toMatchObject({ ping: true, db: 1 });
    expect(cli(['-n', '1', 'GET', 'drill:broker']).stdout.trim()).toBe('celery');

    const wrong = python(['check', url.replace(/^(redis:\/\/:)[^@]*(@)/, `$1${encodeURIComponent(`${password}x`)}$2`)]);
    expect(wrong.ping).toBeUndefined();
    expect(wrong.error).toMatch(/AuthenticationError|WRONGPASS|invalid username-password/);
  });
});
