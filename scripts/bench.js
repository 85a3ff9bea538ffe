#!/usr/bin/env node
// npm run bench: wall-time figures of the synth loop, medians (min-max) over fresh Node processes.
// Nothing is asserted; the machine's load shows in the spread (and in wall time against CPU time for the app command).
// BENCH_RUNS sets the number of runs (default 7), BENCH_SCALE_RUNS those of each N (default 3).
//  1. the app command of cdk8s.yaml (what `npm run synth` and `cdk8s synth` run), writing to a temp dir;
//  2. inside one process: module loading, then per environment its constructs, its YAML emission
//     (cdk8s Yaml.save: stringify + write) and the rest of App.synth (resolve, validate);
//  3. N full installations of Dify in one App (distinct instance names): total and cost per installation.
const { execFileSync } = require('child_process');
const { mkdtempSync, readFileSync, rmSync } = require('fs');
const { cpus, loadavg, tmpdir } = require('os');
const { join } = require('path');

const ROOT = join(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SCALE = (process.env.BENCH_SCALE ?? '1,10,25,50,100').split(',').map(Number);
const SCALE_RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 3);
const APP = /^app:\s*(.+)$/m.exec(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8'))[1].trim();

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)], min: s[0], max: s[s.length - 1] };
};
const ms = (x) => `${x.toFixed(0)} ms`;
const fmt = (xs) => {
  const { median, min, max } = stats(xs);
  return `median ${ms(median)} (min ${ms(min)}, max ${ms(max)})`;
};
const env = { ...process.env };
delete env.CDK8S_OUTDIR;

function inTemp(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'dify-bench-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const worker = (args) =>
  inTemp((dir) =>
    JSON.parse(
      execFileSync(process.execPath, [join(__dirname, 'app.js'), join(__dirname, 'bench-worker.ts'), ...args, dir], { cwd: ROOT, env, encoding: 'utf8' }),
    ),
  );

console.log(
  `node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${RUNS} runs each`,
);

// 1. The app command, as cdk8s runs it (through a shell), after one warm-up run (which fills the bundle and picture caches).
const appRuns = [];
const appCpu = [];
for (let i = 0; i <= RUNS; i++) {
  const [wall, cpu] = inTemp((dir) => {
    const cpuFile = join(dir, 'cpu');
    const nodeOptions = `${env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'bench-cpu.js')}`.trim();
    const start = process.hrtime.bigint();
    execFileSync('/bin/sh', ['-c', APP], {
      cwd: ROOT,
      env: { ...env, DIFY_DIST_DIR: join(dir, 'dist'), NODE_OPTIONS: nodeOptions, BENCH_CPU_FILE: cpuFile },
      stdio: 'ignore',
    });
    return [Number(process.hrtime.bigint() - start) / 1e6, Number(readFileSync(cpuFile, 'utf8'))];
  });
  if (i > 0) {
    appRuns.push(wall);
    appCpu.push(cpu);
  }
}
console.log(`app command (${APP}), all environments:`);
console.log(`  wall time   ${fmt(appRuns)}`);
console.log(`  CPU time    ${fmt(appCpu)}`);

// 2. Where the time goes.
const envRuns = Array.from({ length: RUNS }, () => worker(['envs']));
console.log('in one process (the first environment also pays lazy initialisation and JIT warm-up):');
for (const key of Object.keys(envRuns[0]).filter((k) => !k.endsWith('.cpu'))) {
  console.log(`  ${key.padEnd(18)} wall ${fmt(envRuns.map((r) => r[key]))}; CPU median ${ms(stats(envRuns.map((r) => r[`${key}.cpu`])).median)}`);
}

// 3. N installations in one App.
console.log(`N installations in one App (construct + synth, ${SCALE_RUNS} runs each):`);
let first;
for (const n of SCALE) {
  const runs = Array.from({ length: SCALE_RUNS }, () => worker(['scale', String(n)]));
  const { median } = stats(runs.map((r) => r.total));
  const cpu = stats(runs.map((r) => r['total.cpu'])).median;
  first ??= { n, median, cpu };
  const marginal =
    n > first.n ? `; each added installation: wall ${ms((median - first.median) / (n - first.n))}, CPU ${ms((cpu - first.cpu) / (n - first.n))}` : '';
  console.log(`  N=${String(n).padStart(3)}: wall ${fmt(runs.map((r) => r.total))}, CPU median ${ms(cpu)}; wall per installation ${ms(median / n)}${marginal}`);
}
