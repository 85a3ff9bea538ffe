#!/usr/bin/env node
// npm test: the one type-check pass (scripts/typecheck.js: lib, apps, imports, test, scripts; no emit; and the generated
// schemas' freshness), the linter and formatter check and
// jest, run concurrently (the type check is single-threaded, jest runs two workers: together they keep two cores
// busy). jest's output streams live; tsc's and the linter's are printed after it. Arguments go to jest.
// Prints each step's wall time; asserts none.
const { spawn } = require('child_process');
const { join } = require('path');

const bin = (pkg, file) => join(require.resolve(`${pkg}/package.json`), '..', file);
const start = Date.now();

function run(name, args, live) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let output = '';
    if (!live) {
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
    }
    child.on('close', (code) => resolve({ name, code, output, seconds: (Date.now() - start) / 1000 }));
  });
}

Promise.all([
  run('typecheck', [join(__dirname, 'typecheck.js')], false),
  run(
    'lint',
    [bin('@biomejs/biome', 'bin/biome'), 'check', '--colors=off', '--linter-enabled=true', '--formatter-enabled=true', '--assist-enabled=false'],
    false,
  ),
  run('jest', [bin('jest', 'bin/jest.js'), ...process.argv.slice(2)], true),
]).then((results) => {
  for (const r of results.filter((x) => x.code !== 0 && x.output.trim())) process.stderr.write(`\n--- ${r.name} ---\n${r.output}\n`);
  const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
  console.log(
    `npm test: ${failed.length ? `FAILED (${failed.join(', ')})` : 'passed'}; ${results.map((r) => `${r.name} ${r.seconds.toFixed(1)} s`).join(', ')} (wall, concurrent)`,
  );
  process.exitCode = failed.length ? 1 : 0;
});
