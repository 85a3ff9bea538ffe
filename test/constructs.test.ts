import { DIFY_ROUTES, DifySandbox, SANDBOX_CAPABILITIES, DifySecrets } from '../lib';
import { difyDocs, find, podSpecs } from './util';

const { dify, docs } = difyDocs();
const deploy = (name: string) => find(docs, 'Deployment', name);
const sts = (name: string) => find(docs, 'StatefulSet', name);
const container = (d: any) => d.spec.template.spec.containers[0];
const envOf = (d: any) => {
  const c = container(d);
  const cmName = c.envFrom?.[0]?.configMapRef?.name;
  const plain = cmName ? find(docs, 'ConfigMap', cmName).data : {};
  const secret = Object.fromEntries(
    (c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]),
  );
  return { plain, secret };
};

describe('DifyApi', () => {
  const api = deploy('dify-api');
  test('runs MODE=api on 5001 with migrations disabled', () => {
    expect(envOf(api).plain).toMatchObject({ MODE: 'api', MIGRATION_ENABLED: 'false', DIFY_PORT: '5001' });
    expect(container(api).ports).toEqual([{ name: 'http', containerPort: 5001, protocol: 'TCP' }]);
  });
  test('probes /health for readiness, liveness and startup', () => {
    for (const p of ['readinessProbe', 'livenessProbe', 'startupProbe']) expect(container(api)[p].httpGet).toEqual({ path: '/health', port: 'http' });
  });
  test('waits for the migration in an init container of the same image', () => {
    const init = api.spec.template.spec.initContainers[0];
    expect(init.name).toBe('wait-for-migrations');
    expect(init.image).toBe(container(api).image);
    expect(init.command.join(' ')).toContain('flask db current');
    expect(init.envFrom).toEqual(container(api).envFrom);
  });
  test('runs as uid 1001, non-root, read-only root filesystem, all capabilities dropped', () => {
    expect(container(api).securityContext).toMatchObject({
      runAsUser: 1001,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });
  test('derives every public URL from the host', () => {
    const { plain } = envOf(api);
    for (const k of ['CONSOLE_API_URL', 'CONSOLE_WEB_URL', 'SERVICE_API_URL', 'APP_API_URL', 'APP_WEB_URL', 'FILES_URL', 'TRIGGER_URL']) {
      expect(plain[k]).toBe('http://dify.example.com');
    }
    expect(plain.ENDPOINT_URL_TEMPLATE).toBe('http://dify.example.com/e/{hook_id}');
  });
  test('sends outbound requests through the SSRF proxy and reaches the sandbox and daemon by Service', () => {
    expect(envOf(api).plain).toMatchObject({
      SSRF_PROXY_HTTP_URL: 'http://dify-ssrf-proxy:3128',
      SSRF_PROXY_HTTPS_URL: 'http://dify-ssrf-proxy:3128',
      CODE_EXECUTION_ENDPOINT: 'http://dify-sandbox:8194',
      PLUGIN_DAEMON_URL: 'http://dify-plugin-daemon:5002',
    });
  });
  test('rolls out with zero unavailable pods', () => {
    expect(api.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  });
});

describe('shared credentials are one Secret key on both sides', () => {
  const api = envOf(deploy('dify-api')).secret;
  const worker = envOf(deploy('dify-worker')).secret;
  const sandbox = envOf(deploy('dify-sandbox')).secret;
  const daemon = envOf(sts('dify-plugin-daemon')).secret;
  const postgres = envOf(sts('dify-postgres')).secret;
  const redis = envOf(sts('dify-redis')).secret;
  const weaviate = envOf(sts('dify-weaviate')).secret;
  test('CODE_EXECUTION_API_KEY = sandbox API_KEY', () => expect(api.CODE_EXECUTION_API_KEY).toBe(sandbox.API_KEY));
  test('PLUGIN_DAEMON_KEY = daemon SERVER_KEY', () => expect(api.PLUGIN_DAEMON_KEY).toBe(daemon.SERVER_KEY));
  test('INNER_API_KEY_FOR_PLUGIN = daemon DIFY_INNER_API_KEY', () => expect(worker.INNER_API_KEY_FOR_PLUGIN).toBe(daemon.DIFY_INNER_API_KEY));
  test('DB_PASSWORD = POSTGRES_PASSWORD for api, worker and daemon', () => {
    expect(api.DB_PASSWORD).toBe(postgres.POSTGRES_PASSWORD);
    expect(worker.DB_PASSWORD).toBe(postgres.POSTGRES_PASSWORD);
    expect(daemon.DB_PASSWORD).toBe(postgres.POSTGRES_PASSWORD);
  });
  test('REDIS_PASSWORD = the embedded server password', () => {
    expect(api.REDIS_PASSWORD).toBe(redis.REDIS_PASSWORD);
    expect(daemon.REDIS_PASSWORD).toBe(redis.REDIS_PASSWORD);
  });
  test('one SECRET_KEY for api and worker', () => expect(api.SECRET_KEY).toBe(worker.SECRET_KEY));
  test('WEAVIATE_API_KEY = the server allowed key', () => expect(api.WEAVIATE_API_KEY).toBe(weaviate.AUTHENTICATION_APIKEY_ALLOWED_KEYS));
  test('all of them live in the generated Secret', () => {
    for (const v of [...Object.values(api), ...Object.values(daemon)]) expect(v).toMatch(/^dify-credentials\//);
  });
});

describe('DifyWorker and beat', () => {
  test("worker runs MODE=worker with upstream's celery ping probe, addressed to this pod's own node", () => {
    const w = deploy('dify-worker');
    expect(envOf(w).plain.MODE).toBe('worker');
    const [shell, flag, script] = container(w).livenessProbe.exec.command;
    expect([shell, flag]).toEqual(['/bin/sh', '-c']);
    // Without -d every worker of the broker answers, so a hung pod would stay alive.
    expect(script).toBe('exec celery -A celery_healthcheck.celery inspect ping -d "celery@${HOSTNAME}"');
    expect(container(w).readinessProbe.exec.command).toEqual(container(w).livenessProbe.exec.command);
  });
  test('beat is exactly one replica with the Recreate strategy', () => {
    const b = deploy('dify-beat');
    expect(b.spec.replicas).toBe(1);
    expect(b.spec.strategy).toEqual({ type: 'Recreate' });
    expect(envOf(b).plain).toMatchObject({ MODE: 'beat', MIGRATION_ENABLED: 'false' });
  });
  test('beat does not receive the sandbox or plugin daemon keys', () => {
    const s = envOf(deploy('dify-beat')).secret;
    expect(s.CODE_EXECUTION_API_KEY).toBeUndefined();
    expect(s.PLUGIN_DAEMON_KEY).toBeUndefined();
  });
  test('api and worker share one RWO storage claim and are co-scheduled', () => {
    for (const name of ['dify-api', 'dify-worker']) {
      const d = deploy(name);
      expect(d.spec.template.spec.volumes).toContainEqual({ name: 'storage', persistentVolumeClaim: { claimName: 'dify-storage' } });
      expect(d.spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
      expect(d.spec.template.metadata.labels['dify.langgenius.ai/storage-claim']).toBe('dify-storage');
    }
    expect(find(docs, 'PersistentVolumeClaim', 'dify-storage').spec.accessModes).toEqual(['ReadWriteOnce']);
  });
  test('every long-running api-image pod has MIGRATION_ENABLED=false', () => {
    for (const name of ['dify-api', 'dify-worker', 'dify-beat']) expect(envOf(deploy(name)).plain.MIGRATION_ENABLED).toBe('false');
  });
});

describe('DifyMigration', () => {
  const job = docs.find((d) => d.kind === 'Job' && d.metadata.name.startsWith('dify-migrate-'))!;
  test('runs MODE=migration with MIGRATION_ENABLED=true', () => {
    const cm = find(docs, 'ConfigMap', job.metadata.name).data;
    expect(cm).toMatchObject({ MODE: 'migration', MIGRATION_ENABLED: 'true' });
  });
  test('its name changes with the image, so each rollout gets its own Job', () => {
    const other = difyDocs({ images: { api: 'langgenius/dify-api:1.16.2' } }).docs.find(
      (d) => d.kind === 'Job' && d.metadata.name.startsWith('dify-migrate-'),
    )!;
    expect(other.metadata.name).not.toBe(job.metadata.name);
    expect(dify.migration.jobName).toBe(job.metadata.name);
  });
});

describe('DifySandbox', () => {
  const sb = deploy('dify-sandbox');
  test('adds back only the capabilities its jail needs and keeps seccomp RuntimeDefault', () => {
    expect(container(sb).securityContext).toMatchObject({
      runAsUser: 0,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'], add: SANDBOX_CAPABILITIES },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });
  test('mounts /conf/config.yaml from a ConfigMap without the API key', () => {
    expect(container(sb).volumeMounts).toContainEqual({ name: 'config', mountPath: '/conf', readOnly: true });
    const conf = find(docs, 'ConfigMap', 'dify-sandbox-config').data['config.yaml'];
    expect(conf).toContain(`port: ${DifySandbox.PORT}`);
    expect(conf).toContain("http: 'http://dify-ssrf-proxy:3128'");
    expect(conf).not.toMatch(/key:/);
  });
  test('proxies outbound traffic through the SSRF proxy', () => {
    expect(envOf(sb).plain).toMatchObject({ HTTP_PROXY: 'http://dify-ssrf-proxy:3128', HTTPS_PROXY: 'http://dify-ssrf-proxy:3128' });
  });
  test('mounts /dependencies only when requirements are given', () => {
    expect(container(sb).volumeMounts.map((m: any) => m.mountPath)).not.toContain('/dependencies');
    const withDeps = difyDocs({ sandboxPythonRequirements: ['numpy==2.1.0'] }).docs;
    expect(find(withDeps, 'ConfigMap', 'dify-sandbox-dependencies').data['python-requirements.txt']).toBe('numpy==2.1.0\n');
  });
});

describe('DifyPluginDaemon', () => {
  const d = sts('dify-plugin-daemon');
  test('serves 5002 and 5003 with its own database and persistent /app/storage', () => {
    expect(container(d).ports.map((p: any) => p.containerPort)).toEqual([5002, 5003]);
    expect(envOf(d).plain).toMatchObject({ DB_DATABASE: 'dify_plugin', DIFY_INNER_API_URL: 'http://dify-api:5001', SERVER_PORT: '5002' });
    expect(d.spec.volumeClaimTemplates[0].metadata.name).toBe('storage');
    expect(container(d).volumeMounts).toContainEqual({ name: 'storage', mountPath: '/app/storage' });
  });
});

describe('DifySsrfProxy', () => {
  const conf = find(docs, 'ConfigMap', 'dify-ssrf-proxy-config').data['squid.conf'];
  test('denies private, loopback, link-local and metadata ranges before allowing clients', () => {
    for (const r of ['10.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']) {
      expect(conf).toContain(`acl to_private_networks dst ${r}`);
    }
    expect(conf.indexOf('http_access deny to_private_networks')).toBeLessThan(conf.indexOf('http_access allow client_localnet'));
    expect(
      conf
        .trim()
        .split('\n')
        .filter((l: string) => l.startsWith('http_access'))
        .pop(),
    ).toBe('http_access deny all');
  });
  test('allow-lists go before the private deny', () => {
    const c = difyDocs({ ssrfProxy: { allowPrivateIps: ['10.20.0.0/16'], allowPrivateDomains: ['.corp.example.com'] } }).dify.ssrfProxy.squidConfig;
    expect(c).toContain('acl allowed_private_ips dst 10.20.0.0/16');
    expect(c.indexOf('http_access allow allowed_private_ips')).toBeLessThan(c.indexOf('http_access deny to_private_networks'));
    expect(c.indexOf('http_access allow allowed_private_domains')).toBeLessThan(c.indexOf('http_access deny to_private_networks'));
  });
  test('runs squid in the foreground as the proxy user', () => {
    const c = container(deploy('dify-ssrf-proxy'));
    expect(c.command).toEqual(['/usr/sbin/squid']);
    expect(c.securityContext).toMatchObject({ runAsUser: 13, runAsNonRoot: true, readOnlyRootFilesystem: true });
  });
});

describe('DifyStatefulStore', () => {
  test.each(['dify-postgres', 'dify-redis', 'dify-weaviate'])('%s retains its volume claims and has stable Services', (name) => {
    const s = sts(name);
    expect(s.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(s.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(s.spec.serviceName).toBe(`${name}-headless`);
    expect(find(docs, 'Service', `${name}-headless`).spec.clusterIP).toBe('None');
    expect(find(docs, 'Service', name).spec.type).toBe('ClusterIP');
  });
  test('storage class and size are configurable', () => {
    const s = find(difyDocs({ postgres: { storageSize: '50Gi', storageClassName: 'fast-ssd' } }).docs, 'StatefulSet', 'dify-postgres');
    expect(s.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast-ssd', resources: { requests: { storage: '50Gi' } } });
  });
  test('expose host and port so consumers never rebuild DNS names', () => {
    expect([dify.postgres!.host, dify.postgres!.port]).toEqual(['dify-postgres', 5432]);
    expect([dify.redis!.host, dify.redis!.port]).toEqual(['dify-redis', 6379]);
    expect(envOf(deploy('dify-api')).plain).toMatchObject({
      DB_HOST: dify.postgres!.host,
      REDIS_HOST: dify.redis!.host,
      WEAVIATE_ENDPOINT: `http://${dify.weaviate!.host}:8080`,
    });
  });
  test('redis never puts its password on the command line', () => {
    const c = container(sts('dify-redis'));
    expect(c.command.join(' ')).toContain('"$REDIS_PASSWORD"');
    expect(c.command.join(' ')).not.toMatch(/--requirepass/);
  });
});

describe('DifyIngress', () => {
  const ing = find(docs, 'Ingress', 'dify');
  const paths = ing.spec.rules[0].http.paths;
  test('serves every upstream route to the right Service', () => {
    const table = Object.fromEntries(paths.map((p: any) => [p.path, `${p.backend.service.name}:${p.backend.service.port.number}`]));
    expect(table).toEqual({
      '/console/api': 'dify-api:5001',
      '/api': 'dify-api:5001',
      '/v1': 'dify-api:5001',
      '/openapi': 'dify-api:5001',
      '/files': 'dify-api:5001',
      '/mcp': 'dify-api:5001',
      '/triggers': 'dify-api:5001',
      '/e/': 'dify-plugin-daemon:5002',
      '/explore': 'dify-web:3000',
      '/': 'dify-web:3000',
      '/socket.io/': 'dify-api-websocket:5001',
    });
    expect(paths).toHaveLength(DIFY_ROUTES.length);
  });
  test('keeps streaming responses unbuffered with 3600 s timeouts and 100 MB bodies', () => {
    expect(ing.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-body-size': '100m',
    });
    expect(ing.spec.ingressClassName).toBe('nginx');
  });
});

describe('every workload', () => {
  test('has probes, requests and limits, and a dedicated ServiceAccount without a token unless it needs the API', () => {
    for (const { id, spec } of podSpecs(docs)) {
      for (const c of spec.containers) {
        expect({ id, r: Object.keys(c.resources.requests).sort(), l: Object.keys(c.resources.limits).sort() }).toEqual({
          id,
          r: ['cpu', 'memory'],
          l: ['cpu', 'memory'],
        });
        if (!/^(Cron)?Job\//.test(id)) expect({ id, probes: [!!c.readinessProbe, !!c.livenessProbe] }).toEqual({ id, probes: [true, true] });
        expect(c.imagePullPolicy).toBe('IfNotPresent');
      }
      expect(spec.serviceAccountName).toBeDefined();
      expect({ id, token: spec.automountServiceAccountToken }).toEqual({ id, token: id.startsWith('Job/dify-secret-generator') });
    }
  });
  test('selectors use only name/instance/component labels', () => {
    for (const d of docs.filter((x) => ['Deployment', 'StatefulSet'].includes(x.kind))) {
      expect(Object.keys(d.spec.selector.matchLabels).sort()).toEqual(['app.kubernetes.io/component', 'app.kubernetes.io/instance', 'app.kubernetes.io/name']);
    }
  });
});

describe('DifySecretGenerator', () => {
  test('is namespace-scoped: a Role limited to secrets, get/patch only on its own Secret', () => {
    const role = find(docs, 'Role', 'dify-secret-generator');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['dify-credentials'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
    expect(docs.some((d) => d.kind === 'ClusterRole' || d.kind === 'ClusterRoleBinding')).toBe(false);
  });
  test('is omitted when credentials are provided', () => {
    const { docs: own } = difyDocs({ secrets: DifySecrets.existing('my-dify') });
    expect(own.some((d) => d.kind === 'Job' && d.metadata.name.startsWith('dify-secret-generator'))).toBe(false);
    expect(JSON.stringify(own)).toContain('"name":"my-dify"');
  });
});
