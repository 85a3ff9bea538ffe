import { existsSync, readdirSync, statSync } from 'fs';
import { dirname, join, relative, sep } from 'path';
import { Yaml } from 'cdk8s';
import { CREDENTIALS, CREDENTIAL_KEYS, CredentialSpec } from '../lib/secrets/credentials';
import { isKeptData } from '../lib/core/lifecycle';
import { parseBytes } from '../lib/core/k8s-rules';

/**
 * What an upgrade does to a running installation, before applying it: `dify-cdk8s plan OLD NEW`.
 * Levels, most severe first; `apply-fails` and `data-at-risk` make the command exit 1.
 */
export const LEVELS = ['apply-fails', 'data-at-risk', 'outage', 'action', 'info'] as const;
export type Level = (typeof LEVELS)[number];

/** One thing the upgrade does. */
export interface Finding {
  readonly level: Level;
  readonly kind: string;
  /** Empty for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
  readonly what: string;
  /** Exact commands, when the finding asks for an action. @default - none */
  readonly commands?: readonly string[];
}

/** A rendered or exported object and where it came from. */
export interface Manifest {
  readonly doc: Record<string, Json>;
  /** Folder of its file relative to the manifest root (`""`, `"data"`); undefined for a cluster export. */
  readonly kustomization?: string;
  /** False for a live object exported without its last-applied configuration (server defaults filled in). */
  readonly exact: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: manifests and exports are untyped JSON
type Json = any;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** How a finding is named in CHANGELOG's upgrade notes: `<Kind> <namespace>/<name>`, or `<Kind> <name>` when cluster-scoped. */
export function findingRef(f: Pick<Finding, 'kind' | 'namespace' | 'name'>): string {
  return f.namespace ? `${f.kind} ${f.namespace}/${f.name}` : `${f.kind} ${f.name}`;
}

/** Whether the finding makes `plan` exit 1. */
export function blocks(f: Finding): boolean {
  return f.level === 'apply-fails' || f.level === 'data-at-risk';
}

/**
 * Reads OLD or NEW: a folder of manifests (its `*.yaml`, `*.yml` and `*.json` but kustomization files, and those of
 * each subfolder that is a kustomization: `dist/prod` with its `data/`, not the hand-run `restore/`), or one file, which may be a `kubectl get -o yaml` export (a `List`). Exported
 * objects are compared through their last-applied configuration when they have one; objects a controller made
 * (ownerReferences) and live objects that are not this project's are left out.
 */
export function loadManifests(path: string): Manifest[] {
  if (!existsSync(path)) throw new Error(`plan: ${path} does not exist`);
  if (!statSync(path).isDirectory()) return fromDocs(Yaml.load(path), undefined);
  const out: Manifest[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      // A subfolder is part of the installation when it is a kustomization (data/), not otherwise (restore/: run by hand).
      if (e.isDirectory()) {
        if (existsSync(join(p, 'kustomization.yaml')) || existsSync(join(p, 'kustomization.yml'))) walk(p);
      } else if (/\.(ya?ml|json)$/.test(e.name) && !/^kustomization\.ya?ml$/.test(e.name)) {
        out.push(...fromDocs(Yaml.load(p), relative(path, dirname(p)).split(sep).join('/')));
      }
    }
  };
  walk(path);
  return out;
}

function fromDocs(docs: Json[], kustomization: string | undefined): Manifest[] {
  const out: Manifest[] = [];
  for (const d of docs.flatMap((x) => (x?.kind === 'List' || (x?.kind?.endsWith('List') && Array.isArray(x.items)) ? x.items : [x]))) {
    if (!d?.kind || !d.metadata?.name) continue;
    const applied = d.metadata.annotations?.[LAST_APPLIED];
    if (applied) {
      const doc = JSON.parse(applied);
      doc.metadata = { ...doc.metadata, namespace: doc.metadata?.namespace ?? d.metadata.namespace };
      out.push({ doc, kustomization, exact: true });
      continue;
    }
    const live = d.metadata.uid !== undefined || d.status !== undefined;
    if (live && (d.metadata.ownerReferences?.length || d.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'cdk8s')) continue;
    out.push({ doc: d, kustomization, exact: !live });
  }
  return out;
}

const group = (apiVersion: string | undefined) => (apiVersion?.includes('/') ? apiVersion.split('/')[0] : '');
const key = (d: Record<string, Json>) => `${group(d.apiVersion)}|${d.kind}|${d.metadata.namespace ?? ''}|${d.metadata.name}`;
const ns = (d: Record<string, Json>): string => d.metadata.namespace ?? '';

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Json)[k])]),
    );
  return v;
}

/** Every field `part` sets has the same value in `whole` (server defaults in `whole` ignored). */
function subset(part: unknown, whole: unknown): boolean {
  if (Array.isArray(part)) return Array.isArray(whole) && part.length === whole.length && part.every((x, i) => subset(x, whole[i]));
  if (part && typeof part === 'object')
    return !!whole && typeof whole === 'object' && Object.entries(part).every(([k, v]) => v === undefined || subset(v, (whole as Json)[k]));
  return part === whole || String(part) === String(whole);
}

/** Whether a field differs between the old and the new object (for a live old object: what NEW sets, against it). */
function differs(oldValue: unknown, newValue: unknown, exact: boolean): boolean {
  return exact ? !equal(oldValue ?? null, newValue ?? null) : newValue !== undefined && !subset(newValue, oldValue);
}

const podSpec = (d: Record<string, Json>) => (d.kind === 'CronJob' ? d.spec?.jobTemplate?.spec?.template?.spec : d.spec?.template?.spec);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

/** The findings of upgrading from `old` to `next`, most severe first. */
export function plan(old: readonly Manifest[], next: readonly Manifest[]): Finding[] {
  const findings: Finding[] = [];
  const add = (level: Level, d: Record<string, Json>, what: string, commands?: string[]) =>
    findings.push({ level, kind: d.kind, namespace: ns(d), name: d.metadata.name, what, ...(commands?.length ? { commands } : {}) });
  const generated = generatedSecrets(next.map((m) => m.doc));
  const oldByKey = new Map(old.filter((m) => !(m.doc.kind === 'Secret' && generated.has(`${ns(m.doc)}/${m.doc.metadata.name}`))).map((m) => [key(m.doc), m]));
  const newByKey = new Map(next.map((m) => [key(m.doc), m]));
  const created = next.filter((m) => !oldByKey.has(key(m.doc)));
  const deleted = [...oldByKey.values()].filter((m) => !newByKey.has(key(m.doc)));

  for (const m of next) {
    const before = oldByKey.get(key(m.doc));
    if (before) changed(before, m, next, add);
  }
  for (const m of created) add('info', m.doc, 'created');
  for (const m of deleted) removed(m.doc, created, add);
  credentialKeys(old, next, add);
  identities(old, next, add);
  return findings.sort(
    (a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) || findingRef(a).localeCompare(findingRef(b)) || a.what.localeCompare(b.what),
  );
}

type Add = (level: Level, d: Record<string, Json>, what: string, commands?: string[]) => void;

function changed(before: Manifest, after: Manifest, next: readonly Manifest[], add: Add): void {
  const o = before.doc;
  const n = after.doc;
  const exact = before.exact;
  const at = (path: string) => path.split('.').reduce<Json>((v, k) => v?.[k], o);
  const now = (path: string) => path.split('.').reduce<Json>((v, k) => v?.[k], n);
  const immutable = (path: string, why: string) => {
    if (differs(at(path), now(path), exact)) add('apply-fails', n, `${path} changes (${why}): delete and re-create the object`);
  };
  switch (n.kind) {
    case 'StatefulSet':
      for (const f of ['selector', 'serviceName', 'podManagementPolicy']) immutable(`spec.${f}`, 'immutable');
      if (claimTemplatesDiffer(o.spec?.volumeClaimTemplates, n.spec?.volumeClaimTemplates, exact)) {
        add(
          'apply-fails',
          n,
          'spec.volumeClaimTemplates changes (immutable): `kubectl delete statefulset --cascade=orphan`, then apply; existing claims keep their old spec (resize them one by one)',
        );
      }
      retention(o, n, add);
      break;
    case 'Deployment':
    case 'DaemonSet':
    case 'ReplicaSet':
      immutable('spec.selector', 'immutable');
      break;
    case 'Job':
      if (differs(o.spec?.template, n.spec?.template, exact))
        add('apply-fails', n, 'spec.template changes under the same Job name (immutable): delete the Job first or give it a new name');
      immutable('spec.selector', 'immutable');
      break;
    case 'Service':
      if (exact ? !equal(o.spec?.clusterIP ?? null, n.spec?.clusterIP ?? null) : n.spec?.clusterIP !== undefined && n.spec.clusterIP !== o.spec?.clusterIP)
        add('apply-fails', n, `spec.clusterIP changes from ${o.spec?.clusterIP ?? 'assigned'} to ${n.spec?.clusterIP ?? 'assigned'} (immutable)`);
      break;
    case 'PersistentVolumeClaim':
      claimSpec(o, n, exact, add);
      break;
    case 'ConfigMap':
    case 'Secret':
      if (o.immutable === true && (!equal(o.data, n.data) || !equal(o.binaryData, n.binaryData) || !equal(o.stringData, n.stringData) || n.immutable !== true))
        add('apply-fails', n, 'content of an immutable object changes: give it a new name (and point its readers to it)');
      break;
    case 'PriorityClass':
      immutable('value', 'immutable');
      break;
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      immutable('roleRef', 'immutable');
      break;
  }
  if (isKeptData(o) && !isKeptData(n)) add('data-at-risk', n, 'loses the keep annotations: Argo CD or Flux may now prune or delete it');
  if (before.kustomization !== undefined && after.kustomization !== undefined && before.kustomization !== after.kustomization) {
    const to = after.kustomization || '.';
    const from = before.kustomization || '.';
    if (isKeptData(n))
      add(
        'data-at-risk',
        n,
        `moves from the kustomization ${from} to ${to}: apply ${to} first (kubectl apply -k <dist>/${after.kustomization}); with Argo CD or Flux create and sync its Application/Kustomization before the one of ${from}, whose prune would otherwise delete it`,
      );
    else add('info', n, `moves from the kustomization ${from} to ${to}`);
  }
  if (WORKLOADS.has(n.kind) && n.kind !== 'Job') {
    dataMounts(o, n, add);
    databaseMajor(o, n, add);
    const t = (d: Record<string, Json>) => (d.kind === 'CronJob' ? d.spec?.jobTemplate?.spec?.template : d.spec?.template);
    if (n.kind !== 'CronJob' && differs(t(o), t(n), exact)) restarts(n, next, add);
  }
}

function claimTemplatesDiffer(a: Json[] | undefined, b: Json[] | undefined, exact: boolean): boolean {
  const norm = (ts: Json[] | undefined) =>
    (ts ?? []).map((t) => ({
      name: t.metadata?.name,
      labels: t.metadata?.labels,
      accessModes: t.spec?.accessModes,
      storageClassName: t.spec?.storageClassName,
      storage: t.spec?.resources?.requests?.storage !== undefined ? parseBytes(String(t.spec.resources.requests.storage)) : undefined,
      selector: t.spec?.selector,
    }));
  return differs(norm(a), norm(b), exact);
}

function retention(o: Record<string, Json>, n: Record<string, Json>, add: Add): void {
  if (!n.spec?.volumeClaimTemplates?.length) return;
  const p = (d: Record<string, Json>, f: string) => d.spec?.persistentVolumeClaimRetentionPolicy?.[f] ?? 'Retain';
  for (const f of ['whenDeleted', 'whenScaled']) {
    if (p(o, f) === 'Retain' && p(n, f) === 'Delete')
      add(
        'data-at-risk',
        n,
        `persistentVolumeClaimRetentionPolicy.${f} loosens from Retain to Delete: its claims are deleted with the StatefulSet or on scale-down`,
      );
  }
}

function claimSpec(o: Record<string, Json>, n: Record<string, Json>, exact: boolean, add: Add): void {
  const size = (d: Record<string, Json>) => d.spec?.resources?.requests?.storage;
  const rest = (d: Record<string, Json>) => ({
    ...d.spec,
    resources: { ...d.spec?.resources, requests: { ...d.spec?.resources?.requests, storage: undefined } },
  });
  if (differs(sortKeys(rest(o)), sortKeys(rest(n)), exact))
    add('apply-fails', n, 'spec changes other than a storage increase (immutable): a new claim is needed; copy the data over');
  const [a, b] = [size(o), size(n)];
  if (a !== undefined && b !== undefined && parseBytes(String(a)) !== parseBytes(String(b))) {
    if (parseBytes(String(b)) < parseBytes(String(a))) add('apply-fails', n, `storage shrinks from ${a} to ${b}: claims cannot shrink`);
    else add('info', n, `storage grows from ${a} to ${b}: needs a StorageClass with allowVolumeExpansion, or the apply fails`);
  }
}

/** Claim-backed mounts of each container: `<container>:<mountPath>[:<subPath>]` -> claim. */
function claimMounts(d: Record<string, Json>): Map<string, string> {
  const spec = podSpec(d);
  const claims = new Map<string, string>();
  for (const v of spec?.volumes ?? []) if (v.persistentVolumeClaim) claims.set(v.name, `claim ${v.persistentVolumeClaim.claimName}`);
  for (const t of d.spec?.volumeClaimTemplates ?? []) claims.set(t.metadata?.name, `claim template ${t.metadata?.name}`);
  const out = new Map<string, string>();
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const m of c.volumeMounts ?? []) out.set(`${c.name}:${m.mountPath}${m.subPath ? `:${m.subPath}` : ''}`, claims.get(m.name) ?? `volume ${m.name}`);
  }
  return out;
}

function dataMounts(o: Record<string, Json>, n: Record<string, Json>, add: Add): void {
  const before = claimMounts(o);
  const after = claimMounts(n);
  for (const [where, claim] of before) {
    if (!claim.startsWith('claim') || after.get(where) === claim) continue;
    const container = where.split(':')[0];
    if (!podSpec(n)?.containers?.some((c: Json) => c.name === container) && !podSpec(n)?.initContainers?.some((c: Json) => c.name === container)) continue;
    const moved = [...after].filter(([, c]) => c === claim).map(([w]) => w.split(':').slice(1).join(':'));
    add(
      'data-at-risk',
      n,
      `data mount moved: ${claim} was at ${where.split(':').slice(1).join(':')} in container ${container}, ${moved.length ? `now at ${moved.join(', ')}` : 'now unmounted'}${after.has(where) ? ` (that path is now ${after.get(where)})` : ''}: the container no longer sees its data where it looks`,
    );
  }
}

const DATABASES = /(^|\/)(postgres|postgresql|mysql|mariadb|mongo|mongodb)(:|$)/;

function databaseMajor(o: Record<string, Json>, n: Record<string, Json>, add: Add): void {
  if (n.kind !== 'StatefulSet') return;
  const images = (d: Record<string, Json>) => new Map<string, string>((podSpec(d)?.containers ?? []).map((c: Json) => [c.name, c.image as string]));
  const major = (image: string) =>
    image
      .split('@')[0]
      .split(':')[1]
      ?.match(/^v?(\d+)/)?.[1];
  const after = images(n);
  for (const [name, image] of images(o)) {
    const next = after.get(name);
    const repo = (i: string) => i.split('@')[0].split(':')[0];
    if (!next || !DATABASES.test(`${repo(image)}:`) || repo(image) !== repo(next)) continue;
    if (major(image) && major(next) && major(image) !== major(next))
      add(
        'data-at-risk',
        n,
        `database major version changes (${image} -> ${next}) on existing data: the new server cannot open the old data directory; dump and restore (or pg_upgrade) first`,
      );
  }
}

function restarts(n: Record<string, Json>, next: readonly Manifest[], add: Add): void {
  const minimum = minReplicas(n, next);
  if (n.kind === 'StatefulSet')
    add('outage', n, `pod template changes: its ${minimum === 1 ? 'only pod restarts (unavailable meanwhile)' : 'pods restart one by one'}`);
  else if (n.spec?.strategy?.type === 'Recreate')
    add('outage', n, 'pod template changes and the strategy is Recreate: every pod stops before the new one starts');
  else if (minimum <= 1)
    add('outage', n, 'pod template changes on a single replica: it restarts (brief interruption unless maxUnavailable is 0 and it becomes ready)');
  else add('info', n, 'pod template changes: rolls');
}

function minReplicas(n: Record<string, Json>, next: readonly Manifest[]): number {
  if (n.spec?.replicas !== undefined) return n.spec.replicas;
  for (const { doc } of next) {
    const target = doc.spec?.scaleTargetRef;
    if (!target || target.name !== n.metadata.name || (target.kind ?? 'Deployment') !== n.kind || ns(doc) !== ns(n)) continue;
    if (doc.kind === 'HorizontalPodAutoscaler') return doc.spec.minReplicas ?? 1;
    if (doc.kind === 'ScaledObject') return doc.spec.minReplicaCount ?? 0;
  }
  return 1;
}

const STATEFUL_KINDS = new Set(['Namespace', 'PersistentVolumeClaim', 'PersistentVolume', 'Secret']);

function removed(o: Record<string, Json>, created: readonly Manifest[], add: Add): void {
  const stateful = STATEFUL_KINDS.has(o.kind) || (o.kind === 'StatefulSet' && o.spec?.volumeClaimTemplates?.length) || isKeptData(o);
  if (!stateful) {
    add('action', o, 'left behind: kubectl apply keeps it, a prune (Argo CD, Flux, --prune) deletes it', [
      `kubectl${ns(o) ? ` -n ${ns(o)}` : ''} delete ${o.kind.toLowerCase()} ${o.metadata.name}`,
    ]);
    return;
  }
  const component = o.metadata.labels?.['app.kubernetes.io/component'];
  const successor = created.find(
    (m) => m.doc.kind === o.kind && ns(m.doc) === ns(o) && component && m.doc.metadata.labels?.['app.kubernetes.io/component'] === component,
  );
  const what = successor
    ? `renamed to ${successor.doc.metadata.name}: the new one starts empty; copy the data over before the old one is pruned`
    : o.kind === 'StatefulSet'
      ? `deleted: its claims are ${o.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete' ? 'deleted with it' : 'orphaned (retained, no longer mounted)'}`
      : o.kind === 'Namespace'
        ? 'deleted: a prune deletes every claim and Secret in it'
        : 'deleted: a prune deletes its data';
  add('data-at-risk', o, what);
}

/** Secrets the in-cluster generator makes: `<namespace>/<name>` -> the Job and what it generates. */
function generatedSecrets(docs: readonly Record<string, Json>[]): Map<string, { job: string; keys: Set<string> }> {
  const out = new Map<string, { job: string; keys: Set<string> }>();
  for (const d of docs) {
    if (d.kind !== 'Job') continue;
    for (const c of podSpec(d)?.containers ?? []) {
      const env = Object.fromEntries((c.env ?? []).filter((e: Json) => e.value !== undefined).map((e: Json) => [e.name, e.value]));
      if (!env.SECRET_NAME || !env.RANDOM_KEYS) continue;
      const keys = new Set([...Object.keys(JSON.parse(env.RANDOM_KEYS)), ...Object.keys(JSON.parse(env.REDIS_URL_KEYS ?? '{}'))]);
      out.set(`${ns(d)}/${env.SECRET_NAME}`, { job: d.metadata.name, keys });
    }
  }
  return out;
}

/** `<namespace>/<secret>/<key>` -> the workloads whose pods read it (non-optional secretKeyRefs). */
function secretReads(docs: readonly Record<string, Json>[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of docs) {
    if (!WORKLOADS.has(d.kind)) continue;
    const spec = podSpec(d);
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref || ref.optional) continue;
        const k = `${ns(d)}/${ref.name}/${ref.key}`;
        const who = `${d.kind}/${d.metadata.name}`;
        out.set(k, [...new Set([...(out.get(k) ?? []), who])]);
      }
    }
  }
  return out;
}

function credentialKeys(old: readonly Manifest[], next: readonly Manifest[], add: Add): void {
  const before = secretReads(old.map((m) => m.doc));
  const after = secretReads(next.map((m) => m.doc));
  const docs = next.map((m) => m.doc);
  const generated = generatedSecrets(docs);
  // Keys a live export shows present already.
  const present = new Set(
    old
      .filter((m) => m.doc.kind === 'Secret')
      .flatMap((m) => Object.keys({ ...m.doc.data, ...m.doc.stringData }).map((k) => `${ns(m.doc)}/${m.doc.metadata.name}/${k}`)),
  );
  const stalled = new Map<string, string[]>();
  for (const [ref, readers] of after) {
    if (before.has(ref) || present.has(ref)) continue;
    const [namespace, secret, k] = ref.split('/');
    const target = { kind: 'Secret', metadata: { namespace, name: secret } };
    const gen = generated.get(`${namespace}/${secret}`);
    const external = docs.find((d) => d.kind === 'ExternalSecret' && ns(d) === namespace && (d.spec?.target?.name ?? d.metadata.name) === secret);
    if (gen?.keys.has(k)) {
      add('action', target, `new credential key ${k} (read by ${readers.join(', ')}): the generator Job ${gen.job} adds it on apply; wait for it`, [
        `kubectl -n ${namespace} wait --for=condition=complete job/${gen.job} --timeout=5m`,
        `kubectl -n ${namespace} get secret ${secret} -o go-template='{{if index .data "${k}"}}present{{else}}MISSING{{end}}{{"\\n"}}'`,
      ]);
      continue;
    }
    for (const r of readers) stalled.set(`${namespace}/${r}`, [...(stalled.get(`${namespace}/${r}`) ?? []), `${secret}/${k}`]);
    if (external)
      add(
        'action',
        target,
        `new credential key ${k} (read by ${readers.join(', ')}): ${externalRecipe(external, k)}`,
        externalCommands(external, k, namespace),
      );
    else
      add(
        'action',
        target,
        `new credential key ${k} (read by ${readers.join(', ')}): add it to the Secret you manage`,
        existingCommands(namespace, secret, k, docs),
      );
  }
  for (const [who, keys] of stalled) {
    const [namespace, kind, name] = who.split('/');
    add(
      'outage',
      { kind, metadata: { namespace, name } },
      `pods need ${keys.join(', ')}, not yet present: they wait in CreateContainerConfigError until the key exists`,
    );
  }
}

const specOf = (k: string): CredentialSpec | undefined => Object.values(CREDENTIALS).find((c: CredentialSpec) => c.key === k);

/** A shell expression producing a value for key `k` as the generator would. */
function valueRecipe(k: string): string | undefined {
  const spec = specOf(k);
  if (spec?.bytes === undefined) return undefined;
  return `$(python3 -c 'import secrets; print(secrets.${spec.format === 'urlsafe' ? 'token_urlsafe' : 'token_hex'}(${spec.bytes}))')`;
}

function redisHost(docs: readonly Record<string, Json>[], namespace: string): string | undefined {
  const svc = docs.find(
    (d) => d.kind === 'Service' && ns(d) === namespace && d.metadata.labels?.['app.kubernetes.io/component'] === 'redis' && d.spec?.clusterIP !== 'None',
  );
  return svc ? `${svc.metadata.name}:${svc.spec?.ports?.[0]?.port ?? 6379}` : undefined;
}

function existingCommands(namespace: string, secret: string, k: string, docs: readonly Record<string, Json>[]): string[] {
  const patch = (value: string) => `kubectl -n ${namespace} patch secret ${secret} --type merge -p "{\\"stringData\\":{\\"${k}\\":\\"${value}\\"}}"`;
  const spec = specOf(k);
  const random = valueRecipe(k);
  if (random) return [patch(random)];
  if (spec?.derived) {
    const host = redisHost(docs, namespace) ?? '<your-redis-host>:6379';
    return [
      `pw=$(kubectl -n ${namespace} get secret ${secret} -o go-template='{{index .data "${CREDENTIAL_KEYS.redisPassword}" | base64decode}}')`,
      `url="redis://:$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$pw")@${host}/${spec.derived.redisDb}"`,
      patch('$url'),
    ];
  }
  return [patch(`<${k}>`)];
}

function externalRecipe(es: Record<string, Json>, k: string): string {
  const store = `${es.spec?.secretStoreRef?.kind ?? 'SecretStore'} ${es.spec?.secretStoreRef?.name}`;
  const entry = (es.spec?.data ?? []).find((e: Json) => e.secretKey === k);
  if (!entry && es.spec?.target?.template?.data?.[k] !== undefined)
    return `rendered by the template of ExternalSecret ${es.metadata.name} from its other entries (nothing to create remotely); refresh it`;
  const value = valueRecipe(k)
    ? ` (a value like ${valueRecipe(k)!.slice(2, -1)})`
    : specOf(k)?.derived
      ? ` (redis[s]://:<password>@<host>:<port>/${specOf(k)!.derived!.redisDb})`
      : '';
  if (entry)
    return `create the remote entry ${entry.remoteRef?.key}${entry.remoteRef?.property ? ` property ${entry.remoteRef.property}` : ''}${entry.remoteRef?.version ? ` version ${entry.remoteRef.version}` : ''} in ${store}${value}, then refresh ExternalSecret ${es.metadata.name}`;
  const from = (es.spec?.dataFrom ?? []).map((f: Json) => f.extract?.key).filter(Boolean);
  return `add ${k} to the remote secret ${from.join(' or ') || '(none mapped: add a data entry)'} in ${store}${value}, then refresh ExternalSecret ${es.metadata.name}`;
}

function externalCommands(es: Record<string, Json>, k: string, namespace: string): string[] {
  return [
    `kubectl -n ${namespace} annotate externalsecret ${es.metadata.name} force-sync=$(date +%s) --overwrite`,
    `kubectl -n ${namespace} wait --for=condition=Ready externalsecret/${es.metadata.name} --timeout=2m`,
    `kubectl -n ${namespace} get secret ${es.spec?.target?.name ?? es.metadata.name} -o go-template='{{if index .data "${k}"}}present{{else}}MISSING{{end}}{{"\\n"}}'`,
  ];
}

const IDENTITY_ANNOTATIONS = ['eks.amazonaws.com/role-arn', 'iam.gke.io/gcp-service-account', 'azure.workload.identity/client-id'];

function identities(old: readonly Manifest[], next: readonly Manifest[], add: Add): void {
  const sas = (ms: readonly Manifest[]) => ms.filter((m) => m.doc.kind === 'ServiceAccount').map((m) => m.doc);
  const before = sas(old);
  for (const sa of sas(next)) {
    const was = before.find((b) => ns(b) === ns(sa) && b.metadata.name === sa.metadata.name);
    for (const a of IDENTITY_ANNOTATIONS) {
      const role = sa.metadata.annotations?.[a];
      if (!role || was?.metadata.annotations?.[a] === role) continue;
      const renamedFrom = !was
        ? before.find(
            (b) => ns(b) === ns(sa) && b.metadata.annotations?.[a] === role && !sas(next).some((s) => s.metadata.name === b.metadata.name && ns(s) === ns(sa)),
          )
        : undefined;
      add(
        'action',
        sa,
        `${renamedFrom ? `renamed from ${renamedFrom.metadata.name}; ` : ''}${a} ${role}: the role's trust policy must allow system:serviceaccount:${ns(sa)}:${sa.metadata.name}, or its pods get no cloud credentials`,
      );
    }
  }
}

/** The text `plan` prints. */
export function formatFindings(findings: readonly Finding[], oldPath: string, newPath: string): string {
  const counts = LEVELS.map((l) => `${findings.filter((f) => f.level === l).length} ${l}`).join(', ');
  const lines = [`plan ${oldPath} -> ${newPath}: ${counts}`];
  for (const f of findings) {
    lines.push(`${f.level.padEnd(12)} ${findingRef(f)}: ${f.what}`);
    for (const c of f.commands ?? []) lines.push(`    $ ${c}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The text of CHANGELOG.md's upgrade notes: every `### Upgrade notes` section, up to the next `##`/`###` heading. */
export function upgradeNotes(changelog: string): string {
  const out: string[] = [];
  let inside = false;
  for (const line of changelog.split('\n')) {
    if (/^###\s+Upgrade notes\b/i.test(line)) inside = true;
    else if (/^#{2,3}\s/.test(line)) inside = false;
    else if (inside) out.push(line);
  }
  return out.join('\n');
}

/** Blocking findings (apply-fails, data-at-risk) whose `<Kind> <namespace>/<name>` the upgrade notes do not name in backticks. */
export function unnamedInNotes(findings: readonly Finding[], changelog: string): Finding[] {
  const notes = upgradeNotes(changelog).replace(/\s*\n\s*/g, ' ');
  return findings.filter((f) => blocks(f) && !notes.includes(`\`${findingRef(f)}\``));
}
