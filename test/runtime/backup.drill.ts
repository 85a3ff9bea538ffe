/**
 * Drill: the rendered backup CronJobs of a default installation save a real
 * PostgreSQL 15 and the file and plugin storage as Dify writes them (tenants'
 * public keys in the database, their private keys in storage, provider
 * credentials encrypted with Dify's hybrid RSA+AES scheme), prune old backups;
 * after a wipe, the rendered DifyRestore Jobs bring every row and file back and
 * the credentials decrypt with the restored keys.
 */
import { randomBytes } from 'crypto';
import { createHash } from 'crypto';
import { chownSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'fs';
import { join, relative } from 'path';
import {
  RUN_AS,
  RunResult,
  ServerHandle,
  Substitution,
  adapt,
  changedLines,
  cleanEnv,
  eventually,
  freePort,
  requireBinary,
  runCommand,
  scratchDir,
  startServer,
} from './support/host';
import { Doc, container, containerEnv, pick, synthDify } from './support/rendered';
import { DifyRestore } from '../../lib';

/** Debian 12's PostgreSQL 15 server binaries (not on PATH). */
const PG_BIN = '/usr/lib/postgresql/15/bin';
const POSTGRES = requireBinary('postgres', 'postgresql-15', [PG_BIN]);
const INITDB = requireBinary('initdb', 'postgresql-15', [PG_BIN]);
const PSQL = requireBinary('psql', 'postgresql-client-15', [PG_BIN]);
const PG_ISREADY = requireBinary('pg_isready', 'postgresql-client-15', [PG_BIN]);
/** Debian's interpreter, where python3-pycryptodome is installed (as `Cryptodome`). */
const PYTHON = requireBinary('python3', 'python3-pycryptodome', ['/usr/bin']);
const CRYPTO_PY = join(__dirname, 'support', 'dify_crypto.py');
const TENANTS = 3;

const APP_DATA = `
CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE, created_at timestamptz NOT NULL, meta jsonb, avatar bytea);
INSERT INTO accounts (name, email, created_at, meta, avatar)
  SELECT 'user ' || g || ' ✓ ünïcødé ''quoted''', 'u' || g || '@example.com', timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute',
         jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g % 7)), decode(md5(g::text), 'hex')
  FROM generate_series(1, 2000) g;
CREATE TABLE messages (id bigserial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts(id) ON DELETE CASCADE, body text, tokens numeric(12,4));
INSERT INTO messages (account_id, body, tokens) SELECT 1 + g % 2000, repeat('x', g % 300) || E'\\n\\t"tab" \\\\ end', g / 7.0 FROM generate_series(1, 20000) g;
CREATE INDEX messages_account ON messages (account_id);
CREATE VIEW busy_accounts AS SELECT account_id, count(*) AS n FROM messages GROUP BY account_id;
`;
const PLUGIN_DATA = `
CREATE TABLE plugin_installations (id uuid PRIMARY KEY, plugin_id text NOT NULL, manifest jsonb, installed_at timestamptz);
INSERT INTO plugin_installations SELECT md5(g::text)::uuid, 'langgenius/plugin-' || g, jsonb_build_object('version', '0.' || g), timestamptz '2026-02-01 00:00:00+00' + g * interval '1 hour'
  FROM generate_series(1, 300) g;
`;

/** Dify's tables as far as the keys go: a tenant's public key, a provider credential encrypted with it (base64). */
const DIFY_KEYS = `
CREATE TABLE tenants (id uuid PRIMARY KEY, name varchar(255) NOT NULL, encrypt_public_key text, created_at timestamp NOT NULL DEFAULT now());
CREATE TABLE provider_credentials (id uuid PRIMARY KEY DEFAULT md5(random()::text)::uuid, tenant_id uuid NOT NULL, provider_name varchar(255) NOT NULL,
  credential_name varchar(255) NOT NULL, encrypted_config text NOT NULL);
`;

/** Path → sha256 of every file and symlink under `dir` (directories implied), skipping `skip` (relative paths). */
function tree(dir: string, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (skip.includes(rel) || name.startsWith('.run-')) continue;
      if (lstatSync(p).isDirectory()) walk(p);
      else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('backup and restore drill (PostgreSQL 15)', () => {
  // A default installation: embedded PostgreSQL, file storage on a claim, local plugin storage; backups on by default.
  const docs: Doc[] = synthDify({}, 'dify', (dify, chart) => new DifyRestore(chart, 'Restore', { backup: dify.backup! }));
  const crons = { main: pick(docs, 'CronJob', 'dify-backup'), plugins: pick(docs, 'CronJob', 'dify-backup-plugins') };
  const jobs = { main: pick(docs, 'Job', 'dify-restore'), plugins: pick(docs, 'Job', 'dify-restore-plugins') };
  const backupOf = { main: container(crons.main, 'backup'), plugins: container(crons.plugins, 'backup') };
  const restoreOf = { main: container(jobs.main, 'restore'), plugins: container(jobs.plugins, 'restore') };
  const env = containerEnv(docs, backupOf.main);
  const db = container(pick(docs, 'StatefulSet', 'dify-postgres'), 'postgres');
  const dbEnv = containerEnv(docs, db);
  const initSql = pick(docs, 'ConfigMap', 'dify-postgres-init').data as Record<string, string>;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const user = dbEnv.POSTGRES_USER.value!;
  const dbsOf = (c: Doc): string[] => (c.command[2] as string).match(/^for db in (.+); do$/m)?.[1].split(' ') ?? [];
  const databases = [...dbsOf(backupOf.main), ...dbsOf(backupOf.plugins)];
  let scratch: { dir: string; cleanup: () => void };
  /** What each pod mounts: the backup claim of its set at /backups, the data claims at /data/<name>. */
  let dirs: { backups: { main: string; plugins: string }; storage: string; pluginStorage: string };
  let port: number;
  let server: ServerHandle | undefined;
  let before: Record<string, string>;
  let beforeFiles: { storage: Record<string, string>; plugins: Record<string, string> };
  let seeded: Array<{ tenant_id: string; public_key: string; token: string; secret: string }>;
  const runs: Record<string, RunResult> = {};

  const pgEnv = (extra: Record<string, string> = {}): Record<string, string> => cleanEnv(scratch.dir, { PATH: `${PG_BIN}:${process.env.PATH}`, ...extra });
  /** The pods' environment: the Service name becomes loopback, the Secret's value the test password. */
  const podEnv = (): Record<string, string> => pgEnv({ PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: env.PGUSER.value!, PGPASSWORD: password });
  /** psql over TCP with the password, as a client in another pod would connect. */
  const psql = (database: string, sql: string): string => {
    const r = runCommand(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', database, '-c', sql], {
      env: pgEnv({ PGPASSWORD: password }),
      cwd: scratch.dir,
    });
    if (r.status !== 0) throw new Error(`psql ${database}: ${r.stderr}`);
    return r.stdout.trim();
  };
  /** Row count and content checksum of every table, sequence positions and views of one database. */
  const fingerprint = (database: string): string => {
    const tables = psql(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").split('\n').filter(Boolean);
    const parts = tables.map(
      (t) => `${t}: ${psql(database, `SELECT count(*) || ' rows, md5 ' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM ${t} x`)}`,
    );
    const seqs = psql(
      database,
      "SELECT string_agg(sequencename || '=' || coalesce(last_value, 0), ',' ORDER BY 1) FROM pg_sequences WHERE schemaname = 'public'",
    );
    const views = psql(database, "SELECT string_agg(viewname, ',' ORDER BY 1) FROM pg_views WHERE schemaname = 'public'");
    return [...parts, `sequences: ${seqs}`, `views: ${views}`].join('\n');
  };
  const fingerprints = (): Record<string, string> => Object.fromEntries(databases.map((d) => [d, fingerprint(d)]));
  const python = (args: string[]): string => {
    const r = runCommand(PYTHON, [CRYPTO_PY, ...args], { env: cleanEnv(scratch.dir), cwd: scratch.dir, timeoutMs: 120_000 });
    if (r.status !== 0) throw new Error(`dify_crypto.py ${args[0]}: ${r.stderr}`);
    return r.stdout;
  };
  /** A directory the pods' user owns, as the claim would be with fsGroup. */
  const ownedDir = (path: string): string => {
    mkdirSync(path, { recursive: true });
    if (RUN_AS) chownSync(path, RUN_AS.uid, RUN_AS.gid);
    return path;
  };
  const ownAll = (dir: string): void => {
    const as = RUN_AS;
    if (!as) return;
    const walk = (d: string): void => {
      chownSync(d, as.uid, as.gid);
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (lstatSync(p).isDirectory()) walk(p);
        else chownSync(p, as.uid, as.gid);
      }
    };
    walk(dir);
  };
  /** A rendered script, adapted to this host by the documented substitutions only, run as the pod would. */
  const runRendered = (what: string, c: Doc, subs: Substitution[], changed: number, extraEnv: Record<string, string> = {}): RunResult => {
    expect(c.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const script = adapt(c.command[2], subs);
    expect({ what, changed: changedLines(c.command[2], script, subs).length }).toEqual({ what, changed });
    const r = runCommand('/bin/sh', ['-c', script], { env: { ...podEnv(), ...extraEnv }, cwd: scratch.dir, timeoutMs: 180_000 });
    runs[what] = r;
    return r;
  };
  const backupSubs = (set: 'main' | 'plugins'): Substitution[] => [
    { from: '/backups', to: dirs.backups[set], count: 3, why: "the set's backup claim is mounted at /backups" },
    set === 'main'
      ? { from: '/data/storage', to: dirs.storage, why: 'the file storage claim is mounted at /data/storage' }
      : { from: '/data/plugin-storage', to: dirs.pluginStorage, why: "the plugin daemon's claim is mounted at /data/plugin-storage" },
  ];
  const restoreSubs = (set: 'main' | 'plugins'): Substitution[] => [
    { from: '/backups', to: dirs.backups[set], count: 5, why: "the set's backup claim is mounted at /backups" },
    set === 'main'
      ? { from: '/data/storage', to: dirs.storage, count: 2, why: 'the file storage claim is mounted at /data/storage' }
      : { from: '/data/plugin-storage', to: dirs.pluginStorage, count: 2, why: "the plugin daemon's claim is mounted at /data/plugin-storage" },
  ];
  const filesNow = () => ({ storage: tree(dirs.storage), plugins: tree(dirs.pluginStorage, ['.uv-cache']) });

  beforeAll(async () => {
    scratch = scratchDir('backup');
    dirs = {
      backups: { main: ownedDir(join(scratch.dir, 'backups')), plugins: ownedDir(join(scratch.dir, 'backups-plugins')) },
      storage: ownedDir(join(scratch.dir, 'storage')),
      pluginStorage: ownedDir(join(scratch.dir, 'plugin-storage')),
    };
    port = await freePort();
    const pwfile = join(scratch.dir, 'pwfile');
    writeFileSync(pwfile, password, { mode: 0o600 });
    if (RUN_AS) chownSync(pwfile, RUN_AS.uid, RUN_AS.gid);
    // As the postgres image's entrypoint does: superuser POSTGRES_USER with POSTGRES_PASSWORD, local socket
    // trusted, TCP with scram-sha-256.
    const init = runCommand(
      INITDB,
      [
        '-D',
        join(scratch.dir, 'data'),
        `--username=${user}`,
        `--pwfile=${pwfile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
      ],
      { env: pgEnv(), cwd: scratch.dir, timeoutMs: 120_000 },
    );
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    // The StatefulSet's own server arguments, plus where a host differs: data directory, loopback port, socket dir.
    const args = [
      ...(db.args as string[]).slice(1),
      '-D',
      join(scratch.dir, 'data'),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `port=${port}`,
      '-c',
      `unix_socket_directories=${scratch.dir}`,
    ];
    server = await startServer('postgres', POSTGRES, args, { env: pgEnv(), cwd: scratch.dir, logDir: scratch.dir, port, timeoutMs: 60_000 });
    // The port opens before recovery ends: wait (bounded) until the server accepts sessions.
    const ready = await eventually(
      () => (runCommand(PG_ISREADY, ['-q', '-h', '127.0.0.1', '-p', String(port)], { env: pgEnv(), cwd: scratch.dir }).status === 0 ? true : undefined),
      60_000,
    );
    if (!ready) throw new Error(`PostgreSQL did not become ready:\n${server.output()}`);
    // POSTGRES_DB is created by the image's entrypoint; the init ConfigMap's scripts run after it.
    psql('postgres', `CREATE DATABASE ${dbEnv.POSTGRES_DB.value!}`);
    for (const file of Object.keys(initSql).sort()) psql('postgres', initSql[file]);
    psql('dify', APP_DATA);
    psql('dify', DIFY_KEYS);
    psql('dify_plugin', PLUGIN_DATA);
    // Tenants as Dify creates them: the private key in file storage, the public key and an encrypted credential in the database.
    seeded = JSON.parse(python(['seed', dirs.storage, String(TENANTS)]));
    for (const [i, t] of seeded.entries()) {
      psql('dify', `INSERT INTO tenants (id, name, encrypt_public_key) VALUES ('${t.tenant_id}', 'workspace ${i}', '${t.public_key}')`);
      psql(
        'dify',
        `INSERT INTO provider_credentials (tenant_id, provider_name, credential_name, encrypted_config) VALUES ('${t.tenant_id}', 'langgenius/openai/openai', 'API KEY 1', '${JSON.stringify({ openai_api_key: t.token })}')`,
      );
    }
    // Uploads beside the keys, and the plugin daemon's tree: installed plugins, packages, assets, working dir, uv cache.
    const files: Record<string, string> = {
      [join(dirs.storage, 'upload_files', seeded[0].tenant_id, 'report.pdf')]: randomBytes(40_000).toString('binary'),
      [join(dirs.storage, 'image_files', 'logo name with spaces.png')]: randomBytes(2_000).toString('binary'),
      [join(dirs.pluginStorage, 'plugin', 'langgenius', 'openai-0.2.1', 'manifest.yaml')]: 'version: 0.2.1\n',
      [join(dirs.pluginStorage, 'plugin_packages', 'langgenius-openai-0.2.1.difypkg')]: randomBytes(30_000).toString('binary'),
      [join(dirs.pluginStorage, 'assets', 'icon.svg')]: '<svg/>',
      [join(dirs.pluginStorage, 'cwd', 'langgenius', 'openai-0.2.1', 'main.py')]: 'print("plugin")\n',
      [join(dirs.pluginStorage, '.uv-cache', 'wheel.whl')]: 'cache',
    };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, content, 'binary');
    }
    ownAll(dirs.storage);
    ownAll(dirs.pluginStorage);
    before = fingerprints();
    beforeFiles = filesNow();

    // An expired backup (older than the 14-day retention) and one inside it; a newer set missing its archive.
    const day = 86_400;
    const now = Date.now() / 1000;
    const aged: Array<[string, number]> = [
      ['dify-20200101T031700Z.dump', 20],
      ['storage-20200101T031700Z.tar.gz', 20],
      ['dify-recent.dump', 10],
      ['dify-29991231T000000Z.dump', 0],
    ];
    for (const [f, age] of aged) {
      writeFileSync(join(dirs.backups.main, f), 'old');
      utimesSync(join(dirs.backups.main, f), now - age * day, now - age * day);
      if (RUN_AS) chownSync(join(dirs.backups.main, f), RUN_AS.uid, RUN_AS.gid);
    }

    expect(env.PGHOST.value).toBe(pick(docs, 'Service', 'dify-postgres').metadata.name);
    expect(env.PGPASSWORD.secretKeyRef).toEqual(dbEnv.POSTGRES_PASSWORD.secretKeyRef);
    expect(env.PGPASSWORD.secretKeyRef).toBeDefined();
    runRendered('backup', backupOf.main, backupSubs('main'), 3);
    runRendered('backup-plugins', backupOf.plugins, backupSubs('plugins'), 3);
  }, 600_000);

  afterAll(async () => {
    await server?.stop(30_000);
    scratch?.cleanup();
  });

  test('the two sets dump both databases in custom format and archive both claims', () => {
    expect(databases).toEqual(['dify', 'dify_plugin']);
    for (const [what, set, dumps, archives] of [
      ['backup', 'main', ['dify'], ['storage']],
      ['backup-plugins', 'plugins', ['dify_plugin'], ['plugin-storage']],
    ] as const) {
      const r = runs[what];
      expect({ what, status: r.status, stderr: r.stderr }).toEqual({ what, status: 0, stderr: '' });
      const stamp = r.stdout.match(/to [a-z_-]+-(\d{8}T\d{6}Z)\.(dump|tar\.gz)/)?.[1];
      expect(stamp).toBeDefined();
      for (const d of dumps) {
        expect(r.stdout).toContain(`dumped ${d} to ${d}-${stamp}.dump`);
        expect(
          readFileSync(join(dirs.backups[set], `${d}-${stamp}.dump`))
            .subarray(0, 5)
            .toString(),
        ).toBe('PGDMP');
      }
      for (const a of archives) {
        expect(r.stdout).toContain(`archived ${a} to ${a}-${stamp}.tar.gz`);
        expect(readFileSync(join(dirs.backups[set], `${a}-${stamp}.tar.gz`)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      }
    }
  });

  test('backups older than the retention are deleted, younger ones kept', () => {
    const files = readdirSync(dirs.backups.main);
    expect(files).not.toContain('dify-20200101T031700Z.dump');
    expect(files).not.toContain('storage-20200101T031700Z.tar.gz');
    expect(files).toContain('dify-recent.dump');
    expect(runs.backup.stdout).toContain('dify-20200101T031700Z.dump');
    expect(runs.backup.stdout).toContain('storage-20200101T031700Z.tar.gz');
  });

  test('after a wipe, the rendered restore Jobs bring back every row and file, and the credentials decrypt with the restored keys', () => {
    // A stamp older than every set: refused before anything is touched.
    const early = runRendered('restore (too early)', restoreOf.main, restoreSubs('main'), 6, { RESTORE_AT: '20000101T000000Z' });
    expect({ status: early.status, stderr: early.stderr }).toEqual({
      status: 1,
      stderr: `no complete backup set (dify-<stamp>.dump, storage-<stamp>.tar.gz) at or before 20000101T000000Z in ${dirs.backups.main}\n`,
    });
    expect(fingerprints()).toEqual(before);
    expect(filesNow()).toEqual(beforeFiles);

    // The wipe: both databases gone, both claims emptied but for a stray file a newer Dify might have written.
    psql('postgres', 'DROP DATABASE dify WITH (FORCE)');
    psql('postgres', 'DROP DATABASE dify_plugin WITH (FORCE)');
    for (const d of [dirs.storage, dirs.pluginStorage]) {
      for (const f of readdirSync(d)) if (!f.startsWith('.run-')) rmSync(join(d, f), { recursive: true, force: true });
      writeFileSync(join(d, 'stray-after-backup'), 'x');
      if (RUN_AS) chownSync(join(d, 'stray-after-backup'), RUN_AS.uid, RUN_AS.gid);
    }
    const keysGone = JSON.parse(python(['decrypt', dirs.storage, JSON.stringify(seeded.map(({ tenant_id, token }) => ({ tenant_id, token })))]));
    expect(keysGone.every((r: string) => /^FileNotFoundError/.test(r))).toBe(true);

    for (const [what, set] of [
      ['restore', 'main'],
      ['restore-plugins', 'plugins'],
    ] as const) {
      // The Job's own RESTORE_AT ("latest"): a wrong one is refused before anything is touched.
      const at = containerEnv(docs, restoreOf[set]).RESTORE_AT.value!;
      expect(at).toBe('latest');
      const refused = runRendered(`${what} (bad RESTORE_AT)`, restoreOf[set], restoreSubs(set), 6, { RESTORE_AT: 'yesterday' });
      expect({ status: refused.status, stderr: refused.stderr }).toEqual({
        status: 1,
        stderr: 'RESTORE_AT must be latest or a UTC stamp such as 20261122T031700Z, not "yesterday"\n',
      });
      const r = runRendered(what, restoreOf[set], restoreSubs(set), 6, { RESTORE_AT: at });
      // dropdb --if-exists on the wiped server: its notice is the only output on stderr.
      const notices = dbsOf(restoreOf[set]).map((d) => `NOTICE:  database "${d}" does not exist, skipping\n`);
      expect(notices).toHaveLength(1);
      expect({ what, status: r.status, stderr: r.stderr }).toEqual({ what, status: 0, stderr: notices.join('') });
      // "latest" skipped the newer set that has no file archive.
      expect(r.stdout).not.toContain('29991231T000000Z');
      expect(r.stdout).toMatch(/^restoring the set of \d{8}T\d{6}Z$/m);
    }
    expect(fingerprints()).toEqual(before);
    expect(filesNow()).toEqual(beforeFiles);
    expect(before.dify).toMatch(/accounts: 2000 rows/);
    expect(before.dify).toMatch(/messages: 20000 rows/);
    expect(before.dify).toMatch(new RegExp(`tenants: ${TENANTS} rows`));
    expect(before.dify).toMatch(new RegExp(`provider_credentials: ${TENANTS} rows`));
    expect(before.dify_plugin).toMatch(/plugin_installations: 300 rows/);
    expect(Object.keys(beforeFiles.storage).filter((f) => f.startsWith('privkeys/'))).toHaveLength(TENANTS);
    // The credentials as Dify reads them: the token from the restored database, the key from the restored storage.
    const rows = psql('dify', "SELECT tenant_id || ' ' || (encrypted_config::jsonb ->> 'openai_api_key') FROM provider_credentials ORDER BY tenant_id")
      .split('\n')
      .map((l) => {
        const [tenant_id, token] = l.split(' ');
        return { tenant_id, token };
      });
    const decrypted: string[] = JSON.parse(python(['decrypt', dirs.storage, JSON.stringify(rows)]));
    const expected = rows.map((r) => seeded.find((t) => t.tenant_id === r.tenant_id)!.secret);
    expect(decrypted).toEqual(expected);
    expect(new Set(decrypted).size).toBe(TENANTS);
    const keys = psql('dify', "SELECT count(*) FROM tenants WHERE encrypt_public_key LIKE '-----BEGIN PUBLIC KEY-----%'");
    expect(keys).toBe(String(TENANTS));
  });
});
