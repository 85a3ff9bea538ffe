import { EnvSet, IngressTls, SecretKeyRef } from '../lib';
import { difyDocs, find } from './util';

/** The plain env of a component: its ConfigMap merged with literal env values. */
function envOf(docs: Record<string, any>[], component: string): Record<string, string> {
  const w = docs.find((d) => ['Deployment', 'StatefulSet'].includes(d.kind) && d.spec.template.metadata.labels['app.kubernetes.io/component'] === component);
  if (!w) throw new Error(`no ${component}`);
  const c = w.spec.template.spec.containers[0];
  const out: Record<string, string> = {};
  for (const f of c.envFrom ?? []) Object.assign(out, docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === f.configMapRef?.name)?.data ?? {});
  for (const e of c.env ?? []) if (e.value !== undefined) out[e.name] = e.value;
  return out;
}

/** Ports a component's NetworkPolicy admits from pods of `from`. */
function admitted(docs: Record<string, any>[], component: string, from: string): number[] {
  const p = docs.find((d) => d.kind === 'NetworkPolicy' && d.spec.podSelector.matchLabels?.['app.kubernetes.io/component'] === component)!;
  return (p.spec.ingress ?? [])
    .filter((r: any) => (r.from ?? []).some((f: any) => f.podSelector?.matchLabels?.['app.kubernetes.io/component'] === from))
    .flatMap((r: any) => r.ports.map((x: any) => x.port));
}

describe('component defaults that extraEnv may replace', () => {
  test('EnvSet.defaults: a default is replaceable until a plain value, a secret or a merge of a plain value takes the name', () => {
    const env = new EnvSet().defaults({ LANG: 'C.UTF-8', A: '1' }).plain({ B: '2' });
    expect(env.isDefault('LANG')).toBe(true);
    expect(env.isDefault('B')).toBe(false);
    expect(new EnvSet().merge(env).isDefault('LANG')).toBe(true);
    expect(new EnvSet().merge(env).plain({ LANG: 'x' }).isDefault('LANG')).toBe(false);
    expect(
      new EnvSet()
        .merge(env)
        .merge(new EnvSet().plain({ A: 'x' }))
        .isDefault('A'),
    ).toBe(false);
    expect(
      new EnvSet()
        .merge(env)
        .secret({ A: SecretKeyRef.of('s', 'a') })
        .isDefault('A'),
    ).toBe(false);
  });

  test('settings.extraEnv replaces a default of the api-image roles and keeps the others', () => {
    const { docs } = difyDocs({ settings: { extraEnv: { LANG: 'de_DE.UTF-8', DIFY_BIND_ADDRESS: '::' } } });
    expect(envOf(docs, 'api')).toMatchObject({ LANG: 'de_DE.UTF-8', LC_ALL: 'C.UTF-8', DIFY_BIND_ADDRESS: '::', DIFY_PORT: '5001' });
    expect(envOf(docs, 'worker')).toMatchObject({ LANG: 'de_DE.UTF-8', CELERY_BACKEND: 'redis' });
    expect(envOf(difyDocs().docs, 'api')).toMatchObject({ LANG: 'C.UTF-8', DIFY_BIND_ADDRESS: '0.0.0.0' });
  });

  test("components.<c>.extraEnv replaces that component's defaults", () => {
    const { docs } = difyDocs({
      components: { sandbox: { extraEnv: { GIN_MODE: 'debug' } }, pluginDaemon: { extraEnv: { PLUGIN_INSTALLED_PATH: 'plugins-v2' } } },
    });
    expect(envOf(docs, 'sandbox').GIN_MODE).toBe('debug');
    expect(envOf(docs, 'plugin-daemon').PLUGIN_INSTALLED_PATH).toBe('plugins-v2');
  });

  test('a path default moved off its volume fails the runtime contract at synth, and one kept on it passes', () => {
    expect(() => difyDocs({ components: { pluginDaemon: { extraEnv: { UV_CACHE_DIR: '/opt/uv' } } } })).toThrow(
      'UV_CACHE_DIR=/opt/uv puts /opt/uv on the read-only root filesystem',
    );
    expect(envOf(difyDocs({ components: { pluginDaemon: { extraEnv: { UV_CACHE_DIR: '/app/storage/uv' } } } }).docs, 'plugin-daemon').UV_CACHE_DIR).toBe(
      '/app/storage/uv',
    );
  });

  test('a value the installation depends on stays refused, naming the prop to use', () => {
    expect(() => difyDocs({ settings: { extraEnv: { DIFY_PORT: '6001' } } })).toThrow(
      'settings.extraEnv.DIFY_PORT: got "6001"; DIFY_PORT is set by a typed property of dify-cdk8s; use that property instead',
    );
    expect(() => difyDocs({ components: { sandbox: { extraEnv: { SANDBOX_PORT: '9000' } } } })).toThrow(
      'components.sandbox.extraEnv.SANDBOX_PORT: got "9000"; SANDBOX_PORT is set by the component or a typed prop',
    );
    expect(() => difyDocs({ components: { sandbox: { secretEnv: { GIN_MODE: SecretKeyRef.of('s', 'k') } } } })).toThrow(
      'components.sandbox.secretEnv.GIN_MODE',
    );
  });
});

describe('ports are typed; their Service, clients and policies follow', () => {
  test('settings.sandbox.port: the sandbox listens there, api and worker call it there, its policy admits it', () => {
    const { docs } = difyDocs({ settings: { sandbox: { port: 8200 } } });
    expect(envOf(docs, 'sandbox').SANDBOX_PORT).toBe('8200');
    expect(find(docs, 'ConfigMap', 'dify-sandbox-config').data['config.yaml']).toContain('  port: 8200\n');
    expect(find(docs, 'Service', 'dify-sandbox').spec.ports.map((p: any) => p.port)).toEqual([8200]);
    expect(envOf(docs, 'api').CODE_EXECUTION_ENDPOINT).toBe('http://dify-sandbox:8200');
    expect(admitted(docs, 'sandbox', 'api')).toEqual([8200]);
  });

  test('ssrfProxy.port: squid listens there and every client uses it', () => {
    const { docs } = difyDocs({ ssrfProxy: { port: 3129 } });
    expect(find(docs, 'ConfigMap', 'dify-ssrf-proxy-config').data['squid.conf']).toMatch(/^http_port 3129$/m);
    expect(envOf(docs, 'api').SSRF_PROXY_HTTP_URL).toBe('http://dify-ssrf-proxy:3129');
    expect(envOf(docs, 'sandbox').HTTP_PROXY).toBe('http://dify-ssrf-proxy:3129');
    expect(admitted(docs, 'ssrf-proxy', 'sandbox')).toEqual([3129]);
    // The agent's own proxy keeps upstream's port.
    expect(find(docs, 'ConfigMap', 'dify-agent-ssrf-proxy-config').data['squid.conf']).toMatch(/^http_port 3128$/m);
  });

  test('settings.plugins.port and debuggingPort: the daemon, PLUGIN_DAEMON_URL, the /e/ route and the debug Service follow', () => {
    const { docs } = difyDocs({
      settings: { plugins: { port: 5012, debuggingPort: 5013 } },
      pluginRemoteDebugging: { advertisedHost: 'debug.example.com', allowedCidrs: ['203.0.113.0/24'] },
    });
    expect(envOf(docs, 'plugin-daemon')).toMatchObject({ SERVER_PORT: '5012', PLUGIN_REMOTE_INSTALLING_PORT: '5013' });
    expect(envOf(docs, 'api').PLUGIN_DAEMON_URL).toBe('http://dify-plugin-daemon:5012');
    const paths = docs.filter((d) => d.kind === 'Ingress').flatMap((i) => i.spec.rules.flatMap((r: any) => r.http.paths));
    expect(paths.filter((p: any) => p.path === '/e/').map((p: any) => p.backend.service.port.number)).toEqual([5012]);
    expect(find(docs, 'Service', 'dify-plugin-debug').spec.ports[0].port).toBe(5013);
    expect(admitted(docs, 'plugin-daemon', 'api')).toEqual([5012]);
  });

  test('bad ports name the prop', () => {
    expect(() => difyDocs({ settings: { sandbox: { port: 0 } } })).toThrow('settings.sandbox.port: got 0');
    expect(() => difyDocs({ ssrfProxy: { port: 70000 } })).toThrow('ssrfProxy.port: got 70000');
    expect(() => difyDocs({ settings: { plugins: { debuggingPort: 5002 } } })).toThrow(
      "settings.plugins.debuggingPort: got 5002; must differ from the daemon's API port 5002 (settings.plugins.port)",
    );
  });
});

describe('the nginx proxy: listen ports, Service ports, keep-alive and TLS settings', () => {
  const TLS = IngressTls.existingSecret('dify-tls');
  const conf = (docs: Record<string, any>[]) => find(docs, 'ConfigMap', 'dify-nginx-config').data['nginx.conf'] as string;

  test('every setting reaches the configuration and the Services', () => {
    const { docs } = difyDocs({
      nginxProxy: {
        tls: TLS,
        listenPorts: { http: 9080, https: 9443 },
        service: { httpPort: 8000, httpsPort: 8443 },
        keepaliveTimeoutSeconds: 30,
        tlsProtocols: ['TLSv1.3'],
        tlsSecretKeys: { certificate: 'fullchain.pem', privateKey: 'privkey.pem' },
      },
    });
    const c = conf(docs);
    expect(c).toContain('keepalive_timeout 30;');
    expect(c).toContain('listen 9443 ssl default_server;');
    expect(c).toContain('listen 9080 default_server;');
    expect(c).toContain('ssl_certificate /etc/nginx/tls/fullchain.pem;');
    expect(c).toContain('ssl_certificate_key /etc/nginx/tls/privkey.pem;');
    expect(c).toContain('ssl_protocols TLSv1.3;');
    expect(find(docs, 'Service', 'dify-nginx-public').spec.ports.map((p: any) => [p.name, p.port])).toEqual([
      ['http', 8000],
      ['https', 8443],
    ]);
  });

  test.each([
    [{ listenPorts: { http: 80 } }, 'nginxProxy.listenPorts.http: got 80; must be an integer from 1024 to 65535'],
    [{ listenPorts: { http: 8081 } }, 'nginxProxy.listenPorts.http: got 8081; must differ from the health port 8081'],
    [{ listenPorts: { http: 8443 } }, 'nginxProxy.listenPorts.https: got 8443; must differ from listenPorts.http'],
    [{ tls: TLS, tlsProtocols: ['TLSv1.1'] }, 'nginxProxy.tlsProtocols[0]: got "TLSv1.1"; must be "TLSv1.2" or "TLSv1.3"'],
    [{ tls: TLS, tlsProtocols: [] }, 'nginxProxy.tlsProtocols: got []; must list "TLSv1.2", "TLSv1.3" or both'],
    [{ tlsProtocols: ['TLSv1.3'] }, 'nginxProxy.tlsProtocols: got ["TLSv1.3"]; needs tls'],
    [
      { tls: TLS, tlsSecretKeys: { certificate: 'a/b' } },
      "nginxProxy.tlsSecretKeys.certificate: got \"a/b\"; must be a Secret data key: letters, digits, '-', '_' and '.'",
    ],
    [
      { tls: TLS, tlsSecretKeys: { certificate: 'k', privateKey: 'k' } },
      'nginxProxy.tlsSecretKeys.privateKey: got "<redacted>"; must differ from the certificate key',
    ],
    [{ service: { httpsPort: 8443 } }, 'nginxProxy.service.httpsPort: got 8443; needs tls'],
    [{ tls: TLS, service: { httpPort: 443 } }, 'nginxProxy.service.httpsPort: got 443; must differ from service.httpPort'],
    [{ keepaliveTimeoutSeconds: -1 }, 'nginxProxy.keepaliveTimeoutSeconds: got -1'],
  ])('%j is refused', (nginxProxy, message) => {
    expect(() => difyDocs({ nginxProxy: nginxProxy as never })).toThrow(message);
  });
});
