/**
 * Drill: the nginx proxy's rendered configuration passes `nginx -t` and, run
 * by a real nginx on loopback in front of stub upstreams, sends every path of
 * upstream's route table to the right backend with the headers Dify needs.
 */
import { request } from 'http';
import { writeFileSync } from 'fs';
import { join } from 'path';
import {
  ServerHandle,
  Substitution,
  adapt,
  changedLines,
  cleanEnv,
  freePort,
  httpRequest,
  requireBinary,
  runCommand,
  scratchDir,
  startServer,
} from './support/host';
import { Doc, container, containerEnv, pick, synthDify } from './support/rendered';
import { Stub, startStub } from './support/stubs';

const NGINX = requireBinary('nginx', 'nginx');
const HOST = 'dify.example.com';

/** Upstream Dify 1.16.1's route table (nginx/conf.d/default.conf.template), written out independently of lib/. */
const EXPECTED_ROUTES: Array<{ prefix: string; target: Target; probe: string }> = [
  { prefix: '/console/api', target: 'api', probe: '/console/api/apps?page=1' },
  { prefix: '/api', target: 'api', probe: '/api/passport?x=1' },
  { prefix: '/socket.io/', target: 'apiWebsocket', probe: '/socket.io/?EIO=4&transport=polling' },
  { prefix: '/v1', target: 'api', probe: '/v1/chat-messages?user=a' },
  { prefix: '/openapi', target: 'api', probe: '/openapi/v1/spec' },
  { prefix: '/files', target: 'api', probe: '/files/abc/file-preview?sign=s%2Fx' },
  { prefix: '/mcp', target: 'api', probe: '/mcp/server/abc/mcp' },
  { prefix: '/triggers', target: 'api', probe: '/triggers/webhook/abc' },
  { prefix: '/e/', target: 'pluginDaemon', probe: '/e/hook-id/run?x=1' },
  { prefix: '/explore', target: 'web', probe: '/explore/apps' },
  { prefix: '/', target: 'web', probe: '/apps?category=all' },
];
type Target = 'api' | 'web' | 'pluginDaemon' | 'apiWebsocket';
const UPSTREAM_OF: Record<Target, string> = { api: 'dify_api', web: 'dify_web', pluginDaemon: 'dify_plugin_daemon', apiWebsocket: 'dify_api_websocket' };
/** The Services the upstream blocks must point at (name and port as synthesized). */
const SERVICE_OF: Record<Target, string> = { api: 'dify-api', web: 'dify-web', pluginDaemon: 'dify-plugin-daemon', apiWebsocket: 'dify-api-websocket' };

/** `upstream name { server host:port; }` blocks of the rendered nginx.conf. */
function upstreamServers(conf: string): Record<string, string> {
  return Object.fromEntries([...conf.matchAll(/upstream (\w+) \{\n\s+server ([^;]+);\n\s+\}/g)].map((m) => [m[1], m[2]]));
}

/** A real nginx running a rendered configuration in front of loopback stubs. */
interface RunningNginx {
  readonly docs: Doc[];
  readonly rendered: { readonly nginx: string; readonly proxy: string };
  readonly subs: Substitution[];
  readonly adapted: string;
  readonly confPath: string;
  readonly httpPort: number;
  readonly healthPort: number;
  readonly stubs: Record<Target, Stub>;
  readonly dir: string;
  stop(): Promise<void>;
}

/** Starts nginx with the configuration of a `Dify` with `nginxProxy`, serving `hosts` server blocks. */
async function startNginx(docs: Doc[], hosts: number): Promise<RunningNginx> {
  const scratch = scratchDir('nginx');
  const stubs = {} as Record<Target, Stub>;
  let nginx: ServerHandle | undefined;
  const stop = async (): Promise<void> => {
    await nginx?.stop();
    await Promise.all(Object.values(stubs).map((s) => s.close()));
    scratch.cleanup();
  };
  try {
    const cm = pick(docs, 'ConfigMap', 'dify-nginx-config');
    const rendered = { nginx: cm.data['nginx.conf'] as string, proxy: cm.data['proxy.conf'] as string };
    const command = container(pick(docs, 'Deployment', 'dify-nginx'), 'nginx').command as string[];
    for (const t of Object.keys(UPSTREAM_OF) as Target[]) stubs[t] = await startStub(t);
    const httpPort = await freePort();
    const healthPort = await freePort();
    const servers = upstreamServers(rendered.nginx);
    const subs: Substitution[] = [
      { from: '/tmp/', to: `${scratch.dir}/`, count: 6, why: 'pid and temp files: the pod mounts an emptyDir at /tmp' },
      { from: 'listen 8080', to: `listen 127.0.0.1:${httpPort}`, count: hosts, why: 'a free port, loopback only' },
      { from: 'listen 8081;', to: `listen 127.0.0.1:${healthPort};`, why: 'a free port, loopback only' },
      {
        from: 'include /etc/nginx/dify/proxy.conf;',
        to: `include ${scratch.dir}/proxy.conf;`,
        count: EXPECTED_ROUTES.length,
        why: 'where the ConfigMap is mounted',
      },
      ...(Object.keys(UPSTREAM_OF) as Target[]).map((t) => ({
        from: `server ${servers[UPSTREAM_OF[t]]};`,
        to: `server 127.0.0.1:${stubs[t].port};`,
        why: `the ${t} Service becomes a loopback stub`,
      })),
    ];
    const adapted = adapt(rendered.nginx, subs);
    const confPath = join(scratch.dir, 'nginx.conf');
    writeFileSync(confPath, adapted);
    writeFileSync(join(scratch.dir, 'proxy.conf'), rendered.proxy);
    // The container runs `nginx -e stderr -c /etc/nginx/dify/nginx.conf`: same flags, config path adapted.
    expect(command).toEqual(['nginx', '-e', 'stderr', '-c', '/etc/nginx/dify/nginx.conf']);
    const args = [...command.slice(1, -1), confPath];
    const test = runCommand(NGINX, [...args, '-t'], { env: cleanEnv(scratch.dir), cwd: scratch.dir });
    if (test.status !== 0) throw new Error(`nginx -t failed:\n${test.stderr}`);
    nginx = await startServer('nginx', NGINX, args, { env: cleanEnv(scratch.dir), cwd: scratch.dir, logDir: scratch.dir, port: httpPort });
    return { docs, rendered, subs, adapted, confPath, httpPort, healthPort, stubs, dir: scratch.dir, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Every URL Dify hands out (the api's URL variables, with what Dify appends
 * to each) and the component that must answer it through the proxy.
 */
function handedOutUrls(docs: Doc[]): Array<[string, string, Target]> {
  const env = containerEnv(docs, container(pick(docs, 'Deployment', 'dify-api'), 'api'));
  const url = (name: string): string => {
    const v = env[name]?.value;
    if (!v) throw new Error(`dify-api has no plain ${name}`);
    return v.replace(/\/$/, '');
  };
  return [
    ['CONSOLE_API_URL', `${url('CONSOLE_API_URL')}/console/api/setup`, 'api'],
    ['SERVICE_API_URL', `${url('SERVICE_API_URL')}/v1/chat-messages`, 'api'],
    ['APP_API_URL', `${url('APP_API_URL')}/api/passport`, 'api'],
    ['FILES_URL', `${url('FILES_URL')}/files/abc/file-preview?sign=x`, 'api'],
    ['TRIGGER_URL', `${url('TRIGGER_URL')}/triggers/webhook/abc`, 'api'],
    ['ENDPOINT_URL_TEMPLATE', url('ENDPOINT_URL_TEMPLATE').replace('{hook_id}', 'hook-1'), 'pluginDaemon'],
    ['CONSOLE_WEB_URL', `${url('CONSOLE_WEB_URL')}/apps`, 'web'],
    ['APP_WEB_URL', `${url('APP_WEB_URL')}/chat/abc`, 'web'],
  ];
}

/** Requests `url` through nginx (its host as the Host header) and returns which stub answered. */
async function answeredBy(n: RunningNginx, url: string): Promise<{ status: number; name?: string; path?: string }> {
  const u = new URL(url);
  const r = await httpRequest({ port: n.httpPort, path: `${u.pathname}${u.search}`, headers: { Host: u.host } });
  return r.status === 200 ? { status: r.status, name: JSON.parse(r.body).name, path: JSON.parse(r.body).url } : { status: r.status };
}

describe('nginx proxy drill', () => {
  const docs: Doc[] = synthDify({ nginxProxy: {} });
  let n: RunningNginx;
  let rendered: RunningNginx['rendered'];
  let httpPort: number;
  let healthPort: number;
  let stubs: Record<Target, Stub>;

  beforeAll(async () => {
    n = await startNginx(docs, 1);
    ({ rendered, httpPort, healthPort, stubs } = n);
  });

  afterAll(async () => {
    await n?.stop();
  });

  test('nginx -t accepts the configuration', () => {
    const r = runCommand(NGINX, ['-e', 'stderr', '-c', n.confPath, '-t'], { env: cleanEnv(n.dir), cwd: n.dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/syntax is ok/);
    expect(r.stderr).toMatch(/test is successful/);
  });

  test('the host copy differs from the ConfigMap only by the documented substitutions; proxy.conf is unchanged', () => {
    const changed = changedLines(rendered.nginx, n.adapted, n.subs);
    // 6 /tmp paths, 2 listen ports, one upstream server per target, one include per route.
    expect(changed).toHaveLength(6 + 2 + Object.keys(UPSTREAM_OF).length + EXPECTED_ROUTES.length);
  });

  test('the upstream blocks point at the synthesized Services and their ports', () => {
    const servers = upstreamServers(rendered.nginx);
    for (const t of Object.keys(UPSTREAM_OF) as Target[]) {
      const svc = pick(docs, 'Service', SERVICE_OF[t]);
      const [host, port] = servers[UPSTREAM_OF[t]].split(':');
      expect(host).toBe(svc.metadata.name);
      expect(svc.spec.ports.map((p: Doc) => p.port)).toContain(Number(port));
    }
  });

  test('the rendered locations are exactly the route table', () => {
    const server = rendered.nginx.slice(rendered.nginx.indexOf(`server_name ${HOST};`));
    const locations = [...server.matchAll(/location (\S+) \{/g)].map((m) => m[1]);
    expect(locations).toEqual(EXPECTED_ROUTES.map((r) => r.prefix));
  });

  test.each(EXPECTED_ROUTES)('$probe reaches $target, path and query unchanged', async ({ probe, target }) => {
    const before = Object.fromEntries(Object.entries(stubs).map(([k, s]) => [k, s.requests.length]));
    const r = await httpRequest({ port: httpPort, path: probe, headers: { Host: HOST } });
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body);
    expect(seen.name).toBe(target);
    expect(seen.url).toBe(probe);
    // No other upstream was asked.
    for (const [k, s] of Object.entries(stubs)) expect(s.requests.length - before[k]).toBe(k === target ? 1 : 0);
    expect(seen.headers).toMatchObject({ host: HOST, 'x-forwarded-proto': 'http', 'x-forwarded-port': '80', 'x-forwarded-for': '127.0.0.1' });
    // Dify-Hook-Url (the public URL of the endpoint call) on /e/ only, as upstream's template sets it.
    if (target === 'pluginDaemon') expect(seen.headers['dify-hook-url']).toBe(`http://${HOST}${probe}`);
    else expect(seen.headers['dify-hook-url']).toBeUndefined();
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  test('X-Frame-Options is added on pages but never on the embeddable web-app pages', async () => {
    const page = await httpRequest({ port: httpPort, path: '/apps', headers: { Host: HOST } });
    const embed = await httpRequest({ port: httpPort, path: '/chat/abc123', headers: { Host: HOST } });
    expect([page.status, embed.status]).toEqual([200, 200]);
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(embed.headers['x-frame-options']).toBeUndefined();
  });

  test('responses stream unbuffered (server-sent events of chat and workflow runs)', async () => {
    const firstChunkMs = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      const req = request({ host: '127.0.0.1', port: httpPort, path: '/v1/chat-messages/stream', headers: { Host: HOST }, agent: false }, (res) => {
        res.once('data', () => {
          resolve(Date.now() - started);
          res.resume();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error('stream timed out')));
      req.once('error', reject);
      req.end();
    });
    // The stub pauses 1.5 s after its first event; a buffering proxy would deliver nothing before that.
    expect(firstChunkMs).toBeLessThan(1000);
  });

  test('hop-by-hop upgrade headers are not passed upstream (websockets are not routed here)', async () => {
    const r = await httpRequest({ port: httpPort, path: '/console/api/ws', headers: { Host: HOST, Connection: 'Upgrade', Upgrade: 'websocket' } });
    const seen = JSON.parse(r.body);
    expect(seen.headers.upgrade).toBeUndefined();
    expect(seen.headers.connection).toBeUndefined();
  });

  test.each(handedOutUrls(docs))('%s: %s reaches %s', async (_name, url, target) => {
    expect(await answeredBy(n, url)).toEqual({ status: 200, name: target, path: url.replace(/^https?:\/\/[^/]+/, '') });
  });

  test('the probe server answers /healthz and nothing else', async () => {
    const ok = await httpRequest({ port: healthPort, path: '/healthz' });
    const other = await httpRequest({ port: healthPort, path: '/console/api/apps' });
    expect([ok.status, ok.body, other.status]).toEqual([200, 'ok\n', 404]);
  });
});

describe('nginx proxy drill, split hosts (apiHost)', () => {
  const docs: Doc[] = synthDify({ nginxProxy: {}, apiHost: 'api.example.com' });
  let n: RunningNginx;

  beforeAll(async () => {
    n = await startNginx(docs, 2);
  });

  afterAll(async () => {
    await n?.stop();
  });

  test('the URLs Dify hands out name both hosts', () => {
    const hosts = new Set(handedOutUrls(docs).map(([, url]) => new URL(url).host));
    expect([...hosts].sort()).toEqual(['api.example.com', HOST]);
  });

  test.each(handedOutUrls(docs))('%s: %s reaches %s', async (_name, url, target) => {
    expect(await answeredBy(n, url)).toEqual({ status: 200, name: target, path: url.replace(/^https?:\/\/[^/]+/, '') });
  });

  test('the API host serves no frontend pages', async () => {
    expect((await answeredBy(n, 'http://api.example.com/apps')).status).toBe(404);
  });
});
