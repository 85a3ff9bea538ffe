// One measurement, in a fresh process, for scripts/bench.js (which prints medians). Prints JSON.
//   bench-worker.ts envs <outdir>        module loading, then per environment: constructs, YAML emission, rest of synth
//   bench-worker.ts scale <N> <outdir>   N full installations (dev's props, distinct instance names and hosts) in one App,
//                                        each in a DifyTenantChart (a plain Chart re-renders the App's preparation per chart)
// Modules are required after the clocks start (import statements would be hoisted above them).
// Every figure is reported as wall time (`<key>`) and CPU time (`<key>.cpu`), in ms.
const t0 = performance.now();
const c0 = process.cpuUsage();
const { App, Yaml, YamlOutputType } = require('cdk8s') as typeof import('cdk8s');
const { Dify, DifyTenantChart } = require('../lib') as typeof import('../lib');
const { synthEnvironment } = require('../apps/environments') as typeof import('../apps/environments');
const { ENVIRONMENTS } = require('../apps/main-environments') as typeof import('../apps/main-environments');
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};
const loaded = { wall: performance.now() - t0, cpu: cpuMs(c0) };
const [mode, arg, outArg] = process.argv.slice(2);

// Time spent in YAML emission and writing (cdk8s's App.synth calls Yaml.save per chart).
const yaml = { wall: 0, cpu: 0 };
const save = Yaml.save.bind(Yaml);
Yaml.save = (file: string, docs: unknown[]): void => {
  const t = timed(() => save(file, docs));
  yaml.wall += t.wall;
  yaml.cpu += t.cpu;
};

function timed(fn: () => void): { wall: number; cpu: number } {
  const start = performance.now();
  const cpu = process.cpuUsage();
  fn();
  return { wall: performance.now() - start, cpu: cpuMs(cpu) };
}

const result: Record<string, number> = {};
const record = (key: string, t: { wall: number; cpu: number }): void => {
  result[key] = t.wall;
  result[`${key}.cpu`] = t.cpu;
};

if (mode === 'envs') {
  record('load', loaded);
  for (const env of ENVIRONMENTS) {
    let app!: import('cdk8s').App;
    record(
      `${env.name}.construct`,
      timed(() => (app = synthEnvironment(env, arg))),
    );
    yaml.wall = 0;
    yaml.cpu = 0;
    const synth = timed(() => app.synth());
    record(`${env.name}.yaml`, { ...yaml });
    record(`${env.name}.synth`, { wall: synth.wall - yaml.wall, cpu: synth.cpu - yaml.cpu });
  }
} else if (mode === 'scale') {
  const n = Number(arg);
  const dev = ENVIRONMENTS.find((e) => e.name === 'dev') ?? ENVIRONMENTS[0];
  const app = new App({ outdir: outArg, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const construct = timed(() => {
    for (let i = 0; i < n; i++)
      new Dify(new DifyTenantChart(app, `install-${i}`, { namespace: dev.namespace }), 'Dify', {
        ...dev.dify,
        instance: `dify${i}`,
        host: `dify${i}.${dev.dify.host}`,
      });
  });
  const synth = timed(() => app.synth());
  record('total', { wall: construct.wall + synth.wall, cpu: construct.cpu + synth.cpu });
} else {
  throw new Error(`unknown mode ${mode}`);
}
console.log(JSON.stringify(result));
