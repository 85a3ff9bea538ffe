import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';

// A loader hook (tsx), when the app runs through one, turns on Node's source-map support, which makes Node parse the
// source map of every module it loads; synth prints messages, not stack traces, so it is turned off again.
process.setSourceMapsEnabled(false);

/**
 * Renders every environment into a scratch folder beside dist/, writes each
 * environment's kustomizations (workloads, and data/ for what outlives them), then swaps the scratch folder in for dist/.
 * A failed synth (syntax error, validation error) prints its message, without
 * a stack trace, and leaves dist/ byte-identical.
 *
 * Only apps/ reads the process environment: DIFY_DIST_DIR moves the output
 * (default `dist`, relative to the working directory, as cdk8s.yaml's paths
 * are); DIFY_CDK8S_CACHE the cache folder of pictures drawn before (default
 * node_modules/.cache/dify-cdk8s, when node_modules exists); CDK8S_OUTDIR, set by `cdk8s synth` to the scratch folder it empties
 * first, receives a copy so the CLI lists what was rendered.
 */
async function main(): Promise<void> {
  const dist = resolve(process.env.DIFY_DIST_DIR ?? 'dist');
  const staging = join(dirname(dist), `.${basename(dist)}-synth-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    // Loaded here, not at the top, so that a syntax error in apps/ or lib/ is reported like any other failure.
    const { ENVIRONMENTS } = require('./main-environments') as typeof import('./main-environments');
    const { synthEnvironment, writeKustomizations, writeRestore } = require('./environments') as typeof import('./environments');
    const { cachedSvg, drawSvg, tenantsTopology, writeGraphPictures, writePictures } = require('./pictures') as typeof import('./pictures');
    // Pictures drawn before are reused from the cache folder (keyed by their Graphviz input).
    const cache = process.env.DIFY_CDK8S_CACHE ?? (existsSync('node_modules') ? join('node_modules', '.cache', 'dify-cdk8s') : undefined);
    const cached = cache ? cachedSvg(resolve(cache, 'topology')) : undefined;
    const svg = cached ?? drawSvg;
    for (const env of ENVIRONMENTS) {
      const app = synthEnvironment(env, staging);
      app.synth();
      writeKustomizations(join(staging, env.name));
      writeRestore(env, join(staging, env.name));
      await writePictures(app, env, join(staging, env.name), svg);
    }
    // Many isolated installations from one App: one namespace per tenant (apps/tenants.ts).
    const { synthTenants, tenants } = require('./tenants') as typeof import('./tenants');
    const tenantsApp = synthTenants(tenants, staging);
    tenantsApp.synth();
    writeKustomizations(join(staging, 'tenants'));
    await writeGraphPictures(tenantsTopology(tenantsApp), join(staging, 'tenants'), svg);
    cached?.prune();
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  swap(staging, dist);
  const cdk8sOut = process.env.CDK8S_OUTDIR;
  if (cdk8sOut && resolve(cdk8sOut) !== dist) cpSync(dist, cdk8sOut, { recursive: true });
}

/** Replaces `target` by `source` with two renames (same file system), then removes the old copy. */
function swap(source: string, target: string): void {
  const old = `${source}-old`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(source, target);
  rmSync(old, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  process.stderr.write(`synth failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
