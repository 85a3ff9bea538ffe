import { Chart, Lazy } from 'cdk8s';
import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { metadataLabels } from '../core/labels';
import { parseBytes, parseCpu, validateCpu, validateLabels, validateMemory } from '../core/k8s-rules';
import { DifyValidationError, invalid, validateDnsLabel, validateHostname, validateInt } from '../core/validation';
import { Dify } from '../dify';
import { DifyProps } from '../dify-props';
import { DifyNamespace, DifyNamespaceProps, SANDBOX_POD_SECURITY, validateSandboxPodSecurity } from '../networking/namespace';
import { DifySecrets } from '../secrets/secrets';
import { ContainerSizing, InstallationPeak, SizedQuantity, formatBytes, formatCpu, installationPeak } from './sizing';
import { DifyTenantChart, oncePerSynthesis, renderDuringSynthesis } from './tenant-chart';
import { guardProps } from '../core/guard';

/** Suffix of a tenant's sandbox namespace. */
const SANDBOX_SUFFIX = '-sandbox';

/** Label on each tenant's namespace and quota objects. */
export const LABEL_TENANT = 'dify.langgenius.ai/tenant';

/**
 * A tenant's ResourceQuota. Each total left out is the installation's own peak
 * (every pod at its maximum replicas plus rolling-update surge, every Job pod,
 * every claim) plus `headroomPercent`; a total given must cover that peak.
 */
export interface TenantQuota {
  /** Added to each derived total (not to load balancers and node ports). @default 25 */
  readonly headroomPercent?: number;
  /** `requests.cpu`. @default - derived */
  readonly requestsCpu?: string;
  /** `requests.memory`. @default - derived */
  readonly requestsMemory?: string;
  /** `limits.cpu`. @default - derived */
  readonly limitsCpu?: string;
  /** `limits.memory`. @default - derived */
  readonly limitsMemory?: string;
  /** `requests.storage`. @default - derived */
  readonly requestsStorage?: string;
  /** `pods`. @default - derived */
  readonly pods?: number;
  /** `persistentvolumeclaims`. @default - derived */
  readonly persistentVolumeClaims?: number;
  /** `services.loadbalancers`. @default - as many as the installation has (usually 0) */
  readonly loadBalancers?: number;
  /** `services.nodeports`. @default - as many as the installation has (usually 0) */
  readonly nodePorts?: number;
}

/**
 * A tenant's LimitRange for containers (and claims). Left out, `min` is the
 * smallest request and `max` the largest limit among the installation's
 * containers, and the defaults (for pods that set none, e.g. `kubectl debug`)
 * are the smallest request and the smallest limit. Values given must not
 * contradict any container of the installation.
 */
export interface TenantLimits {
  /** @default - the smallest CPU request */
  readonly minCpu?: string;
  /** @default - the smallest memory request */
  readonly minMemory?: string;
  /** @default - the largest CPU limit */
  readonly maxCpu?: string;
  /** @default - the largest memory limit */
  readonly maxMemory?: string;
  /** @default - minCpu */
  readonly defaultCpuRequest?: string;
  /** @default - minMemory */
  readonly defaultMemoryRequest?: string;
  /** @default - the smallest CPU limit */
  readonly defaultCpuLimit?: string;
  /** @default - the smallest memory limit */
  readonly defaultMemoryLimit?: string;
  /** Largest PersistentVolumeClaim. @default - the largest claim of the installation */
  readonly maxStorage?: string;
}

/** Installation props a tenant may set: everything but the host (given beside) and the shared ingress class. */
export type TenantDifyProps = Omit<Partial<DifyProps>, 'host' | 'ingressClassName' | 'sandboxNamespace'>;

/** One tenant: an isolated Dify installation in its own namespace. */
export interface DifyTenant {
  /** DNS label: the tenant's namespace is `<namespacePrefix><name>`. */
  readonly name: string;
  /** The tenant's public host; unique among tenants. */
  readonly host: string;
  /** Installation props, each top-level key replacing the one in {@link DifyTenantsProps.defaults}. @default {} */
  readonly dify?: TenantDifyProps;
  /** Merged over {@link DifyTenantsProps.quota}. @default - derived */
  readonly quota?: TenantQuota;
  /** Merged over {@link DifyTenantsProps.limits}. @default - derived */
  readonly limits?: TenantLimits;
  /** Extra namespace labels. @default {} */
  readonly namespaceLabels?: Record<string, string>;
}

/** Props of {@link DifyTenants}. */
export interface DifyTenantsProps {
  readonly tenants: readonly DifyTenant[];
  /** Installation props every tenant starts from (images, storage, sizing, network policy options). @default {} */
  readonly defaults?: Omit<TenantDifyProps, 'secrets' | 'apiHost'>;
  /** The IngressClass every tenant's Ingress uses: the one thing tenants share. @default "nginx" */
  readonly ingressClassName?: string;
  /** Prefix of each tenant's namespace. @default "dify-" */
  readonly namespacePrefix?: string;
  /**
   * Pod Security admission of every tenant namespace.
   * @default - enforce "restricted" with sandbox namespaces, else "baseline"; warn and audit "restricted"
   */
  readonly podSecurity?: DifyNamespaceProps['podSecurity'];
  /**
   * Each tenant's code sandbox in a namespace of its own, `<namespace>-sandbox`
   * ({@link SANDBOX_POD_SECURITY}), so the tenant's namespace enforces "restricted".
   * @default true
   */
  readonly sandboxNamespaces?: boolean;
  /** Quota options of every tenant. @default - derived per tenant with 25% headroom */
  readonly quota?: TenantQuota;
  /** LimitRange options of every tenant. @default - derived per tenant */
  readonly limits?: TenantLimits;
  /**
   * Labels on every object of every tenant (metadata only, never in a selector), e.g. the environment label
   * `dify.langgenius.ai/environment` that scopes a label-based prune to this App. @default {}
   */
  readonly labels?: Record<string, string>;
}

/** What {@link DifyTenants} built for one tenant. */
export interface BuiltTenant {
  readonly name: string;
  readonly namespace: string;
  /** Namespace, ResourceQuota and LimitRange: applied first. */
  readonly namespaceChart: DifyTenantChart;
  /** The installation's chart. */
  readonly chart: DifyTenantChart;
  readonly dify: Dify;
  readonly resourceQuota: k8s.KubeResourceQuota;
  readonly limitRange: k8s.KubeLimitRange;
  /** The installation's peak the quota and limits are derived from, read from its rendered objects. */
  peak(): InstallationPeak;
}

/**
 * N isolated Dify installations in one App. Each tenant gets two charts: its
 * namespace with a ResourceQuota and a LimitRange (applied first), and a
 * {@link Dify} in that namespace with its own host, its own generated
 * credentials and the NetworkPolicies that confine it to its namespace.
 * Tenants share nothing but the ingress controller and its IngressClass.
 * Tenant names must be DNS labels and unique, hosts unique (checked at
 * construction). Quota and limits are derived at synthesis from the
 * installation as rendered, so later changes to it count; explicit values
 * that contradict it fail synthesis, naming the tenant prop and the container.
 *
 * @example
 * new DifyTenants(app, 'tenants', { tenants: [{ name: 'acme', host: 'acme.dify.example.com' }, { name: 'globex', host: 'globex.dify.example.com' }] });
 */
export class DifyTenants extends Construct {
  public readonly tenants: readonly BuiltTenant[];

  constructor(scope: Construct, id: string, props: DifyTenantsProps) {
    super(scope, id);
    guardProps('DifyTenantsProps', props);
    if (!Array.isArray(props?.tenants) || props.tenants.length === 0) invalid('tenants', props?.tenants, 'must be a non-empty list of { name, host }');
    const prefix = props.namespacePrefix ?? 'dify-';
    if (!/^([a-z0-9][-a-z0-9]{0,39})?$/.test(prefix))
      invalid('namespacePrefix', prefix, "must be empty or up to 40 lowercase letters, digits and '-', starting alphanumeric");
    const isolate = props.sandboxNamespaces ?? true;
    if (typeof isolate !== 'boolean') invalid('sandboxNamespaces', isolate, 'must be true or false');
    checkUnique(props.tenants, prefix, isolate ? SANDBOX_SUFFIX.length : 0);
    validateLabels('labels', props.labels);
    this.tenants = props.tenants.map((t, i) => this.addTenant(t, i, prefix, props));
  }

  private addTenant(t: DifyTenant, i: number, prefix: string, props: DifyTenantsProps): BuiltTenant {
    const namespace = `${prefix}${t.name}`;
    const labels = { [LABEL_TENANT]: t.name };
    const namespaceChart = new DifyTenantChart(this, `${t.name}-namespace`, { labels: props.labels });
    const sandboxNamespace = (props.sandboxNamespaces ?? true) ? `${namespace}${SANDBOX_SUFFIX}` : undefined;
    const ns = new DifyNamespace(namespaceChart, 'Namespace', {
      name: namespace,
      podSecurity: sandboxNamespace ? { enforce: 'restricted', ...props.podSecurity } : props.podSecurity,
      labels: { ...labels, ...t.namespaceLabels },
    });
    // The code sandbox needs Pod Security baseline (it chroots as root with a few capabilities): in its own namespace, or here.
    if (sandboxNamespace) {
      new DifyNamespace(namespaceChart, 'SandboxNamespace', {
        name: sandboxNamespace,
        podSecurity: SANDBOX_POD_SECURITY,
        labels: { ...labels, ...t.namespaceLabels },
      });
    } else validateSandboxPodSecurity('podSecurity.enforce', ns.podSecurityEnforce);
    const chart = new DifyTenantChart(this, t.name, { namespace, labels: props.labels });
    chart.addDependency(namespaceChart);
    const difyProps: DifyProps = {
      secrets: DifySecrets.generated(),
      ...props.defaults,
      ...t.dify,
      host: t.host,
      ingressClassName: props.ingressClassName ?? 'nginx',
      sandboxNamespace,
    };
    if (difyProps.networkPolicy === false) {
      invalid(
        t.dify && 'networkPolicy' in t.dify ? `tenants[${i}].dify.networkPolicy` : 'defaults.networkPolicy',
        false,
        'must not be false: NetworkPolicies are what keeps one tenant from reaching another',
      );
    }
    let dify: Dify;
    try {
      dify = new Dify(chart, 'Dify', difyProps);
    } catch (e) {
      throw e instanceof DifyValidationError ? new DifyValidationError(`${sourceOf(e.message, t, i, props.defaults)}${e.message}`) : e;
    }
    dify.sandboxChart?.addDependency(namespaceChart);
    const objectLabels = { ...metadataLabels({ instance: dify.instance, component: 'tenant' }), ...labels };
    const quota = { ...props.quota, ...t.quota };
    const limits = { ...props.limits, ...t.limits };
    const path = (group: 'quota' | 'limits', key: string) => (t[group] && key in t[group]! ? `tenants[${i}].${group}.${key}` : `${group}.${key}`);
    // Rendered once per synthesis: the quota, the limits, this validation and the chart share the workloads' JSON.
    // Each namespace's quota counts the objects rendered into it: the sandbox's own namespace gets its own.
    const peak = () => oncePerSynthesis(dify, dify, () => installationPeak(dify, renderDuringSynthesis, (o) => Chart.of(o) === chart));
    const hard = () => quotaHard(quota, peak(), (k) => path('quota', k));
    const items = () => limitItems(limits, peak(), (k) => path('limits', k));
    checkQuantities(quota, limits, path);
    this.node.addValidation({ validate: () => problems(hard, items) });
    const resourceQuota = new k8s.KubeResourceQuota(namespaceChart, 'ResourceQuota', {
      metadata: { name: `${dify.instance}-quota`, namespace, labels: objectLabels },
      spec: { hard: Lazy.any({ produce: hard }) },
    });
    const limitRange = new k8s.KubeLimitRange(namespaceChart, 'LimitRange', {
      metadata: { name: `${dify.instance}-limits`, namespace, labels: objectLabels },
      spec: { limits: Lazy.any({ produce: items }) },
    });
    const sandboxChart = dify.sandboxChart;
    if (sandboxNamespace && sandboxChart) {
      // Derived only (explicit totals and bounds are the tenant namespace's), with the same headroom.
      const sandboxPeak = () =>
        oncePerSynthesis(dify, sandboxChart, () => installationPeak(sandboxChart, renderDuringSynthesis, (o) => Chart.of(o) === sandboxChart));
      const sandboxQuota = { headroomPercent: quota.headroomPercent };
      new k8s.KubeResourceQuota(namespaceChart, 'SandboxResourceQuota', {
        metadata: { name: `${dify.instance}-quota`, namespace: sandboxNamespace, labels: objectLabels },
        spec: { hard: Lazy.any({ produce: () => quotaHard(sandboxQuota, sandboxPeak(), (k) => path('quota', k)) }) },
      });
      new k8s.KubeLimitRange(namespaceChart, 'SandboxLimitRange', {
        metadata: { name: `${dify.instance}-limits`, namespace: sandboxNamespace, labels: objectLabels },
        spec: { limits: Lazy.any({ produce: () => limitItems({}, sandboxPeak(), (k) => path('limits', k)) }) },
      });
    }
    return { name: t.name, namespace, namespaceChart, chart, dify, resourceQuota, limitRange, peak };
  }
}

/** Tenant names: DNS labels that fit the namespace, unique; hosts unique across tenants (web and API hosts). */
function checkUnique(tenants: readonly DifyTenant[], prefix: string, suffixLength: number): void {
  const names = new Map<string, number>();
  const hosts = new Map<string, { index: number; prop: string }>();
  tenants.forEach((t, i) => {
    validateDnsLabel(`tenants[${i}].name`, t?.name, 63 - prefix.length - suffixLength);
    const first = names.get(t.name);
    if (first !== undefined) invalid(`tenants[${i}].name`, t.name, `must be unique: tenants[${first}] is also named "${t.name}"`);
    names.set(t.name, i);
    const own: Array<[string, string | undefined]> = [
      ['host', t.host],
      ['dify.apiHost', t.dify?.apiHost],
    ];
    for (const [prop, host] of own) {
      if (host === undefined && prop !== 'host') continue;
      validateHostname(`tenants[${i}].${prop}`, host!);
      const owner = hosts.get(host!);
      if (owner)
        invalid(
          `tenants[${i}].${prop}`,
          host,
          `must be unique: tenant "${tenants[owner.index].name}" (tenants[${owner.index}].${owner.prop}) already serves it`,
        );
      hosts.set(host!, { index: i, prop });
    }
  });
}

/** Where a Dify validation error's property came from: the tenant's own props, the shared defaults, or the tenant. */
function sourceOf(message: string, t: DifyTenant, i: number, defaults: object | undefined): string {
  const key = /^([A-Za-z]+)/.exec(message)?.[1] ?? '';
  if (t.dify && key in t.dify) return `tenants[${i}].dify.`;
  return defaults && key in defaults ? 'defaults.' : `tenants[${i}].`;
}

/** Quota and limit values checked at construction: well-formed quantities and counts (coverage is checked at synthesis). */
function checkQuantities(q: TenantQuota, l: TenantLimits, path: (group: 'quota' | 'limits', key: string) => string): void {
  if (q.headroomPercent !== undefined) validateInt(path('quota', 'headroomPercent'), q.headroomPercent, 0, 1000);
  for (const key of ['requestsCpu', 'limitsCpu'] as const) if (q[key] !== undefined) validateCpu(path('quota', key), q[key]!);
  for (const key of ['requestsMemory', 'limitsMemory', 'requestsStorage'] as const) if (q[key] !== undefined) validateMemory(path('quota', key), q[key]!);
  for (const key of ['pods', 'persistentVolumeClaims', 'loadBalancers', 'nodePorts'] as const)
    if (q[key] !== undefined) validateInt(path('quota', key), q[key]!, 0);
  for (const [key, value] of Object.entries(l) as Array<[keyof TenantLimits, string | undefined]>) {
    if (value !== undefined) (/Cpu/.test(key) ? validateCpu : validateMemory)(path('limits', key), value);
  }
}

/** Messages of the synth-time checks (an explicit value that does not cover the installation). */
function problems(...checks: Array<() => unknown>): string[] {
  const out: string[] = [];
  for (const check of checks) {
    try {
      check();
    } catch (e) {
      if (!(e instanceof DifyValidationError)) throw e;
      out.push(e.message);
    }
  }
  return out;
}

type Peak = InstallationPeak;

/** `spec.hard` of the tenant's ResourceQuota. */
function quotaHard(q: TenantQuota, peak: Peak, path: (key: string) => string): Record<string, k8s.Quantity> {
  const headroom = q.headroomPercent === undefined ? 25 : validateInt(path('headroomPercent'), q.headroomPercent, 0, 1000);
  const up = (v: number) => v * (1 + headroom / 100);
  const quantity = (key: keyof TenantQuota, given: string | undefined, need: number, kind: 'cpu' | 'bytes', what: string): string => {
    if (given === undefined) return kind === 'cpu' ? formatCpu(up(need)) : formatBytes(up(need));
    const value = kind === 'cpu' ? parseCpu(validateCpu(path(key), given)) : parseBytes(validateMemory(path(key), given));
    if (value < need)
      invalid(
        path(key),
        given,
        `must cover the installation's peak ${what} of ${kind === 'cpu' ? formatCpu(need) : formatBytes(need)} (every pod at its maximum replicas plus rolling-update surge)`,
      );
    return given;
  };
  const count = (key: keyof TenantQuota, given: number | undefined, need: number, what: string, headroomApplies = true): string => {
    if (given === undefined) return String(headroomApplies ? Math.ceil(up(need)) : need);
    if (validateInt(path(key), given, 0) < need) invalid(path(key), given, `must be at least ${need}, the installation's ${what}`);
    return String(given);
  };
  const hard: Record<string, string> = {
    'requests.cpu': quantity('requestsCpu', q.requestsCpu, peak.requestsCpu, 'cpu', 'CPU requests'),
    'requests.memory': quantity('requestsMemory', q.requestsMemory, peak.requestsMemory, 'bytes', 'memory requests'),
    'limits.cpu': quantity('limitsCpu', q.limitsCpu, peak.limitsCpu, 'cpu', 'CPU limits'),
    'limits.memory': quantity('limitsMemory', q.limitsMemory, peak.limitsMemory, 'bytes', 'memory limits'),
    pods: count('pods', q.pods, peak.pods, 'peak pod count'),
    persistentvolumeclaims: count('persistentVolumeClaims', q.persistentVolumeClaims, peak.persistentVolumeClaims, 'claim count'),
    'services.loadbalancers': count('loadBalancers', q.loadBalancers, peak.loadBalancers, 'LoadBalancer Service count', false),
    'services.nodeports': count('nodePorts', q.nodePorts, peak.nodePorts, 'node port count', false),
  };
  if (peak.requestsStorage > 0 || q.requestsStorage !== undefined) {
    hard['requests.storage'] = quantity('requestsStorage', q.requestsStorage, peak.requestsStorage, 'bytes', 'storage requests');
  }
  return Object.fromEntries(Object.entries(hard).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
}

type Field = 'cpuRequest' | 'memoryRequest' | 'cpuLimit' | 'memoryLimit';

/** The container with the smallest or largest `field`. */
function extreme(containers: readonly ContainerSizing[], field: Field, largest: boolean): { c: ContainerSizing; q: SizedQuantity } | undefined {
  let best: { c: ContainerSizing; q: SizedQuantity } | undefined;
  for (const c of containers) {
    const q = c[field];
    if (q && (!best || (largest ? q.value > best.q.value : q.value < best.q.value))) best = { c, q };
  }
  return best;
}

/** `spec.limits` of the tenant's LimitRange, each given value checked against every container (and claim). */
function limitItems(l: TenantLimits, peak: Peak, path: (key: string) => string): k8s.LimitRangeItem[] {
  const per = (resource: 'cpu' | 'memory') => {
    const validate = resource === 'cpu' ? validateCpu : validateMemory;
    const parse = resource === 'cpu' ? parseCpu : parseBytes;
    const cap = resource === 'cpu' ? 'Cpu' : 'Memory';
    const req = `${resource}Request` as Field;
    const lim = `${resource}Limit` as Field;
    const smallestRequest = extreme(peak.containers, req, false);
    const largestLimit = extreme(peak.containers, lim, true);
    const smallestLimit = extreme(peak.containers, lim, false);
    const pick = (key: keyof TenantLimits, derived: string | undefined): { text?: string; value?: number; key: string } => {
      const given = l[key];
      const text = given === undefined ? derived : validate(path(key), given);
      return { text, value: text === undefined ? undefined : parse(text), key };
    };
    const min = pick(`min${cap}` as keyof TenantLimits, smallestRequest?.q.text);
    const max = pick(`max${cap}` as keyof TenantLimits, largestLimit?.q.text);
    if (min.value !== undefined && smallestRequest && min.value > smallestRequest.q.value) {
      invalid(path(min.key), min.text, `must not exceed the smallest ${resource} request, ${smallestRequest.q.text} (${smallestRequest.c.id})`);
    }
    if (max.value !== undefined && largestLimit && max.value < largestLimit.q.value) {
      invalid(path(max.key), max.text, `must be at least the largest ${resource} limit, ${largestLimit.q.text} (${largestLimit.c.id})`);
    }
    const defReq = pick(`default${cap}Request` as keyof TenantLimits, min.text);
    const def = pick(`default${cap}Limit` as keyof TenantLimits, smallestLimit?.q.text ?? max.text);
    const within = (d: typeof defReq, low: typeof min, what: string) => {
      if (d.value === undefined) return;
      if (low.value !== undefined && d.value < low.value) invalid(path(d.key), d.text, `must be at least ${what} (${low.text})`);
      if (max.value !== undefined && d.value > max.value) invalid(path(d.key), d.text, `must not exceed ${path(max.key)} (${max.text})`);
    };
    within(defReq, min, path(min.key));
    within(def, defReq.value !== undefined ? defReq : min, path(defReq.value !== undefined ? defReq.key : min.key));
    return { min: min.text, max: max.text, defaultRequest: defReq.text, default: def.text };
  };
  const cpu = per('cpu');
  const memory = per('memory');
  const pair = (field: keyof typeof cpu) => compact({ cpu: cpu[field], memory: memory[field] });
  const items: k8s.LimitRangeItem[] = [
    { type: 'Container', min: pair('min'), max: pair('max'), defaultRequest: pair('defaultRequest'), default: pair('default') },
  ];
  const largestClaim = peak.claims.reduce<(typeof peak.claims)[number] | undefined>((a, c) => (!a || c.storage.value > a.storage.value ? c : a), undefined);
  if (l.maxStorage !== undefined) {
    validateMemory(path('maxStorage'), l.maxStorage);
    if (largestClaim && parseBytes(l.maxStorage) < largestClaim.storage.value) {
      invalid(path('maxStorage'), l.maxStorage, `must be at least the largest claim, ${largestClaim.storage.text} (${largestClaim.id})`);
    }
  }
  const maxStorage = l.maxStorage ?? largestClaim?.storage.text;
  if (maxStorage) items.push({ type: 'PersistentVolumeClaim', max: { storage: k8s.Quantity.fromString(maxStorage) } });
  return items;
}

/** Quantities of the defined entries, or undefined when there are none. */
function compact(values: Record<string, string | undefined>): Record<string, k8s.Quantity> | undefined {
  const entries = Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, k8s.Quantity.fromString(v!)] as const);
  return entries.length ? Object.fromEntries(entries) : undefined;
}
