import { CREDENTIALS, CredentialSpec, DifySecrets, SecretKeyRef } from '../lib';
import { ENVIRONMENTS, difyDocs, find, parseDocs, synthFiles } from './util';

describe('per-component options own env, identity and credentials', () => {
  const { docs } = difyDocs({
    components: {
      api: {
        extraEnv: { NOTION_INTEGRATION_TYPE: 'internal' },
        secretEnv: { SENDGRID_API_KEY: SecretKeyRef.of('mail', 'sendgrid'), NOTION_INTERNAL_SECRET: SecretKeyRef.of('notion', 'secret') },
        serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/dify-api' },
      },
      web: { extraEnv: { TEXT_GENERATION_TIMEOUT_MS_EXTRA: '1' } },
      sandbox: { serviceAccountAnnotations: { 'iam.gke.io/gcp-service-account': 'sandbox@p.iam.gserviceaccount.com' } },
    },
  });
  test("extraEnv lands in that component's ConfigMap only", () => {
    expect(find(docs, 'ConfigMap', 'dify-api-env').data.NOTION_INTEGRATION_TYPE).toBe('internal');
    expect(find(docs, 'ConfigMap', 'dify-worker-env').data.NOTION_INTEGRATION_TYPE).toBeUndefined();
    expect(find(docs, 'ConfigMap', 'dify-web-env').data.TEXT_GENERATION_TIMEOUT_MS_EXTRA).toBe('1');
  });
  test('secretEnv becomes secretKeyRef env vars, never ConfigMap data', () => {
    const env = find(docs, 'Deployment', 'dify-api').spec.template.spec.containers[0].env;
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'SENDGRID_API_KEY', valueFrom: { secretKeyRef: { name: 'mail', key: 'sendgrid' } } },
        { name: 'NOTION_INTERNAL_SECRET', valueFrom: { secretKeyRef: { name: 'notion', key: 'secret' } } },
      ]),
    );
    for (const cm of docs.filter((d) => d.kind === 'ConfigMap')) expect(Object.keys(cm.data ?? {})).not.toContain('SENDGRID_API_KEY');
  });
  test('ServiceAccount annotations for cloud identity', () => {
    expect(find(docs, 'ServiceAccount', 'dify-api').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/dify-api' });
    expect(find(docs, 'ServiceAccount', 'dify-sandbox').metadata.annotations).toEqual({
      'iam.gke.io/gcp-service-account': 'sandbox@p.iam.gserviceaccount.com',
    });
    expect(find(docs, 'ServiceAccount', 'dify-worker').metadata.annotations).toBeUndefined();
  });
  test.each([
    [
      'extraEnv overriding a managed name',
      { api: { extraEnv: { DB_HOST: 'x' } } },
      /^components\.api\.extraEnv\.DB_HOST: got "x"; DB_HOST is set by the component or a typed prop/,
    ],
    [
      'extraEnv carrying a credential',
      { worker: { extraEnv: { SENDGRID_API_KEY: 'x' } } },
      /^components\.worker\.extraEnv\.SENDGRID_API_KEY: got "<redacted>"/,
    ],
    [
      'secretEnv that is not a reference',
      { api: { secretEnv: { SENDGRID_API_KEY: 'plain' as any } } },
      /^components\.api\.secretEnv\.SENDGRID_API_KEY: got "<not a SecretKeyRef>"; must be a SecretKeyRef/,
    ],
    [
      'secretEnv overriding a managed name',
      { api: { secretEnv: { SECRET_KEY: SecretKeyRef.of('a', 'b') } } },
      /^components\.api\.secretEnv\.SECRET_KEY: got "<SecretKeyRef a\/b>"; SECRET_KEY is already set/,
    ],
  ])('%s is a synth-time error', (_what, components, message) => {
    expect(() => difyDocs({ components: components as any })).toThrow(message);
  });
});

describe('the credentials table is the one source', () => {
  const { docs } = difyDocs({ secrets: DifySecrets.existing('dify-credentials') });
  const envOf = (component: string) =>
    docs
      .filter((d) => ['Deployment', 'StatefulSet', 'Job'].includes(d.kind) && d.metadata.labels['app.kubernetes.io/component'] === component)
      .flatMap((d) => d.spec.template.spec.containers.flatMap((c: any) => c.env ?? []));
  test.each(Object.entries(CREDENTIALS))('%s is read by exactly the readers the table lists, from its key', (_name, spec) => {
    const s = spec as CredentialSpec;
    for (const [component, vars] of Object.entries(s.readers)) {
      for (const v of vars) {
        expect({ component, v, ref: envOf(component).find((e: any) => e.name === v)?.valueFrom?.secretKeyRef }).toEqual({
          component,
          v,
          ref: { name: 'dify-credentials', key: s.key },
        });
      }
    }
    const readers = [
      'api',
      'worker',
      'beat',
      'migration',
      'web',
      'sandbox',
      'plugin-daemon',
      'ssrf-proxy',
      'postgres',
      'redis',
      'weaviate',
      'api-websocket',
      'agent-backend',
      'local-sandbox',
      'agent-ssrf-proxy',
    ].filter((c) => envOf(c).some((e: any) => e.valueFrom?.secretKeyRef?.key === s.key));
    expect(readers.sort()).toEqual(Object.keys(s.readers).sort());
  });
});

describe('prod reaches S3 through IRSA', () => {
  const docs = parseDocs(synthFiles(ENVIRONMENTS.find((e) => e.name === 'prod')!));
  const role = (name: string) => find(docs, 'ServiceAccount', name).metadata.annotations?.['eks.amazonaws.com/role-arn'];
  test('every role that reads the file bucket, and the plugin daemon, has its IAM role; nothing else does', () => {
    for (const sa of ['dify-api', 'dify-api-websocket', 'dify-beat', 'dify-worker-indexing', 'dify-worker-workflow', 'dify-worker-ops'])
      expect({ sa, role: role(sa) }).toEqual({ sa, role: 'arn:aws:iam::123456789012:role/dify-prod-files' });
    expect(role('dify-plugin-daemon')).toBe('arn:aws:iam::123456789012:role/dify-prod-plugins');
    for (const sa of ['dify-web', 'dify-sandbox', 'dify-ssrf-proxy']) expect({ sa, role: role(sa) }).toEqual({ sa, role: undefined });
  });
});
