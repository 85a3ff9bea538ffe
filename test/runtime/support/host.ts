/**
 * Running real servers for the drills: loopback ports, scratch directories,
 * processes with bounded start and stop, and the documented adaptations of a
 * rendered file to a host. Servers never run as root: when the drills run as
 * root (CI), every server and client script runs as `nobody`.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'fs';
import { request } from 'http';
import { createServer, connect } from 'net';
import { tmpdir } from 'os';
import { delimiter, join } from 'path';

/** The unprivileged account servers run as when the drills run as root. */
export const SERVICE_USER = 'nobody';

function lookupUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`user ${name} not found in /etc/passwd`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** uid/gid to drop to, or undefined when already unprivileged. */
export const RUN_AS = process.getuid?.() === 0 ? lookupUser(SERVICE_USER) : undefined;

/** Absolute path of a binary, looking in PATH and `extraDirs`; fails with what to install. */
export function requireBinary(name: string, debianPackage: string, extraDirs: string[] = []): string {
  const dirs = [...extraDirs, ...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const d of dirs) {
    const p = join(d, name);
    if (d && existsSync(p)) return p;
  }
  throw new Error(`${name} not found: install the Debian package ${debianPackage} (.ci/run does)`);
}

/** A scratch directory owned by the service user, removed by `cleanup()`. */
export function scratchDir(label: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `dify-drill-${label}-`));
  if (RUN_AS) chownSync(dir, RUN_AS.uid, RUN_AS.gid);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A file descriptor for a log file the service user owns (so `/dev/stdout` can be reopened by path). */
function logFd(path: string): number {
  const fd = openSync(path, 'a', 0o644);
  if (RUN_AS) chownSync(path, RUN_AS.uid, RUN_AS.gid);
  return fd;
}

/** A minimal environment: nothing of the caller's (no PG*, REDIS* or proxy variables) leaks in. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TZ: 'UTC', ...extra };
}

/** A free TCP port on a loopback address. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Result of a finished command. */
export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let runs = 0;

/**
 * Runs a command to completion as the service user, with a timeout. stdout
 * and stderr go through files, not pipes: servers reopen `/dev/stdout` by
 * path, which fails on a socket.
 */
export function runCommand(cmd: string, args: string[], opts: { env: Record<string, string>; cwd: string; timeoutMs?: number; input?: string }): RunResult {
  runs += 1;
  const outPath = join(opts.cwd, `.run-${runs}.stdout`);
  const errPath = join(opts.cwd, `.run-${runs}.stderr`);
  const out = logFd(outPath);
  const err = logFd(errPath);
  try {
    const r = spawnSync(cmd, args, {
      env: opts.env,
      cwd: opts.cwd,
      timeout: opts.timeoutMs ?? 60_000,
      input: opts.input,
      killSignal: 'SIGKILL',
      stdio: ['pipe', out, err],
      ...(RUN_AS ?? {}),
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8') };
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(outPath, { force: true });
    rmSync(errPath, { force: true });
  }
}

/** A server process started by {@link startServer}. */
export interface ServerHandle {
  readonly process: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a long-running server as the service user, stdout and stderr going
 * to files in `logDir`, and waits (bounded) until `port` accepts connections.
 */
export async function startServer(
  name: string,
  cmd: string,
  args: string[],
  opts: { env: Record<string, string>; cwd: string; logDir: string; port: number; host?: string; timeoutMs?: number },
): Promise<ServerHandle> {
  const outPath = join(opts.logDir, `${name}.stdout.log`);
  const errPath = join(opts.logDir, `${name}.stderr.log`);
  const out = logFd(outPath);
  const err = logFd(errPath);
  const proc = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', out, err], ...(RUN_AS ?? {}) });
  closeSync(out);
  closeSync(err);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  proc.once('error', () => {
    exited = true;
  });
  const output = (): string => `${readFileSync(outPath, 'utf8')}${readFileSync(errPath, 'utf8')}`;
  const handle: ServerHandle = {
    process: proc,
    output,
    stop: async (graceMs = 10_000) => {
      if (exited) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  while (!(await canConnect(opts.host ?? '127.0.0.1', opts.port))) {
    if (exited || Date.now() > deadline) {
      await handle.stop(1000);
      throw new Error(`${name} did not listen on ${opts.host ?? '127.0.0.1'}:${opts.port}:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return handle;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** One documented adaptation of a rendered file to a host. */
export interface Substitution {
  /** Exact text in the rendered file. */
  readonly from: string;
  readonly to: string;
  /** Why the host needs it (kept next to the substitution so the drill documents itself). */
  readonly why: string;
  /** Occurrences expected; the drill fails when the rendering changes. @default 1 */
  readonly count?: number;
}

/** Applies each substitution to every occurrence, failing unless it occurs exactly `count` times. */
export function adapt(rendered: string, subs: readonly Substitution[]): string {
  let text = rendered;
  for (const s of subs) {
    const n = text.split(s.from).length - 1;
    if (n !== (s.count ?? 1)) throw new Error(`substitution "${s.from}" (${s.why}) occurs ${n} times, expected ${s.count ?? 1}`);
    text = text.split(s.from).join(s.to);
  }
  return text;
}

/**
 * Lines of `rendered` that the adaptation changed, as [rendered, adapted]
 * pairs, after checking that `adapted` is exactly `rendered` with only the
 * documented substitutions applied line by line: every other line is
 * byte-identical. (A substitution may add lines after the one it matches.)
 */
export function changedLines(rendered: string, adapted: string, subs: readonly Substitution[]): Array<[string, string]> {
  const pairs = rendered.split('\n').map((line): [string, string] => [line, subs.reduce((l, s) => l.split(s.from).join(s.to), line)]);
  const expected = pairs.map(([, to]) => to).join('\n');
  if (expected !== adapted) {
    const a = adapted.split('\n');
    const e = expected.split('\n');
    const i = e.findIndex((l, n) => l !== a[n]);
    throw new Error(`adapted file differs from the documented substitutions at line ${i + 1}:\n- ${e[i]}\n+ ${a[i]}`);
  }
  return pairs.filter(([from, to]) => from !== to);
}

/** An HTTP response as the drills look at it. */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly ms: number;
}

/** An HTTP/1.1 request to a loopback server (a proxy when `path` is an absolute URL), bounded by `timeoutMs`. */
export function httpRequest(o: {
  port: number;
  path: string;
  host?: string;
  method?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}): Promise<Reply> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: o.host ?? '127.0.0.1', port: o.port, path: o.path, method: o.method ?? 'GET', headers: o.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started }),
      );
    });
    req.setTimeout(o.timeoutMs ?? 10_000, () => req.destroy(new Error(`${o.method ?? 'GET'} ${o.path} timed out`)));
    req.once('error', reject);
    req.end();
  });
}

/** Sends `CONNECT target` to an HTTP proxy and resolves with its status line's code. */
export function connectThrough(proxyPort: number, target: string, timeoutMs = 10_000): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: target, headers: { Host: target }, agent: false });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`CONNECT ${target} timed out`)));
    req.once('connect', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, ms: Date.now() - started });
    });
    // Squid answers a refused CONNECT with an ordinary response carrying a body.
    req.once('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, ms: Date.now() - started });
    });
    req.once('error', reject);
    req.end();
  });
}

/** Polls `probe` every 100 ms until it returns a value, for at most `timeoutMs`; undefined when it never did. */
export async function eventually<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
