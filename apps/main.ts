import { dev } from './dev';
import { synthEnvironment } from './environments';

/** Every environment this repository deploys. */
export const ENVIRONMENTS = [dev];

const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
for (const env of ENVIRONMENTS) {
  synthEnvironment(env, outdir).synth();
}
