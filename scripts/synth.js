#!/usr/bin/env node
// npm run synth: type-check what the app is made of (lib/, apps/, imports/; incremental, no emit), then run
// the app transpile-only, as cdk8s.yaml does (scripts/app.js apps/main.ts renders into a scratch folder and swaps it in for dist/ on success).
// A type error prints tsc's diagnostics (file:line) and leaves dist/ untouched; the app command of cdk8s.yaml
// skips this check and stays fast.
const { spawnSync } = require('child_process');
const { join } = require('path');

const tsc = join(require.resolve('typescript/package.json'), '..', 'bin', 'tsc');
const check = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.synth.json', '--pretty', 'false'], { encoding: 'utf8' });
if (check.status !== 0) {
  process.stderr.write(`synth failed: type errors\n${check.stdout}${check.stderr}`);
  process.exit(1);
}
const app = spawnSync(process.execPath, [join(__dirname, 'app.js'), join('apps', 'main.ts')], { stdio: 'inherit' });
process.exit(app.status ?? 1);
