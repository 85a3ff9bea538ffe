import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { checkReferences, labelSelectorMatches, podTemplates } from './references';

type Doc = Record<string, any>;

const STACK: Doc[] = parseAllDocuments(fs.readFileSync(path.join(__dirname, 'fixtures', 'references-valid-stack.yaml'), 'utf8')).map((d) => d.toJSON() as Doc);

function find(docs: Doc[], kind: string, name: string): Doc {
  const doc = docs.find((d) => d.kind === kind && d.metadata?.name === name);
  if (!doc) throw new Error(`no ${kind} ${name}`);
  return doc;
}

/** A deep copy of the valid stack, edited, plus `extra` documents. */
function stack(edit: (docs: Doc[]) => void = () => undefined, ...extra: Doc[]): Doc[] {
  const docs = structuredClone(STACK);
  edit(docs);
  return [...docs, ...extra];
}

const apiPod = (docs: Doc[]): Doc => find(docs, 'Deployment', 'api').spec.template.spec;
const apiContainer = (docs: Doc[]): Doc => apiPod(docs).containers[0];
const meta = (name: string, extra: Doc = {}): Doc => ({ name, namespace: 'dify', ...extra });

describe('checkReferences: valid input', () => {
  test('the valid stack has no problems', () => {
    expect(checkReferences(STACK)).toEqual([]);
  });

  test('podTemplates finds the templates of every workload kind', () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('migrate'),
      spec: { template: { metadata: { labels: { job: 'm' } }, spec: { containers: [] } } },
    };
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('cleanup'),
      spec: { jobTemplate: { spec: { template: { metadata: { labels: { job: 'c' } }, spec: { containers: [] } } } } },
    };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [] } };
    const ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('agent'),
      spec: { template: { metadata: { labels: { ds: 'x' } }, spec: { containers: [] } } },
    };
    const notAWorkload = { apiVersion: 'example.com/v1', kind: 'Deployment', metadata: meta('x'), spec: { template: {} } };
    const templates = podTemplates([...STACK, job, cron, pod, ds, notAWorkload], { defaultNamespace: 'ns1' });
    expect(templates.map((t) => `${t.doc} ${JSON.stringify(t.labels)}`)).toEqual([
      'Deployment/dify/api {"app.kubernetes.io/name":"api","app.kubernetes.io/part-of":"dify"}',
      'StatefulSet/dify/db {"app.kubernetes.io/name":"db"}',
      'Job/dify/migrate {"job":"m"}',
      'CronJob/dify/cleanup {"job":"c"}',
      'Pod/ns1/p {"a":"b"}',
      'DaemonSet/dify/agent {"ds":"x"}',
    ]);
    expect(templates[0]?.spec.serviceAccountName).toBe('api');
    expect(templates[4]).toMatchObject({ kind: 'Pod', name: 'p', namespace: 'ns1' });
  });

  test('labelSelectorMatches evaluates matchLabels and every matchExpressions operator', () => {
    const labels = { app: 'api', tier: 'web' };
    expect(labelSelectorMatches({}, labels)).toBe(true);
    expect(labelSelectorMatches({ matchLabels: { app: 'api' } }, labels)).toBe(true);
    expect(labelSelectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(false);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'x'] }] }, labels)).toBe(true);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels)).toBe(false);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'gone', operator: 'NotIn', values: ['web'] }] }, labels)).toBe(true);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels)).toBe(true);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels)).toBe(false);
  });
});

describe('checkReferences: Services and workloads', () => {
  test('a Service selector that matches no pod template', () => {
    const docs = stack((d) => {
      find(d, 'Service', 'api').spec.selector = { 'app.kubernetes.io/name': 'apx' };
    });
    expect(checkReferences(docs)).toEqual(['Service/dify/api: selector {app.kubernetes.io/name=apx} matches no pod template in namespace dify']);
  });

  test('a selector only matches pod templates in the Service namespace', () => {
    const docs = stack((d) => {
      find(d, 'Service', 'api').metadata.namespace = 'other';
    });
    expect(checkReferences(docs)).toContain('Service/other/api: selector {app.kubernetes.io/name=api} matches no pod template in namespace other');
  });

  test('a targetPort (name, number, or defaulted to port) that is not a containerPort', () => {
    const named = stack((d) => {
      find(d, 'Service', 'api').spec.ports[0].targetPort = 'https';
    });
    expect(checkReferences(named)).toEqual(['Service/dify/api: port 80 targetPort "https" is not a containerPort of Deployment/dify/api']);
    const numbered = stack((d) => {
      find(d, 'Service', 'api').spec.ports[0].targetPort = 5002;
    });
    expect(checkReferences(numbered)).toEqual(['Service/dify/api: port 80 targetPort 5002 is not a containerPort of Deployment/dify/api']);
    const defaulted = stack((d) => {
      delete find(d, 'Service', 'api').spec.ports[0].targetPort;
    });
    expect(checkReferences(defaulted)).toEqual(['Service/dify/api: port 80 targetPort 80 is not a containerPort of Deployment/dify/api']);
    const udp = stack((d) => {
      find(d, 'Service', 'db-headless').spec.ports[0].protocol = 'UDP';
    });
    expect(checkReferences(udp)).toEqual(['Service/dify/db-headless: port 5432 targetPort 5432/UDP is not a containerPort of StatefulSet/dify/db']);
  });

  test('every selected template must declare the target port', () => {
    const worker = structuredClone(find(STACK, 'Deployment', 'api'));
    worker.metadata.name = 'worker';
    worker.spec.template.spec.containers[0].ports = [];
    expect(checkReferences(stack(undefined, worker))).toEqual(['Service/dify/api: port 80 targetPort "http" is not a containerPort of Deployment/dify/worker']);
  });

  test('a StatefulSet serviceName must be an existing headless Service', () => {
    const missing = stack((d) => {
      find(d, 'StatefulSet', 'db').spec.serviceName = 'db';
    });
    expect(checkReferences(missing)).toEqual(['StatefulSet/dify/db: serviceName "db": Service dify/db not found']);
    const notHeadless = stack((d) => {
      delete find(d, 'Service', 'db-headless').spec.clusterIP;
    });
    expect(checkReferences(notHeadless)).toEqual([
      'StatefulSet/dify/db: serviceName "db-headless": Service dify/db-headless is not headless (clusterIP: None)',
    ]);
  });

  test('a workload selector must match its own template labels (matchLabels and matchExpressions)', () => {
    const labels = stack((d) => {
      find(d, 'Deployment', 'api').spec.selector.matchLabels.tier = 'web';
    });
    expect(checkReferences(labels)).toContain(
      'Deployment/dify/api: spec.selector does not match the pod template labels {app.kubernetes.io/name=api, app.kubernetes.io/part-of=dify}',
    );
    const expressions = stack((d) => {
      find(d, 'StatefulSet', 'db').spec.selector.matchExpressions = [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['db'] }];
    });
    expect(checkReferences(expressions)).toEqual(['StatefulSet/dify/db: spec.selector does not match the pod template labels {app.kubernetes.io/name=db}']);
    const empty = stack((d) => {
      find(d, 'Deployment', 'api').spec.selector = {};
    });
    expect(checkReferences(empty)).toEqual(['Deployment/dify/api: spec.selector is empty']);
  });
});

describe('checkReferences: ConfigMaps, Secrets, volumes and ServiceAccounts', () => {
  test('envFrom and env valueFrom must resolve (name and key) unless optional', () => {
    const docs = stack((d) => {
      const c = apiContainer(d);
      c.envFrom.push({ secretRef: { name: 'missing-secret' } }, { configMapRef: { name: 'optional-cm', optional: true } });
      c.env.push(
        { name: 'A', valueFrom: { secretKeyRef: { name: 'api-secret', key: 'NOPE' } } },
        { name: 'B', valueFrom: { configMapKeyRef: { name: 'missing-cm', key: 'x' } } },
        { name: 'C', valueFrom: { configMapKeyRef: { name: 'api-config', key: 'NOPE', optional: true } } },
      );
    });
    expect(checkReferences(docs)).toEqual([
      'Deployment/dify/api: container "api" envFrom secretRef: Secret dify/missing-secret not found',
      'Deployment/dify/api: container "api" env A: key "NOPE" not found in Secret dify/api-secret',
      'Deployment/dify/api: container "api" env B: ConfigMap dify/missing-cm not found',
    ]);
  });

  test('init containers are checked too', () => {
    const docs = stack((d) => {
      apiPod(d).initContainers = [{ name: 'wait', image: 'busybox', envFrom: [{ configMapRef: { name: 'nope' } }] }];
    });
    expect(checkReferences(docs)).toEqual(['Deployment/dify/api: initContainer "wait" envFrom configMapRef: ConfigMap dify/nope not found']);
  });

  test('configMap, secret and projected volumes must resolve, including items[].key', () => {
    const docs = stack((d) => {
      const pod = apiPod(d);
      pod.volumes[0].configMap.items.push({ key: 'missing.conf', path: 'x' });
      pod.volumes.push(
        { name: 's', secret: { secretName: 'nope' } },
        { name: 'o', secret: { secretName: 'nope', optional: true } },
        {
          name: 'p',
          projected: {
            sources: [
              { secret: { name: 'api-secret', items: [{ key: 'NOPE', path: 'k' }] } },
              { configMap: { name: 'gone' } },
              { serviceAccountToken: { path: 't' } },
            ],
          },
        },
      );
    });
    expect(checkReferences(docs)).toEqual([
      'Deployment/dify/api: volume "config": key "missing.conf" not found in ConfigMap dify/api-config',
      'Deployment/dify/api: volume "s": Secret dify/nope not found',
      'Deployment/dify/api: volume "p": key "NOPE" not found in Secret dify/api-secret',
      'Deployment/dify/api: volume "p": ConfigMap dify/gone not found',
    ]);
  });

  test("persistentVolumeClaim volumes resolve to a PVC or the StatefulSet's own claim templates", () => {
    const docs = stack((d) => {
      apiPod(d).volumes.push({ name: 'data', persistentVolumeClaim: { claimName: 'data' } });
      find(d, 'StatefulSet', 'db').spec.template.spec.volumes = [{ name: 'other', persistentVolumeClaim: { claimName: 'data' } }];
    });
    expect(checkReferences(docs)).toEqual(['Deployment/dify/api: volume "data": PersistentVolumeClaim dify/data not found']);
    const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data'), spec: {} };
    expect(checkReferences([...docs, pvc])).toEqual([]);
  });

  test("a StatefulSet's claims (<template>-<statefulset>-<ordinal>, one per replica) can be mounted by other pods", () => {
    const mount = (claimName: string) =>
      stack((d) => {
        find(d, 'StatefulSet', 'db').spec.replicas = 2;
        find(d, 'StatefulSet', 'db').spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: {} }];
        apiPod(d).volumes.push({ name: 'db-data', persistentVolumeClaim: { claimName } });
      });
    expect(checkReferences(mount('data-db-0'))).toEqual([]);
    expect(checkReferences(mount('data-db-1'))).toEqual([]);
    expect(checkReferences(mount('data-db-2'))).toEqual(['Deployment/dify/api: volume "db-data": PersistentVolumeClaim dify/data-db-2 not found']);
  });

  test('volumeMounts must refer to declared volumes (or StatefulSet claim templates)', () => {
    const docs = stack((d) => {
      apiContainer(d).volumeMounts.push({ name: 'cache', mountPath: '/cache' }, { name: 'tmp', mountPath: '/tmp' });
      find(d, 'StatefulSet', 'db').spec.template.spec.containers[0].volumeMounts.push({ name: 'logs', mountPath: '/logs' });
    });
    expect(checkReferences(docs)).toEqual([
      'Deployment/dify/api: container "api" mounts undeclared volume "cache"',
      'Deployment/dify/api: container "api" mounts path "/tmp" twice',
      'StatefulSet/dify/db: container "postgres" mounts undeclared volume "logs"',
    ]);
  });

  test('serviceAccountName must resolve unless it is absent or "default"', () => {
    const docs = stack((d) => {
      apiPod(d).serviceAccountName = 'worker';
      find(d, 'StatefulSet', 'db').spec.template.spec.serviceAccountName = 'default';
    });
    expect(checkReferences(docs)).toEqual(['Deployment/dify/api: serviceAccountName "worker": ServiceAccount dify/worker not found']);
  });

  test('imagePullSecrets must resolve or be declared in opts (pods and ServiceAccounts)', () => {
    const docs = stack((d) => {
      apiPod(d).imagePullSecrets = [{ name: 'regcred' }];
      find(d, 'ServiceAccount', 'api').imagePullSecrets = [{ name: 'regcred' }];
    });
    expect(checkReferences(docs)).toEqual([
      'Deployment/dify/api: imagePullSecret "regcred": Secret dify/regcred not found',
      'ServiceAccount/dify/api: imagePullSecret "regcred": Secret dify/regcred not found',
    ]);
    expect(checkReferences(docs, { imagePullSecrets: ['regcred'] })).toEqual([]);
  });

  test('runtimeSecrets count as existing Secrets with exactly the given keys', () => {
    const docs = stack((d) => {
      apiContainer(d).env.push({ name: 'PG', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } });
    });
    expect(checkReferences(docs)).toEqual(['Deployment/dify/api: container "api" env PG: Secret dify/db-credentials not found']);
    expect(checkReferences(docs, { runtimeSecrets: [{ name: 'db-credentials', namespace: 'dify', keys: ['password'] }] })).toEqual([]);
    expect(checkReferences(docs, { runtimeSecrets: [{ name: 'db-credentials', namespace: 'dify', keys: ['username'] }] })).toEqual([
      'Deployment/dify/api: container "api" env PG: key "password" not found in Secret dify/db-credentials (from runtime Secret)',
    ]);
  });

  test('ExternalSecret targets count as Secrets with their secretKeys (any key with dataFrom)', () => {
    const externalSecret = (spec: Doc): Doc => ({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: meta('llm'), spec });
    const store = { apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: meta('vault'), spec: { provider: {} } };
    const docs = stack((d) => {
      apiContainer(d).env.push({ name: 'OPENAI', valueFrom: { secretKeyRef: { name: 'llm-keys', key: 'OPENAI_API_KEY' } } });
    }, store);
    const storeRef = { name: 'vault', kind: 'SecretStore' };
    expect(
      checkReferences([
        ...docs,
        externalSecret({ secretStoreRef: storeRef, target: { name: 'llm-keys' }, data: [{ secretKey: 'OPENAI_API_KEY', remoteRef: { key: 'k' } }] }),
      ]),
    ).toEqual([]);
    expect(
      checkReferences([
        ...docs,
        externalSecret({ secretStoreRef: storeRef, target: { name: 'llm-keys' }, data: [{ secretKey: 'ANTHROPIC', remoteRef: { key: 'k' } }] }),
      ]),
    ).toEqual(['Deployment/dify/api: container "api" env OPENAI: key "OPENAI_API_KEY" not found in Secret dify/llm-keys (from ExternalSecret llm)']);
    expect(
      checkReferences([...docs, externalSecret({ secretStoreRef: storeRef, target: { name: 'llm-keys' }, dataFrom: [{ extract: { key: 'k' } }] })]),
    ).toEqual([]);
    // Without target.name the Secret is named after the ExternalSecret.
    expect(checkReferences([...docs, externalSecret({ secretStoreRef: storeRef, data: [{ secretKey: 'OPENAI_API_KEY', remoteRef: { key: 'k' } }] })])).toEqual([
      'Deployment/dify/api: container "api" env OPENAI: Secret dify/llm-keys not found',
    ]);
    expect(
      checkReferences([...docs, externalSecret({ secretStoreRef: { name: 'nope' }, target: { name: 'llm-keys' }, dataFrom: [{ extract: { key: 'k' } }] })]),
    ).toEqual(['ExternalSecret/dify/llm: secretStoreRef SecretStore "nope" not found in namespace dify']);
  });

  test('objects without metadata.namespace use opts.defaultNamespace', () => {
    const docs = structuredClone(STACK).filter((d) => d.kind !== 'Namespace');
    for (const d of docs) delete d.metadata.namespace;
    expect(checkReferences(docs)).toEqual([]);
    const withOneMoved = structuredClone(docs);
    find(withOneMoved, 'ConfigMap', 'api-config').metadata.namespace = 'dify';
    expect(checkReferences(withOneMoved, { defaultNamespace: 'apps' })).toContain(
      'Deployment/apps/api: container "api" envFrom configMapRef: ConfigMap apps/api-config not found',
    );
  });
});

describe('checkReferences: RBAC, Ingress, HPA, PDB, NetworkPolicy', () => {
  const binding = (roleRef: Doc, subjects: Doc[], kind = 'RoleBinding'): Doc => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: kind === 'RoleBinding' ? meta('rb') : { name: 'crb' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects,
  });

  test('RoleBinding roleRef Role and ServiceAccount subjects must resolve; ClusterRoles may be external', () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('reader'), rules: [] };
    expect(checkReferences(stack(undefined, role, binding({ kind: 'Role', name: 'reader' }, [{ kind: 'ServiceAccount', name: 'api' }])))).toEqual([]);
    expect(
      checkReferences(stack(undefined, binding({ kind: 'ClusterRole', name: 'view' }, [{ kind: 'ServiceAccount', name: 'api', namespace: 'dify' }]))),
    ).toEqual([]);
    expect(
      checkReferences(
        stack(
          undefined,
          binding({ kind: 'Role', name: 'writer' }, [
            { kind: 'ServiceAccount', name: 'worker' },
            { kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' },
            { kind: 'User', name: 'alice' },
          ]),
        ),
      ),
    ).toEqual([
      'RoleBinding/dify/rb: roleRef Role "writer" not found in namespace dify',
      'RoleBinding/dify/rb: subject ServiceAccount dify/worker not found',
      'RoleBinding/dify/rb: subject ServiceAccount monitoring/prometheus not found',
    ]);
    expect(
      checkReferences(
        stack(undefined, binding({ kind: 'ClusterRole', name: 'view' }, [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }])),
        { externalServiceAccounts: [{ name: 'prometheus', namespace: 'monitoring' }] },
      ),
    ).toEqual([]);
    expect(
      checkReferences(stack(undefined, binding({ kind: 'ClusterRole', name: 'view' }, [{ kind: 'ServiceAccount', name: 'api' }], 'ClusterRoleBinding'))),
    ).toEqual(['ClusterRoleBinding//crb: subject ServiceAccount "api" needs a namespace']);
  });

  test('Ingress backends must resolve to a Service port (number or name)', () => {
    const docs = stack((d) => {
      const paths = find(d, 'Ingress', 'dify').spec.rules[0].http.paths;
      paths[0].backend.service.port = { name: 'https' };
      paths[1].backend.service.port = { number: 8080 };
      paths.push({ path: '/web', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 3000 } } } });
    });
    expect(checkReferences(docs)).toEqual([
      'Ingress/dify/dify: backend of dify.example.com/: Service dify/api has no port named "https"',
      'Ingress/dify/dify: backend of dify.example.com/v1: Service dify/api has no port 8080',
      'Ingress/dify/dify: backend of dify.example.com/web: Service dify/web not found',
    ]);
    expect(checkReferences(docs, { externalServices: [{ name: 'web', namespace: 'dify', ports: [3000] }] })).toHaveLength(2);
    expect(checkReferences(docs, { externalServices: [{ name: 'web', namespace: 'dify', ports: [80] }] })).toContain(
      'Ingress/dify/dify: backend of dify.example.com/web: Service dify/web has no port 3000',
    );
  });

  test('Ingress TLS secretName must resolve unless cert-manager provides it', () => {
    const noAnnotation = stack((d) => {
      delete find(d, 'Ingress', 'dify').metadata.annotations;
    });
    expect(checkReferences(noAnnotation)).toEqual([
      'Ingress/dify/dify: TLS secretName "dify-tls": Secret dify/dify-tls not found (no Secret, cert-manager Certificate or cert-manager issuer annotation provides it)',
    ]);
    const certificate = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta('dify-tls'),
      spec: { secretName: 'dify-tls', dnsNames: ['dify.example.com'], issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt' } },
    };
    expect(checkReferences([...noAnnotation, certificate])).toEqual([]);
    const issuerAnnotation = stack((d) => {
      find(d, 'Ingress', 'dify').metadata.annotations = { 'cert-manager.io/issuer': 'local' };
    });
    expect(checkReferences(issuerAnnotation)).toEqual([]);
    const badIssuer = { ...certificate, spec: { ...certificate.spec, issuerRef: { name: 'local' } } };
    expect(checkReferences([...noAnnotation, badIssuer])).toEqual(['Certificate/dify/dify-tls: issuerRef Issuer "local" not found in namespace dify']);
  });

  test('HorizontalPodAutoscaler scaleTargetRef must resolve', () => {
    const hpa = (name: string): Doc => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('api'),
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, maxReplicas: 3 },
    });
    expect(checkReferences(stack(undefined, hpa('api')))).toEqual([]);
    expect(checkReferences(stack(undefined, hpa('worker')))).toEqual([
      'HorizontalPodAutoscaler/dify/api: scaleTargetRef apps/v1 Deployment "worker" not found in namespace dify',
    ]);
  });

  test('PodDisruptionBudget selector must match a pod template', () => {
    const pdb = (selector: Doc): Doc => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('api'),
      spec: { maxUnavailable: 1, selector },
    });
    expect(checkReferences(stack(undefined, pdb({ matchLabels: { 'app.kubernetes.io/name': 'api' } })))).toEqual([]);
    expect(checkReferences(stack(undefined, pdb({ matchLabels: { 'app.kubernetes.io/name': 'web' } })))).toEqual([
      'PodDisruptionBudget/dify/api: selector matches no pod template in namespace dify',
    ]);
  });

  test('NetworkPolicy podSelector (when not empty) must match a pod template', () => {
    const np = (podSelector: Doc): Doc => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('np'),
      spec: { podSelector, policyTypes: ['Ingress'] },
    });
    expect(checkReferences(stack(undefined, np({})))).toEqual([]);
    expect(checkReferences(stack(undefined, np({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['db'] }] })))).toEqual([]);
    expect(checkReferences(stack(undefined, np({ matchLabels: { 'app.kubernetes.io/name': 'redis' } })))).toEqual([
      'NetworkPolicy/dify/np: podSelector matches no pod template in namespace dify',
    ]);
  });
});

describe('checkReferences: monitoring and Gateway API', () => {
  const withApiLabels = (d: Doc[]): void => {
    find(d, 'Service', 'api').metadata.labels = { 'app.kubernetes.io/name': 'api' };
  };

  test('ServiceMonitor must select a Service (by Service labels) that has the endpoint port name', () => {
    const sm = (port: string): Doc => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: meta('api'),
      spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'api' } }, endpoints: [{ port }] },
    });
    expect(checkReferences(stack(withApiLabels, sm('http')))).toEqual([]);
    expect(checkReferences(stack(withApiLabels, sm('metrics')))).toEqual([
      'ServiceMonitor/dify/api: endpoint port "metrics" is not a port name of Service/dify/api',
    ]);
    expect(checkReferences(stack(undefined, sm('http')))).toEqual([
      'ServiceMonitor/dify/api: selector matches no Service (by Service labels) in namespace(s) dify',
    ]);
  });

  test('PodMonitor must select a pod template that declares the port name', () => {
    const pm = (port: string): Doc => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: meta('api'),
      spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'api' } }, podMetricsEndpoints: [{ port }] },
    });
    expect(checkReferences(stack(undefined, pm('http')))).toEqual([]);
    expect(checkReferences(stack(undefined, pm('metrics')))).toEqual([
      'PodMonitor/dify/api: podMetricsEndpoint port "metrics" is not a containerPort name of Deployment/dify/api',
    ]);
  });

  test('HTTPRoute backendRefs must resolve; cross-namespace refs need a ReferenceGrant', () => {
    const route = (ref: Doc): Doc => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'api', namespace: 'edge' },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [ref] }] },
    });
    const grant = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'ReferenceGrant',
      metadata: meta('edge-routes'),
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'edge' }], to: [{ group: '', kind: 'Service' }] },
    };
    expect(checkReferences(stack(undefined, grant, route({ name: 'api', namespace: 'dify', port: 80 })))).toEqual([]);
    expect(checkReferences(stack(undefined, route({ name: 'api', namespace: 'dify', port: 81 })))).toEqual([
      'HTTPRoute/edge/api: backendRef: Service dify/api has no port 81',
      'HTTPRoute/edge/api: backendRef to Service dify/api needs a ReferenceGrant in namespace dify',
    ]);
  });

  test('Gateway certificateRefs must resolve to a Secret', () => {
    const gateway = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: meta('gw'),
      spec: { gatewayClassName: 'envoy', listeners: [{ name: 'https', protocol: 'HTTPS', port: 443, tls: { certificateRefs: [{ name: 'gw-tls' }] } }] },
    };
    expect(checkReferences(stack(undefined, gateway))).toEqual(['Gateway/dify/gw: listener "https" certificateRef: Secret dify/gw-tls not found']);
  });
});
