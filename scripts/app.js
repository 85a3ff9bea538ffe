#!/usr/bin/env node
// The app command of cdk8s.yaml and of `npm run synth`: runs a TypeScript app (default apps/main.ts) transpile-only:
// node scripts/app.js [entry.ts [args...]].
// esbuild strips the types and bundles the app's own modules (apps/, lib/; packages stay external) into one CommonJS
// file under the cache folder, rebuilt only when an input file changed (size or modification time), and Node runs
// that file. Type checking is `npm test`'s and `npm run synth`'s job, not this command's.
// Against a loader hook (tsx, swc-node) this saves the per-module work the hook does on every run for every module,
// packages included.
// DIFY_CDK8S_CACHE moves the cache folder (default node_modules/.cache/dify-cdk8s, from the working directory).
const { createHash } = require('crypto');
const fs = require('fs');
const path = require('path');

const entry = path.resolve(process.argv[2] ?? path.join('apps', 'main.ts'));
const cacheRoot = path.resolve(process.env.DIFY_CDK8S_CACHE ?? path.join('node_modules', '.cache', 'dify-cdk8s'));
const OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: `node${process.versions.node.split('.')[0]}`,
  packages: 'external',
  sourcemap: false,
  logLevel: 'silent',
};
// One bundle per entry file, esbuild version and this script: a scratch copy of apps/ never replaces the repository's.
const key = createHash('sha256')
  .update(JSON.stringify([entry, require('esbuild/package.json').version, fs.readFileSync(__filename, 'utf8')]))
  .digest('hex')
  .slice(0, 20);
const bundle = path.join(cacheRoot, 'app', `${key}.js`);
const stampsFile = path.join(cacheRoot, 'app', `${key}.inputs.json`);

const stamp = (file) => {
  const s = fs.statSync(file);
  return `${s.size}:${s.mtimeMs}`;
};

/** True when the bundle exists and no input recorded with it has changed since. */
function fresh() {
  let stamps;
  try {
    ({ stamps } = JSON.parse(fs.readFileSync(stampsFile, 'utf8')));
  } catch {
    return false;
  }
  if (typeof stamps !== 'object' || stamps === null) return false;
  if (!fs.existsSync(bundle)) return false;
  try {
    return Object.entries(stamps).every(([file, s]) => stamp(file) === s);
  } catch {
    return false; // an input was removed
  }
}

/**
 * `__dirname` and `__filename` name each source file, as they would unbundled: declared at the top of every
 * module of the project that uses them (esbuild renames the declarations apart between modules).
 */
const filePaths = {
  name: 'file-paths',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = fs.readFileSync(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(source)) return undefined;
      const header = `const __dirname = ${JSON.stringify(path.dirname(args.path))}; const __filename = ${JSON.stringify(args.path)};`;
      return { contents: `${header}${source}`, loader: 'ts' };
    });
  },
};

async function build() {
  const started = Date.now();
  const esbuild = require('esbuild');
  let result;
  try {
    result = await esbuild.build({
      ...OPTIONS,
      entryPoints: [entry],
      outfile: `${bundle}.${process.pid}`,
      metafile: true,
      absWorkingDir: process.cwd(),
      plugins: [filePaths],
    });
  } catch (e) {
    const located = (e.errors ?? []).map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text));
    process.stderr.write(`synth failed: ${located.length ? located.join('\n') : e.message}\n`);
    process.exit(1);
  } finally {
    // The esbuild service process ends here, not with this process: nothing of it outlives the build.
    await esbuild.stop();
  }
  fs.renameSync(`${bundle}.${process.pid}`, bundle);
  // esbuild also reads tsconfig.json (class field semantics follow its target).
  const inputs = [...Object.keys(result.metafile.inputs).map((f) => path.resolve(f)), path.resolve('tsconfig.json')].filter((f) => fs.existsSync(f));
  const stamps = Object.fromEntries(inputs.map((f) => [f, stamp(f)]));
  // A file saved while esbuild read it may be bundled in its old state: then record nothing, so the next run rebuilds.
  if (inputs.every((f) => fs.statSync(f).mtimeMs < started)) fs.writeFileSync(stampsFile, JSON.stringify({ entry, stamps }));
  else fs.rmSync(stampsFile, { force: true });
  prune();
}

/** Removes the bundles of this entry built by an earlier esbuild or an earlier version of this script. */
function prune() {
  const dir = path.dirname(bundle);
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.inputs.json') && n !== path.basename(stampsFile))) {
    let recorded;
    try {
      recorded = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).entry;
    } catch {
      recorded = undefined;
    }
    if (recorded !== undefined && recorded !== entry) continue;
    fs.rmSync(path.join(dir, f), { force: true });
    fs.rmSync(path.join(dir, f.replace(/\.inputs\.json$/, '.js')), { force: true });
  }
}

/** Runs the bundle as the main module (`require.main === module` holds in it), with the arguments after the entry. */
function run() {
  process.argv = [process.argv[0], bundle, ...process.argv.slice(3)];
  require('module').runMain();
}

if (fresh()) run();
else build().then(run);
