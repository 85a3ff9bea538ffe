import * as fs from 'fs';
import * as path from 'path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { parseAllDocuments } from 'yaml';
import { docId, formatIssues, SchemaIssue, validateSchemas } from './schema';

type Doc = Record<string, any>;

const FIXTURES = path.join(__dirname, 'fixtures');

function load(name: string): Doc[] {
  return parseAllDocuments(fs.readFileSync(path.join(FIXTURES, name), 'utf8')).map((d) => d.toJSON() as Doc);
}

const STACK = load('references-valid-stack.yaml');
const CUSTOM = load('schema-custom-resources.yaml');

/** A deep copy of the valid stack with `edit` applied to the document of that kind and name. */
function stackWith(kind: string, name: string, edit: (doc: Doc) => void): Doc[] {
  const docs = structuredClone(STACK);
  const doc = docs.find((d) => d.kind === kind && d.metadata?.name === name);
  if (!doc) throw new Error(`no ${kind} ${name} in fixture`);
  edit(doc);
  return docs;
}

function customWith(kind: string, edit: (doc: Doc) => void): Doc[] {
  const docs = structuredClone(CUSTOM);
  const doc = docs.find((d) => d.kind === kind);
  if (!doc) throw new Error(`no ${kind} in fixture`);
  edit(doc);
  return [doc];
}

const issue = (doc: string, p: string, message: string): SchemaIssue => ({ doc, path: p, message });

describe('validateSchemas: valid input', () => {
  test('the valid stack has no issues', () => {
    expect(formatIssues(validateSchemas(STACK))).toBe('');
  });

  test('one valid object of every supported custom resource kind has no issues', () => {
    expect(CUSTOM.map((d) => d.kind).sort()).toEqual([
      'Certificate',
      'ClusterIssuer',
      'ClusterSecretStore',
      'ExternalSecret',
      'Gateway',
      'GatewayClass',
      'HTTPRoute',
      'Issuer',
      'PodMonitor',
      'ReferenceGrant',
      'SecretStore',
      'ServiceMonitor',
    ]);
    expect(formatIssues(validateSchemas(CUSTOM))).toBe('');
  });

  test('maps accept arbitrary keys (labels, annotations, data, resources, nodeSelector)', () => {
    const docs = stackWith('Deployment', 'api', (d) => {
      d.metadata.annotations = { 'example.com/anything': 'x', plain: 'y' };
      d.spec.template.spec.nodeSelector = { 'kubernetes.io/os': 'linux' };
      d.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'] = 1;
    });
    expect(validateSchemas(docs)).toEqual([]);
  });

  test('docId uses Kind/namespace/name with an empty namespace for cluster-scoped kinds', () => {
    expect(docId({ kind: 'ConfigMap', metadata: { name: 'a' } })).toBe('ConfigMap/default/a');
    expect(docId({ kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' } })).toBe('ConfigMap/x/a');
    expect(docId({ kind: 'ClusterIssuer', metadata: { name: 'le' } })).toBe('ClusterIssuer//le');
  });
});

describe('validateSchemas: built-in kinds', () => {
  test('premise: kubernetes-models alone does not reject unknown fields', () => {
    const d = new Deployment({
      metadata: { name: 'x' },
      spec: {
        bogus: true,
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      } as never,
    });
    expect(() => d.validate()).not.toThrow();
  });

  test('unknown fields are reported at every depth', () => {
    const docs = stackWith('Deployment', 'api', (d) => {
      d.bogusTop = 1;
      d.metadata.bogusMeta = 1;
      d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
      d.spec.template.spec.volumes[0].configMap.items[0].modee = 420;
      d.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.namespace = 'x';
    });
    expect(validateSchemas(docs)).toEqual([
      issue('Deployment/dify/api', '/bogusTop', 'unknown field "bogusTop"'),
      issue('Deployment/dify/api', '/metadata/bogusMeta', 'unknown field "bogusMeta"'),
      issue('Deployment/dify/api', '/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/namespace', 'unknown field "namespace"'),
      issue('Deployment/dify/api', '/spec/template/spec/containers/0/imagePullPolicyy', 'unknown field "imagePullPolicyy"'),
      issue('Deployment/dify/api', '/spec/template/spec/volumes/0/configMap/items/0/modee', 'unknown field "modee"'),
    ]);
  });

  test('wrong types, enums and missing required fields are reported', () => {
    const docs = stackWith('Deployment', 'api', (d) => {
      d.spec.replicas = '2';
      d.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
      delete d.spec.template.spec.containers[0].name;
    });
    expect(validateSchemas(docs)).toEqual([
      issue('Deployment/dify/api', '/spec/replicas', 'must be integer'),
      issue('Deployment/dify/api', '/spec/template/spec/containers/0', 'must have required property name'),
      issue(
        'Deployment/dify/api',
        '/spec/template/spec/containers/0/imagePullPolicy',
        'must be equal to one of the allowed values: "Always", "IfNotPresent", "Never"',
      ),
    ]);
  });

  test('a misspelled kind or unsupported apiVersion is an unknown kind', () => {
    const docs: Doc[] = [
      { apiVersion: 'apps/v1', kind: 'Deploymnt', metadata: { name: 'a' } },
      { apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'b' } },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'c' } },
      { apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', metadata: { name: 'd' } },
    ];
    expect(validateSchemas(docs).map((i) => `${i.doc} ${i.message}`)).toEqual([
      'Deploymnt/default/a unknown kind: no built-in model or CRD for apiVersion "apps/v1" kind "Deploymnt"',
      'Ingress/default/b unknown kind: "extensions/v1beta1" Ingress is a pre-GA built-in API (removed, deprecated or disabled by default); use a GA version',
      'Widget/default/c unknown kind: no built-in model or CRD for apiVersion "example.com/v1" kind "Widget"',
      'CertificateRequest/default/d unknown kind: no built-in model or CRD for apiVersion "cert-manager.io/v1" kind "CertificateRequest"',
    ]);
  });

  test('documents without apiVersion/kind or that are not objects are reported', () => {
    expect(validateSchemas([{ metadata: { name: 'a' } }, null as unknown as Doc])).toEqual([
      issue('?/default/a', '', 'apiVersion and kind are required'),
      issue('#1', '', 'document is not an object'),
    ]);
  });
});

describe('validateSchemas: metadata rules', () => {
  test('missing metadata.name', () => {
    const docs = stackWith('ConfigMap', 'api-config', (d) => delete d.metadata.name);
    expect(validateSchemas(docs)).toEqual([issue('ConfigMap/dify/?', '/metadata/name', 'metadata.name is missing')]);
  });

  test('names must be DNS-1123 subdomains; Services DNS-1035 labels; Namespaces DNS-1123 labels', () => {
    const docs: Doc[] = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Api_Config', namespace: 'dify' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok.with.dots', namespace: 'dify' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: '1api', namespace: 'dify' }, spec: { ports: [{ port: 80 }] } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:dify-reader' }, rules: [] },
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'x'.repeat(53), namespace: 'dify' },
        spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Never' } } } } },
      },
    ];
    expect(validateSchemas(docs).map((i) => `${i.doc} ${i.path} ${i.message.split(':')[0]}`)).toEqual([
      'ConfigMap/dify/Api_Config /metadata/name invalid name "Api_Config"',
      'Service/dify/1api /metadata/name invalid name "1api"',
      'Namespace//a.b /metadata/name invalid name "a.b"',
      `CronJob/dify/${'x'.repeat(53)} /metadata/name invalid name "${'x'.repeat(53)}"`,
    ]);
  });

  test('invalid label values and keys are reported (metadata, pod template, selectors)', () => {
    const docs = stackWith('Deployment', 'api', (d) => {
      d.metadata.labels.version = 'v'.repeat(64);
      d.spec.template.metadata.labels['bad key!'] = 'x';
      d.spec.template.metadata.labels.image = 'repo/image:tag';
      d.spec.selector.matchLabels.tier = '-backend';
    });
    expect(validateSchemas(docs).map((i) => `${i.path} ${i.message.split(':')[0]}`)).toEqual([
      `/metadata/labels/version invalid label value "${'v'.repeat(64)}"`,
      '/spec/selector/matchLabels/tier invalid label value "-backend"',
      '/spec/template/metadata/labels/bad key! invalid label key "bad key!"',
      '/spec/template/metadata/labels/image invalid label value "repo/image',
    ]);
  });

  test('Service selector values and ConfigMap/Secret keys are checked', () => {
    const docs: Doc[] = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'dify' }, spec: { selector: { app: 'a b' }, ports: [{ port: 80 }] } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'dify' }, data: { 'conf/file': 'x' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'dify' }, stringData: { 'has space': 'x' } },
    ];
    expect(validateSchemas(docs).map((i) => `${i.doc} ${i.path} ${i.message.split(':')[0]}`)).toEqual([
      'Service/dify/api /spec/selector/app invalid label value "a b"',
      'ConfigMap/dify/c /data/conf~1file invalid key "conf/file"',
      'Secret/dify/s /stringData/has space invalid key "has space"',
    ]);
  });

  test('duplicate objects (same group, kind, namespace, name) are reported', () => {
    const cm = STACK.find((d) => d.kind === 'ConfigMap') as Doc;
    const docs = [cm, structuredClone(cm), { ...structuredClone(cm), metadata: { name: 'api-config', namespace: 'other' } }];
    expect(validateSchemas(docs)).toEqual([issue('ConfigMap/dify/api-config', '', 'duplicate object: same group, kind, namespace and name as document #0')]);
    // Without metadata.namespace the default namespace applies.
    const a = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } };
    const b = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'dify' } };
    expect(validateSchemas([a, b], { defaultNamespace: 'dify' }).map((i) => i.message)).toEqual([
      'duplicate object: same group, kind, namespace and name as document #0',
    ]);
  });
});

describe('validateSchemas: custom resources (CRDs from /crds)', () => {
  test('unknown fields in a CR spec are reported', () => {
    const docs = customWith('Certificate', (d) => {
      d.spec.dnsName = 'typo.example.com';
      d.spec.privateKey.bits = 256;
    });
    expect(validateSchemas(docs)).toEqual([
      issue('Certificate/dify/dify-tls', '/spec/dnsName', 'unknown field "dnsName"'),
      issue('Certificate/dify/dify-tls', '/spec/privateKey/bits', 'unknown field "bits"'),
    ]);
  });

  test('unknown top-level fields and unknown metadata fields on a CR are reported', () => {
    const docs = customWith('HTTPRoute', (d) => {
      d.specs = {};
      d.metadata.label = { a: 'b' };
    });
    expect(validateSchemas(docs)).toEqual([
      issue('HTTPRoute/dify/api', '/metadata/label', 'unknown field "label"'),
      issue('HTTPRoute/dify/api', '/specs', 'unknown field "specs"'),
    ]);
  });

  test('types, enums, required fields and patterns of a CR are checked', () => {
    const docs = customWith('Certificate', (d) => {
      delete d.spec.issuerRef;
      d.spec.privateKey.algorithm = 'DSA';
      d.spec.dnsNames = 'dify.example.com';
    });
    expect(validateSchemas(docs)).toEqual([
      issue('Certificate/dify/dify-tls', '/spec', 'missing required field "issuerRef"'),
      issue('Certificate/dify/dify-tls', '/spec/dnsNames', 'must be array'),
      issue('Certificate/dify/dify-tls', '/spec/privateKey/algorithm', 'must be one of: "RSA", "ECDSA", "Ed25519"'),
    ]);
    const route = customWith('HTTPRoute', (d) => {
      d.spec.rules[0].backendRefs[0].port = 70000;
      d.spec.hostnames = ['Not A Host'];
    });
    expect(validateSchemas(route).map((i) => `${i.path} ${i.message}`)).toEqual([
      '/spec/hostnames/0 must match pattern ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
      '/spec/rules/0/backendRefs/0/port must be <= 65535',
    ]);
  });

  test('x-kubernetes-preserve-unknown-fields allows arbitrary keys only where declared', () => {
    const docs = customWith('ClusterIssuer', (d) => {
      d.spec.acme.solvers = [{ dns01: { webhook: { groupName: 'acme.example.com', solverName: 'x', config: { anything: { nested: true } }, extra: 1 } } }];
    });
    expect(validateSchemas(docs)).toEqual([issue('ClusterIssuer//letsencrypt', '/spec/acme/solvers/0/dns01/webhook/extra', 'unknown field "extra"')]);
  });

  test('a CR label value is validated like any other label', () => {
    const docs = customWith('ServiceMonitor', (d) => {
      d.metadata.labels.release = 'prometheus stack';
    });
    expect(validateSchemas(docs).map((i) => i.path)).toEqual(['/metadata/labels/release']);
  });

  test('a version the CRD does not serve is an unknown kind', () => {
    const docs = customWith('ExternalSecret', (d) => {
      d.apiVersion = 'external-secrets.io/v1beta1';
    });
    expect(validateSchemas(docs)).toEqual([
      issue('ExternalSecret/dify/api-secret', '/apiVersion', 'unknown kind: the ExternalSecret CRD does not serve version "v1beta1" (served: v1)'),
    ]);
  });
});

describe('validateSchemas: structural schema semantics (fixture CRD)', () => {
  const crdDir = path.join(FIXTURES, 'schema-crds');
  const widget = (spec: Doc, apiVersion = 'example.com/v1'): Doc[] => [{ apiVersion, kind: 'Widget', metadata: { name: 'w', namespace: 'dify' }, spec }];
  const check = (spec: Doc, apiVersion?: string): string[] => validateSchemas(widget(spec, apiVersion), { crdDir }).map((i) => `${i.path} ${i.message}`);

  test('a valid widget passes, including free-form and map fields', () => {
    expect(
      check({
        size: 3,
        mode: 'fast',
        name: 'abc',
        port: 'http',
        note: null,
        labels: { a: 'b' },
        config: { known: true, anything: { deep: [1] } },
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { replicas: 1 } },
        ports: [{ name: 'a', number: 1 }, { name: 'b' }],
        source: { url: 'https://x' },
      }),
    ).toEqual([]);
    expect(check({ size: 1, port: 8080 })).toEqual([]);
  });

  test('each structural violation is reported', () => {
    expect(
      check({
        mode: 'medium',
        name: 'ABCDEFGHIJ',
        port: true,
        labels: { a: 1 },
        config: { known: 'yes' },
        template: { spec: { replicas: 1, extra: 1 } },
        ports: [{ name: 'a' }, { name: 'a' }, { number: 2 }, { name: 'd' }],
        source: { url: 'u', path: 'p' },
        unknown: 1,
      }),
    ).toEqual([
      '/spec missing required field "size"',
      '/spec/config/known must be boolean',
      '/spec/labels/a must be string',
      '/spec/mode must be one of: "fast", "slow"',
      '/spec/name must be at most 8 characters',
      '/spec/name must match pattern ^[a-z]+$',
      '/spec/port must be an integer or a string',
      '/spec/ports must have at most 3 items',
      '/spec/ports/1 duplicate entry for list-map keys [name] (same as item 0)',
      '/spec/ports/2 missing required field "name"',
      '/spec/source must match exactly one schema in oneOf',
      '/spec/template/spec/extra unknown field "extra"',
      '/spec/unknown unknown field "unknown"',
    ]);
    expect(check({ size: 11 })).toEqual(['/spec/size must be <= 10']);
    expect(check({ size: 0.5 })).toEqual(['/spec/size must be integer']);
    expect(check({ size: 1, mode: null })).toEqual(['/spec/mode must not be null']);
  });

  test('an unserved version is reported', () => {
    expect(check({ size: 1 }, 'example.com/v1alpha1')).toEqual(['/apiVersion unknown kind: the Widget CRD does not serve version "v1alpha1" (served: v1)']);
  });
});

describe('kubernetes-models gaps', () => {
  test('PriorityClass.description is a real field the models drop: accepted, while unknown fields stay errors', () => {
    const pc = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'dify-critical' }, value: 1000, description: 'serving path' };
    expect(validateSchemas([pc])).toEqual([]);
    expect(validateSchemas([{ ...pc, descripton: 'typo' }]).map((i) => i.message)).toEqual(['unknown field "descripton"']);
  });
});
