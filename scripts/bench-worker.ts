// One measurement, in a fresh process, for scripts/bench.js (which prints medians). Prints JSON.
//   bench-worker.ts envs <outdir>        module loading, then per environment: constructs, YAML emission, rest of synth
//   bench-worker.ts scale <N> <outdir>   N full installations (dev's props, distinct instance names) in one App
// Modules are required after the clock starts (import statements would be hoisted above it).
const t0 = performance.now();
const { App, Chart, Yaml, YamlOutputType } = require('cdk8s') as typeof import('cdk8s');
const { Dify } = require('../lib') as typeof import('../lib');
const { synthEnvironment } = require('../apps/environments') as typeof import('../apps/environments');
const { ENVIRONMENTS } = require('../apps/main-environments') as typeof import('../apps/main-environments');
const loaded = performance.now() - t0;
const [mode, arg, outArg] = process.argv.slice(2);

// Time spent in YAML emission and writing (cdk8s's App.synth calls Yaml.save per chart).
let yamlMs = 0;
const save = Yaml.save.bind(Yaml);
Yaml.save = (file: string, docs: unknown[]): void => {
  const start = performance.now();
  save(file, docs);
  yamlMs += performance.now() - start;
};

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

if (mode === 'envs') {
  const result: Record<string, number> = { load: loaded };
  for (const env of ENVIRONMENTS) {
    let app!: import('cdk8s').App;
    result[`${env.name}.construct`] = timed(() => {
      app = synthEnvironment(env, arg);
    });
    yamlMs = 0;
    const synth = timed(() => app.synth());
    result[`${env.name}.yaml`] = yamlMs;
    result[`${env.name}.synth`] = synth - yamlMs;
  }
  console.log(JSON.stringify(result));
} else if (mode === 'scale') {
  const n = Number(arg);
  const dev = ENVIRONMENTS.find((e) => e.name === 'dev') ?? ENVIRONMENTS[0];
  const app = new App({ outdir: outArg, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const construct = timed(() => {
    for (let i = 0; i < n; i++) new Dify(new Chart(app, `install-${i}`, { namespace: dev.namespace }), 'Dify', { ...dev.dify, instance: `dify${i}` });
  });
  const synth = timed(() => app.synth());
  console.log(JSON.stringify({ construct, synth, total: construct + synth }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
