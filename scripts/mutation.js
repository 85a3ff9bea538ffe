#!/usr/bin/env node
// npm run test:mutation [-- MODULE ... | --changed [BASE]] [--readme]: StrykerJS over the modules that guard users,
// each module mutated alone against the test files that exercise it (MODULES below), with perTest coverage so each
// mutant runs only the tests that reach it. Prints one row per module and fails when a module scores below THRESHOLD.
//   no arguments        every module (CI runs this)
//   MODULE ...          those modules, by key (e.g. network-policy sensitive)
//   --changed [BASE]    the modules whose source or listed tests differ from BASE (default: origin/main, else main)
//   --readme            also write the rows of the modules run into README.md's table (between the mutation-scores
//                       markers), keeping the other modules' rows
// Equivalent mutants are excluded in the source with `// Stryker disable next-line <mutator>: <reason>`.
const { spawnSync } = require('child_process');
const { existsSync, readFileSync, rmSync, writeFileSync } = require('fs');
const { join } = require('path');

const THRESHOLD = 90;
const ROOT = join(__dirname, '..');

/** The guarded modules and the test files that exercise them. */
const MODULES = {
  'network-policy': {
    file: 'lib/networking/network-policy.ts',
    tests: ['test/network-policy.test.ts', 'test/network-policy-properties.test.ts', 'test/sandbox-namespace.test.ts'],
  },
  connections: { file: 'lib/core/connections.ts', tests: ['test/connections.test.ts', 'test/network-policy-properties.test.ts', 'test/routes.test.ts'] },
  sensitive: { file: 'lib/core/sensitive.ts', tests: ['test/sensitive.test.ts', 'test/sensitive-properties.test.ts', 'test/redaction.test.ts'] },
  credentials: { file: 'lib/secrets/credentials.ts', tests: ['test/credentials.test.ts', 'test/credentials-table.test.ts'] },
  validation: {
    file: 'lib/core/validation.ts',
    tests: [
      'test/validation.test.ts',
      'test/shared-validators.test.ts',
      'test/validator-bounds.test.ts',
      'test/validation-hosts.test.ts',
      'test/validation-values.test.ts',
    ],
  },
  guard: { file: 'lib/core/guard.ts', tests: ['test/guard.test.ts', 'test/guard-schema.test.ts'] },
  routes: { file: 'lib/networking/routes.ts', tests: ['test/routes.test.ts'] },
};

function changedFiles(base) {
  const git = (args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const ref = base ?? (git(['rev-parse', '--verify', '-q', 'origin/main']).status === 0 ? 'origin/main' : 'main');
  const out = [git(['diff', '--name-only', `${ref}...HEAD`]).stdout, git(['diff', '--name-only', 'HEAD']).stdout];
  return new Set(out.join('\n').split('\n').filter(Boolean));
}

function selected(argv) {
  if (argv[0] === '--changed') {
    const changed = changedFiles(argv[1]);
    return Object.keys(MODULES).filter((k) => [MODULES[k].file, ...MODULES[k].tests].some((f) => changed.has(f)));
  }
  const unknown = argv.filter((a) => !(a in MODULES));
  if (unknown.length) {
    console.error(`test:mutation: unknown module ${unknown.join(', ')}; modules: ${Object.keys(MODULES).join(', ')}`);
    process.exit(2);
  }
  return argv.length ? argv : Object.keys(MODULES);
}

function run(key) {
  const { file, tests } = MODULES[key];
  const missing = tests.filter((t) => !existsSync(join(ROOT, t)));
  if (missing.length) throw new Error(`${key}: test files missing: ${missing.join(', ')}`);
  const report = join(ROOT, 'reports', 'mutation', `${key}.json`);
  rmSync(report, { force: true });
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    [
      join(require.resolve('@stryker-mutator/core/package.json'), '..', 'bin', 'stryker.js'),
      'run',
      '--mutate',
      file,
      '--logLevel',
      'warn',
      '--reporters',
      'json,clear-text',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      env: { FC_NUM_RUNS: '40', ...process.env, MUTATION_TESTS: tests.join(','), STRYKER_JSON_REPORT: report },
    },
  );
  if (r.status !== 0) throw new Error(`${key}: stryker exited with ${r.status}`);
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const mutants = Object.values(json.files).flatMap((f) => f.mutants);
  const count = (s) => mutants.filter((m) => m.status === s).length;
  const killed = count('Killed') + count('Timeout');
  const survived = mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage');
  const ignored = count('Ignored');
  const valid = killed + survived.length;
  const score = valid === 0 ? 100 : (100 * killed) / valid;
  return { key, file, mutants: valid, killed, ignored, score, survived, seconds: (Date.now() - started) / 1000 };
}

const args = process.argv.slice(2);
const readme = args.includes('--readme');
const keys = selected(args.filter((a) => a !== '--readme'));
if (keys.length === 0) {
  console.log('test:mutation: no guarded module or its tests changed; nothing to run.');
  process.exit(0);
}
const rows = [];
for (const key of keys) {
  const row = run(key);
  rows.push(row);
  for (const m of row.survived)
    console.log(`  survived ${row.file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName}: ${JSON.stringify(m.replacement ?? '')}`);
}
const HEADER = ['| module | mutants | killed | excluded (equivalent) | score |', '|---|---|---|---|---|'];
const rowText = (r) => `| ${r.file} | ${r.mutants} | ${r.killed} | ${r.ignored} | ${r.score.toFixed(1)}% |`;
console.log(`\n${[...HEADER, ...rows.map(rowText)].join('\n')}\n`);
for (const r of rows) console.log(`test:mutation: ${r.key} took ${Math.round(r.seconds)} s`);
const low = rows.filter((r) => r.score < THRESHOLD);
if (readme) {
  const file = join(ROOT, 'README.md');
  const text = readFileSync(file, 'utf8');
  const block = /(<!-- mutation-scores:begin -->\n)([\s\S]*?)(<!-- mutation-scores:end -->)/;
  const found = block.exec(text);
  if (!found) throw new Error('README.md has no mutation-scores markers');
  // The rows of the modules not run now stay as they were; every row in MODULES order.
  const kept = new Map(found[2].split('\n').map((line) => [line.split('|')[1]?.trim(), line]));
  for (const r of rows) kept.set(r.file, rowText(r));
  const table = [...HEADER, ...Object.values(MODULES).flatMap(({ file }) => (kept.has(file) ? [kept.get(file)] : []))].join('\n');
  writeFileSync(
    file,
    text.replace(block, (_, begin, _old, end) => `${begin}${table}\n${end}`),
  );
  console.log('test:mutation: README.md table written');
}
console.log(`\ntest:mutation: ${low.length ? `FAILED, below ${THRESHOLD}%: ${low.map((r) => r.key).join(', ')}` : `every module at or above ${THRESHOLD}%`}`);
process.exitCode = low.length ? 1 : 0;
