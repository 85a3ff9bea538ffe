#!/usr/bin/env node
// Packs the library as npm would publish it, installs the tarball into a throwaway consumer project
// (in a temp dir) that depends on OTHER compatible patch versions of the peer dependencies than the
// ones pinned here, type-checks a small chart against the installed package and synthesizes it.
// Proves: the tarball ships compiled JS and .d.ts (and nothing else of the sources), the peer ranges
// accept those versions, and there is one copy of cdk8s/constructs in the consumer (no TS2345
// "Chart is not assignable to Construct" from nested copies).
const { execFileSync } = require('child_process');
const { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } = require('fs');
const { tmpdir } = require('os');
const { join } = require('path');

const ROOT = join(__dirname, '..');
const PINNED = require(join(ROOT, 'package.json')).devDependencies;
/** Versions the consumer uses: compatible with the peer ranges, different from the pins above. */
const CONSUMER_DEPS = {
  cdk8s: '2.70.104',
  constructs: '10.7.2',
  'cdk8s-plus-28': PINNED['cdk8s-plus-28'],
  typescript: PINNED.typescript,
  '@types/node': PINNED['@types/node'],
};

const CHART = `
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DIFY_VERSION, Dify, DifyStorage, SecretKeyRef, VectorStore } from 'dify-cdk8s';

class Platform extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'ai' });
    new Dify(this, 'Dify', {
      instance: 'acme',
      host: 'dify.internal.example.com',
      storage: DifyStorage.persistentVolume({ size: '20Gi' }),
      vectorStore: VectorStore.qdrant({ url: 'https://qdrant.internal:6333', apiKey: SecretKeyRef.of('qdrant', 'api-key') }),
    });
  }
}

const app = new App({ outdir: process.argv[2] });
new Platform(app, 'platform');
app.synth();
console.log(JSON.stringify({ version: DIFY_VERSION }));
`;

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const npm = (args, cwd) => run(process.platform === 'win32' ? 'npm.cmd' : 'npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], cwd);

/**
 * Type-checks and compiles `<name>.ts` of the consumer with its own TypeScript (strict), runs it with an output
 * folder as its argument (`dir`, relative to the consumer; a program may ignore it and write dist/ as an App does by
 * default), and returns what it printed and the YAML it wrote there.
 */
function synthInConsumer(consumer, name, dir = `dist-${name}`) {
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', outDir: 'out', types: ['node'], esModuleInterop: true },
      files: [`${name}.ts`],
    }),
  );
  run(process.execPath, [join(consumer, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], consumer);
  const out = join(consumer, dir);
  const stdout = run(process.execPath, [join(consumer, 'out', `${name}.js`), out], consumer);
  const yaml = readdirSync(out)
    .map((f) => readFileSync(join(out, f), 'utf8'))
    .join('\n');
  return { stdout, yaml };
}

const work = mkdtempSync(join(tmpdir(), 'dify-cdk8s-package-'));
try {
  // 1. Pack (runs `prepare`, i.e. a clean build) and look inside.
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT));
  const files = packed.files.map((f) => f.path).sort();
  // The from-env command reads upstream's env.example and services.json at run time (vendored, with their README).
  // The runtime guard reads the generated prop schemas (JSON).
  const data = [
    'vendor/dify-upstream/env.example',
    'vendor/dify-upstream/services.json',
    'vendor/dify-upstream/README.md',
    'build/lib/generated/prop-schemas.json',
  ];
  const stray = files.filter((f) => !/^build\/.*\.(js|d\.ts)$/.test(f) && !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', ...data].includes(f));
  if (stray.length)
    throw new Error(`the tarball ships files other than compiled JS, .d.ts, docs, the prop schemas and the CLI's vendored data: ${stray.join(', ')}`);
  for (const f of ['build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/generated/prop-schemas.json', 'LICENSE'])
    if (!files.includes(f)) throw new Error(`the tarball lacks ${f}`);
  console.log(`packed ${packed.filename}: ${files.length} files, ${(packed.size / 1024).toFixed(0)} kB`);

  // 2. A consumer project with other patch versions of the peers, installing the tarball.
  const consumer = join(work, 'consumer');
  require('fs').mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }));
  npm(['install', '--save-exact', join(work, packed.filename), ...Object.entries(CONSUMER_DEPS).map(([n, v]) => `${n}@${v}`)], consumer);
  for (const [name, version] of Object.entries(CONSUMER_DEPS)) {
    const installed = JSON.parse(readFileSync(join(consumer, 'node_modules', name, 'package.json'), 'utf8')).version;
    if (installed !== version) throw new Error(`consumer has ${name}@${installed}, expected ${version}`);
  }
  const nested = ['cdk8s', 'constructs', 'cdk8s-plus-28'].filter((n) => existsSync(join(consumer, 'node_modules', 'dify-cdk8s', 'node_modules', n)));
  if (nested.length) throw new Error(`dify-cdk8s brought its own copy of ${nested.join(', ')}: they must be peer dependencies`);

  // 3. Type-check and compile the chart with the consumer's TypeScript, then synthesize it.
  writeFileSync(join(consumer, 'main.ts'), CHART);
  const { stdout, yaml } = synthInConsumer(consumer, 'main');
  const result = JSON.parse(stdout);
  // The README's consumer program (examples/package.ts, kept equal to README by test/readme-examples.test.ts), as written.
  writeFileSync(join(consumer, 'readme.ts'), readFileSync(join(ROOT, 'examples', 'package.ts'), 'utf8'));
  const readme = synthInConsumer(consumer, 'readme', 'dist').yaml;
  for (const needle of ['name: dify-api', 'namespace: ai', 'STORAGE_TYPE: s3']) {
    if (!readme.includes(needle)) throw new Error(`the README's consumer program's manifests lack "${needle}"`);
  }
  if (result.version !== '1.16.1') throw new Error(`unexpected consumer output ${JSON.stringify(result)}`);
  for (const needle of ['name: acme-api', 'namespace: ai', 'image: langgenius/dify-api:1.16.1']) {
    if (!yaml.includes(needle)) throw new Error(`the consumer's manifests lack "${needle}"`);
  }
  console.log(
    `consumer (${Object.entries(CONSUMER_DEPS)
      .map(([n, v]) => `${n}@${v}`)
      .join(', ')}): type-checks and synthesizes ${yaml.split(/^kind: /m).length - 1} objects`,
  );

  // 4. The installed command converts upstream's .env (the vendored data ships in the package), with an object
  //    store, a `#` in a password and a credential no typed prop reads, so the file uses cred() and secretEnv. The
  //    generated file imports the package by name; it type-checks and synthesizes in the consumer.
  const envFile = join(consumer, 'compose.env');
  writeFileSync(
    envFile,
    `${readFileSync(join(consumer, 'node_modules', 'dify-cdk8s', 'vendor', 'dify-upstream', 'env.example'), 'utf8')}\n` +
      'STORAGE_TYPE=s3\nS3_BUCKET_NAME=acme-files\nS3_REGION=eu-west-1\nS3_ACCESS_KEY=AKIAACME\nS3_SECRET_KEY=s3#secret # comment\nACME_SERVICE_TOKEN=acme-token\n',
  );
  run(process.execPath, [join(consumer, 'node_modules', '.bin', 'dify-cdk8s'), 'from-env', envFile, '--name', 'upstream'], consumer);
  const generated = readFileSync(join(consumer, 'apps', 'upstream.ts'), 'utf8');
  if (!/^import \{ [^}]*\bDifyStorage\b[^}]* \} from 'dify-cdk8s';$/m.test(generated))
    throw new Error(`the generated file does not import the package by name:\n${generated}`);
  const secrets = readFileSync(join(consumer, 'apps', 'upstream.secret.env'), 'utf8');
  if (!secrets.includes('s3-secret-key=s3#secret\n')) throw new Error('the secret file lacks the S3 secret key as compose reads it (s3#secret)');
  writeFileSync(
    join(consumer, 'from-env.ts'),
    `import { App, Chart } from 'cdk8s';
import { Dify } from 'dify-cdk8s';
import { upstream } from './apps/upstream';

const app = new App({ outdir: process.argv[2] });
new Dify(new Chart(app, upstream.name, { namespace: upstream.namespace }), 'Dify', upstream.dify);
app.synth();
`,
  );
  const envYaml = synthInConsumer(consumer, 'from-env').yaml;
  for (const needle of ['name: dify-api', 'key: s3-secret-key', 'name: upstream-dify-credentials', 'key: acme-service-token']) {
    if (!envYaml.includes(needle)) throw new Error(`the generated environment's manifests lack "${needle}"`);
  }
  console.log('installed command: dify-cdk8s from-env converts a compose .env into a file that imports dify-cdk8s, type-checks and synthesizes');
  // 5. The installed plan command reads the consumer's manifests (an unchanged installation plans nothing).
  const planned = run(process.execPath, [join(consumer, 'node_modules', '.bin', 'dify-cdk8s'), 'plan', out, out], consumer);
  if (!planned.startsWith(`plan ${out} -> ${out}: 0 apply-fails, 0 data-at-risk, 0 outage, 0 action, 0 info`))
    throw new Error(`the installed plan command printed ${planned}`);
  console.log('installed command: dify-cdk8s plan reads the synthesized manifests');
} finally {
  rmSync(work, { recursive: true, force: true });
}
