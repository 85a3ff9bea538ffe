import { App, Chart, Testing } from 'cdk8s';
import {
  CREDENTIAL_KEYS,
  Dify,
  DifyEndpoint,
  DifyProps,
  DifySecrets,
  DifySsrfProxy,
  DifyValidationError,
  SANDBOX_POD_SECURITY,
  SecretKeyRef,
  hostFrom,
  httpUrl,
} from '../lib';
import { checkPodSecurity, podSpecsFromManifests } from './support/pss';
import { BASE_PROPS, find } from './util';

/** A Dify in namespace `dify` with its sandbox in `dify-sandbox`: the documents of both charts. */
function build(props: Partial<DifyProps> = {}, namespace: string | null = 'dify') {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace: namespace ?? undefined });
  const dify = new Dify(chart, 'Dify', { ...BASE_PROPS, sandboxNamespace: 'dify-sandbox', ...props });
  return { dify, main: Testing.synth(chart), sandbox: dify.sandboxChart!.toJson() };
}

const REMOTE = {
  secretKey: { key: 'app', property: 'secret-key' },
  sandboxApiKey: { key: 'app', property: 'sandbox-api-key' },
  pluginDaemonKey: { key: 'app', property: 'plugin-daemon-key' },
  pluginInnerApiKey: { key: 'app', property: 'plugin-inner-api-key' },
  postgresPassword: { key: 'db', property: 'password' },
  redisPassword: { key: 'redis', property: 'password' },
  weaviateApiKey: { key: 'weaviate', property: 'api-key' },
  agentApiToken: { key: 'agent', property: 'api-token' },
  agentServerSecretKey: { key: 'agent', property: 'server-secret-key' },
  agentSandboxToken: { key: 'agent', property: 'local-sandbox-token' },
};

describe('sandboxNamespace', () => {
  test('puts exactly the sandbox (and its key) in that namespace; the rest stays', () => {
    const { main, sandbox } = build();
    expect(sandbox.every((d) => d.metadata.namespace === 'dify-sandbox')).toBe(true);
    expect(main.filter((d) => d.metadata.namespace === 'dify-sandbox').map((d) => d.kind)).toEqual(['NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy']);
    expect(sandbox.filter((d) => d.spec?.template).map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Deployment/dify-sandbox']);
    expect(main.some((d) => d.metadata.name === 'dify-sandbox' && d.kind !== 'NetworkPolicy')).toBe(false);
  });

  test('peers in the policy namespace are pod selectors alone; only the other namespace is named', () => {
    const { main, sandbox } = build();
    const peers = [...main, ...sandbox]
      .filter((d) => d.kind === 'NetworkPolicy')
      .flatMap((d) =>
        [...(d.spec.ingress ?? []).flatMap((r: any) => r.from ?? []), ...(d.spec.egress ?? []).flatMap((r: any) => r.to ?? [])].map((p: any) => ({
          ns: d.metadata.namespace,
          p,
        })),
      )
      .filter(({ p }) => p.podSelector?.matchLabels?.['app.kubernetes.io/instance'] === 'dify');
    expect(peers.length).toBeGreaterThan(20);
    for (const { ns, p } of peers) {
      const named = p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
      const component = p.podSelector.matchLabels['app.kubernetes.io/component'];
      // Only the sandbox lives in dify-sandbox; every other component in dify.
      const home = component === 'sandbox' ? 'dify-sandbox' : 'dify';
      expect({ ns, component, named }).toEqual({ ns, component, named: home === ns ? undefined : home });
    }
  });

  test('the sandbox meets "baseline" (its namespace), everything else "restricted" (the installation namespace)', () => {
    const { main, sandbox } = build();
    expect(SANDBOX_POD_SECURITY.enforce).toBe('baseline');
    for (const { doc, spec, metadata } of podSpecsFromManifests(sandbox))
      expect({ doc, v: checkPodSecurity(spec, 'baseline', metadata) }).toEqual({ doc, v: [] });
    for (const { doc, spec, metadata } of podSpecsFromManifests(main))
      expect({ doc, v: checkPodSecurity(spec, 'restricted', metadata) }).toEqual({ doc, v: [] });
  });

  test('generated credentials: the Job keeps the sandbox key in sync in the sandbox namespace, through a Role there bound to its ServiceAccount', () => {
    const { main, sandbox } = build();
    const env = Object.fromEntries(
      main
        .find((d) => d.kind === 'Job' && d.metadata.name.startsWith('dify-secret-generator-'))!
        .spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      MIRROR_NAMESPACE: 'dify-sandbox',
      MIRROR_SECRET_NAME: 'dify-sandbox-credentials',
      MIRROR_KEYS: JSON.stringify([CREDENTIAL_KEYS.sandboxApiKey]),
    });
    const role = find(sandbox, 'Role', 'dify-secret-generator');
    expect(role.rules[0]).toEqual({ apiGroups: [''], resources: ['secrets'], resourceNames: ['dify-sandbox-credentials'], verbs: ['get', 'patch'] });
    expect(find(sandbox, 'RoleBinding', 'dify-secret-generator').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'dify-secret-generator', namespace: 'dify' },
    ]);
    const apiKey = find(sandbox, 'Deployment', 'dify-sandbox').spec.template.spec.containers[0].env.find((e: any) => e.name === 'API_KEY');
    expect(apiKey.valueFrom.secretKeyRef).toEqual({ name: 'dify-sandbox-credentials', key: CREDENTIAL_KEYS.sandboxApiKey });
    // api still reads the installation's Secret: one value, two Secrets.
    const api = find(main, 'Deployment', 'dify-api').spec.template.spec.containers[0].env.find((e: any) => e.name === 'CODE_EXECUTION_API_KEY');
    expect(api.valueFrom.secretKeyRef).toEqual({ name: 'dify-credentials', key: CREDENTIAL_KEYS.sandboxApiKey });
  });

  test('existing Secrets: the sandbox reads the key you create in its namespace, under the key name api reads', () => {
    const over = build({ secrets: DifySecrets.existing('mine', { overrides: { sandboxApiKey: SecretKeyRef.of('other', 'code-key') } }) });
    expect(
      find(over.sandbox, 'Deployment', 'dify-sandbox').spec.template.spec.containers[0].env.find((e: any) => e.name === 'API_KEY').valueFrom.secretKeyRef,
    ).toEqual({ name: 'dify-sandbox-credentials', key: 'code-key' });
    const named = build({ secrets: DifySecrets.existing('mine', { sandboxSecretName: 'code-sandbox' }) });
    expect(
      find(named.sandbox, 'Deployment', 'dify-sandbox').spec.template.spec.containers[0].env.find((e: any) => e.name === 'API_KEY').valueFrom.secretKeyRef.name,
    ).toBe('code-sandbox');
    expect(named.sandbox.some((d) => d.kind === 'Secret' || d.kind === 'ExternalSecret')).toBe(false);
    expect(() => build({ secrets: DifySecrets.existing('mine', { sandboxSecretName: 'Bad_Name' }) })).toThrow(
      /^secrets\.existing\.sandboxSecretName: got "Bad_Name"/,
    );
  });

  test('External Secrets: one more ExternalSecret in the sandbox namespace with only the sandbox key; a namespaced SecretStore needs sandboxStore', () => {
    const cluster = build({ secrets: DifySecrets.external({ store: { name: 'vault', kind: 'ClusterSecretStore' }, remoteRefs: REMOTE }) });
    const es = find(cluster.sandbox, 'ExternalSecret', 'dify-sandbox-credentials');
    expect(es.spec.data).toEqual([{ secretKey: CREDENTIAL_KEYS.sandboxApiKey, remoteRef: { key: 'app', property: 'sandbox-api-key' } }]);
    expect(es.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'ClusterSecretStore' });
    expect(() => build({ secrets: DifySecrets.external({ store: { name: 'vault' }, remoteRefs: REMOTE }) })).toThrow(
      new DifyValidationError(
        'secrets.external.store.kind: got "SecretStore"; serves only its own namespace, and the sandbox namespace needs the sandbox key too: use a ClusterSecretStore, or give sandboxStore (a store that exists in the sandbox namespace)',
      ),
    );
    const own = build({ secrets: DifySecrets.external({ store: { name: 'vault' }, sandboxStore: { name: 'sandbox-vault' }, remoteRefs: REMOTE }) });
    expect(find(own.sandbox, 'ExternalSecret', 'dify-sandbox-credentials').spec.secretStoreRef).toEqual({ name: 'sandbox-vault', kind: 'SecretStore' });
  });

  test('bad values name the prop', () => {
    expect(() => build({ sandboxNamespace: 'dify' })).toThrow(
      new DifyValidationError('sandboxNamespace: got "dify"; must differ from the installation\'s namespace; leave it out to run the sandbox there'),
    );
    expect(() => build({ sandboxNamespace: 'Sandbox_NS' })).toThrow(/^sandboxNamespace: got "Sandbox_NS"/);
    expect(() => build({}, null)).toThrow(/^sandboxNamespace: got "dify-sandbox"; needs the installation's chart to set a namespace/);
  });

  test('is off by default: the sandbox stays in the installation namespace and reads its Secret', () => {
    const chart = new Chart(new App(), 'test', { namespace: 'dify' });
    const dify = new Dify(chart, 'Dify', BASE_PROPS);
    expect(dify.sandboxChart).toBeUndefined();
    const docs = Testing.synth(chart);
    expect(find(docs, 'Deployment', 'dify-sandbox').metadata.namespace).toBe('dify');
    expect(find(docs, 'ConfigMap', 'dify-api-env').data.CODE_EXECUTION_ENDPOINT).toBe('http://dify-sandbox:8194');
  });
});

describe('hostFrom: how a client names a component', () => {
  const app = Testing.app();
  const a = new Chart(app, 'a', { namespace: 'ns-a' });
  const b = new Chart(app, 'b', { namespace: 'ns-b' });
  const bare = new Chart(app, 'bare');
  const proxy = new DifySsrfProxy(a, 'Proxy', { instance: 'dify' });
  test('its Service name from its own namespace, <service>.<namespace>.svc from another', () => {
    expect(hostFrom(a, proxy)).toBe('dify-ssrf-proxy');
    expect(hostFrom(b, proxy)).toBe('dify-ssrf-proxy.ns-a.svc');
    expect(httpUrl(proxy, b)).toBe('http://dify-ssrf-proxy.ns-a.svc:3128');
    expect(httpUrl(proxy)).toBe('http://dify-ssrf-proxy:3128');
    // A client whose chart has no namespace is in the default one: not the component's.
    expect(hostFrom(bare, proxy)).toBe('dify-ssrf-proxy.ns-a.svc');
  });
  test('endpoints that are not pods of a namespace keep the host they were given', () => {
    const otel = DifyEndpoint.of({ host: 'otel.observability.svc', port: 4318 });
    expect(hostFrom(b, otel)).toBe('otel.observability.svc');
    expect(hostFrom(b, { host: 'db.internal', port: 5432 })).toBe('db.internal');
  });
});
