/**
 * Drill: the backup CronJob's rendered script dumps a real PostgreSQL 15
 * holding data, prunes old dumps, and the restore documented in the README
 * brings every row back.
 */
import { randomBytes } from 'crypto';
import { chownSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'fs';
import { join } from 'path';
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
import { BackupTarget } from '../../lib';

/** Debian 12's PostgreSQL 15 server binaries (not on PATH). */
const PG_BIN = '/usr/lib/postgresql/15/bin';
const POSTGRES = requireBinary('postgres', 'postgresql-15', [PG_BIN]);
const INITDB = requireBinary('initdb', 'postgresql-15', [PG_BIN]);
const PSQL = requireBinary('psql', 'postgresql-client-15', [PG_BIN]);
const PG_ISREADY = requireBinary('pg_isready', 'postgresql-client-15', [PG_BIN]);
const README = join(__dirname, '..', '..', 'README.md');

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
const DAMAGE: Record<string, string> = {
  app: "DROP VIEW busy_accounts; DROP TABLE messages; UPDATE accounts SET name = 'changed' WHERE id < 100; INSERT INTO accounts (name, created_at) VALUES ('stray', now()); SELECT setval('accounts_id_seq', 99999);",
  plugin:
    "DELETE FROM plugin_installations WHERE random() < 2; INSERT INTO plugin_installations VALUES ('00000000-0000-0000-0000-000000000001', 'stray', NULL, now());",
};

/** The restore command of the README's "Backups and restore" section, as run inside the PostgreSQL pod. */
function readmeRestoreCommand(): string {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf('**Backups and restore.**'));
  const line = section.split('\n').find((l) => l.includes('pg_restore'));
  const m = line?.match(/exec dify-postgres-0 -- sh -c '([^']+)'/);
  if (!m) throw new Error(`no "kubectl exec dify-postgres-0 -- sh -c '… pg_restore …'" line in the README's backup section: ${line}`);
  return m[1];
}

describe('backup and restore drill (PostgreSQL 15)', () => {
  const docs: Doc[] = synthDify({ backup: { target: BackupTarget.volume() } });
  const cron = pick(docs, 'CronJob', 'dify-backup');
  const dump = container(cron, 'pg-dump');
  const env = containerEnv(docs, dump);
  const db = container(pick(docs, 'StatefulSet', 'dify-postgres'), 'postgres');
  const dbEnv = containerEnv(docs, db);
  const initSql = pick(docs, 'ConfigMap', 'dify-postgres-init').data as Record<string, string>;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const user = dbEnv.POSTGRES_USER.value!;
  const databases = (dump.command[2] as string).match(/^for db in (.+); do$/m)?.[1].split(' ') ?? [];
  let scratch: { dir: string; cleanup: () => void };
  let backups: string;
  let port: number;
  let server: ServerHandle | undefined;
  let before: Record<string, string>;
  let dumpRun: RunResult;

  const pgEnv = (extra: Record<string, string> = {}): Record<string, string> => cleanEnv(scratch.dir, { PATH: `${PG_BIN}:${process.env.PATH}`, ...extra });
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

  beforeAll(async () => {
    scratch = scratchDir('backup');
    backups = join(scratch.dir, 'backups');
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
    psql(databases[0], APP_DATA);
    psql(databases[1], PLUGIN_DATA);
    before = fingerprints();

    mkdirSync(backups);
    // An expired dump (older than the 14-day retention) and one inside it.
    const day = 86_400;
    const now = Date.now() / 1000;
    writeFileSync(join(backups, 'dify-20200101T031700Z.dump'), 'old');
    utimesSync(join(backups, 'dify-20200101T031700Z.dump'), now - 20 * day, now - 20 * day);
    writeFileSync(join(backups, 'dify-recent.dump'), 'recent');
    utimesSync(join(backups, 'dify-recent.dump'), now - 10 * day, now - 10 * day);
    if (RUN_AS) for (const f of ['', ...readdirSync(backups)]) chownSync(join(backups, f), RUN_AS.uid, RUN_AS.gid);

    const subs: Substitution[] = [{ from: '/backups', to: backups, count: 2, why: 'the backup claim is mounted at /backups' }];
    const script = adapt(dump.command[2], subs);
    expect(changedLines(dump.command[2], script, subs)).toHaveLength(2);
    expect(dump.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    // The container's environment; the Service name becomes loopback and the Secret's value is the test password.
    expect(env.PGHOST.value).toBe(pick(docs, 'Service', 'dify-postgres').metadata.name);
    expect(env.PGPASSWORD.secretKeyRef).toEqual(dbEnv.POSTGRES_PASSWORD.secretKeyRef);
    expect(env.PGPASSWORD.secretKeyRef).toBeDefined();
    dumpRun = runCommand('/bin/sh', ['-c', script], {
      env: pgEnv({ PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: env.PGUSER.value!, PGPASSWORD: password }),
      cwd: scratch.dir,
      timeoutMs: 120_000,
    });
  });

  afterAll(async () => {
    await server?.stop(30_000);
    scratch?.cleanup();
  });

  test('the script dumps both databases in custom format', () => {
    expect(databases).toEqual(['dify', 'dify_plugin']);
    expect(dumpRun.stderr).toBe('');
    expect(dumpRun.status).toBe(0);
    for (const d of databases) {
      const file = readdirSync(backups).find((f) => new RegExp(`^${d}-\\d{8}T\\d{6}Z\\.dump$`).test(f));
      expect(file).toBeDefined();
      expect(dumpRun.stdout).toContain(`dumped ${d} to ${file}`);
      expect(readFileSync(join(backups, file!)).subarray(0, 5).toString()).toBe('PGDMP');
    }
  });

  test('dumps older than the retention are deleted, younger ones kept', () => {
    const files = readdirSync(backups);
    expect(files).not.toContain('dify-20200101T031700Z.dump');
    expect(files).toContain('dify-recent.dump');
    expect(dumpRun.stdout).toContain('dify-20200101T031700Z.dump');
  });

  test('the README restore brings every row, sequence and view back', () => {
    for (const [key, d] of [
      ['app', databases[0]],
      ['plugin', databases[1]],
    ])
      psql(d, DAMAGE[key]);
    const damaged = fingerprints();
    for (const d of databases) expect(damaged[d]).not.toEqual(before[d]);

    const documented = readmeRestoreCommand();
    expect(documented).toContain('-d dify /tmp/dify.dump');
    for (const d of databases) {
      const file = readdirSync(backups).find((f) => new RegExp(`^${d}-\\d{8}T\\d{6}Z\\.dump$`).test(f))!;
      // "kubectl cp" put the dump at /tmp/dify.dump; "same for dify_plugin" swaps database and file.
      const subs: Substitution[] = [{ from: '-d dify /tmp/dify.dump', to: `-d ${d} ${join(backups, file)}`, why: 'the copied dump and the database' }];
      // kubectl exec runs in the PostgreSQL container: POSTGRES_USER from its env, the local socket (trusted).
      const r = runCommand('/bin/sh', ['-c', adapt(documented, subs)], {
        env: pgEnv({ POSTGRES_USER: user, PGHOST: scratch.dir, PGPORT: String(port) }),
        cwd: scratch.dir,
        timeoutMs: 120_000,
      });
      expect({ database: d, status: r.status, stderr: r.stderr }).toEqual({ database: d, status: 0, stderr: '' });
    }
    expect(fingerprints()).toEqual(before);
    expect(before[databases[0]]).toMatch(/accounts: 2000 rows/);
    expect(before[databases[0]]).toMatch(/messages: 20000 rows/);
    expect(before[databases[1]]).toMatch(/plugin_installations: 300 rows/);
  });
});
