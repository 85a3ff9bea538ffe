/**
 * A small, dependency-free evaluator of Kubernetes `networking.k8s.io/v1`
 * NetworkPolicy semantics over plain (parsed / synthesized) manifest objects.
 *
 * Tests use it to prove which flows a synthesized stack allows *and* denies.
 *
 * Semantics follow the Kubernetes API documentation:
 * - A policy applies to pods in its own namespace selected by `spec.podSelector`
 *   (`{}` selects every pod in that namespace).
 * - `spec.policyTypes`, when absent or empty, defaults (like the API server) to
 *   `["Ingress"]` plus `"Egress"` iff `spec.egress` has at least one rule.
 * - A pod is isolated for a direction iff at least one policy selecting it lists
 *   that type; a non-isolated direction allows everything.
 * - Policies are additive: an isolated direction allows a flow iff some rule of
 *   some selecting policy (of that type) matches both peer and port.
 * - Pod-to-pod traffic needs egress at the source AND ingress at the destination.
 *
 * Modelling choices (documented limitations):
 * - `ipBlock` peers match {@link IpEndpoint}s, and {@link PodEndpoint}s only when
 *   the pod endpoint carries an `ip` (i.e. the CNI treats pod IPs like any other
 *   IP, as Calico/Cilium do). Pod/namespace selectors never match IP endpoints.
 * - Named ports resolve against the destination pod's `namedPorts` (name and
 *   protocol must both match); they never match an {@link IpEndpoint}.
 * - Node/host-network traffic, hairpin (pod to itself), Service/ClusterIP
 *   translation and CNI-specific extensions are not modelled.
 * - Only `networking.k8s.io/v1` `NetworkPolicy` objects are read by
 *   {@link NetworkPolicyEvaluator.fromManifests}; other policy CRDs are ignored.
 * - Malformed input (bad CIDRs, unknown selector operators or fields, invalid
 *   ports/protocols, empty peers, `except` outside `cidr`) throws instead of
 *   silently never matching. CIDRs with host bits set are accepted and masked,
 *   as the API server does.
 *
 * @module
 */

/** Transport protocols supported by NetworkPolicy. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A named container port as seen on a destination pod. */
export interface NamedPort {
  /** Container port number. */
  readonly port: number;
  /** Port protocol; defaults to `TCP`. */
  readonly protocol?: string;
}

/** A pod (or pod template) taking part in a flow. */
export interface PodEndpoint {
  readonly kind: 'pod';
  /** Namespace the pod runs in. */
  readonly namespace: string;
  /** Pod labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Optional pod IP; only used to match `ipBlock` peers. */
  readonly ip?: string;
  /** Named container ports (`name -> port`), used to resolve named policy ports. */
  readonly namedPorts?: Readonly<Record<string, NamedPort>>;
  /** Human-readable identity used in {@link NetworkPolicyEvaluator.explain}. */
  readonly name?: string;
}

/** A non-pod address (outside world, cloud metadata service, node, ...). IPv4 or IPv6. */
export interface IpEndpoint {
  readonly kind: 'ip';
  readonly ip: string;
}

/** Either side of a flow. */
export type Endpoint = PodEndpoint | IpEndpoint;

/**
 * A namespace and its labels. `kubernetes.io/metadata.name: <name>` is always
 * implicitly present (and wins over any explicit value, as in Kubernetes).
 */
export interface NamespaceInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Per-direction isolation of a pod. */
export interface Isolation {
  /** True iff some policy selecting the pod has policyType `Ingress`. */
  readonly ingress: boolean;
  /** True iff some policy selecting the pod has policyType `Egress`. */
  readonly egress: boolean;
}

/** Outcome of evaluating one direction for one pod. */
export interface DirectionVerdict {
  readonly allowed: boolean;
  /** Ids (`namespace/name`) of policies isolating the pod in this direction. */
  readonly isolatedBy: readonly string[];
  /** Ids of isolating policies with a rule matching the flow. */
  readonly allowedBy: readonly string[];
}

// ---------------------------------------------------------------------------
// Parsed (validated) policy model
// ---------------------------------------------------------------------------

type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

interface Selector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly Requirement[];
}

/** A parsed, masked CIDR. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
  readonly text: string;
}

type Peer =
  | { readonly kind: 'selector'; readonly podSelector?: Selector; readonly namespaceSelector?: Selector }
  | { readonly kind: 'ipBlock'; readonly cidr: Cidr; readonly except: readonly Cidr[] };

interface PortSpec {
  readonly protocol: Protocol;
  readonly port?: number | string;
  readonly endPort?: number;
}

interface Rule {
  /** undefined = all peers. */
  readonly peers?: readonly Peer[];
  /** undefined = all ports. */
  readonly ports?: readonly PortSpec[];
}

interface Policy {
  readonly id: string;
  readonly namespace: string;
  readonly podSelector: Selector;
  readonly ingressType: boolean;
  readonly egressType: boolean;
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
}

/** Traffic direction relative to the pod whose policies are consulted. */
export type Direction = 'ingress' | 'egress';

const NS_NAME_LABEL = 'kubernetes.io/metadata.name';
const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
const OPERATORS: readonly Operator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

// ---------------------------------------------------------------------------
// Small validation helpers
// ---------------------------------------------------------------------------

function fail(where: string, msg: string): never {
  throw new Error(`NetworkPolicy ${where}: ${msg}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws if `obj` has a (defined) key outside `allowed` — catches typos like `form:`. */
function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined && !allowed.includes(k)) fail(where, `unknown field '${k}' (allowed: ${allowed.join(', ')})`);
  }
}

function optArray(v: unknown, where: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail(where, 'expected an array');
  return v;
}

function parseProtocol(v: unknown, where: string): Protocol {
  if (v === undefined || v === null) return 'TCP';
  if (typeof v !== 'string' || !(PROTOCOLS as readonly string[]).includes(v)) {
    fail(where, `invalid protocol ${JSON.stringify(v)} (expected TCP, UDP or SCTP)`);
  }
  return v as Protocol;
}

function isPortNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

/** IANA_SVC_NAME as validated by Kubernetes for container port names. */
function isPortName(v: string): boolean {
  return v.length >= 1 && v.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(v) && /[a-z]/.test(v) && !v.includes('--');
}

// ---------------------------------------------------------------------------
// Label selectors
// ---------------------------------------------------------------------------

function parseSelector(raw: unknown, where: string): Selector {
  if (raw === undefined || raw === null) return { matchLabels: {}, matchExpressions: [] };
  if (!isObject(raw)) fail(where, 'label selector must be an object');
  checkKeys(raw, ['matchLabels', 'matchExpressions'], where);
  const matchLabels: Record<string, string> = {};
  if (raw.matchLabels !== undefined && raw.matchLabels !== null) {
    if (!isObject(raw.matchLabels)) fail(where, 'matchLabels must be an object');
    for (const [k, v] of Object.entries(raw.matchLabels)) {
      if (typeof v !== 'string') fail(where, `matchLabels.${k} must be a string`);
      matchLabels[k] = v;
    }
  }
  const matchExpressions = (optArray(raw.matchExpressions, `${where}.matchExpressions`) ?? []).map((e, i) => {
    const w = `${where}.matchExpressions[${i}]`;
    if (!isObject(e)) fail(w, 'expected an object');
    checkKeys(e, ['key', 'operator', 'values'], w);
    if (typeof e.key !== 'string' || e.key === '') fail(w, 'key must be a non-empty string');
    if (typeof e.operator !== 'string' || !(OPERATORS as readonly string[]).includes(e.operator)) {
      fail(w, `unsupported operator ${JSON.stringify(e.operator)}`);
    }
    const operator = e.operator as Operator;
    const values = optArray(e.values, `${w}.values`) ?? [];
    if (values.some((x) => typeof x !== 'string')) fail(w, 'values must be strings');
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) fail(w, `${operator} requires values`);
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      fail(w, `${operator} must not have values`);
    }
    return { key: e.key, operator, values: values as string[] };
  });
  return { matchLabels, matchExpressions };
}

function selectorMatches(sel: Selector, labels: Readonly<Record<string, string>>): boolean {
  const has = (k: string): boolean => Object.hasOwn(labels, k);
  for (const [k, v] of Object.entries(sel.matchLabels)) {
    if (!has(k) || labels[k] !== v) return false;
  }
  for (const r of sel.matchExpressions) {
    const present = has(r.key);
    switch (r.operator) {
      case 'In':
        if (!present || !r.values.includes(labels[r.key])) return false;
        break;
      case 'NotIn':
        // Kubernetes: NotIn also matches when the key is absent.
        if (present && r.values.includes(labels[r.key])) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// IP / CIDR math (IPv4 and IPv6 via bigint)
// ---------------------------------------------------------------------------

interface Ip {
  readonly family: 4 | 6;
  readonly value: bigint;
}

function parseIPv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    // Decimal only, no leading zeros (Go's net.ParseIP rejects them too).
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const o = Number(p);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

function parseIPv6(s: string): bigint | undefined {
  if (s.includes('%')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string, mayEndWithV4: boolean): number[] | undefined => {
    if (part === '') return [];
    const items = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const g = items[i];
      if (mayEndWithV4 && i === items.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
        out.push(parseInt(g, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1], true) : [];
  if (!head || !tail) return undefined;
  let all: number[];
  if (halves.length === 1) {
    if (head.length !== 8) return undefined;
    all = head;
  } else {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  }
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

function parseIp(s: string): Ip | undefined {
  if (typeof s !== 'string') return undefined;
  if (s.includes(':')) {
    const v = parseIPv6(s);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIPv4(s);
  return v === undefined ? undefined : { family: 4, value: BigInt(v) };
}

function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/**
 * Parses `a.b.c.d/n` or an IPv6 CIDR. Throws on anything malformed (missing
 * prefix, bad octets, prefix out of range). Host bits are masked off.
 */
export function parseCidr(text: string): Cidr {
  if (typeof text !== 'string') throw new Error(`invalid CIDR ${JSON.stringify(text)}: not a string`);
  const slash = text.indexOf('/');
  if (slash < 0 || slash !== text.lastIndexOf('/')) throw new Error(`invalid CIDR '${text}': expected <ip>/<prefix>`);
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip) throw new Error(`invalid CIDR '${text}': bad address`);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits(ip.family)) {
    throw new Error(`invalid CIDR '${text}': bad prefix length`);
  }
  const prefix = Number(prefixText);
  const hostBits = BigInt(bits(ip.family) - prefix);
  return { family: ip.family, base: (ip.value >> hostBits) << hostBits, prefix, text };
}

function cidrContains(c: Cidr, ip: Ip): boolean {
  if (c.family !== ip.family) return false;
  const hostBits = BigInt(bits(c.family) - c.prefix);
  return ip.value >> hostBits === c.base >> hostBits;
}

/** True iff `ip` is inside `cidr` (both strings; throws when malformed). */
export function ipInCidr(ip: string, cidr: string): boolean {
  const parsed = parseIp(ip);
  if (!parsed) throw new Error(`invalid IP address '${ip}'`);
  return cidrContains(parseCidr(cidr), parsed);
}

// ---------------------------------------------------------------------------
// Policy parsing
// ---------------------------------------------------------------------------

function parsePeer(raw: unknown, where: string): Peer {
  if (!isObject(raw)) fail(where, 'peer must be an object');
  checkKeys(raw, ['podSelector', 'namespaceSelector', 'ipBlock'], where);
  const hasPod = raw.podSelector !== undefined && raw.podSelector !== null;
  const hasNs = raw.namespaceSelector !== undefined && raw.namespaceSelector !== null;
  const hasIp = raw.ipBlock !== undefined && raw.ipBlock !== null;
  if (hasIp) {
    if (hasPod || hasNs) fail(where, 'ipBlock cannot be combined with pod/namespace selectors');
    const b = raw.ipBlock;
    if (!isObject(b)) fail(`${where}.ipBlock`, 'expected an object');
    checkKeys(b, ['cidr', 'except'], `${where}.ipBlock`);
    if (typeof b.cidr !== 'string') fail(`${where}.ipBlock`, 'cidr is required');
    const wrap = <T>(f: () => T): T => {
      try {
        return f();
      } catch (e) {
        return fail(`${where}.ipBlock`, (e as Error).message);
      }
    };
    const cidr = wrap(() => parseCidr(b.cidr as string));
    const except = (optArray(b.except, `${where}.ipBlock.except`) ?? []).map((x) => {
      const ex = wrap(() => parseCidr(x as string));
      // API server validation: each except must be a strict subset of cidr.
      if (ex.family !== cidr.family || ex.prefix <= cidr.prefix || !cidrContains(cidr, { family: ex.family, value: ex.base })) {
        fail(`${where}.ipBlock`, `except '${ex.text}' must be a strict subset of cidr '${cidr.text}'`);
      }
      return ex;
    });
    return { kind: 'ipBlock', cidr, except };
  }
  if (!hasPod && !hasNs) fail(where, 'peer must specify podSelector, namespaceSelector or ipBlock');
  return {
    kind: 'selector',
    podSelector: hasPod ? parseSelector(raw.podSelector, `${where}.podSelector`) : undefined,
    namespaceSelector: hasNs ? parseSelector(raw.namespaceSelector, `${where}.namespaceSelector`) : undefined,
  };
}

function parsePort(raw: unknown, where: string): PortSpec {
  if (!isObject(raw)) fail(where, 'port entry must be an object');
  checkKeys(raw, ['protocol', 'port', 'endPort'], where);
  const protocol = parseProtocol(raw.protocol, where);
  const port = raw.port === null ? undefined : raw.port;
  const endPort = raw.endPort === null ? undefined : raw.endPort;
  if (port === undefined) {
    if (endPort !== undefined) fail(where, 'endPort requires port');
    return { protocol };
  }
  if (typeof port === 'string') {
    if (!isPortName(port)) fail(where, `invalid named port ${JSON.stringify(port)}`);
    if (endPort !== undefined) fail(where, 'endPort cannot be used with a named port');
    return { protocol, port };
  }
  if (!isPortNumber(port)) fail(where, `invalid port ${JSON.stringify(port)}`);
  if (endPort === undefined) return { protocol, port };
  if (!isPortNumber(endPort) || endPort < port) fail(where, `invalid endPort ${JSON.stringify(endPort)} (must be >= port ${port})`);
  return { protocol, port, endPort };
}

function parseRules(raw: unknown, dir: Direction, where: string): Rule[] {
  const peerKey = dir === 'ingress' ? 'from' : 'to';
  return (optArray(raw, `${where}.${dir}`) ?? []).map((r, i) => {
    const w = `${where}.${dir}[${i}]`;
    if (!isObject(r)) fail(w, 'rule must be an object');
    checkKeys(r, [peerKey, 'ports'], w);
    const peers = optArray(r[peerKey], `${w}.${peerKey}`);
    const ports = optArray(r.ports, `${w}.ports`);
    return {
      // Empty or missing from/to and ports mean "all".
      peers: peers && peers.length > 0 ? peers.map((p, j) => parsePeer(p, `${w}.${peerKey}[${j}]`)) : undefined,
      ports: ports && ports.length > 0 ? ports.map((p, j) => parsePort(p, `${w}.ports[${j}]`)) : undefined,
    };
  });
}

function parsePolicy(doc: Record<string, unknown>, index: number): Policy {
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  const name = typeof meta.name === 'string' ? meta.name : `<unnamed#${index}>`;
  const id = `${namespace}/${name}`;
  const where = `'${id}'`;
  if (doc.kind !== undefined && doc.kind !== 'NetworkPolicy') fail(where, `not a NetworkPolicy (kind ${String(doc.kind)})`);
  const spec = doc.spec ?? {};
  if (!isObject(spec)) fail(where, 'spec must be an object');
  checkKeys(spec, ['podSelector', 'policyTypes', 'ingress', 'egress'], `${where}.spec`);
  const ingress = parseRules(spec.ingress, 'ingress', `${where}.spec`);
  const egress = parseRules(spec.egress, 'egress', `${where}.spec`);
  const types = optArray(spec.policyTypes, `${where}.spec.policyTypes`) ?? [];
  let ingressType: boolean;
  let egressType: boolean;
  if (types.length === 0) {
    // API server defaulting (SetDefaults_NetworkPolicySpec).
    ingressType = true;
    egressType = egress.length > 0;
  } else {
    for (const t of types) {
      if (t !== 'Ingress' && t !== 'Egress') fail(where, `invalid policyType ${JSON.stringify(t)}`);
    }
    ingressType = types.includes('Ingress');
    egressType = types.includes('Egress');
  }
  return { id, namespace, podSelector: parseSelector(spec.podSelector, `${where}.spec.podSelector`), ingressType, egressType, ingress, egress };
}

// ---------------------------------------------------------------------------
// Evaluator
// ---------------------------------------------------------------------------

function describeEndpoint(ep: Endpoint): string {
  if (ep.kind === 'ip') return `ip ${ep.ip}`;
  const who = ep.name ?? JSON.stringify(ep.labels);
  return `${ep.namespace}/${who}${ep.ip ? ` (${ep.ip})` : ''}`;
}

function flattenDocs(docs: ReadonlyArray<unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const d of docs) {
    if (!isObject(d)) continue;
    if (typeof d.kind === 'string' && d.kind.endsWith('List') && Array.isArray(d.items)) {
      out.push(...flattenDocs(d.items));
    } else {
      out.push(d);
    }
  }
  return out;
}

/** Evaluates whether flows between endpoints are allowed by a set of NetworkPolicies. */
export class NetworkPolicyEvaluator {
  /**
   * Builds an evaluator from every `networking.k8s.io/v1` NetworkPolicy and
   * every `v1` Namespace in `docs` (`*List` documents are flattened).
   * `extraNamespaces` add or extend namespace labels (e.g. namespaces not in the manifests).
   */
  public static fromManifests(docs: ReadonlyArray<Record<string, any>>, extraNamespaces: ReadonlyArray<NamespaceInfo> = []): NetworkPolicyEvaluator {
    const all = flattenDocs(docs);
    const policies = all.filter((d) => d.kind === 'NetworkPolicy' && d.apiVersion === 'networking.k8s.io/v1');
    const namespaces: NamespaceInfo[] = [];
    for (const d of all) {
      if (d.kind !== 'Namespace' || !isObject(d.metadata) || typeof d.metadata.name !== 'string') continue;
      const labels = isObject(d.metadata.labels) ? (d.metadata.labels as Record<string, string>) : {};
      namespaces.push({ name: d.metadata.name, labels });
    }
    return new NetworkPolicyEvaluator(policies, [...namespaces, ...extraNamespaces]);
  }

  private readonly policies: readonly Policy[];
  private readonly namespaceLabels = new Map<string, Record<string, string>>();

  /**
   * @param policies raw NetworkPolicy objects (validated eagerly; malformed input throws)
   * @param namespaces known namespaces and labels; unknown namespaces only carry
   *   the implicit `kubernetes.io/metadata.name` label. Repeated names merge labels.
   */
  constructor(policies: ReadonlyArray<Record<string, any>>, namespaces: ReadonlyArray<NamespaceInfo> = []) {
    this.policies = policies.map((p, i) => parsePolicy(p, i));
    for (const ns of namespaces) {
      const prev = this.namespaceLabels.get(ns.name) ?? {};
      this.namespaceLabels.set(ns.name, { ...prev, ...ns.labels, [NS_NAME_LABEL]: ns.name });
    }
  }

  /** Ids (`namespace/name`) of all loaded policies. */
  public get policyIds(): readonly string[] {
    return this.policies.map((p) => p.id);
  }

  /** Labels of a namespace, including the implicit `kubernetes.io/metadata.name`. */
  public namespaceLabelsOf(namespace: string): Readonly<Record<string, string>> {
    return this.namespaceLabels.get(namespace) ?? { [NS_NAME_LABEL]: namespace };
  }

  /** Ids of policies whose `spec.podSelector` selects `pod` (in its namespace). */
  public policiesSelecting(pod: PodEndpoint): readonly string[] {
    return this.selecting(pod).map((p) => p.id);
  }

  /** Whether any policy isolates `pod` for ingress / egress. */
  public isolation(pod: PodEndpoint): Isolation {
    const sel = this.selecting(pod);
    return { ingress: sel.some((p) => p.ingressType), egress: sel.some((p) => p.egressType) };
  }

  /**
   * Full flow check. Egress is checked when `from` is a pod, ingress when `to`
   * is a pod; both must pass. Throws if neither side is a pod.
   */
  public allows(from: Endpoint, to: Endpoint, port: number, protocol: Protocol = 'TCP'): boolean {
    return this.evaluate(from, to, port, protocol).allowed;
  }

  /** Whether `from`'s egress policies allow the flow (ignores the destination's ingress). */
  public egressAllowed(from: PodEndpoint, to: Endpoint, port: number, protocol: Protocol = 'TCP'): boolean {
    return this.direction('egress', from, to, port, protocol, to).allowed;
  }

  /** Whether `to`'s ingress policies allow the flow (ignores the source's egress). */
  public ingressAllowed(from: Endpoint, to: PodEndpoint, port: number, protocol: Protocol = 'TCP'): boolean {
    return this.direction('ingress', to, from, port, protocol, to).allowed;
  }

  /** Per-direction detail for one direction of a flow. */
  public verdict(dir: Direction, from: Endpoint, to: Endpoint, port: number, protocol: Protocol = 'TCP'): DirectionVerdict {
    const subject = dir === 'egress' ? from : to;
    if (subject.kind !== 'pod') throw new Error(`${dir} verdict needs a pod ${dir === 'egress' ? 'source' : 'destination'}`);
    return this.direction(dir, subject, dir === 'egress' ? to : from, port, protocol, to);
  }

  /**
   * One-line human explanation of the verdict, e.g.
   * `DENIED TCP/5432 app/Deployment/web -> data/StatefulSet/db: egress allowed (not isolated); ingress DENIED (isolated by data/deny-all; no rule matched)`.
   */
  public explain(from: Endpoint, to: Endpoint, port: number, protocol: Protocol = 'TCP'): string {
    const r = this.evaluate(from, to, port, protocol);
    const part = (dir: Direction, v: DirectionVerdict | undefined): string => {
      if (!v) return `${dir} n/a (${dir === 'egress' ? 'source' : 'destination'} is not a pod)`;
      if (v.isolatedBy.length === 0) return `${dir} allowed (not isolated)`;
      if (v.allowed) return `${dir} allowed by ${v.allowedBy.join(', ')}`;
      return `${dir} DENIED (isolated by ${v.isolatedBy.join(', ')}; no rule matched)`;
    };
    return (
      `${r.allowed ? 'ALLOWED' : 'DENIED'} ${protocol}/${port} ${describeEndpoint(from)} -> ${describeEndpoint(to)}: ` +
      `${part('egress', r.egress)}; ${part('ingress', r.ingress)}`
    );
  }

  // -- internals ------------------------------------------------------------

  private evaluate(
    from: Endpoint,
    to: Endpoint,
    port: number,
    protocol: Protocol,
  ): { allowed: boolean; egress?: DirectionVerdict; ingress?: DirectionVerdict } {
    if (from.kind !== 'pod' && to.kind !== 'pod') throw new Error('NetworkPolicy only governs flows with at least one pod endpoint');
    const egress = from.kind === 'pod' ? this.direction('egress', from, to, port, protocol, to) : undefined;
    const ingress = to.kind === 'pod' ? this.direction('ingress', to, from, port, protocol, to) : undefined;
    return { allowed: (egress?.allowed ?? true) && (ingress?.allowed ?? true), egress, ingress };
  }

  private selecting(pod: PodEndpoint): Policy[] {
    return this.policies.filter((p) => p.namespace === pod.namespace && selectorMatches(p.podSelector, pod.labels));
  }

  /**
   * @param subject the pod whose policies are consulted
   * @param peer the other side (source for ingress, destination for egress)
   * @param dest the flow's destination (named ports resolve against it)
   */
  private direction(dir: Direction, subject: PodEndpoint, peer: Endpoint, port: number, protocol: Protocol, dest: Endpoint): DirectionVerdict {
    if (!isPortNumber(port)) throw new Error(`invalid port ${port}`);
    parseProtocol(protocol, 'query');
    const isolating = this.selecting(subject).filter((p) => (dir === 'ingress' ? p.ingressType : p.egressType));
    const allowedBy = isolating
      .filter((p) =>
        (dir === 'ingress' ? p.ingress : p.egress).some(
          (r) =>
            (r.peers === undefined || r.peers.some((pe) => this.peerMatches(pe, p.namespace, peer))) &&
            (r.ports === undefined || r.ports.some((ps) => portMatches(ps, port, protocol, dest))),
        ),
      )
      .map((p) => p.id);
    return { allowed: isolating.length === 0 || allowedBy.length > 0, isolatedBy: isolating.map((p) => p.id), allowedBy };
  }

  private peerMatches(peer: Peer, policyNamespace: string, ep: Endpoint): boolean {
    if (peer.kind === 'ipBlock') {
      if (ep.ip === undefined) return false; // pod without a modelled IP
      const ip = parseIp(ep.ip);
      if (!ip) throw new Error(`invalid IP address '${ep.ip}' on endpoint ${describeEndpoint(ep)}`);
      return cidrContains(peer.cidr, ip) && !peer.except.some((c) => cidrContains(c, ip));
    }
    if (ep.kind !== 'pod') return false;
    if (peer.namespaceSelector) {
      if (!selectorMatches(peer.namespaceSelector, this.namespaceLabelsOf(ep.namespace))) return false;
    } else if (ep.namespace !== policyNamespace) {
      return false; // podSelector alone: policy's own namespace only
    }
    return peer.podSelector === undefined || selectorMatches(peer.podSelector, ep.labels);
  }
}

function portMatches(spec: PortSpec, port: number, protocol: Protocol, dest: Endpoint): boolean {
  if (spec.protocol !== protocol) return false;
  if (spec.port === undefined) return true;
  if (typeof spec.port === 'number') {
    return spec.endPort === undefined ? port === spec.port : port >= spec.port && port <= spec.endPort;
  }
  if (dest.kind !== 'pod' || !dest.namedPorts) return false;
  const named = dest.namedPorts[spec.port];
  return named !== undefined && named.port === port && (named.protocol ?? 'TCP').toUpperCase() === protocol;
}

// ---------------------------------------------------------------------------
// Pod endpoints from workload manifests
// ---------------------------------------------------------------------------

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];

function namedPortsOf(podSpec: Record<string, unknown>): Record<string, NamedPort> {
  const out: Record<string, NamedPort> = {};
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers : [];
  // Native sidecars (init containers with restartPolicy: Always) also serve ports.
  const sidecars = (Array.isArray(podSpec.initContainers) ? podSpec.initContainers : []).filter((c: unknown) => isObject(c) && c.restartPolicy === 'Always');
  for (const c of [...containers, ...sidecars]) {
    if (!isObject(c) || !Array.isArray(c.ports)) continue;
    for (const p of c.ports) {
      if (!isObject(p) || typeof p.name !== 'string' || typeof p.containerPort !== 'number') continue;
      if (out[p.name] !== undefined) continue; // first wins
      out[p.name] = { port: p.containerPort, protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP' };
    }
  }
  return out;
}

/**
 * One {@link PodEndpoint} per pod template found in Deployment, StatefulSet,
 * DaemonSet, ReplicaSet, Job, CronJob (`spec.jobTemplate`) and Pod documents
 * (`*List` documents are flattened). Namespace comes from `metadata.namespace`
 * (default `default`), labels from the pod template, named ports from
 * `containers[].ports`, and `name` is `${kind}/${metadata.name}`. No `ip` is set.
 */
export function podEndpointsFromManifests(docs: ReadonlyArray<Record<string, any>>): PodEndpoint[] {
  const out: PodEndpoint[] = [];
  for (const d of flattenDocs(docs)) {
    const kind = d.kind;
    if (typeof kind !== 'string') continue;
    const meta = isObject(d.metadata) ? d.metadata : {};
    const spec = isObject(d.spec) ? d.spec : {};
    let template: unknown;
    if (kind === 'Pod') template = { metadata: meta, spec };
    else if (WORKLOAD_KINDS.includes(kind)) template = spec.template;
    else if (kind === 'CronJob') template = isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec.template : undefined;
    else continue;
    if (!isObject(template)) continue;
    const tmeta = isObject(template.metadata) ? template.metadata : {};
    const tspec = isObject(template.spec) ? template.spec : {};
    out.push({
      kind: 'pod',
      namespace: typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default',
      labels: isObject(tmeta.labels) ? { ...(tmeta.labels as Record<string, string>) } : {},
      namedPorts: namedPortsOf(tspec),
      name: `${kind}/${typeof meta.name === 'string' ? meta.name : '<unnamed>'}`,
    });
  }
  return out;
}
