import { synthEnvironment } from './environments';
import { ENVIRONMENTS } from './main-environments';

// Only apps/ reads the process environment: cdk8s synth sets CDK8S_OUTDIR.
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
for (const env of ENVIRONMENTS) {
  synthEnvironment(env, outdir).synth();
}
