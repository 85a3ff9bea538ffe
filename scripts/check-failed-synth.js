#!/usr/bin/env node
// A failed synth must print its cause without a stack trace and leave dist/ byte-identical.
// Runs both synth commands (package.json's `synth`, the app command of cdk8s.yaml) in a scratch copy of
// apps/ and dist/ (lib/ and node_modules/ linked): a validation error, a type error (npm run synth only: the app command
// is transpile-only) and a syntax error.
const { spawnSync } = require('child_process');
const { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } = require('fs');
const { createHash } = require('crypto');
const { tmpdir } = require('os');
const { join } = require('path');

const ROOT = join(__dirname, '..');
// Both ways to synthesize: `npm run synth` (type check, then the app) and the app command of cdk8s.yaml (transpile-only).
const COMMANDS = {
  'npm run synth': require(join(ROOT, 'package.json')).scripts.synth,
  'cdk8s.yaml app': /^app:\s*(.+)$/m.exec(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8'))[1].trim(),
};

/** Hash of every file under dir (paths and bytes). */
function tree(dir) {
  const hash = createHash('sha256');
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else hash.update(`${p.slice(dir.length)}\0`).update(readFileSync(p));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

const CASES = [
  {
    name: 'validation error',
    break: (apps) =>
      writeFileSync(
        join(apps, 'main-environments.ts'),
        [
          "import { dev } from './dev';",
          "import { Environment } from './environments';",
          "export const ENVIRONMENTS: readonly Environment[] = [dev, { ...dev, name: 'broken', dify: { ...dev.dify, host: 'not a host' } }];",
          '',
        ].join('\n'),
      ),
    expect: /^synth failed: host: got "not a host"; /m,
    commands: ['npm run synth', 'cdk8s.yaml app'],
  },
  {
    name: 'type error',
    break: (apps) => appendFileSync(join(apps, 'dev.ts'), '\nexport const broken: number = dev.name;\n'),
    expect: /apps\/dev\.ts\(\d+,\d+\): error TS2322: /,
    commands: ['npm run synth'], // the app command is transpile-only: type errors are npm test's and npm run synth's
  },
  {
    name: 'syntax error',
    break: (apps) => appendFileSync(join(apps, 'dev.ts'), '\nexport const broken = ;\n'),
    expect: { 'npm run synth': /apps\/dev\.ts\(\d+,\d+\): error TS\d+: /, 'cdk8s.yaml app': /^synth failed: apps\/dev\.ts:\d+:\d+: / },
    commands: ['npm run synth', 'cdk8s.yaml app'],
  },
];

let failed = false;
for (const c of CASES) {
  for (const command of c.commands) {
    const work = mkdtempSync(join(tmpdir(), 'dify-cdk8s-synth-'));
    try {
      cpSync(join(ROOT, 'apps'), join(work, 'apps'), { recursive: true });
      cpSync(join(ROOT, 'dist'), join(work, 'dist'), { recursive: true });
      for (const link of ['lib', 'imports', 'node_modules', 'scripts']) symlinkSync(join(ROOT, link), join(work, link), 'dir');
      for (const file of ['tsconfig.json', 'tsconfig.synth.json']) cpSync(join(ROOT, file), join(work, file));
      c.break(join(work, 'apps'));
      const before = tree(join(work, 'dist'));
      const [cmd, ...args] = COMMANDS[command].split(' ');
      // The scratch copy's caches stay in the scratch copy.
      const env = { ...process.env, DIFY_CDK8S_CACHE: join(work, '.cache') };
      delete env.CDK8S_OUTDIR;
      const r = spawnSync(cmd, args, { cwd: work, encoding: 'utf8', env, timeout: 120_000 });
      const expect = c.expect instanceof RegExp ? c.expect : c.expect[command];
      const problems = [];
      if (r.status === 0) problems.push('exit status 0');
      if (!expect.test(r.stderr)) problems.push(`stderr does not match ${expect}`);
      if (/^\s+at /m.test(r.stderr)) problems.push('stderr has a stack trace');
      if (tree(join(work, 'dist')) !== before) problems.push('dist/ changed');
      if (readdirSync(work).some((f) => f.startsWith('.dist-synth-'))) problems.push('a scratch folder was left behind');
      console.log(`${c.name} (${command}): ${problems.length ? `FAILED (${problems.join('; ')})` : 'cause printed, no stack trace, dist/ byte-identical'}`);
      if (problems.length) {
        failed = true;
        process.stderr.write(r.stderr);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}
process.exitCode = failed ? 1 : 0;
