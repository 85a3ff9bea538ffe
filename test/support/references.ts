/**
 * Cross-object reference checks for synthesized Kubernetes manifests.
 *
 * Works on plain parsed documents and reports every reference that would not resolve in a
 * cluster: Service selectors and target ports, StatefulSet governing Services, workload
 * selectors, ConfigMap/Secret keys used by env/envFrom/volumes, PVCs, volume mounts,
 * ServiceAccounts, RBAC bindings, Ingress backends and TLS secrets, HPA targets, PDB and
 * NetworkPolicy selectors, image pull secrets, and the references of the bundled custom
 * resources (Certificate issuers, ExternalSecret stores, ServiceMonitor/PodMonitor selectors and
 * ports, HTTPRoute backends, Gateway certificate refs).
 *
 * Secrets that are produced by controllers count as existing: ExternalSecret targets (keys from
 * `spec.data[].secretKey` and `spec.target.template.data`; any key when `dataFrom` or
 * `templateFrom` is used), cert-manager Certificate `secretName`s (`tls.crt`, `tls.key`,
 * `ca.crt`, ...), and the caller's `runtimeSecrets` (created by Jobs at runtime).
 */
import { apiGroup, docId, isClusterScoped } from './schema';

/** A Secret created at runtime (e.g. by a Job), treated as existing with exactly these keys. */
export interface RuntimeSecret {
  readonly name: string;
  /** Defaults to `defaultNamespace`. */
  readonly namespace?: string;
  readonly keys: readonly string[];
}

/** A Service that exists outside the manifests (e.g. provided by another chart). */
export interface ExternalService {
  readonly name: string;
  /** Defaults to `defaultNamespace`. */
  readonly namespace?: string;
  /** Port numbers and/or port names it exposes; omitted = any port is accepted. */
  readonly ports?: ReadonlyArray<number | string>;
}

/** A ServiceAccount that exists outside the manifests (e.g. Prometheus' in another namespace). */
export interface ExternalServiceAccount {
  readonly name: string;
  /** Defaults to `defaultNamespace`. */
  readonly namespace?: string;
}

/** Options for {@link checkReferences}. */
export interface CheckReferencesOptions {
  /** Namespace of namespaced objects without `metadata.namespace`. Default `'default'`. */
  readonly defaultNamespace?: string;
  readonly runtimeSecrets?: ReadonlyArray<RuntimeSecret>;
  readonly externalServices?: ReadonlyArray<ExternalService>;
  readonly externalServiceAccounts?: ReadonlyArray<ExternalServiceAccount>;
  /** Names of image pull Secrets provisioned outside the manifests (accepted in every namespace). */
  readonly imagePullSecrets?: readonly string[];
}

/** A pod template found in a workload (or a bare Pod). */
export interface PodTemplate {
  /** `Kind/namespace/name` of the owning document. */
  readonly doc: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Labels of the pods created from the template. */
  readonly labels: Record<string, string>;
  /** The PodSpec. */
  readonly spec: Record<string, any>;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function arr(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

function nsOf(doc: Obj, defaultNamespace: string): string {
  if (isClusterScoped(str(doc.kind) ?? '')) return '';
  return str(obj(doc.metadata).namespace) || defaultNamespace;
}

function nameOf(doc: Obj): string {
  return str(obj(doc.metadata).name) ?? '';
}

function fmtLabels(labels: Readonly<Record<string, unknown>>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ')}}`;
}

/**
 * Whether a `metav1.LabelSelector` (`matchLabels` + `matchExpressions`) selects `labels`.
 * An empty selector selects everything.
 */
export function labelSelectorMatches(selector: Readonly<Record<string, any>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!isObj(selector)) return false;
  for (const [k, v] of Object.entries(obj(selector.matchLabels))) if (labels[k] !== v) return false;
  for (const expr of arr(selector.matchExpressions)) {
    const key = str(expr.key) ?? '';
    const values = Array.isArray(expr.values) ? expr.values.map(String) : [];
    const has = Object.hasOwn(labels, key);
    switch (expr.operator) {
      case 'In':
        if (!has || !values.includes(labels[key] ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function isEmptySelector(selector: unknown): boolean {
  return !isObj(selector) || (Object.keys(obj(selector.matchLabels)).length === 0 && arr(selector.matchExpressions).length === 0);
}

function mapSelectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const WORKLOAD_KINDS: Readonly<Record<string, string>> = {
  Deployment: 'apps',
  StatefulSet: 'apps',
  DaemonSet: 'apps',
  ReplicaSet: 'apps',
  Job: 'batch',
  CronJob: 'batch',
  Pod: '',
};

function isWorkload(doc: Obj): boolean {
  const kind = str(doc.kind) ?? '';
  return WORKLOAD_KINDS[kind] !== undefined && apiGroup(str(doc.apiVersion) ?? '') === WORKLOAD_KINDS[kind];
}

function templateOf(doc: Obj, defaultNamespace: string): PodTemplate {
  const kind = str(doc.kind) ?? '';
  const spec = obj(doc.spec);
  let template: Obj;
  if (kind === 'Pod') template = { metadata: doc.metadata, spec: doc.spec };
  else if (kind === 'CronJob') template = obj(obj(obj(spec.jobTemplate).spec).template);
  else template = obj(spec.template);
  return {
    doc: docId(doc, defaultNamespace),
    kind,
    name: nameOf(doc),
    namespace: nsOf(doc, defaultNamespace),
    labels: stringMap(obj(template.metadata).labels),
    spec: obj(template.spec),
  };
}

/** Pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and bare Pods. */
export function podTemplates(docs: ReadonlyArray<Record<string, any>>, opts: { readonly defaultNamespace?: string } = {}): PodTemplate[] {
  const defaultNamespace = opts.defaultNamespace ?? 'default';
  return docs
    .filter(isObj)
    .filter(isWorkload)
    .map((d) => templateOf(d, defaultNamespace));
}

/** Keys of a ConfigMap/Secret; `any` when the producer's keys are not known statically. */
interface KeySet {
  readonly any: boolean;
  readonly keys: ReadonlySet<string>;
  readonly source: string;
}

const CERT_MANAGER_ISSUER_ANNOTATIONS = ['cert-manager.io/cluster-issuer', 'cert-manager.io/issuer'];

/**
 * Checks that every reference between the documents resolves; returns one human-readable
 * problem per broken reference (empty = all references resolve).
 */
export function checkReferences(docs: ReadonlyArray<Record<string, any>>, opts: CheckReferencesOptions = {}): string[] {
  const defaultNamespace = opts.defaultNamespace ?? 'default';
  const problems: string[] = [];
  const report = (doc: Obj, message: string): void => {
    problems.push(`${docId(doc, defaultNamespace)}: ${message}`);
  };
  const key = (ns: string, name: string): string => `${ns}/${name}`;
  const all = docs.filter(isObj);

  // ---- indexes -------------------------------------------------------------------------------
  const byKind = new Map<string, Obj[]>(); // `${group}/${kind}` -> docs
  const of = (group: string, kind: string): Obj[] => byKind.get(`${group}/${kind}`) ?? [];
  for (const d of all) {
    const k = `${apiGroup(str(d.apiVersion) ?? '')}/${str(d.kind) ?? ''}`;
    byKind.set(k, [...(byKind.get(k) ?? []), d]);
  }
  const find = (group: string, kind: string, ns: string, name: string): Obj | undefined =>
    of(group, kind).find((d) => nameOf(d) === name && nsOf(d, defaultNamespace) === ns);

  const configMaps = new Map<string, KeySet>();
  for (const d of of('', 'ConfigMap')) {
    configMaps.set(key(nsOf(d, defaultNamespace), nameOf(d)), {
      any: false,
      keys: new Set([...Object.keys(obj(d.data)), ...Object.keys(obj(d.binaryData))]),
      source: 'ConfigMap',
    });
  }
  const secrets = new Map<string, KeySet>();
  const addSecret = (ns: string, name: string, ks: KeySet): void => {
    const prev = secrets.get(key(ns, name));
    secrets.set(key(ns, name), prev ? { any: prev.any || ks.any, keys: new Set([...prev.keys, ...ks.keys]), source: prev.source } : ks);
  };
  for (const d of of('', 'Secret')) {
    addSecret(nsOf(d, defaultNamespace), nameOf(d), {
      any: d.type === 'kubernetes.io/service-account-token',
      keys: new Set([...Object.keys(obj(d.data)), ...Object.keys(obj(d.stringData))]),
      source: 'Secret',
    });
  }
  for (const s of opts.runtimeSecrets ?? []) {
    addSecret(s.namespace ?? defaultNamespace, s.name, { any: false, keys: new Set(s.keys), source: 'runtime Secret' });
  }
  for (const d of of('external-secrets.io', 'ExternalSecret')) {
    const spec = obj(d.spec);
    const target = obj(spec.target);
    if (target.creationPolicy === 'None') continue;
    const template = obj(target.template);
    addSecret(nsOf(d, defaultNamespace), str(target.name) ?? nameOf(d), {
      any: arr(spec.dataFrom).length > 0 || arr(template.templateFrom).length > 0,
      keys: new Set([...arr(spec.data).map((x) => str(x.secretKey) ?? ''), ...Object.keys(obj(template.data))]),
      source: `ExternalSecret ${nameOf(d)}`,
    });
  }
  for (const d of of('cert-manager.io', 'Certificate')) {
    const spec = obj(d.spec);
    const secretName = str(spec.secretName);
    if (!secretName) continue;
    const ns = nsOf(d, defaultNamespace);
    const extra = arr(spec.additionalOutputFormats).map((f) => (f.type === 'CombinedPEM' ? 'tls-combined.pem' : f.type === 'DER' ? 'key.der' : ''));
    addSecret(ns, secretName, {
      any: isObj(spec.keystores) && Object.keys(spec.keystores).length > 0,
      keys: new Set(['tls.crt', 'tls.key', 'ca.crt', ...extra]),
      source: `Certificate ${nameOf(d)}`,
    });
  }

  const services = new Map<string, { readonly ports: ReadonlyArray<Obj> | undefined; readonly doc?: Obj }>();
  for (const d of of('', 'Service')) services.set(key(nsOf(d, defaultNamespace), nameOf(d)), { ports: arr(obj(d.spec).ports), doc: d });
  for (const s of opts.externalServices ?? []) {
    services.set(key(s.namespace ?? defaultNamespace, s.name), { ports: s.ports?.map((p) => (typeof p === 'number' ? { port: p } : { name: p })) });
  }
  const serviceAccounts = new Set<string>(of('', 'ServiceAccount').map((d) => key(nsOf(d, defaultNamespace), nameOf(d))));
  for (const sa of opts.externalServiceAccounts ?? []) serviceAccounts.add(key(sa.namespace ?? defaultNamespace, sa.name));
  const saExists = (ns: string, name: string): boolean => name === 'default' || serviceAccounts.has(key(ns, name));
  const pvcs = new Set<string>(of('', 'PersistentVolumeClaim').map((d) => key(nsOf(d, defaultNamespace), nameOf(d))));
  // The StatefulSet controller creates `<template>-<statefulset>-<ordinal>` for each volumeClaimTemplate and replica.
  for (const d of of('apps', 'StatefulSet')) {
    const spec = obj(d.spec);
    for (const c of arr(spec.volumeClaimTemplates)) {
      for (let i = 0; i < (typeof spec.replicas === 'number' ? spec.replicas : 1); i++) {
        pvcs.add(key(nsOf(d, defaultNamespace), `${str(obj(c.metadata).name)}-${nameOf(d)}-${i}`));
      }
    }
  }
  const pullSecretsAllowed = new Set(opts.imagePullSecrets ?? []);

  const owned = all.filter(isWorkload).map((d) => ({ owner: d, t: templateOf(d, defaultNamespace) }));
  const templates = owned.map((o) => o.t);
  const templatesIn = (ns: string): PodTemplate[] => templates.filter((t) => t.namespace === ns);

  /** Checks a ConfigMap/Secret reference (and optionally one key); returns a problem or undefined. */
  const resolveKeyed = (kind: 'ConfigMap' | 'Secret', ns: string, name: unknown, keyName?: unknown): string | undefined => {
    if (typeof name !== 'string' || name === '') return `${kind} name is missing`;
    const ks = (kind === 'ConfigMap' ? configMaps : secrets).get(key(ns, name));
    if (!ks) return `${kind} ${ns}/${name} not found`;
    if (keyName !== undefined && !ks.any && !ks.keys.has(String(keyName))) {
      return `key "${String(keyName)}" not found in ${kind} ${ns}/${name}${ks.source === kind ? '' : ` (from ${ks.source})`}`;
    }
    return undefined;
  };

  // ---- pod templates -------------------------------------------------------------------------
  for (const { owner: doc, t } of owned) {
    const ns = t.namespace;
    const spec = t.spec;
    const workloadSpec = obj(doc.spec);

    // Workload selector vs. its own template labels.
    if (t.kind !== 'Pod') {
      const selector = t.kind === 'CronJob' ? obj(obj(workloadSpec.jobTemplate).spec).selector : workloadSpec.selector;
      const required = t.kind !== 'Job' && t.kind !== 'CronJob';
      if (selector === undefined) {
        if (required) report(doc, 'spec.selector is missing');
      } else if (isEmptySelector(selector) && required) {
        report(doc, 'spec.selector is empty');
      } else if (!labelSelectorMatches(obj(selector), t.labels)) {
        report(doc, `spec.selector does not match the pod template labels ${fmtLabels(t.labels)}`);
      }
    }

    // Volumes.
    const claimTemplates =
      t.kind === 'StatefulSet' ? new Set(arr(workloadSpec.volumeClaimTemplates).map((c) => str(obj(c.metadata).name) ?? '')) : new Set<string>();
    const volumeNames = new Set<string>();
    for (const v of arr(spec.volumes)) {
      const vname = str(v.name) ?? '';
      if (volumeNames.has(vname)) report(doc, `volume "${vname}" is declared twice`);
      volumeNames.add(vname);
      if (claimTemplates.has(vname)) continue; // replaced by the StatefulSet's claim
      const where = `volume "${vname}"`;
      const checkItems = (kind: 'ConfigMap' | 'Secret', name: unknown, src: Obj): void => {
        if (src.optional === true) return;
        const p = resolveKeyed(kind, ns, name);
        if (p) {
          report(doc, `${where}: ${p}`);
          return;
        }
        for (const item of arr(src.items)) {
          const ip = resolveKeyed(kind, ns, name, item.key);
          if (ip) report(doc, `${where}: ${ip}`);
        }
      };
      if (isObj(v.configMap)) checkItems('ConfigMap', v.configMap.name, v.configMap);
      if (isObj(v.secret)) checkItems('Secret', v.secret.secretName, v.secret);
      if (isObj(v.projected)) {
        for (const source of arr(v.projected.sources)) {
          if (isObj(source.configMap)) checkItems('ConfigMap', source.configMap.name, source.configMap);
          if (isObj(source.secret)) checkItems('Secret', source.secret.name, source.secret);
        }
      }
      if (isObj(v.persistentVolumeClaim)) {
        const claim = str(v.persistentVolumeClaim.claimName) ?? '';
        if (!pvcs.has(key(ns, claim)) && !claimTemplates.has(claim)) {
          report(doc, `${where}: PersistentVolumeClaim ${ns}/${claim} not found`);
        }
      }
    }
    const mountable = new Set([...volumeNames, ...claimTemplates]);

    // Containers.
    const containers = [
      ...arr(spec.initContainers).map((c) => ({ c, kind: 'initContainer' })),
      ...arr(spec.containers).map((c) => ({ c, kind: 'container' })),
      ...arr(spec.ephemeralContainers).map((c) => ({ c, kind: 'ephemeralContainer' })),
    ];
    const containerNames = new Set<string>();
    for (const { c, kind } of containers) {
      const cname = str(c.name) ?? '';
      const where = `${kind} "${cname}"`;
      if (containerNames.has(cname)) report(doc, `${where} is declared twice`);
      containerNames.add(cname);
      for (const ef of arr(c.envFrom)) {
        if (isObj(ef.configMapRef) && ef.configMapRef.optional !== true) {
          const p = resolveKeyed('ConfigMap', ns, ef.configMapRef.name);
          if (p) report(doc, `${where} envFrom configMapRef: ${p}`);
        }
        if (isObj(ef.secretRef) && ef.secretRef.optional !== true) {
          const p = resolveKeyed('Secret', ns, ef.secretRef.name);
          if (p) report(doc, `${where} envFrom secretRef: ${p}`);
        }
      }
      for (const e of arr(c.env)) {
        const vf = obj(e.valueFrom);
        const ename = str(e.name) ?? '';
        if (isObj(vf.configMapKeyRef) && vf.configMapKeyRef.optional !== true) {
          const p = resolveKeyed('ConfigMap', ns, vf.configMapKeyRef.name, vf.configMapKeyRef.key);
          if (p) report(doc, `${where} env ${ename}: ${p}`);
        }
        if (isObj(vf.secretKeyRef) && vf.secretKeyRef.optional !== true) {
          const p = resolveKeyed('Secret', ns, vf.secretKeyRef.name, vf.secretKeyRef.key);
          if (p) report(doc, `${where} env ${ename}: ${p}`);
        }
      }
      const mountPaths = new Set<string>();
      for (const m of [...arr(c.volumeMounts), ...arr(c.volumeDevices)]) {
        const mname = str(m.name) ?? '';
        if (!mountable.has(mname)) report(doc, `${where} mounts undeclared volume "${mname}"`);
        const mp = str(m.mountPath) ?? str(m.devicePath);
        if (mp !== undefined) {
          if (mountPaths.has(mp)) report(doc, `${where} mounts path "${mp}" twice`);
          mountPaths.add(mp);
        }
      }
    }

    // ServiceAccount and image pull secrets.
    const sa = str(spec.serviceAccountName) ?? str(spec.serviceAccount);
    if (sa !== undefined && sa !== '' && !saExists(ns, sa)) report(doc, `serviceAccountName "${sa}": ServiceAccount ${ns}/${sa} not found`);
    for (const ps of arr(spec.imagePullSecrets)) {
      const psName = str(ps.name) ?? '';
      if (!pullSecretsAllowed.has(psName) && !secrets.has(key(ns, psName))) report(doc, `imagePullSecret "${psName}": Secret ${ns}/${psName} not found`);
    }
  }

  for (const d of of('', 'ServiceAccount')) {
    const ns = nsOf(d, defaultNamespace);
    for (const ps of arr(d.imagePullSecrets)) {
      const psName = str(ps.name) ?? '';
      if (!pullSecretsAllowed.has(psName) && !secrets.has(key(ns, psName))) report(d, `imagePullSecret "${psName}": Secret ${ns}/${psName} not found`);
    }
    for (const s of arr(d.secrets)) {
      const sName = str(s.name) ?? '';
      if (!secrets.has(key(ns, sName))) report(d, `secret "${sName}": Secret ${ns}/${sName} not found`);
    }
  }

  // ---- Services ------------------------------------------------------------------------------
  const containerPortsOf = (t: PodTemplate): Obj[] => {
    const sidecars = arr(t.spec.initContainers).filter((c) => c.restartPolicy === 'Always');
    return [...arr(t.spec.containers), ...sidecars].flatMap((c) => arr(c.ports));
  };
  const selectedBy = (ns: string, selector: Record<string, string>): PodTemplate[] => templatesIn(ns).filter((t) => mapSelectorMatches(selector, t.labels));

  for (const d of of('', 'Service')) {
    const ns = nsOf(d, defaultNamespace);
    const spec = obj(d.spec);
    const selector = stringMap(spec.selector);
    if (spec.type === 'ExternalName' || Object.keys(selector).length === 0) continue;
    const selected = selectedBy(ns, selector);
    if (selected.length === 0) {
      report(d, `selector ${fmtLabels(selector)} matches no pod template in namespace ${ns}`);
      continue;
    }
    for (const p of arr(spec.ports)) {
      const port = p.port;
      const target = p.targetPort ?? port;
      const protocol = str(p.protocol) ?? 'TCP';
      for (const t of selected) {
        const ok = containerPortsOf(t).some(
          (cp) => (str(cp.protocol) ?? 'TCP') === protocol && (typeof target === 'string' ? cp.name === target : cp.containerPort === target),
        );
        if (!ok) {
          report(d, `port ${String(port)} targetPort ${JSON.stringify(target)}${protocol === 'TCP' ? '' : `/${protocol}`} is not a containerPort of ${t.doc}`);
        }
      }
    }
  }

  for (const d of of('apps', 'StatefulSet')) {
    const ns = nsOf(d, defaultNamespace);
    const serviceName = str(obj(d.spec).serviceName);
    if (!serviceName) continue;
    const svc = services.get(key(ns, serviceName));
    if (!svc) report(d, `serviceName "${serviceName}": Service ${ns}/${serviceName} not found`);
    else if (svc.doc && obj(svc.doc.spec).clusterIP !== 'None')
      report(d, `serviceName "${serviceName}": Service ${ns}/${serviceName} is not headless (clusterIP: None)`);
  }

  /** Resolves a Service + port (number or name) reference; returns a problem or undefined. */
  const resolveServicePort = (ns: string, name: unknown, port: { number?: unknown; name?: unknown }): string | undefined => {
    const svcName = str(name) ?? '';
    const svc = services.get(key(ns, svcName));
    if (!svc) return `Service ${ns}/${svcName} not found`;
    if (!svc.ports) return undefined;
    if (port.number !== undefined && !svc.ports.some((p) => p.port === port.number)) return `Service ${ns}/${svcName} has no port ${String(port.number)}`;
    if (port.name !== undefined && !svc.ports.some((p) => p.name === port.name)) return `Service ${ns}/${svcName} has no port named "${String(port.name)}"`;
    return undefined;
  };

  // ---- Ingress -------------------------------------------------------------------------------
  for (const d of of('networking.k8s.io', 'Ingress')) {
    const ns = nsOf(d, defaultNamespace);
    const spec = obj(d.spec);
    const backends = [
      ...(isObj(spec.defaultBackend) ? [{ where: 'defaultBackend', b: spec.defaultBackend }] : []),
      ...arr(spec.rules).flatMap((r) =>
        arr(obj(r.http).paths).map((p) => ({ where: `backend of ${str(r.host) ?? '*'}${str(p.path) ?? ''}`, b: obj(p.backend) })),
      ),
    ];
    for (const { where, b } of backends) {
      if (!isObj(b.service)) continue;
      const port = obj(b.service.port);
      const p = resolveServicePort(ns, b.service.name, { number: port.number, name: port.name });
      if (p) report(d, `${where}: ${p}`);
    }
    const annotations = obj(obj(d.metadata).annotations);
    const shim = CERT_MANAGER_ISSUER_ANNOTATIONS.some((a) => typeof annotations[a] === 'string');
    for (const tls of arr(spec.tls)) {
      const secretName = str(tls.secretName);
      if (!secretName || shim || secrets.has(key(ns, secretName))) continue;
      report(
        d,
        `TLS secretName "${secretName}": Secret ${ns}/${secretName} not found (no Secret, cert-manager Certificate or cert-manager issuer annotation provides it)`,
      );
    }
  }

  // ---- RBAC ----------------------------------------------------------------------------------
  for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
    for (const d of of('rbac.authorization.k8s.io', kind)) {
      const ns = nsOf(d, defaultNamespace);
      const roleRef = obj(d.roleRef);
      const roleName = str(roleRef.name) ?? '';
      if (roleRef.kind === 'Role') {
        if (kind === 'ClusterRoleBinding') report(d, `roleRef must refer to a ClusterRole, not Role "${roleName}"`);
        else if (!find('rbac.authorization.k8s.io', 'Role', ns, roleName)) report(d, `roleRef Role "${roleName}" not found in namespace ${ns}`);
      }
      for (const s of arr(d.subjects)) {
        if (s.kind !== 'ServiceAccount') continue;
        const sNs = str(s.namespace) ?? (kind === 'RoleBinding' ? ns : undefined);
        const sName = str(s.name) ?? '';
        if (sNs === undefined) report(d, `subject ServiceAccount "${sName}" needs a namespace`);
        else if (!saExists(sNs, sName)) report(d, `subject ServiceAccount ${sNs}/${sName} not found`);
      }
    }
  }

  // ---- autoscaling / disruption / network policy ---------------------------------------------
  for (const d of of('autoscaling', 'HorizontalPodAutoscaler')) {
    const ns = nsOf(d, defaultNamespace);
    const ref = obj(obj(d.spec).scaleTargetRef);
    const refKind = str(ref.kind) ?? '';
    const refName = str(ref.name) ?? '';
    if (!find(apiGroup(str(ref.apiVersion) ?? ''), refKind, ns, refName)) {
      report(d, `scaleTargetRef ${str(ref.apiVersion) ?? ''} ${refKind} "${refName}" not found in namespace ${ns}`);
    }
  }
  for (const d of of('policy', 'PodDisruptionBudget')) {
    const ns = nsOf(d, defaultNamespace);
    const selector = obj(d.spec).selector;
    if (!templatesIn(ns).some((t) => labelSelectorMatches(obj(selector), t.labels))) {
      report(d, `selector matches no pod template in namespace ${ns}`);
    }
  }
  for (const d of of('networking.k8s.io', 'NetworkPolicy')) {
    const ns = nsOf(d, defaultNamespace);
    const selector = obj(d.spec).podSelector;
    if (isEmptySelector(selector)) continue;
    if (!templatesIn(ns).some((t) => labelSelectorMatches(obj(selector), t.labels))) {
      report(d, `podSelector matches no pod template in namespace ${ns}`);
    }
  }

  // ---- custom resources ----------------------------------------------------------------------
  for (const d of of('cert-manager.io', 'Certificate')) {
    const ns = nsOf(d, defaultNamespace);
    const ref = obj(obj(d.spec).issuerRef);
    const group = str(ref.group) ?? 'cert-manager.io';
    const refKind = str(ref.kind) ?? 'Issuer';
    const refName = str(ref.name) ?? '';
    if (group === 'cert-manager.io' && refKind === 'Issuer' && !find('cert-manager.io', 'Issuer', ns, refName)) {
      report(d, `issuerRef Issuer "${refName}" not found in namespace ${ns}`);
    }
  }
  for (const d of of('external-secrets.io', 'ExternalSecret')) {
    const ns = nsOf(d, defaultNamespace);
    const ref = obj(d.spec).secretStoreRef;
    if (!isObj(ref)) continue;
    const refKind = str(ref.kind) ?? 'SecretStore';
    const refName = str(ref.name) ?? '';
    if (refKind === 'SecretStore' && !find('external-secrets.io', 'SecretStore', ns, refName)) {
      report(d, `secretStoreRef SecretStore "${refName}" not found in namespace ${ns}`);
    }
  }
  for (const d of of('monitoring.coreos.com', 'ServiceMonitor')) {
    const ns = nsOf(d, defaultNamespace);
    const spec = obj(d.spec);
    const nsSel = obj(spec.namespaceSelector);
    const namespaces = Array.isArray(nsSel.matchNames) ? nsSel.matchNames.map(String) : [ns];
    const selected = of('', 'Service').filter(
      (s) =>
        (nsSel.any === true || namespaces.includes(nsOf(s, defaultNamespace))) && labelSelectorMatches(obj(spec.selector), stringMap(obj(s.metadata).labels)),
    );
    if (selected.length === 0) {
      report(d, `selector matches no Service (by Service labels) in namespace(s) ${nsSel.any === true ? '*' : namespaces.join(', ')}`);
      continue;
    }
    for (const e of arr(spec.endpoints)) {
      if (typeof e.port !== 'string') continue;
      for (const s of selected) {
        if (!arr(obj(s.spec).ports).some((p) => p.name === e.port)) report(d, `endpoint port "${e.port}" is not a port name of ${docId(s, defaultNamespace)}`);
      }
    }
  }
  for (const d of of('monitoring.coreos.com', 'PodMonitor')) {
    const ns = nsOf(d, defaultNamespace);
    const spec = obj(d.spec);
    const nsSel = obj(spec.namespaceSelector);
    const namespaces = Array.isArray(nsSel.matchNames) ? nsSel.matchNames.map(String) : [ns];
    const selected = templates.filter((t) => (nsSel.any === true || namespaces.includes(t.namespace)) && labelSelectorMatches(obj(spec.selector), t.labels));
    if (selected.length === 0) {
      report(d, `selector matches no pod template in namespace(s) ${nsSel.any === true ? '*' : namespaces.join(', ')}`);
      continue;
    }
    for (const e of arr(spec.podMetricsEndpoints)) {
      for (const t of selected) {
        const ports = containerPortsOf(t);
        if (typeof e.port === 'string' && !ports.some((p) => p.name === e.port))
          report(d, `podMetricsEndpoint port "${e.port}" is not a containerPort name of ${t.doc}`);
        if (typeof e.portNumber === 'number' && !ports.some((p) => p.containerPort === e.portNumber))
          report(d, `podMetricsEndpoint portNumber ${e.portNumber} is not a containerPort of ${t.doc}`);
      }
    }
  }

  /** Whether a ReferenceGrant in `toNs` allows `fromKind` objects in `fromNs` to refer to `toKind` `toName`. */
  const granted = (fromKind: string, fromNs: string, toGroup: string, toKind: string, toNs: string, toName: string): boolean =>
    of('gateway.networking.k8s.io', 'ReferenceGrant').some(
      (g) =>
        nsOf(g, defaultNamespace) === toNs &&
        arr(obj(g.spec).from).some((f) => f.group === 'gateway.networking.k8s.io' && f.kind === fromKind && f.namespace === fromNs) &&
        arr(obj(g.spec).to).some((t) => (str(t.group) ?? '') === toGroup && t.kind === toKind && (t.name === undefined || t.name === toName)),
    );

  for (const d of of('gateway.networking.k8s.io', 'HTTPRoute')) {
    const ns = nsOf(d, defaultNamespace);
    for (const rule of arr(obj(d.spec).rules)) {
      for (const ref of arr(rule.backendRefs)) {
        if ((str(ref.group) ?? '') !== '' || (str(ref.kind) ?? 'Service') !== 'Service') continue;
        const refNs = str(ref.namespace) ?? ns;
        const refName = str(ref.name) ?? '';
        const p = resolveServicePort(refNs, refName, { number: ref.port });
        if (p) report(d, `backendRef: ${p}`);
        if (refNs !== ns && !granted('HTTPRoute', ns, '', 'Service', refNs, refName)) {
          report(d, `backendRef to Service ${refNs}/${refName} needs a ReferenceGrant in namespace ${refNs}`);
        }
      }
    }
  }
  for (const d of of('gateway.networking.k8s.io', 'Gateway')) {
    const ns = nsOf(d, defaultNamespace);
    for (const l of arr(obj(d.spec).listeners)) {
      for (const ref of arr(obj(l.tls).certificateRefs)) {
        if ((str(ref.group) ?? '') !== '' || (str(ref.kind) ?? 'Secret') !== 'Secret') continue;
        const refNs = str(ref.namespace) ?? ns;
        const refName = str(ref.name) ?? '';
        if (!secrets.has(key(refNs, refName))) report(d, `listener "${str(l.name) ?? ''}" certificateRef: Secret ${refNs}/${refName} not found`);
        if (refNs !== ns && !granted('Gateway', ns, '', 'Secret', refNs, refName)) {
          report(d, `listener "${str(l.name) ?? ''}" certificateRef to Secret ${refNs}/${refName} needs a ReferenceGrant in namespace ${refNs}`);
        }
      }
    }
  }

  return [...new Set(problems)];
}
