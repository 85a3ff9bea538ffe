import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');

const CONSUMER = `
import { App, Chart } from 'cdk8s';
import { DIFY_VERSION, Dify, DifyStorage, SecretKeyRef, VectorStore } from 'dify-cdk8s';

const app = new App({ outdir: process.argv[2] });
const chart = new Chart(app, 'consumer', { namespace: 'ai' });
const dify = new Dify(chart, 'Dify', { instance: 'acme', host: 'dify.internal.example.com', storage: DifyStorage.persistentVolume({ size: '20Gi' }) });
const qdrant = VectorStore.qdrant({ url: 'https://qdrant.internal:6333', apiKey: SecretKeyRef.of('qdrant', 'api-key') });
app.synth();
console.log(JSON.stringify({ version: DIFY_VERSION, api: dify.api.host, db: dify.database.host, vector: qdrant.name }));
`;

test('a TypeScript consumer compiles and synthesizes against the package entry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dify-consumer-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  symlinkSync(ROOT, join(modules, 'dify-cdk8s'), 'dir');
  for (const dep of ['cdk8s', 'constructs', 'cdk8s-plus-28', '@types']) symlinkSync(join(ROOT, 'node_modules', dep), join(modules, dep), 'dir');
  writeFileSync(join(dir, 'main.ts'), CONSUMER);

  const program = ts.createProgram([join(dir, 'main.ts')], {
    strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, outDir: join(dir, 'out'), types: ['node'], skipLibCheck: true,
  });
  const emitted = program.emit();
  const diagnostics = ts.getPreEmitDiagnostics(program).concat(emitted.diagnostics)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(diagnostics).toEqual([]);

  const outdir = join(dir, 'dist');
  const stdout = execFileSync(process.execPath, [join(dir, 'out', 'main.js'), outdir], { cwd: dir, encoding: 'utf8' });
  expect(JSON.parse(stdout)).toEqual({ version: '1.16.1', api: 'acme-api', db: 'acme-postgres', vector: 'qdrant' });
  const yaml = readFileSync(join(outdir, readdirSync(outdir)[0]), 'utf8');
  expect(yaml).toContain('name: acme-api');
  expect(yaml).toContain('namespace: ai');
});
