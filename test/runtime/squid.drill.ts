/**
 * Drill: the SSRF proxy's rendered squid.conf, run by a real squid on
 * loopback, refuses private, loopback and metadata destinations before
 * connecting anywhere, and lets an allow-listed private destination through.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import {
  ServerHandle,
  Substitution,
  adapt,
  changedLines,
  cleanEnv,
  connectThrough,
  eventually,
  freePort,
  httpRequest,
  requireBinary,
  runCommand,
  scratchDir,
  startServer,
} from './support/host';
import { Doc, container, pick, synthDify } from './support/rendered';
import { Stub, startStub } from './support/stubs';

const SQUID = requireBinary('squid', 'squid');
/** The allow-listed stub: a loopback address other than 127.0.0.1, so the allow-list is narrower than 127.0.0.0/8. */
const ALLOWED_HOST = '127.0.0.2';

/** The rendered squid.conf and the container's arguments, found by kind and name. */
function renderedSquid(docs: Doc[]): { conf: string; args: string[] } {
  const conf = pick(docs, 'ConfigMap', 'dify-ssrf-proxy-config').data['squid.conf'] as string;
  const c = container(pick(docs, 'Deployment', 'dify-ssrf-proxy'), 'ssrf-proxy');
  return { conf, args: [...c.command, ...c.args] };
}

/** What must differ on a host, and nothing else. */
function hostSubstitutions(port: number, dir: string): Substitution[] {
  return [
    { from: 'http_port 3128', to: `http_port 127.0.0.1:${port}`, why: 'a free port, bound to loopback only' },
    { from: 'coredump_dir /var/spool/squid', to: `coredump_dir ${dir}`, why: 'the pod mounts an emptyDir at /var/spool/squid' },
    {
      from: 'dns_retransmit_interval 5 seconds',
      to: 'dns_retransmit_interval 5 seconds\ndns_nameservers 127.0.0.1',
      why: 'the host resolver is not the cluster DNS: any lookup stays on loopback (names here come from /etc/hosts)',
    },
  ];
}

interface RunningSquid {
  readonly rendered: string;
  readonly adapted: string;
  readonly subs: Substitution[];
  readonly port: number;
  readonly server: ServerHandle;
  /** Squid's service name, prefix of its shared-memory segments. */
  readonly service: string;
  /** Access-log lines (dify_log format) so far. */
  accessLog(): string[];
}

async function startSquid(label: string, docs: Doc[], dir: string): Promise<RunningSquid> {
  const { conf, args } = renderedSquid(docs);
  const port = await freePort();
  const subs = hostSubstitutions(port, dir);
  const adapted = adapt(conf, subs);
  const path = join(dir, `${label}.conf`);
  writeFileSync(path, adapted);
  // The container runs `/usr/sbin/squid -f /etc/squid/squid.conf -NYC`: same flags, config path adapted, plus
  // `-n <service name>`: squid names its shared-memory segments (/dev/shm) after it, and two drills' squids
  // (or a host squid) must not share them. In a pod each squid has its own /dev/shm.
  expect(args).toEqual(['/usr/sbin/squid', '-f', '/etc/squid/squid.conf', '-NYC']);
  const service = `difydrill${process.pid}${label.replace(/[^a-z0-9]/g, '')}`;
  const server = await startServer(`squid-${label}`, SQUID, ['-n', service, '-f', path, '-NYC'], { env: cleanEnv(dir), cwd: dir, logDir: dir, port });
  return {
    rendered: conf,
    adapted,
    subs,
    port,
    server,
    service,
    accessLog: () =>
      server
        .output()
        .split('\n')
        .filter((l) => /^\d+\.\d{3}\s/.test(l)),
  };
}

/** The access-log line of a request (squid logs when the transaction ends). */
function logLine(squid: RunningSquid, fragment: string): Promise<string | undefined> {
  return eventually(() => squid.accessLog().find((l) => l.includes(fragment)));
}

/** Removes the /dev/shm segments of our squids (left behind when squid is killed rather than shut down). */
function removeSharedMemory(services: Array<string | undefined>): void {
  if (!existsSync('/dev/shm')) return;
  for (const f of readdirSync('/dev/shm')) {
    if (services.some((s) => s && f.startsWith(`${s}-`))) rmSync(join('/dev/shm', f), { force: true });
  }
}

describe('SSRF proxy (squid) drill', () => {
  let scratch: { dir: string; cleanup: () => void };
  const defaultDocs = synthDify();
  const allowDocs = synthDify({ ssrfProxy: { allowPrivateIps: [`${ALLOWED_HOST}/32`] } });
  let loopbackStub: Stub;
  let allowedStub: Stub;
  let denyAll: RunningSquid;
  let allowList: RunningSquid;

  beforeAll(async () => {
    scratch = scratchDir('squid');
    loopbackStub = await startStub('loopback-stub', '127.0.0.1');
    allowedStub = await startStub('allow-listed-stub', ALLOWED_HOST);
    denyAll = await startSquid('default', defaultDocs, scratch.dir);
    allowList = await startSquid('allow-list', allowDocs, scratch.dir);
  });

  /** A GET through `squid` is refused by an ACL, before any connection: 403 at once, no stub contacted, HIER_NONE. */
  async function expectRefusedGet(squid: RunningSquid, target: string): Promise<void> {
    const r = await httpRequest({ port: squid.port, path: target, headers: { Host: new URL(target).host } });
    expect(r.status).toBe(403);
    // Well under squid's 30 s connect_timeout.
    expect(r.ms).toBeLessThan(2000);
    expect(loopbackStub.connections()).toBe(0);
    expect(await logLine(squid, ` GET ${target} `)).toMatch(/ TCP_DENIED\/403 .* HIER_NONE\/- /);
  }

  afterAll(async () => {
    // squid waits shutdown_lifetime (30 s) for clients on SIGTERM; nothing is in flight here.
    await Promise.all([denyAll?.server.stop(3000), allowList?.server.stop(3000)]);
    removeSharedMemory([denyAll?.service, allowList?.service]);
    await Promise.all([loopbackStub?.close(), allowedStub?.close()]);
    scratch?.cleanup();
  });

  test('the rendered configuration parses verbatim (squid -k parse), without errors', () => {
    for (const docs of [defaultDocs, allowDocs]) {
      const path = join(scratch.dir, 'verbatim.conf');
      writeFileSync(path, renderedSquid(docs).conf);
      const r = runCommand(SQUID, ['-k', 'parse', '-f', path], { env: cleanEnv(scratch.dir), cwd: scratch.dir });
      const out = `${r.stdout}${r.stderr}`;
      expect({ status: r.status, errors: out.split('\n').filter((l) => /ERROR|FATAL|Bungled|unrecognized/i.test(l)) }).toEqual({ status: 0, errors: [] });
      // The only warnings are squid's notes on upstream's overlapping ranges: it reads ::ffff:0:0/96 (IPv4-mapped)
      // as 0.0.0.0/0 and ::/96 as containing ::1, and drops the wider entry. Were 0.0.0.0/0 kept, every IPv4
      // destination would be refused; a new warning fails here so it is looked at.
      const warnings = out
        .split('\n')
        .filter((l) => /WARNING/.test(l))
        .map((l) => l.replace(/^.*\| /, ''));
      for (const w of warnings) expect(w).toMatch(/subnetwork of|is ignored to keep splay tree|You should probably remove '(0\.0\.0\.0\/8|::1)'/);
    }
  });

  test('the host copy differs from the ConfigMap only by the documented substitutions', () => {
    for (const s of [denyAll, allowList]) {
      const changed = changedLines(s.rendered, s.adapted, s.subs);
      expect(changed.map(([from]) => from)).toEqual(['http_port 3128', 'coredump_dir /var/spool/squid', 'dns_retransmit_interval 5 seconds']);
    }
  });

  test('the allow-list is evaluated before the private-range refusal, and only when set', () => {
    const rules = (conf: string): string[] => conf.split('\n').filter((l) => l.startsWith('http_access '));
    const allowRules = rules(allowList.rendered);
    expect(allowRules.indexOf('http_access allow allowed_private_ips')).toBeGreaterThan(-1);
    expect(allowRules.indexOf('http_access allow allowed_private_ips')).toBeLessThan(allowRules.indexOf('http_access deny to_private_networks'));
    expect(allowList.rendered).toContain(`acl allowed_private_ips dst ${ALLOWED_HOST}/32`);
    expect(rules(denyAll.rendered).some((l) => l.includes('allowed_private_ips'))).toBe(false);
  });

  // GET on Safe_ports (80, 1025-65535) and CONNECT to 443 pass the port rules, so a 403 here comes from the
  // destination rule; the allow-listed control below shows the same client and port class is otherwise served.
  const refused: Array<[string, () => string]> = [
    ['GET a loopback stub', () => `http://127.0.0.1:${loopbackStub.port}/probe`],
    ['GET the allow-listed address without the allow-list', () => `http://${ALLOWED_HOST}:${allowedStub.port}/probe`],
    ['GET 10.0.0.1 (cluster range)', () => 'http://10.0.0.1:8080/'],
    ['GET the metadata service', () => 'http://169.254.169.254/latest/meta-data/'],
    ['GET 192.168.1.1', () => 'http://192.168.1.1/'],
    // A name is judged by the address it resolves to (here from /etc/hosts), not by how it is spelled.
    ['GET a name resolving to loopback (localhost)', () => `http://localhost:${loopbackStub.port}/probe`],
  ];
  test.each(refused)('default config refuses: %s → 403, no upstream contact', async (_label, url) => {
    await expectRefusedGet(denyAll, url());
    expect(allowedStub.connections()).toBe(0);
  });

  const refusedConnect = ['127.0.0.1:443', '10.0.0.1:443', '169.254.169.254:443', '172.16.0.1:443'];
  test.each(refusedConnect)('default config refuses CONNECT %s → 403, no upstream contact', async (target) => {
    const r = await connectThrough(denyAll.port, target);
    expect(r.status).toBe(403);
    expect(r.ms).toBeLessThan(2000);
    expect(await logLine(denyAll, ` CONNECT ${target} `)).toMatch(/ TCP_DENIED\/403 .* HIER_NONE\/- /);
  });

  test('with allowPrivateIps, the allow-listed stub is reached and answers', async () => {
    const target = `http://${ALLOWED_HOST}:${allowedStub.port}/through-squid?x=1`;
    const r = await httpRequest({ port: allowList.port, path: target, headers: { Host: `${ALLOWED_HOST}:${allowedStub.port}` } });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ name: 'allow-listed-stub', url: '/through-squid?x=1' });
    expect(allowedStub.connections()).toBe(1);
    // squid logs URLs without the query (strip_query_terms).
    expect(await logLine(allowList, ` GET ${target.split('?')[0]}`)).toMatch(new RegExp(` TCP_MISS/200 .* HIER_DIRECT/${ALLOWED_HOST.replace(/\./g, '\\.')} `));
  });

  const stillRefused: Array<[string, () => string]> = [
    ['127.0.0.1 (outside the /32)', () => `http://127.0.0.1:${loopbackStub.port}/probe`],
    ['127.0.0.3 (outside the /32)', () => `http://127.0.0.3:${loopbackStub.port}/probe`],
    ['the metadata service', () => 'http://169.254.169.254/latest/meta-data/'],
    ['10.0.0.1', () => 'http://10.0.0.1:8080/'],
  ];
  test.each(stillRefused)('with allowPrivateIps, other private destinations stay refused: %s', async (_label, url) => {
    await expectRefusedGet(allowList, url());
  });
});
