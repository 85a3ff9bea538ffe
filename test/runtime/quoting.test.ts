/**
 * The fast, server-free half of the Redis drill, run by `npm test`: the
 * embedded Redis's start command writes any password into redis.conf escaped
 * for Redis's double-quoted strings, and the in-cluster secret generator
 * URL-encodes it in CELERY_BROKER_URL. `npm run test:runtime` proves both
 * against a real Redis and Celery's URL parser.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { container, containerEnv, pick, synthDify } from './support/rendered';

const PASSWORDS = ['p@ss/w:rd%41%zz@@//::%2F', 'q"uo\\te\\x41 +plus #hash ;semi', 'it\'s \\\\ ""'];
const docs = synthDify();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dify-quoting-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.each(PASSWORDS)('the Redis start command escapes \\ and " in requirepass: %s', (password) => {
  const start = container(pick(docs, 'StatefulSet', 'dify-redis'), 'redis').command[2] as string;
  const conf = join(dir, 'redis.conf');
  // Everything up to starting the server, writing where the test can read.
  const script = start
    .split('/run/redis/redis.conf')
    .join(conf)
    .replace(/^exec redis-server .*$/m, 'exit 0');
  const r = spawnSync('/bin/sh', ['-c', script], { env: { PATH: process.env.PATH, REDIS_PASSWORD: password }, encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(0);
  expect(readFileSync(conf, 'utf8').split('\n')[0]).toBe(`requirepass "${password.replace(/[\\"]/g, '\\$&')}"`);
});

test.each(PASSWORDS)('the secret generator URL-encodes an existing Redis password in the broker URL: %s', (password) => {
  const script = join(dir, 'generate.py');
  writeFileSync(script, pick(docs, 'ConfigMap', 'dify-secret-generator-script').data['generate.py']);
  const env = Object.fromEntries(
    Object.entries(containerEnv(docs, container(pick(docs, 'Job', /^dify-secret-generator-/), 'generate'))).map(([k, v]) => [k, v.value ?? '']),
  );
  const r = spawnSync(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', [join(__dirname, 'support', 'broker.py'), 'generate', script], {
    env: { PATH: process.env.PATH, ...env, EXISTING: JSON.stringify({ [env.REDIS_PASSWORD_KEY]: password }) },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  const brokerKey = Object.entries(JSON.parse(env.REDIS_URL_KEYS) as Record<string, number>).find(([, db]) => db === 1)![0];
  const url: string = JSON.parse(r.stdout)[brokerKey];
  const m = url.match(/^redis:\/\/:([^@]*)@dify-redis:6379\/1$/);
  expect(m).not.toBeNull();
  expect(m![1]).toMatch(/^[A-Za-z0-9%._~-]*$/);
  expect(decodeURIComponent(m![1])).toBe(password);
});
