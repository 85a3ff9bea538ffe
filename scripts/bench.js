#!/usr/bin/env node
// Median wall time of synthesizing every environment, over 5 runs, from the
// compiled app (build/), each run in a fresh Node process writing to a temp dir.
const { execFileSync } = require('child_process');
const { mkdtempSync, rmSync } = require('fs');
const { tmpdir } = require('os');
const { join } = require('path');

const RUNS = 5;
const main = join(__dirname, '..', 'build', 'apps', 'main.js');
const times = [];
for (let i = 0; i < RUNS; i++) {
  const out = mkdtempSync(join(tmpdir(), 'dify-bench-'));
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, [main], { env: { ...process.env, CDK8S_OUTDIR: out }, stdio: 'ignore' });
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  rmSync(out, { recursive: true, force: true });
}
times.sort((a, b) => a - b);
const median = times[Math.floor(RUNS / 2)];
console.log(`synth all environments: median ${median.toFixed(0)} ms over ${RUNS} runs (min ${times[0].toFixed(0)} ms, max ${times[RUNS - 1].toFixed(0)} ms)`);
