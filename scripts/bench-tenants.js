#!/usr/bin/env node
// Synth cost per added tenant: builds and synthesizes an App with N tenants
// (DifyTenants, loaded from lib/ through tsx) for
// N in 1, 10, 25, 50, 100, a few runs each, every run in a fresh Node process
// writing to a temp dir. Prints the median per N (wall time, and CPU time,
// which a busy machine disturbs less), the marginal cost per added tenant, and
// whether growth is linear (marginal CPU cost per tenant up to 100 vs up to 10).
// Usage: node scripts/bench-tenants.js [runs] [max N]
const { execFileSync } = require('child_process');
const { mkdtempSync, rmSync } = require('fs');
const { tmpdir } = require('os');
const { join } = require('path');

const RUNS = Number(process.argv[2] ?? 3);
const MAX = Number(process.argv[3] ?? 100);
const SIZES = [1, 10, 25, 50, 100].filter((n) => n <= MAX);
const lib = join(__dirname, '..', 'lib', 'index.ts');

// One measurement: in a child process, so module loading and JIT warm-up are
// paid once per run, outside the timed section, as for `cdk8s synth`.
const CHILD = `
const { App, YamlOutputType } = require(${JSON.stringify(require.resolve('cdk8s'))});
const { DifyTenants } = require(${JSON.stringify(lib)});
const n = Number(process.argv[1]);
const outdir = process.argv[2];
const cpu0 = process.cpuUsage();
const start = process.hrtime.bigint();
const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
new DifyTenants(app, 'tenants', { tenants: Array.from({ length: n }, (_, i) => ({ name: 't' + i, host: 't' + i + '.dify.example.com' })) });
const built = process.hrtime.bigint();
app.synth();
const done = process.hrtime.bigint();
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ build: Number(built - start) / 1e6, synth: Number(done - built) / 1e6, cpu: (cpu.user + cpu.system) / 1e3 }));
`;

function measure(n) {
  const out = mkdtempSync(join(tmpdir(), 'tenants-synth-cost-'));
  try {
    return JSON.parse(execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', CHILD, String(n), out], { encoding: 'utf8' }));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const n of SIZES) {
  const runs = Array.from({ length: RUNS }, () => measure(n));
  const total = median(runs.map((r) => r.build + r.synth));
  rows.push({ n, total, build: median(runs.map((r) => r.build)), synth: median(runs.map((r) => r.synth)), cpu: median(runs.map((r) => r.cpu)) });
}

console.log(`tenants: build + synth of one App, median of ${RUNS} runs`);
console.log('    N   wall ms  (build  + synth)    CPU ms   CPU ms/tenant   CPU ms per added tenant');
rows.forEach((r, i) => {
  const added = i === 0 ? '' : ((r.cpu - rows[i - 1].cpu) / (r.n - rows[i - 1].n)).toFixed(1);
  console.log(
    `${String(r.n).padStart(5)} ${r.total.toFixed(0).padStart(9)}  (${r.build.toFixed(0).padStart(5)} + ${r.synth.toFixed(0).padStart(5)}) ${r.cpu.toFixed(0).padStart(9)} ${(r.cpu / r.n).toFixed(1).padStart(15)} ${added.padStart(25)}`,
  );
});
const at = (n) => rows.find((r) => r.n === n);
if (at(10) && at(MAX) && MAX > 10) {
  // Marginal cost per tenant, which leaves out the fixed cost of the first tenant.
  const perTenant = (r) => (r.cpu - rows[0].cpu) / (r.n - rows[0].n);
  const ratio = perTenant(at(MAX)) / perTenant(at(10));
  const verdict = ratio < 1.5 ? 'linear' : 'super-linear';
  console.log(
    `CPU cost per added tenant: ${perTenant(at(10)).toFixed(1)} ms up to 10 tenants, ${perTenant(at(MAX)).toFixed(1)} ms up to ${MAX} (ratio ${ratio.toFixed(2)}): ${verdict}`,
  );
}
