import { Citation, ConnectionFact, PathFact, ProbeFact, RuntimeContract, UpstreamSource, UserFact } from './contract';

// The api and web images are built from langgenius/dify at tag 1.16.1 (6f8ed69ee15f). The code index holds no copy
// of api/ and web/ at that tag (the repository snapshot is over the fetch limit), so api/web facts name the revision
// that was read (`readAt`); the rendering only takes their safe side. docker/ was read at 08993dd622ab, whose compose
// file names the 1.16.1 images (vendor/dify-upstream/README.md). The plugin daemon and the sandbox were read at their tags.
const DIFY = 'langgenius/dify';
const TAG = '1.16.1';
const COMPOSE: UpstreamSource = { repo: DIFY, ref: TAG, path: 'docker/docker-compose.yaml', readAt: '08993dd622ab13264a37cdc3f1b4a582b673e31b' };
const compose = (at: string): UpstreamSource => ({ ...COMPOSE, at });
const api = (path: string, at: string, readAt: string): UpstreamSource => ({ repo: DIFY, ref: TAG, path, at, readAt });
const DAEMON = (path: string, at: string): UpstreamSource => ({ repo: 'langgenius/dify-plugin-daemon', ref: '0.6.10', path, at });
const SANDBOX = (path: string, at: string): UpstreamSource => ({ repo: 'langgenius/dify-sandbox', ref: '0.2.15', path, at });

const ENTRYPOINT = 'api/docker/entrypoint.sh';
const ENTRYPOINT_READ = '0d0cc912ce163437c04f4cf636cf2ae7aa5b60d8';
const STORAGE = api('api/extensions/ext_storage.py', 'Storage.init_app: self.storage_runner = storage_factory()', 'c2d02f8f4d556013edf40b7eff5279cd0b8c36a2');
const S3 = api(
  'api/extensions/storage/aws_s3_storage.py',
  'AwsS3Storage.__init__: head_bucket; re-raises anything but a 403/404 ClientError',
  '3cb8d74596876bd27962f94afcd75a3ba19ac35c',
);
const OPENDAL = api(
  'api/extensions/storage/opendal_storage.py',
  'OpenDALStorage.__init__: fs root mkdir(parents=True)',
  '01f15458a185b4cbf17ff60a5cba46e00c838ee0',
);
const APP = api(
  'api/app.py',
  'create_app -> initialize_extensions (ext_storage among them); @app.route("/health")',
  'ce64129708bc45f90d65167fb605ab87f4a86a6c',
);
const LOGGING = api(
  'api/extensions/ext_logging.py',
  'init_app: os.makedirs(dirname(LOG_FILE)); RotatingFileHandler',
  'c3a2accd8ec8f1d7b4c03ef8237a550e611af4f2',
);
const API_USER: UserFact = {
  id: 'user',
  uid: 1001,
  passwdEntry: true,
  capabilities: [],
  why: "the image's `dify` user (useradd -r: no home directory is created); WORKDIR /app/api",
  source: {
    unread: 'api/Dockerfile at 1.16.1 is not in the code index; later revisions create `dify` with uid 1001 (ARG dify_uid=1001, useradd -r) and run as it',
    safeChoice: 'run as 1001 with a read-only root; every path the process writes is mounted; /tmp is an emptyDir',
  },
};

/** Facts every process of the api image shares: it runs the app factory, so it opens the database, Redis and the file storage at start. */
function appFactory(process: string): { writes: PathFact[]; connects: ConnectionFact[]; identity: RuntimeContract['identity'] } {
  return {
    writes: [
      {
        id: 'writes.storage-root',
        writes: { storageRoot: true },
        when: 'boot',
        why: `${process} builds the file storage at start; OpenDAL fs (a volume) creates its root under /app/api`,
        source: OPENDAL,
      },
      {
        id: 'writes.log-file',
        writes: { env: 'LOG_FILE', dirOf: true },
        when: 'boot',
        why: 'LOG_FILE, when set: its directory is created and the file opened at start',
        source: LOGGING,
      },
      {
        id: 'writes.tmp',
        writes: { path: '/tmp' },
        when: 'work',
        why: 'temporary files (uploads, document extraction, gevent)',
        source: { unread: 'not traced through every library', safeChoice: 'an emptyDir at /tmp' },
      },
    ],
    connects: [
      { id: 'connects.database', to: 'database', when: 'boot', why: `${process} runs the app factory (ext_database, ext_migrate)`, source: APP },
      { id: 'connects.redis', to: 'redis', when: 'boot', why: `${process} runs the app factory (ext_redis, ext_celery)`, source: APP },
      {
        id: 'connects.file-storage',
        to: 'file-storage',
        when: 'boot',
        why: 'object storage is opened at start: S3 heads its bucket and exits without a route or credentials',
        source: S3,
      },
      {
        id: 'connects.otel-collector',
        to: 'otel-collector',
        when: 'work',
        ifEnv: { name: 'ENABLE_OTEL', equals: 'true' },
        why: 'ENABLE_OTEL: spans and metrics are exported to OTLP_BASE_ENDPOINT in the background',
        source: api('api/extensions/ext_otel.py', 'init_app: OTLP exporters when ENABLE_OTEL', 'c40e6e01a0ce36fbe6afee14c2ec734561a22a94'),
      },
    ],
    identity: [
      {
        id: 'identity.file-storage',
        for: 'file-storage',
        when: 'boot',
        why: 'S3 with S3_USE_AWS_MANAGED_IAM (or GCS without a key) uses the pod identity at start',
        source: STORAGE,
      },
    ],
  };
}

const SERVE_5001: ProbeFact = {
  id: 'probes',
  serves: [{ http: '/health', port: 5001 }],
  why: 'the Flask app serves /health (compose healthcheck: curl /health)',
  source: APP,
};

const apiImage = (component: string, command: string, extra: Partial<RuntimeContract> = {}): RuntimeContract => {
  const f = appFactory(command);
  return {
    component,
    image: 'api',
    process: {
      id: 'process',
      command,
      source: api(ENTRYPOINT, 'MODE dispatch (recorded in vendor/dify-upstream/worker-queues.md at 1.16.1)', ENTRYPOINT_READ),
    },
    user: API_USER,
    writes: f.writes,
    connects: f.connects,
    identity: f.identity,
    probes: SERVE_5001,
    ...extra,
  };
};

const WORKER_PING = ['/bin/sh', '-c', 'exec celery -A celery_healthcheck.celery inspect ping -d "celery@${HOSTNAME}"'];
const unread = (what: string, safeChoice: string): Citation => ({ unread: what, safeChoice });

/** The runtime contracts of every component an installation renders, by `app.kubernetes.io/component`. */
export const RUNTIME_CONTRACTS: readonly RuntimeContract[] = [
  apiImage('api', 'gunicorn app:app (MODE=api)', {
    connects: [
      ...appFactory('gunicorn app:app').connects,
      { id: 'connects.vector-store', to: 'vector-store', when: 'work', why: 'retrieval and indexing', source: APP },
      { id: 'connects.sandbox', to: 'sandbox', when: 'work', why: 'code nodes (CODE_EXECUTION_ENDPOINT)', source: COMPOSE },
      { id: 'connects.plugin-daemon', to: 'plugin-daemon', when: 'work', why: 'plugins (PLUGIN_DAEMON_URL)', source: COMPOSE },
      { id: 'connects.ssrf-proxy', to: 'ssrf-proxy', when: 'work', why: 'outbound HTTP of tools and nodes (SSRF_PROXY_HTTP_URL)', source: COMPOSE },
      { id: 'connects.agent-backend', to: 'agent-backend', when: 'work', why: 'agent v2 runs (AGENT_BACKEND_BASE_URL), with the agent stack', source: COMPOSE },
      { id: 'connects.internet', to: 'internet', when: 'work', why: 'model providers and tools (the component opens public addresses)', source: COMPOSE },
    ],
  }),
  apiImage('api-websocket', 'gunicorn app:socketio_app, geventwebsocket worker (MODE=api)', {
    probes: { ...SERVE_5001, source: compose('api_websocket: the api image and its /health') },
  }),
  apiImage('worker', 'celery -A celery_entrypoint.celery worker (MODE=worker, no -n: node celery@<hostname>)', {
    probes: {
      id: 'probes',
      serves: [{ exec: WORKER_PING }],
      why: "celery_healthcheck builds a bare Celery client (no app factory); -d addresses this pod's node, named celery@<hostname> by Celery's default",
      source: compose('worker.healthcheck: celery -A celery_healthcheck.celery inspect ping'),
    },
    connects: [
      ...appFactory('celery worker').connects,
      { id: 'connects.vector-store', to: 'vector-store', when: 'work', why: 'indexing', source: APP },
      { id: 'connects.sandbox', to: 'sandbox', when: 'work', why: 'workflow code nodes', source: COMPOSE },
      { id: 'connects.plugin-daemon', to: 'plugin-daemon', when: 'work', why: 'workflow plugin calls', source: COMPOSE },
      { id: 'connects.ssrf-proxy', to: 'ssrf-proxy', when: 'work', why: 'workflow HTTP nodes', source: COMPOSE },
      { id: 'connects.agent-backend', to: 'agent-backend', when: 'work', why: 'agent v2 runs, with the agent stack', source: COMPOSE },
      { id: 'connects.internet', to: 'internet', when: 'work', why: 'model providers (the component opens public addresses)', source: COMPOSE },
    ],
  }),
  apiImage('beat', 'celery -A app.celery beat (MODE=beat)', {
    writes: [
      ...appFactory('celery beat').writes,
      {
        id: 'writes.schedule',
        writes: { path: '/app/api/celerybeat-schedule' },
        when: 'boot',
        why: 'celery beat keeps its schedule file in its working directory and rewrites it every few minutes',
        source: unread('celery beat default (--schedule celerybeat-schedule, relative to the working directory)', 'a writable root filesystem for beat'),
      },
    ],
    probes: {
      id: 'probes',
      serves: [
        { exec: ['/bin/sh', '-c', 'ls /app/api/celerybeat-schedule* >/dev/null 2>&1'] },
        { exec: ['/bin/sh', '-c', 'test -n "$(find /app/api -maxdepth 1 -name \'celerybeat-schedule*\' -mmin -10)"'] },
      ],
      why: 'the schedule file exists and was rewritten recently (a stuck loop stops rewriting it)',
      source: unread('celery beat has no health endpoint', 'probe the schedule file beat rewrites'),
    },
  }),
  apiImage('migration', 'flask upgrade-db, then exit (MODE=migration, MIGRATION_ENABLED=true)', {
    probes: { id: 'probes', serves: [], why: 'a Job: no probes', source: api(ENTRYPOINT, 'MIGRATION_ENABLED: flask upgrade-db', ENTRYPOINT_READ) },
  }),
  {
    component: 'web',
    image: 'web',
    process: {
      id: 'process',
      command: 'pm2 (PM2_HOME) running the Next.js standalone server',
      source: api('web/docker/entrypoint.sh', 'exports NEXT_PUBLIC_*, pm2 start', '854084e9692eb2535a8584fcad6168c0db9dde9a'),
    },
    user: {
      id: 'user',
      uid: 1001,
      passwdEntry: true,
      capabilities: [],
      why: "the image's `dify` user",
      source: unread('web/Dockerfile at 1.16.1 is not in the code index; later revisions run as `dify` (uid 1001, adduser -S)', 'run as 1001'),
    },
    writes: [
      {
        id: 'writes.pm2-home',
        writes: { env: 'PM2_HOME' },
        when: 'boot',
        why: "pm2's home (logs, pids, sockets)",
        source: unread('pm2 writes PM2_HOME (default ~/.pm2)', 'PM2_HOME on /tmp'),
      },
      {
        id: 'writes.root',
        writes: { path: '/app/web' },
        when: 'work',
        why: 'Next.js caches under .next/cache while it serves; the entrypoint of 1.16.1 could not be read at the tag',
        source: unread(
          'web/docker/entrypoint.sh and web/Dockerfile at 1.16.1 are not in the code index; a later revision of the entrypoint (vinext targets) only exports NEXT_PUBLIC_* and execs node server.js, writing nothing at start',
          'a writable root filesystem for web (a read-only root with an emptyDir on .next/cache is likely enough, unproven)',
        ),
      },
    ],
    connects: [{ id: 'connects.api', to: 'api', when: 'work', why: 'server-side rendering calls SERVER_CONSOLE_API_URL', source: COMPOSE }],
    identity: [],
    probes: {
      id: 'probes',
      serves: [{ tcp: 3000 }],
      why: 'Next.js listens on PORT 3000; upstream has no health route',
      source: compose('web: PORT 3000, no healthcheck'),
    },
  },
  {
    component: 'sandbox',
    image: 'sandbox',
    process: {
      id: 'process',
      command: '/entrypoint.sh: unpacks Node.js into /opt, then /main',
      source: SANDBOX('docker/entrypoint.sh', 'tar -xvf $NODE_TAR_XZ -C /opt; /main'),
    },
    user: {
      id: 'user',
      uid: 0,
      passwdEntry: true,
      capabilities: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETGID', 'SETUID', 'SYS_CHROOT'],
      why: 'root: chroots each run into /var/sandbox, drops to an unprivileged uid, installs its seccomp filter',
      source: SANDBOX('internal/core/runner/python/setup.go', 'LIB_PATH /var/sandbox/sandbox-python; chroot and setuid per run'),
    },
    writes: [
      {
        id: 'writes.opt',
        writes: { path: '/opt' },
        when: 'boot',
        why: 'the entrypoint unpacks Node.js into /opt and links /usr/local/bin/node',
        source: SANDBOX('docker/entrypoint.sh', 'tar -C /opt; ln -s'),
      },
      {
        id: 'writes.var-sandbox',
        writes: { path: '/var/sandbox' },
        when: 'boot',
        why: 'writes the runner libraries and per-run scripts',
        source: SANDBOX('internal/core/runner/nodejs/setup.go', 'os.MkdirAll(LIB_PATH)'),
      },
    ],
    connects: [{ id: 'connects.ssrf-proxy', to: 'ssrf-proxy', when: 'work', why: 'code with network access goes through HTTP(S)_PROXY', source: COMPOSE }],
    identity: [],
    probes: {
      id: 'probes',
      serves: [{ http: '/health', port: 8194, portFrom: { env: 'SANDBOX_PORT' } }],
      why: 'GET /health, on SANDBOX_PORT when set (internal/static/config.go: os.Getenv("SANDBOX_PORT") overrides app.port)',
      source: SANDBOX('internal/controller/router.go', 'PublicGroup.GET("/health")'),
    },
  },
  {
    component: 'plugin-daemon',
    image: 'pluginDaemon',
    process: {
      id: 'process',
      command: 'tini -- /app/commandline migrate && exec /app/main',
      source: DAEMON('docker/local.dockerfile', 'ENTRYPOINT tini; CMD commandline migrate && main'),
    },
    user: {
      id: 'user',
      uid: 1001,
      passwdEntry: false,
      capabilities: [],
      why: 'the image has no USER (root); the rendering runs it as 1001, a uid without a passwd entry',
      source: DAEMON('docker/local.dockerfile', 'FROM ubuntu:24.04, no USER'),
    },
    home: {
      id: 'home',
      why: '`commandline migrate` resolves $HOME (os.UserHomeDir, cobra.CheckErr) before it runs; pip/uv write under ~ when plugins install',
      source: DAEMON('cmd/commandline/main.go', 'initConfig: os.UserHomeDir()'),
    },
    writes: [
      {
        id: 'writes.storage',
        writes: { path: '/app/storage' },
        when: 'boot',
        why: 'PLUGIN_WORKING_PATH, installed plugins, package and media caches',
        source: DAEMON('internal/types/app/config.go', 'PLUGIN_WORKING_PATH, PLUGIN_STORAGE_LOCAL_ROOT'),
      },
      {
        id: 'writes.uv-cache',
        writes: { env: 'UV_CACHE_DIR' },
        when: 'work',
        why: 'uv caches packages of plugin environments',
        source: DAEMON('internal/core/local_runtime/setup_python_environment.go', 'UV_CACHE_DIR'),
      },
    ],
    connects: [
      {
        id: 'connects.database',
        to: 'database',
        when: 'boot',
        why: '`commandline migrate` before the server starts',
        source: DAEMON('docker/local.dockerfile', 'CMD commandline migrate'),
      },
      { id: 'connects.redis', to: 'redis', when: 'boot', why: 'sessions and cluster state', source: DAEMON('internal/types/app/config.go', 'REDIS_HOST') },
      {
        id: 'connects.plugin-storage',
        to: 'plugin-storage',
        when: 'boot',
        why: 'the server builds its plugin storage (PLUGIN_STORAGE_TYPE) before it serves and panics when that fails; whether the S3 client checks its bucket then is in dify-cloud-kit, not read',
        source: DAEMON('internal/server/server.go', 'initOSS: factory.Load(...); log.Panic on error'),
      },
      { id: 'connects.api', to: 'api', when: 'work', why: 'inner API (DIFY_INNER_API_URL)', source: COMPOSE },
      { id: 'connects.internet', to: 'internet', when: 'work', why: 'marketplace downloads, pip installs, model providers', source: COMPOSE },
    ],
    identity: [
      {
        id: 'identity.plugin-storage',
        for: 'plugin-storage',
        when: 'boot',
        why: 'S3 with S3_USE_AWS_MANAGED_IAM uses the pod identity (UseIamRole)',
        source: DAEMON('internal/server/server.go', 'oss.S3{ UseIamRole: config.S3UseAwsManagedIam }'),
      },
    ],
    probes: {
      id: 'probes',
      serves: [{ http: '/health/check', port: 5002, portFrom: { env: 'SERVER_PORT' } }],
      why: 'GET /health/check on SERVER_PORT (internal/types/app/config.go: ServerPort envconfig:"SERVER_PORT")',
      source: DAEMON('internal/server/http_server.go', 'engine.GET("/health/check")'),
    },
  },
  {
    component: 'agent-backend',
    image: 'agentBackend',
    process: { id: 'process', command: 'the dify-agent run server on 5050', source: compose('agent_backend') },
    user: {
      id: 'user',
      uid: 1001,
      passwdEntry: true,
      capabilities: [],
      why: "the image's `dify` user",
      source: unread('dify-agent Dockerfile not read', 'run as 1001, read-only root, HOME=/tmp'),
    },
    home: { id: 'home', why: 'Python tooling resolves ~', source: unread('the dify-agent image source was not read', 'HOME=/tmp on an emptyDir') },
    writes: [
      {
        id: 'writes.tmp',
        writes: { path: '/tmp' },
        when: 'work',
        why: 'temporary files',
        source: unread('the dify-agent image source was not read', 'an emptyDir at /tmp'),
      },
    ],
    connects: [
      { id: 'connects.redis', to: 'redis', when: 'boot', why: 'runs are kept in Redis', source: compose('agent_backend: DIFY_AGENT_REDIS_URL') },
      { id: 'connects.plugin-daemon', to: 'plugin-daemon', when: 'work', why: 'tool calls', source: COMPOSE },
      { id: 'connects.api', to: 'api', when: 'work', why: 'inner API', source: COMPOSE },
      { id: 'connects.local-sandbox', to: 'local-sandbox', when: 'work', why: 'shell runs', source: COMPOSE },
    ],
    identity: [],
    probes: {
      id: 'probes',
      serves: [{ http: '/openapi.json', port: 5050 }, { tcp: 5050 }],
      why: 'FastAPI serves /openapi.json; the port listens',
      source: unread('dify-agent routes not read', 'readiness on /openapi.json (FastAPI default), liveness and startup on TCP'),
    },
  },
  {
    component: 'local-sandbox',
    image: 'localSandbox',
    process: { id: 'process', command: 'shellctl on 5004', source: compose('local_sandbox') },
    user: {
      id: 'user',
      uid: 1000,
      passwdEntry: true,
      capabilities: [],
      why: "the image's `dify` user (useradd on python:3.12-slim)",
      source: unread('local sandbox Dockerfile not read', 'uid 1000, read-only root, emptyDirs on every workspace path'),
    },
    home: { id: 'home', why: 'shell sessions run in /home/dify', source: compose('local_sandbox') },
    writes: ['/home/dify', '/workspace', '/mnt/drive', '/tmp'].map((path) => ({
      id: `writes.${path.split('/').pop()}`,
      writes: { path },
      when: 'work' as const,
      why: 'agent workspaces',
      source: compose('local_sandbox'),
    })),
    connects: [
      {
        id: 'connects.agent-ssrf-proxy',
        to: 'agent-ssrf-proxy',
        when: 'work',
        why: 'all outbound HTTP through the agent proxy',
        source: compose('local_sandbox networks'),
      },
    ],
    identity: [],
    probes: {
      id: 'probes',
      serves: [{ tcp: 5004 }, { http: '/healthz', port: 5004 }],
      why: 'compose checks GET /healthz; the rendering probes the port',
      source: compose('local_sandbox.healthcheck: curl http://localhost:5004/healthz'),
    },
  },
  ...(['ssrf-proxy', 'agent-ssrf-proxy'] as const).map(
    (component): RuntimeContract => ({
      component,
      image: 'ssrfProxy',
      process: { id: 'process', command: 'squid -N with the rendered squid.conf', source: compose('ssrf_proxy') },
      user: {
        id: 'user',
        uid: 13,
        passwdEntry: true,
        capabilities: [],
        why: 'the `proxy` user of ubuntu/squid',
        source: unread('ubuntu/squid image', 'uid 13 (checked by the squid runtime drill on Debian squid)'),
      },
      writes: [
        {
          id: 'writes.spool',
          writes: { path: '/var/spool/squid' },
          when: 'boot',
          why: 'cache and swap state',
          source: unread('as deployed: test/runtime/squid.drill.ts runs the rendered config', 'an emptyDir'),
        },
        {
          id: 'writes.run',
          writes: { path: '/var/run/squid' },
          when: 'boot',
          why: 'pid file',
          source: unread('as deployed: test/runtime/squid.drill.ts runs the rendered config', 'an emptyDir'),
        },
      ],
      connects: [{ id: 'connects.internet', to: 'internet', when: 'work', why: 'forwards allowed requests', source: COMPOSE }],
      identity: [],
      probes: {
        id: 'probes',
        serves: [{ tcp: 3128, portFrom: { configDirective: 'http_port' } }],
        why: "squid listens on its configuration's http_port (3128 in upstream's compose)",
        source: compose('ssrf_proxy: SSRF_PROXY_PORT 3128'),
      },
    }),
  ),
  {
    component: 'postgres',
    image: 'postgres',
    process: { id: 'process', command: 'docker-entrypoint.sh postgres', source: compose('db_postgres') },
    user: {
      id: 'user',
      uid: 70,
      passwdEntry: true,
      capabilities: [],
      why: 'the `postgres` user of the alpine image',
      source: unread('docker-library/postgres alpine', 'uid 70 with fsGroup'),
    },
    writes: [
      { id: 'writes.data', writes: { env: 'PGDATA' }, when: 'boot', why: 'initdb and the cluster', source: compose('db_postgres: PGDATA') },
      {
        id: 'writes.run',
        writes: { path: '/var/run/postgresql' },
        when: 'boot',
        why: 'the socket and lock file',
        source: unread('docker-library/postgres', 'an emptyDir'),
      },
      { id: 'writes.tmp', writes: { path: '/tmp' }, when: 'boot', why: 'the init scripts', source: unread('docker-library/postgres', 'an emptyDir') },
    ],
    connects: [],
    identity: [],
    probes: {
      id: 'probes',
      serves: [
        { exec: ['/bin/sh', '-c', 'pg_isready -h 127.0.0.1 -p 5432 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'] },
        { exec: ['/bin/sh', '-c', 'pg_isready -h 127.0.0.1 -p 5432'] },
      ],
      why: 'pg_isready, as compose',
      source: compose('db_postgres.healthcheck: pg_isready'),
    },
  },
  {
    component: 'redis',
    image: 'redis',
    process: { id: 'process', command: 'redis-server with requirepass', source: compose('redis') },
    user: {
      id: 'user',
      uid: 999,
      passwdEntry: true,
      capabilities: [],
      why: 'the `redis` user of the alpine image',
      source: unread('docker-library/redis alpine', 'uid 999 with fsGroup'),
    },
    writes: [{ id: 'writes.data', writes: { path: '/data' }, when: 'boot', why: 'RDB/AOF', source: compose('redis volumes: /data') }],
    connects: [],
    identity: [],
    probes: {
      id: 'probes',
      serves: [{ exec: ['/bin/sh', '-c', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'] }],
      why: 'redis-cli ping, as compose',
      source: compose('redis.healthcheck'),
    },
  },
  {
    component: 'weaviate',
    image: 'weaviate',
    process: { id: 'process', command: 'weaviate', source: compose('weaviate') },
    user: {
      id: 'user',
      uid: 1000,
      passwdEntry: false,
      capabilities: [],
      why: 'the image has no USER; runs as 1000 with fsGroup',
      source: unread('semitechnologies/weaviate image', 'uid 1000, read-only root, data on its volume'),
    },
    writes: [
      {
        id: 'writes.data',
        writes: { env: 'PERSISTENCE_DATA_PATH' },
        when: 'boot',
        why: 'the data directory',
        source: compose('weaviate: PERSISTENCE_DATA_PATH'),
      },
    ],
    connects: [],
    identity: [],
    probes: {
      id: 'probes',
      serves: [
        { http: '/v1/.well-known/ready', port: 8080 },
        { http: '/v1/.well-known/live', port: 8080 },
      ],
      why: "Weaviate's readiness and liveness endpoints",
      source: unread('weaviate 1.27 source not read', 'the documented /v1/.well-known/ready and /live'),
    },
  },
];

/** The contract of a component label (`worker-<pool>` is a worker); undefined for components without one. */
export function contractOf(component: string): RuntimeContract | undefined {
  const name = /^worker-/.test(component) ? 'worker' : component;
  return RUNTIME_CONTRACTS.find((c) => c.component === name);
}
