/**
 * The sandbox namespace's Secret: the rendered generator script, run against an in-memory Kubernetes API of two
 * namespaces (support/fake_kube_store.py: only the transport is faked), keeps the sandbox key in
 * `<instance>-sandbox-credentials` of the sandbox namespace equal to the installation's, creating it, re-syncing a
 * stale value, and writing nothing when both agree.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { CREDENTIAL_KEYS, Dify } from '../../lib';
import { Doc, container, containerEnv, pick } from './support/rendered';

const chart = new Chart(Testing.app(), 'drill', { namespace: 'dify' });
new Dify(chart, 'Dify', { host: 'dify.example.com', sandboxNamespace: 'dify-sandbox' });
const docs: Doc[] = Testing.synth(chart);
const KEY = CREDENTIAL_KEYS.sandboxApiKey;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dify-mirror-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Store = Record<string, { data: Record<string, string>; metadata?: Record<string, unknown> }>;
function run(store: Store): { code: number; writes: string[]; store: Store } {
  const script = join(dir, 'generate.py');
  writeFileSync(script, pick(docs, 'ConfigMap', 'dify-secret-generator-script').data['generate.py']);
  const env = Object.fromEntries(
    Object.entries(containerEnv(docs, container(pick(docs, 'Job', /^dify-secret-generator-/), 'generate'))).map(([k, v]) => [k, v.value ?? '']),
  );
  const r = spawnSync('python3', [join(__dirname, 'support', 'fake_kube_store.py'), script], {
    env: { PATH: process.env.PATH, ...env, NAMESPACE: 'dify', STORE: JSON.stringify(store) },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  // The script's own lines first, the harness's JSON last.
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

test('a new installation: both Secrets are created, the sandbox one with only the sandbox key, same value', () => {
  const out = run({});
  expect(out.code).toBe(0);
  expect(out.writes).toEqual(['POST dify/dify-credentials', 'POST dify-sandbox/dify-sandbox-credentials']);
  const main = out.store['dify/dify-credentials'].data;
  expect(main[KEY]).toMatch(/^[0-9a-f]{64}$/);
  expect(out.store['dify-sandbox/dify-sandbox-credentials'].data).toEqual({ [KEY]: main[KEY] });
});

test('a stale sandbox copy is set to the installation value; the installation value never changes', () => {
  const first = run({});
  const main = first.store['dify/dify-credentials'];
  const out = run({ 'dify/dify-credentials': main, 'dify-sandbox/dify-sandbox-credentials': { data: { [KEY]: 'old' } } });
  expect(out.code).toBe(0);
  expect(out.writes).toEqual(['PATCH dify-sandbox/dify-sandbox-credentials']);
  expect(out.store['dify/dify-credentials'].data).toEqual(main.data);
  expect(out.store['dify-sandbox/dify-sandbox-credentials'].data[KEY]).toBe(main.data[KEY]);
});

test('in sync: no write at all', () => {
  const first = run({});
  const out = run(first.store);
  expect(out.code).toBe(0);
  expect(out.writes).toEqual([]);
});
