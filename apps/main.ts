import { createSvgRenderer } from '../lib';
import { synthEnvironment } from './environments';
import { ENVIRONMENTS } from './main-environments';
import { writePictures } from './pictures';

// Only apps/ reads the process environment: cdk8s synth sets CDK8S_OUTDIR.
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';

async function main(): Promise<void> {
  const renderSvg = await createSvgRenderer();
  for (const env of ENVIRONMENTS) {
    const app = synthEnvironment(env, outdir);
    app.synth();
    writePictures(app, env, app.outdir, renderSvg);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
