import { DifySettings, SecretKeyRef } from '../lib';
import { DifySettingsProps } from '../lib/config/settings';
import { typedEnvNamesFor } from '../lib/parity/env-parity';
import { difyDocs, find } from './util';

const { docs } = difyDocs();
const configMap = (name: string): Record<string, string> => find(docs, 'ConfigMap', name).data;

describe('process sizing', () => {
  test("defaults render upstream's gunicorn and Celery sizing", () => {
    const s = new DifySettings();
    expect(s.processEnv('api').plainData()).toMatchObject({
      SERVER_WORKER_AMOUNT: '1',
      SERVER_WORKER_CLASS: 'gevent',
      SERVER_WORKER_CONNECTIONS: '10',
      GUNICORN_TIMEOUT: '360',
    });
    expect(s.processEnv('apiWebsocket').plainData()).toEqual({
      SERVER_WORKER_AMOUNT: '1',
      SERVER_WORKER_CLASS: 'geventwebsocket.gunicorn.workers.GeventWebSocketWorker',
      SERVER_WORKER_CONNECTIONS: '1000',
      GUNICORN_TIMEOUT: '360',
    });
    const worker = s.processEnv('worker').plainData();
    expect(worker).toMatchObject({ CELERY_WORKER_AMOUNT: '4', CELERY_AUTO_SCALE: 'false' });
    expect(worker.CELERY_MAX_WORKERS).toBeUndefined();
    expect(s.processEnv('beat').plainData()).toEqual({});
  });

  test("autoscale renders the entrypoint's switch with both bounds and drops the fixed size", () => {
    const env = new DifySettings({ processes: { worker: { autoscale: { minWorkers: 2, maxWorkers: 16 }, pool: 'gevent' } } }).processEnv('worker').plainData();
    expect(env).toMatchObject({ CELERY_AUTO_SCALE: 'true', CELERY_MAX_WORKERS: '16', CELERY_MIN_WORKERS: '2', CELERY_WORKER_CLASS: 'gevent' });
    expect(env.CELERY_WORKER_AMOUNT).toBeUndefined();
  });

  test('CELERY_MAX_WORKERS and other typed names are refused in extraEnv, naming the property', () => {
    expect(() => difyDocs({ settings: { extraEnv: { CELERY_MAX_WORKERS: '8' } } })).toThrow(
      /^settings\.extraEnv\.CELERY_MAX_WORKERS: got "8"; CELERY_MAX_WORKERS is set by the typed property settings\.processes\.worker\.autoscale\.maxWorkers/,
    );
    expect(() => difyDocs({ settings: { extraEnv: { SQLALCHEMY_POOL_SIZE: '50' } } })).toThrow(
      /^settings\.extraEnv\.SQLALCHEMY_POOL_SIZE: got "50"; .*settings\.databasePool\.size/,
    );
    expect(() => difyDocs({ settings: { webExtraEnv: { ALLOW_EMBED: 'true' } } })).toThrow(
      /^settings\.webExtraEnv\.ALLOW_EMBED: got "true"; .*settings\.web\.allowEmbed/,
    );
  });

  test('api and worker get their sizing in a synthesized installation', () => {
    const d = difyDocs({ settings: { processes: { api: { workers: 4, workerConnections: 40 }, worker: { concurrency: 8 } } } }).docs;
    expect(find(d, 'ConfigMap', 'dify-api-env').data).toMatchObject({ SERVER_WORKER_AMOUNT: '4', SERVER_WORKER_CONNECTIONS: '40' });
    expect(find(d, 'ConfigMap', 'dify-worker-env').data).toMatchObject({ CELERY_WORKER_AMOUNT: '8' });
    expect(find(d, 'ConfigMap', 'dify-beat-env').data.CELERY_WORKER_AMOUNT).toBeUndefined();
  });
});

describe('settings validation', () => {
  const cases: Array<[string, DifySettingsProps, RegExp]> = [
    [
      'worker class',
      { processes: { api: { workerClass: 'uvicorn' as any } } },
      /^settings\.processes\.api\.workerClass: got "uvicorn"; must be one of gevent, sync/,
    ],
    ['zero workers', { processes: { api: { workers: 0 } } }, /^settings\.processes\.api\.workers: got 0; must be an integer from 1 to 64/],
    [
      'celery pool',
      { processes: { worker: { pool: 'eventlet' as any } } },
      /^settings\.processes\.worker\.pool: got "eventlet"; must be one of gevent, prefork, threads, solo/,
    ],
    [
      'concurrency with autoscale',
      { processes: { worker: { concurrency: 4, autoscale: { maxWorkers: 8 } } } },
      /^settings\.processes\.worker\.concurrency: got 4; conflicts with autoscale/,
    ],
    [
      'min above max',
      { processes: { worker: { autoscale: { minWorkers: 9, maxWorkers: 8 } } } },
      /^settings\.processes\.worker\.autoscale\.minWorkers: got 9; must not exceed autoscale\.maxWorkers \(8\)/,
    ],
    ['pool size', { databasePool: { size: 0 } }, /^settings\.databasePool\.size: got 0; must be an integer from 1/],
    [
      'reset on return',
      { databasePool: { resetOnReturn: 'reset' as any } },
      /^settings\.databasePool\.resetOnReturn: got "reset"; must be "rollback", "commit" or "none"/,
    ],
    ['sentry rate', { sentry: { tracesSampleRate: 1.5 } }, /^settings\.sentry\.tracesSampleRate: got 1\.5; must be a ratio from 0 to 1/],
    ['postgres memory', { postgres: { sharedBuffers: '1Gi' } }, /^settings\.postgres\.sharedBuffers: got "1Gi"; must be a PostgreSQL memory size/],
    ['postgres connections', { postgres: { maxConnections: 5 } }, /^settings\.postgres\.maxConnections: got 5; must be an integer from 10 to 10000/],
    [
      'marketplace url',
      { marketplace: { apiUrl: 'marketplace.example.com' } },
      /^settings\.marketplace\.apiUrl: got "marketplace\.example\.com"; must be an absolute http/,
    ],
    [
      'marketplace contradiction',
      { marketplaceEnabled: true, marketplace: { enabled: false } },
      /^settings\.marketplaceEnabled: got true; contradicts settings\.marketplace\.enabled \(false\)/,
    ],
    ['csp source', { web: { cspWhitelist: ["'unsafe-eval'"] } }, /^settings\.web\.cspWhitelist: got "'unsafe-eval'"; must be CSP source expressions/],
    ['pip mirror', { pipMirrorUrl: 'pypi.example.com' }, /^settings\.pipMirrorUrl: got "pypi\.example\.com"; must be an absolute http/],
    ['limits', { limits: { maxTreeDepth: 0 } }, /^settings\.limits\.maxTreeDepth: got 0; must be an integer from 1/],
    ['time zone', { logTimezone: 'UTC; rm' }, /^settings\.logTimezone: got "UTC; rm"; must be an IANA time zone name/],
  ];
  test.each(cases)('%s', (_name, settings, error) => {
    expect(() => new DifySettings(settings)).toThrow(error);
  });
});

describe("settings renderers keep today's output when wired in", () => {
  test("sandboxEnv() defaults equal the sandbox's current values", () => {
    const current = configMap('dify-sandbox-env');
    for (const [k, v] of Object.entries(new DifySettings().sandboxEnv().plainData())) expect([k, current[k]]).toEqual([k, v]);
  });

  test("pluginDaemonEnv() defaults equal the plugin daemon's current values", () => {
    const current = configMap('dify-plugin-daemon-env');
    for (const [k, v] of Object.entries(new DifySettings().pluginDaemonEnv().plainData())) expect([k, current[k]]).toEqual([k, v]);
  });

  test("weaviateEnv() defaults equal the embedded Weaviate's current values", () => {
    const current = configMap('dify-weaviate-env');
    for (const [k, v] of Object.entries(new DifySettings().weaviateEnv().plainData())) expect([k, current[k]]).toEqual([k, v]);
  });

  test("postgresArgs() defaults equal the embedded PostgreSQL's current command line", () => {
    const pg = find(docs, 'StatefulSet', 'dify-postgres').spec.template.spec.containers[0];
    expect(new DifySettings().postgresArgs()).toEqual(pg.args);
  });

  test('webEnv() defaults render no variable the web component does not render today', () => {
    const current = configMap('dify-web-env');
    for (const [k, v] of Object.entries(new DifySettings().webEnv().plainData())) expect([k, current[k]]).toEqual([k, v]);
  });
});

describe('credentials in settings stay out of ConfigMaps', () => {
  test('Sentry DSNs and the Amplitude key are Secret references', () => {
    const d = difyDocs({
      settings: {
        sentry: { apiDsn: SecretKeyRef.of('sentry', 'api'), webDsn: SecretKeyRef.of('sentry', 'web') },
        web: { amplitudeApiKey: SecretKeyRef.of('analytics', 'amplitude') },
      },
    }).docs;
    for (const name of ['dify-api-env', 'dify-worker-env', 'dify-web-env']) {
      const data = find(d, 'ConfigMap', name).data;
      expect(data.SENTRY_DSN).toBeUndefined();
      expect(data.AMPLITUDE_API_KEY).toBeUndefined();
    }
    const api = find(d, 'Deployment', 'dify-api').spec.template.spec.containers[0].env;
    expect(api).toContainEqual({ name: 'SENTRY_DSN', valueFrom: { secretKeyRef: { name: 'sentry', key: 'api' } } });
    const web = find(d, 'Deployment', 'dify-web').spec.template.spec.containers[0].env;
    expect(web).toContainEqual({ name: 'SENTRY_DSN', valueFrom: { secretKeyRef: { name: 'sentry', key: 'web' } } });
    expect(web).toContainEqual({ name: 'AMPLITUDE_API_KEY', valueFrom: { secretKeyRef: { name: 'analytics', key: 'amplitude' } } });
  });
});

describe('PIP_MIRROR_URL', () => {
  test('a plain mirror goes to sandbox and plugin daemon config; a tokenized one by Secret reference', () => {
    const plain = new DifySettings({ pipMirrorUrl: 'https://pypi.example.com/simple' });
    expect(plain.sandboxEnv().plainData().PIP_MIRROR_URL).toBe('https://pypi.example.com/simple');
    expect(plain.pluginDaemonEnv().plainData().PIP_MIRROR_URL).toBe('https://pypi.example.com/simple');
    const secret = new DifySettings({ pipMirrorUrl: SecretKeyRef.of('pip', 'index-url') });
    for (const env of [secret.sandboxEnv(), secret.pluginDaemonEnv()]) {
      expect(env.plainData().PIP_MIRROR_URL).toBeUndefined();
      expect(env.secretEnv()).toContainEqual({ name: 'PIP_MIRROR_URL', valueFrom: { secretKeyRef: { name: 'pip', key: 'index-url' } } });
    }
  });
});

describe('typedEnvNamesFor', () => {
  test("maps each component's typed container names to their property", () => {
    const daemon = typedEnvNamesFor(['pluginDaemon']);
    expect(daemon.get('MAX_PLUGIN_PACKAGE_SIZE')).toBe('settings.plugins.maxPackageSizeBytes');
    expect(daemon.get('SENTRY_DSN')).toBe('settings.sentry.pluginDaemonDsn');
    expect(typedEnvNamesFor(['worker']).get('CELERY_MAX_WORKERS')).toBe('settings.processes.worker.autoscale.maxWorkers');
    expect(typedEnvNamesFor(['sandbox']).has('DB_HOST')).toBe(false);
  });
});

test("a sandbox run may not outlive the api's read timeout: both ends are named", () => {
  expect(() => difyDocs({ settings: { codeExecution: { sandboxWorkerTimeoutSeconds: 120, readTimeoutSeconds: 60 } } })).toThrow(
    /^settings\.codeExecution\.sandboxWorkerTimeoutSeconds: got 120; must be less than settings\.codeExecution\.readTimeoutSeconds \(60\): the api stops reading/,
  );
  expect(() => difyDocs({ settings: { codeExecution: { sandboxWorkerTimeoutSeconds: 59, readTimeoutSeconds: 60 } } })).not.toThrow();
});
