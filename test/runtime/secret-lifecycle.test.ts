/**
 * The generated credentials Secret outlives the workloads: the rendered generator script, run against an
 * in-memory Kubernetes API (support/fake_kube.py: only the HTTP calls are faked), creates it without an
 * ownerReference, with the environment's labels and the GitOps keep annotations, and puts them on a Secret it
 * created before, without touching a value.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { Dify, KEEP_ANNOTATIONS, LABEL_ENVIRONMENT } from '../../lib';
import { Doc, container, containerEnv, pick } from './support/rendered';

const chart = new Chart(Testing.app(), 'drill', { namespace: 'dify', labels: { [LABEL_ENVIRONMENT]: 'dev' } });
new Dify(chart, 'Dify', { host: 'dify.example.com' });
const docs: Doc[] = Testing.synth(chart);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dify-secret-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(state: Doc | null): { requests: [string, string, Doc | null][]; secret: Doc; exit: number } {
  const script = join(dir, 'generate.py');
  writeFileSync(script, pick(docs, 'ConfigMap', 'dify-secret-generator-script').data['generate.py']);
  const env = Object.fromEntries(
    Object.entries(containerEnv(docs, container(pick(docs, 'Job', /^dify-secret-generator-/), 'generate'))).map(([k, v]) => [k, v.value ?? '']),
  );
  const r = spawnSync('python3', [join(__dirname, 'support', 'fake_kube.py'), script], {
    env: { PATH: process.env.PATH, ...env, STATE: JSON.stringify(state) },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

test('a new Secret: no owner, the environment label, the keep annotations', () => {
  const out = run(null);
  expect(out.exit).toBe(0);
  expect(out.requests.map(([m]) => m)).toEqual(['GET', 'POST']);
  expect(out.secret.metadata.ownerReferences).toBeUndefined();
  expect(out.secret.metadata.labels).toMatchObject({ [LABEL_ENVIRONMENT]: 'dev', 'app.kubernetes.io/instance': 'dify' });
  expect(out.secret.metadata.annotations).toEqual(KEEP_ANNOTATIONS);
  expect(Object.keys(out.secret.data).length).toBeGreaterThan(5);
});

test('a Secret created before: labels and annotations added, values untouched, then nothing to do', () => {
  const first = run(null);
  const old = { ...first.secret, metadata: { name: first.secret.metadata.name, labels: { 'app.kubernetes.io/instance': 'dify' } } };
  const second = run(old);
  expect(second.exit).toBe(0);
  const [method, , patch] = second.requests[1];
  expect(method).toBe('PATCH');
  expect(patch).toEqual({ metadata: { labels: first.secret.metadata.labels, annotations: KEEP_ANNOTATIONS } });
  expect(second.secret.data).toEqual(first.secret.data);
  expect(second.secret.metadata.annotations).toEqual(KEEP_ANNOTATIONS);
  const third = run(second.secret);
  expect(third.requests.map(([m]) => m)).toEqual(['GET']);
});

test('a missing key is added beside the metadata, existing values kept', () => {
  const first = run(null);
  const [dropped, ...rest] = Object.keys(first.secret.data).sort();
  const data = Object.fromEntries(rest.map((k) => [k, first.secret.data[k]]));
  const out = run({ ...first.secret, data });
  const patch = out.requests[1][2]!;
  expect(Object.keys(patch.stringData)).toEqual([dropped]);
  expect(patch.metadata).toBeUndefined();
  for (const k of rest) expect(out.secret.data[k]).toBe(first.secret.data[k]);
});
