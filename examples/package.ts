// #region README
import { App, Chart } from 'cdk8s';
import { Dify, DifySecrets, DifyStorage } from 'dify-cdk8s';

const app = new App();
const chart = new Chart(app, 'dify', { namespace: 'ai' });
new Dify(chart, 'Dify', {
  instance: 'dify',
  host: 'dify.example.com',
  tls: true,
  secrets: DifySecrets.existing('dify-credentials'), // a Secret you manage, keys as in CREDENTIAL_KEYS
  storage: DifyStorage.s3({ bucket: 'acme-dify', region: 'eu-west-1', useAwsManagedIam: true }),
  settings: { logLevel: 'INFO', uploads: { fileSizeLimitMb: 50 }, extraEnv: { WORKFLOW_MAX_EXECUTION_STEPS: '1000' } },
});
app.synth();
// #endregion README
