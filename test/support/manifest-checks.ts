import { SENSITIVE_ENV_NAMES } from '../../lib';
import { PssLevel, checkPodSecurity, podSpecsFromManifests } from './pss';
import { RuntimeSecret, checkReferences, labelSelectorMatches } from './references';
import { formatIssues, validateSchemas } from './schema';

/** Options of {@link manifestProblems}. */
export interface ManifestCheckOptions {
  /** Namespace of documents without one. */
  readonly namespace: string;
  /** Secrets created at run time (the generator Job's, Secrets you manage), with their keys. @default [] */
  readonly runtimeSecrets?: readonly RuntimeSecret[];
}

/** What any rendered installation is held to, dist/ and the README's examples alike; each list is empty when it passes. */
export interface ManifestProblems {
  /** Strict schema validation (unknown fields rejected), formatted; '' when valid. */
  readonly schema: string;
  /** Services, Secrets (and keys), ConfigMaps, claims, accounts, Ingress backends that do not resolve. */
  readonly references: readonly string[];
  /** Pod Security: "restricted" for every pod but the sandbox ("baseline"), and the level its namespace enforces. */
  readonly podSecurity: ReadonlyArray<{ readonly doc: string; readonly level: string; readonly violations: readonly unknown[] }>;
  /** A credential in plain text: a Secret object, a sensitive name as a plain value or ConfigMap key, a URL with a password. */
  readonly credentials: readonly string[];
  /** Images not pinned to a tag or digest, or floating on :latest. */
  readonly images: readonly string[];
  /** Objects without the app.kubernetes.io part-of/managed-by labels. */
  readonly labels: readonly string[];
  /** Pods no NetworkPolicy isolates for ingress and egress (so default-deny and the derived allows apply to them). */
  readonly policies: readonly string[];
}

/** The passing result, for `toEqual`. */
export const NO_PROBLEMS: ManifestProblems = { schema: '', references: [], podSecurity: [], credentials: [], images: [], labels: [], policies: [] };

const URL_WITH_PASSWORD = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@\s:]*:([^/?#@\s]+)@/g;
/** A password that is a placeholder filled at run time: printf, template, shell or Kubernetes `$(VAR)` syntax. */
const PLACEHOLDER = /^(%[sd]|\{\{?[^}]*\}\}?|\$\{\w+\}|\$\(\w+\)|\$\w+)$/;
/** Names upstream lists as credentials (services.json sensitive_env_names). */
const isCredentialName = (name: string) => SENSITIVE_ENV_NAMES.has(name.toUpperCase());

/** Runs every check of rendered documents (one installation, an App's charts, a tenant set). */
export function manifestProblems(docs: ReadonlyArray<Record<string, any>>, opts: ManifestCheckOptions): ManifestProblems {
  const id = (d: Record<string, any>) => `${d.kind}/${d.metadata?.namespace ?? opts.namespace}/${d.metadata?.name}`;
  const pods = podSpecsFromManifests(docs);
  // Pods in a namespace the documents create are also held to the level that namespace enforces.
  const enforced = new Map(
    docs.filter((d) => d.kind === 'Namespace').map((d) => [d.metadata?.name, d.metadata?.labels?.['pod-security.kubernetes.io/enforce']]),
  );
  const podSecurity: Array<{ doc: string; level: string; violations: unknown[] }> = [];
  for (const d of docs) {
    for (const { doc, spec, metadata } of podSpecsFromManifests([d])) {
      const own: PssLevel = metadata?.labels?.['app.kubernetes.io/component'] === 'sandbox' ? 'baseline' : 'restricted';
      const ns = enforced.get(d.metadata?.namespace ?? opts.namespace) as PssLevel | undefined;
      for (const level of new Set<PssLevel>([own, ...(ns ? [ns] : [])])) {
        const violations = checkPodSecurity(spec, level, metadata);
        if (violations.length) podSecurity.push({ doc, level, violations });
      }
    }
  }

  const credentials: string[] = [];
  for (const d of docs) {
    if (d.kind === 'Secret' && (d.data || d.stringData)) credentials.push(`${id(d)}: a Secret with data in the manifests`);
    if (d.kind === 'ConfigMap') for (const k of Object.keys(d.data ?? {})) if (isCredentialName(k)) credentials.push(`${id(d)}: ${k} is a credential name`);
  }
  for (const { doc, spec } of pods) {
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const e of c.env ?? []) if (e.value !== undefined && isCredentialName(e.name)) credentials.push(`${doc}:${c.name}: ${e.name} has a plain value`);
    }
  }
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string' && [...v.matchAll(URL_WITH_PASSWORD)].some((m) => !PLACEHOLDER.test(m[1]))) credentials.push(`${path}: a URL with a password`);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  for (const d of docs) walk(d, id(d));

  const images = pods.flatMap(({ doc, spec }) =>
    [...(spec.initContainers ?? []), ...(spec.containers ?? [])]
      .map((c: Record<string, any>) => String(c.image))
      .filter((image: string) => /:latest$/.test(image) || !/:[\w][\w.-]*$|@sha256:[a-f0-9]{64}$/.test(image))
      .map((image: string) => `${doc}: ${image}`),
  );
  const labels = docs
    .filter((d) => d.metadata?.labels?.['app.kubernetes.io/part-of'] !== 'dify' || d.metadata?.labels?.['app.kubernetes.io/managed-by'] !== 'cdk8s')
    .map(id);

  // Isolated both ways: every pod is selected by a NetworkPolicy of its namespace for Ingress and one for Egress.
  const netpols = docs.filter((d) => d.kind === 'NetworkPolicy');
  const policies: string[] = [];
  for (const d of docs) {
    for (const { doc, metadata } of podSpecsFromManifests([d])) {
      const ns = d.metadata?.namespace ?? opts.namespace;
      const selecting = netpols.filter(
        (p) => (p.metadata?.namespace ?? opts.namespace) === ns && labelSelectorMatches(p.spec?.podSelector, metadata?.labels ?? {}),
      );
      for (const type of ['Ingress', 'Egress'])
        if (!selecting.some((p) => (p.spec?.policyTypes ?? ['Ingress']).includes(type)))
          policies.push(`${doc} in ${ns}: no NetworkPolicy isolates its ${type}`);
    }
  }

  return {
    schema: formatIssues(validateSchemas(docs, { defaultNamespace: opts.namespace })),
    references: checkReferences(docs, { defaultNamespace: opts.namespace, runtimeSecrets: opts.runtimeSecrets }),
    podSecurity,
    credentials,
    images,
    labels,
    policies,
  };
}
