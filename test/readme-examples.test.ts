import { spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { pathToFileURL } from 'url';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { DifyWithPortal } from '../examples/beside-facade';
import { ComposedDify } from '../examples/compose';
import { production } from '../examples/production';
import { manyTenants } from '../examples/tenants';
import { CREDENTIAL_KEYS } from '../lib';
import { ManifestProblems, NO_PROBLEMS, manifestProblems } from './support/manifest-checks';
import { RuntimeSecret } from './support/references';

// Every ```ts block of README.md is the README region of a file under examples/, named by the comment above the block
// (`<!-- example: examples/x.ts -->`); the region lies between `// #region README` and `// #endregion README`. The
// type-check pass of `npm test` compiles the files; this test keeps README and files equal, and synthesizes each file
// and runs it through the checks dist/ is held to (test/support/manifest-checks.ts).

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const MARKER = /^<!-- example: (examples\/[\w.-]+\.ts) -->$/;

/** Each ```ts block of `readme`, with the file its marker names (undefined without a marker) and its line. */
function readmeBlocks(readme: string): Array<{ file: string | undefined; block: string; line: number }> {
  const lines = readme.split('\n');
  const out: Array<{ file: string | undefined; block: string; line: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const end = lines.indexOf('```', i + 1);
    out.push({ file: MARKER.exec(lines[i - 1] ?? '')?.[1], block: lines.slice(i + 1, end).join('\n'), line: i + 1 });
    i = end;
  }
  return out;
}

/** The README region of an example file, de-indented; undefined when the file has none (or more than one). */
function readmeRegion(text: string): string | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === '// #region README');
  const end = lines.findIndex((l) => l.trim() === '// #endregion README');
  if (start < 0 || end < start || lines.filter((l) => l.trim() === '// #region README').length !== 1) return undefined;
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return body.map((l) => l.slice(indent)).join('\n');
}

const generated = (name: string, namespace: string): RuntimeSecret => ({ name, namespace, keys: Object.values(CREDENTIAL_KEYS) });

/** Each example: how it renders, and what exists beside its manifests (the Secrets created at run time). */
const EXAMPLES: Record<string, { readonly namespace: string; readonly runtimeSecrets: readonly RuntimeSecret[]; readonly docs: () => Record<string, any>[] }> =
  {
    'examples/compose.ts': {
      namespace: 'dify',
      // A Secret you manage: the credentials and the Qdrant key the chart adds.
      runtimeSecrets: [{ ...generated('dify-credentials', 'dify'), keys: [...Object.values(CREDENTIAL_KEYS), 'qdrant-api-key'] }],
      docs: () => Testing.synth(new ComposedDify(Testing.app(), 'composed')),
    },
    'examples/beside-facade.ts': {
      namespace: 'dify',
      runtimeSecrets: [generated('dify-credentials', 'dify')], // the generator Job's
      docs: () => Testing.synth(new DifyWithPortal(Testing.app(), 'portal')),
    },
    'examples/production.ts': {
      namespace: 'dify',
      runtimeSecrets: [], // the ExternalSecret's target is in the manifests, with the keys it writes
      docs: () => {
        const chart = new Chart(Testing.app(), 'production', { namespace: 'dify' });
        production(chart);
        return Testing.synth(chart);
      },
    },
    'examples/tenants.ts': {
      namespace: 'default',
      // Per tenant, the generator Job's Secret and the sandbox key it mirrors into the tenant's sandbox namespace.
      runtimeSecrets: ['acme', 'initech'].flatMap((t) => [
        generated('dify-credentials', `dify-${t}`),
        { name: 'dify-sandbox-credentials', namespace: `dify-${t}-sandbox`, keys: [CREDENTIAL_KEYS.sandboxApiKey] },
      ]),
      docs: () => {
        const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'readme-tenants-')) });
        manyTenants(app);
        return app.charts.flatMap((c) => c.toJson());
      },
    },
    'examples/package.ts': {
      namespace: 'ai',
      runtimeSecrets: [generated('dify-credentials', 'ai')],
      // A program: run as written (its App writes dist/ in the working directory), with 'dify-cdk8s' as lib/ (tsconfig paths).
      docs: () => runProgram('examples/package.ts'),
    },
  };

/** Runs an example program in a temp working directory and reads the YAML its App wrote. */
function runProgram(file: string): Record<string, any>[] {
  const cwd = mkdtempSync(join(tmpdir(), 'readme-program-'));
  try {
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(ROOT, file)], {
      cwd,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json'), CDK8S_CHECK_UPGRADE: 'false' },
    });
    if (r.status !== 0) throw new Error(`${file} exited ${r.status}: ${r.stderr}`);
    const dist = join(cwd, 'dist');
    return readdirSync(dist)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .flatMap((f) => parseAllDocuments(readFileSync(join(dist, f), 'utf8')).map((d) => d.toJSON()))
      .filter(Boolean);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('README code blocks are example files', () => {
  const blocks = readmeBlocks(README);

  test('every ts block names its examples/ file, and every examples/ file is shown once', () => {
    expect(blocks.filter((b) => b.file === undefined).map((b) => `README.md:${b.line}`)).toEqual([]);
    const shown = blocks.map((b) => b.file).sort();
    const files = readdirSync(join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `examples/${f}`)
      .sort();
    expect(shown).toEqual(files);
    expect(Object.keys(EXAMPLES).sort()).toEqual(files);
  });

  test.each(blocks.filter((b) => b.file).map((b) => [b.file!, b] as const))('the block of %s is its README region, verbatim', (file, b) => {
    expect({ file, block: b.block }).toEqual({ file, block: readmeRegion(readFileSync(join(ROOT, file), 'utf8')) });
  });

  test('a drifted block or a block without its marker is caught', () => {
    const first = blocks[0];
    const drifted = README.replace(first.block, first.block.replace(/\n/, '\n  // an edit only README has\n'));
    const b = readmeBlocks(drifted).find((x) => x.line === first.line)!;
    expect(b.block).not.toBe(readmeRegion(readFileSync(join(ROOT, first.file!), 'utf8')));
    expect(readmeBlocks(drifted.replace(`<!-- example: ${first.file} -->\n`, ''))[0].file).toBeUndefined();
    expect(readmeRegion('const a = 1;\n')).toBeUndefined();
  });
});

describe.each(Object.keys(EXAMPLES))('%s synthesizes and passes the checks of dist/', (file) => {
  let problems: ManifestProblems;
  let docs: Record<string, any>[];
  beforeAll(() => {
    docs = EXAMPLES[file].docs();
    problems = manifestProblems(docs, EXAMPLES[file]);
  });

  test('it renders an installation', () => {
    expect(docs.filter((d) => d.kind === 'Deployment' && /-api$/.test(d.metadata.name)).length).toBeGreaterThan(0);
  });

  test('schemas, references, Pod Security, no credentials, pinned images, labels, network isolation', () => {
    expect(problems).toEqual(NO_PROBLEMS);
  });
});

describe('the checks catch what they look for', () => {
  const docs = EXAMPLES['examples/beside-facade.ts'].docs();
  const opts = EXAMPLES['examples/beside-facade.ts'];
  const api = () => docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'dify-api')!;

  test('a key nothing provides, a plain credential, a floating image, a missing label, a pod no policy isolates', () => {
    const broken = structuredClone(docs);
    const pod = broken.find((d) => d.kind === 'Deployment' && d.metadata.name === 'dify-api')!.spec.template;
    pod.spec.containers[0].env.push(
      { name: 'SMTP_PASSWORD', value: 'hunter2' },
      { name: 'ACME_URL', value: 'redis://:hunter2@cache:6379/0' },
      { name: 'X', valueFrom: { secretKeyRef: { name: 'dify-credentials', key: 'nope' } } },
    );
    pod.spec.containers[0].image = 'langgenius/dify-api:latest';
    delete broken[0].metadata.labels['app.kubernetes.io/part-of'];
    const withoutPolicies = broken.filter((d) => d.kind !== 'NetworkPolicy');
    const p = manifestProblems(withoutPolicies, opts);
    expect(p.references.join('\n')).toMatch(/nope/);
    expect(p.credentials).toEqual([
      'Deployment/dify-api:api: SMTP_PASSWORD has a plain value',
      expect.stringMatching(/^Deployment\/dify\/dify-api\.spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.value: a URL with a password$/),
    ]);
    expect(p.images).toEqual(['Deployment/dify-api: langgenius/dify-api:latest']);
    expect(p.labels).toHaveLength(1);
    expect(p.policies).toContainEqual(expect.stringContaining('Deployment/dify-api in dify: no NetworkPolicy isolates its Egress'));
    expect(api().spec.template.spec.containers[0].image).not.toMatch(/latest/);
  });
});
