import { synthEnvironment } from './environments';
import { ENVIRONMENTS } from './main-environments';
import { synthTenants, tenants } from './tenants';

// Only apps/ reads the process environment: cdk8s synth sets CDK8S_OUTDIR.
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
for (const env of ENVIRONMENTS) {
  synthEnvironment(env, outdir).synth();
}
synthTenants(tenants, outdir).synth();
