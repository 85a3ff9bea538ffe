import { isIP } from 'net';
import { invalid, propPath } from './validation';

/**
 * Kubernetes' own rules for values that land in Kubernetes fields, in one
 * place: object and namespace names by kind, label keys and values,
 * annotations, ports, cron schedules (as the CronJob controller parses them),
 * tolerations, node selectors, quantities, IPs and CIDRs (IPv4 and IPv6).
 * Each mirrors the API server's validation (k8s.io/apimachinery
 * validation, apis/core/validation, robfig/cron's standard parser), so a
 * value these accept is one the API server accepts, and vice versa.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Which name rules an object kind follows. */
export type K8sNameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label';

/** The name rule of common kinds (Services are DNS-1035 labels: they start with a letter). */
export const NAME_RULE_BY_KIND: Readonly<Record<string, K8sNameRule>> = {
  Service: 'dns1035-label',
  Namespace: 'dns1123-label',
  ConfigMap: 'dns1123-subdomain',
  Secret: 'dns1123-subdomain',
  ServiceAccount: 'dns1123-subdomain',
  Deployment: 'dns1123-subdomain',
  StatefulSet: 'dns1123-subdomain',
  Job: 'dns1123-subdomain',
  CronJob: 'dns1123-subdomain',
  PersistentVolumeClaim: 'dns1123-subdomain',
  StorageClass: 'dns1123-subdomain',
  Ingress: 'dns1123-subdomain',
  NetworkPolicy: 'dns1123-subdomain',
  PriorityClass: 'dns1123-subdomain',
};

/** A name under `rule`, at most `max` characters. */
export function validateK8sName(prop: string, value: unknown, rule: K8sNameRule, max?: number): string {
  const limit = max ?? (rule === 'dns1123-subdomain' ? 253 : 63);
  const [re, words] =
    rule === 'dns1035-label'
      ? [DNS1035_LABEL, "a DNS-1035 label: lowercase letters, digits and '-', starting with a letter and ending alphanumeric"]
      : rule === 'dns1123-label'
        ? [DNS1123_LABEL, "a DNS-1123 label: lowercase letters, digits and '-', starting and ending alphanumeric"]
        : [DNS1123_SUBDOMAIN, "a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', each part starting and ending alphanumeric"];
  if (typeof value !== 'string' || value.length === 0 || value.length > limit || !re.test(value)) {
    invalid(prop, value, `must be ${words}, at most ${limit} characters`);
  }
  return value;
}

/** The name of an object of `kind` (see {@link NAME_RULE_BY_KIND}; other kinds: DNS-1123 subdomain). */
export function validateObjectName(prop: string, value: unknown, kind: string): string {
  return validateK8sName(prop, value, NAME_RULE_BY_KIND[kind] ?? 'dns1123-subdomain');
}

/** A DNS-1035 label (Service names, and any prefix of them such as the instance name). */
export function validateDns1035Label(prop: string, value: unknown, max = 63): string {
  return validateK8sName(prop, value, 'dns1035-label', max);
}

/** A namespace name: a DNS-1123 label of at most 63 characters. */
export function validateNamespaceName(prop: string, value: unknown): string {
  return validateK8sName(prop, value, 'dns1123-label');
}

/** Why `key` is not a qualified name (`[prefix/]name`), or undefined when it is. */
function qualifiedNameProblem(key: string, lowercasePrefix: boolean): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return "must be a qualified name: an optional DNS subdomain prefix and '/', then a name";
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined) {
    const p = lowercasePrefix ? prefix : prefix.toLowerCase();
    if (p.length === 0 || p.length > 253 || !DNS1123_SUBDOMAIN.test(p)) {
      return "must have a prefix that is a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253 characters) before the '/'";
    }
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return "must have a name part of at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric (optionally after a DNS subdomain prefix and '/')";
  }
  return undefined;
}

/** A label key: `[prefix/]name`, the prefix a lowercase DNS subdomain, the name at most 63 characters. */
export function validateLabelKey(prop: string, key: unknown): string {
  if (typeof key !== 'string') return invalid(prop, key, 'must be a label key');
  const problem = qualifiedNameProblem(key, true);
  if (problem) invalid(prop, key, `label key ${problem}`);
  return key;
}

/** A label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric. */
export function validateLabelValue(prop: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
    invalid(prop, value, "must be a label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric");
  }
  return value;
}

/** Labels (also node selectors): each key and value by the label rules; errors name `prop["key"]`. */
export function validateLabels(prop: string, labels: Record<string, unknown> | undefined): Record<string, string> {
  if (labels === undefined) return {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) invalid(prop, labels, 'must be an object of label keys to values');
  for (const [k, v] of Object.entries(labels)) {
    validateLabelKey(propPath(prop, k), k);
    validateLabelValue(propPath(prop, k), v);
  }
  return labels as Record<string, string>;
}

/** A node selector: label keys and values (an empty value selects nodes whose label is empty). */
export function validateNodeSelector(prop: string, selector: Record<string, unknown> | undefined): Record<string, string> {
  return validateLabels(prop, selector);
}

/** Total size of all annotations of one object (keys plus values). */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** Annotations: qualified-name keys (the prefix may have any letter case), string values, 256 KiB in total. */
export function validateAnnotations(prop: string, annotations: Record<string, unknown> | undefined): Record<string, string> {
  if (annotations === undefined) return {};
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations))
    invalid(prop, annotations, 'must be an object of annotation keys to string values');
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    const problem = qualifiedNameProblem(k, false);
    if (problem) invalid(propPath(prop, k), k, `annotation key ${problem}`);
    if (typeof v !== 'string') invalid(propPath(prop, k), v, 'must be a string (annotation values are strings)');
    total += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (total > MAX_ANNOTATIONS_BYTES) invalid(prop, `${total} bytes`, `annotations may total at most ${MAX_ANNOTATIONS_BYTES} bytes (256 KiB)`);
  return annotations as Record<string, string>;
}

/** A port number: an integer from 1 to 65535. */
export function validatePortNumber(prop: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) invalid(prop, value, 'must be an integer port from 1 to 65535');
  return value;
}

/** A NodePort in the API server's default range (30000-32767). */
export function validateNodePort(prop: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 30000 || value > 32767) {
    invalid(prop, value, 'must be an integer from 30000 to 32767 (the default --service-node-port-range)');
  }
  return value;
}

// ---------------------------------------------------------------- cron

const CRON_FIELDS: ReadonlyArray<{ name: string; min: number; max: number; names?: readonly string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const GO_DURATION = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))*$/;

/** Why one cron field is invalid, or undefined. */
function cronFieldProblem(expr: string, f: (typeof CRON_FIELDS)[number]): string | undefined {
  const value = (s: string): number | undefined => {
    const named = f.names?.indexOf(s.toLowerCase()) ?? -1;
    if (named >= 0) return named + (f.name === 'month' ? 1 : 0);
    return /^[0-9]+$/.test(s) ? Number(s) : undefined;
  };
  for (const part of expr.split(',')) {
    const [range, step, ...rest] = part.split('/');
    if (rest.length > 0) return `"${part}" has more than one '/'`;
    let lo: number | undefined;
    let hi: number | undefined;
    if (range === '*' || range === '?') {
      [lo, hi] = [f.min, f.max];
    } else {
      const [a, b, ...more] = range.split('-');
      if (more.length > 0) return `"${part}" has more than one '-'`;
      lo = value(a);
      hi = b === undefined ? (step === undefined ? lo : f.max) : value(b);
      if (lo === undefined || hi === undefined) return `"${part}" is not a number${f.names ? ' or name' : ''}`;
      if (lo < f.min || hi > f.max) return `"${part}" is outside ${f.min}-${f.max}`;
      if (lo > hi) return `"${part}" starts after it ends`;
    }
    if (step !== undefined && (!/^[0-9]+$/.test(step) || Number(step) === 0)) return `"${part}" needs a positive step`;
  }
  return undefined;
}

/**
 * A CronJob schedule as the controller parses it (robfig/cron's standard
 * parser): five fields (minute, hour, day of month, month, day of week) of
 * values, names (JAN-DEC, SUN-SAT), ranges, steps, lists, `*` and `?`; or a
 * macro (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly,
 * `@every <duration>`). `TZ=`/`CRON_TZ=` prefixes are refused by the API
 * server: use the CronJob's timeZone instead.
 */
export function validateCronSchedule(prop: string, schedule: unknown): string {
  const example = 'a 5-field cron schedule such as "17 3 * * *" (minute hour day-of-month month day-of-week) or a macro such as "@daily"';
  if (typeof schedule !== 'string') return invalid(prop, schedule, `must be ${example}`);
  const s = schedule.trim();
  if (/^(CRON_)?TZ=/.test(s)) invalid(prop, schedule, 'must not carry TZ= or CRON_TZ= (the API server refuses them); set the time zone separately');
  if (s.startsWith('@')) {
    if (CRON_MACROS.has(s)) return schedule;
    const every = /^@every\s+(\S+)$/.exec(s);
    if (every && GO_DURATION.test(every[1]) && /[1-9]/.test(every[1])) return schedule;
    invalid(prop, schedule, `must be ${example}; macros are ${[...CRON_MACROS].join(', ')} and "@every <duration>" such as "@every 6h"`);
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) invalid(prop, schedule, `must be ${example}, not ${fields.length} field${fields.length === 1 ? '' : 's'}`);
  fields.forEach((field, i) => {
    const problem = cronFieldProblem(field, CRON_FIELDS[i]);
    if (problem) invalid(prop, schedule, `must be ${example}: ${CRON_FIELDS[i].name} ${problem}`);
  });
  return schedule;
}

// ---------------------------------------------------------------- tolerations

const TOLERATION_KEYS = new Set(['key', 'operator', 'value', 'effect', 'tolerationSeconds']);
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** Tolerations as the API server validates them. */
export function validateTolerations(prop: string, tolerations: unknown): void {
  if (tolerations === undefined) return;
  if (!Array.isArray(tolerations)) invalid(prop, tolerations, 'must be an array of tolerations');
  tolerations.forEach((t: unknown, i) => {
    const p = propPath(prop, i);
    if (typeof t !== 'object' || t === null || Array.isArray(t)) invalid(p, t, 'must be a toleration object');
    const o = t as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!TOLERATION_KEYS.has(k)) invalid(propPath(p, k), o[k], `unknown toleration field; allowed: ${[...TOLERATION_KEYS].join(', ')}`);
    }
    const operator = o.operator ?? 'Equal';
    if (operator !== 'Equal' && operator !== 'Exists') invalid(`${p}.operator`, o.operator, 'must be "Equal" or "Exists"');
    if (o.key !== undefined && o.key !== '') validateLabelKey(`${p}.key`, o.key);
    if ((o.key === undefined || o.key === '') && operator !== 'Exists')
      invalid(`${p}.operator`, o.operator, 'must be "Exists" when key is empty (tolerate every taint)');
    if (operator === 'Exists' && o.value !== undefined && o.value !== '') invalid(`${p}.value`, o.value, 'must be empty when operator is "Exists"');
    if (operator === 'Equal' && o.value !== undefined) validateLabelValue(`${p}.value`, o.value);
    if (o.effect !== undefined && o.effect !== '' && !EFFECTS.includes(o.effect as string))
      invalid(`${p}.effect`, o.effect, `must be ${EFFECTS.map((e) => `"${e}"`).join(', ')} or empty (every effect)`);
    if (o.tolerationSeconds !== undefined) {
      if (typeof o.tolerationSeconds !== 'number' || !Number.isInteger(o.tolerationSeconds))
        invalid(`${p}.tolerationSeconds`, o.tolerationSeconds, 'must be an integer number of seconds');
      if (o.effect !== 'NoExecute') invalid(`${p}.tolerationSeconds`, o.tolerationSeconds, 'only applies with effect "NoExecute"');
    }
  });
}

// ---------------------------------------------------------------- quantities

const QUANTITY = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+|m|k|M|G|T|P|E)?$/;
const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a quantity in the Kubernetes grammar (`500m`, `1.5`, `10Gi`, `1e3`), or NaN. */
export function parseQuantity(value: string): number {
  const m = typeof value === 'string' ? QUANTITY.exec(value) : null;
  if (!m) return NaN;
  const n = Number(m[2]) * (m[1] === '-' ? -1 : 1);
  const suffix = m[3] ?? '';
  return /^[eE][+-]?[0-9]+$/.test(suffix) ? n * 10 ** Number(suffix.slice(1)) : n * SUFFIX[suffix];
}

/** A resource quantity in the Kubernetes grammar; `positive` refuses zero and negatives. */
export function validateQuantity(prop: string, value: unknown, opts: { positive?: boolean } = {}): string {
  const n = typeof value === 'string' ? parseQuantity(value) : NaN;
  if (!Number.isFinite(n) || (opts.positive && n <= 0)) {
    invalid(prop, value, `must be a ${opts.positive ? 'positive ' : ''}Kubernetes quantity such as "500m", "2", "512Mi" or "10Gi"`);
  }
  return value as string;
}

// ---------------------------------------------------------------- IPs and CIDRs

/** An IPv4 or IPv6 address as Kubernetes accepts it (no leading zeros, no zone). */
export function validateIp(prop: string, value: unknown): string {
  if (typeof value !== 'string' || value.includes('%') || isIP(value) === 0)
    invalid(prop, value, 'must be an IPv4 or IPv6 address such as "10.0.0.1" or "fd00::1"');
  return value;
}

/** 16 bytes of an IPv6 address or 4 of an IPv4 one. */
function ipBytes(ip: string): number[] {
  if (isIP(ip) === 4) return ip.split('.').map(Number);
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1].split('.').map(Number);
    text = `${text.slice(0, -v4[1].length)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 255];
  });
}

/** The network address of `cidr` (host bits cleared), in the family's usual notation. */
export function cidrNetwork(cidr: string): string {
  const [ip, bits] = cidr.split('/');
  const prefix = Number(bits);
  const bytes = ipBytes(ip).map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return b & (0xff << (8 - keep)) & 0xff;
  });
  if (bytes.length === 4) return `${bytes.join('.')}/${prefix}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  // Compress the longest run of zero groups.
  let best = [-1, 0];
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best[1] && j - i > 1) best = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const text = best[0] < 0 ? groups.join(':') : `${groups.slice(0, best[0]).join(':')}::${groups.slice(best[0] + best[1]).join(':')}`;
  return `${text}/${prefix}`;
}

/**
 * A CIDR, IPv4 (`10.0.0.0/8`) or IPv6 (`fd00::/8`), given as its network
 * address (host bits zero), which is how NetworkPolicy ipBlocks, Service
 * loadBalancerSourceRanges and squid ACLs read it.
 */
export function validateCidr(prop: string, value: unknown): string {
  const example = 'must be a CIDR such as "10.20.0.0/16" or "fd00::/8"';
  if (typeof value !== 'string') return invalid(prop, value, example);
  const m = /^([^/]+)\/([0-9]{1,3})$/.exec(value);
  const family = m && !m[1].includes('%') ? isIP(m[1]) : 0;
  const bits = m ? Number(m[2]) : NaN;
  if (!m || family === 0 || bits > (family === 4 ? 32 : 128) || (m[2].length > 1 && m[2].startsWith('0'))) invalid(prop, value, example);
  const network = cidrNetwork(value);
  const [addr] = network.split('/');
  if (ipBytes(addr).join('.') !== ipBytes(m[1]).join('.')) {
    invalid(prop, value, `${example}, written as its network address: did you mean "${network}"?`);
  }
  return value;
}

/** The suffix of a quantity in the Kubernetes grammar (`Mi`, `m`, `e3`, `''`), or undefined when it is not one. */
export function quantitySuffix(value: string): string | undefined {
  const m = typeof value === 'string' ? QUANTITY.exec(value) : null;
  return m ? (m[3] ?? '') : undefined;
}

/**
 * A CPU quantity such as `250m`, `1.5`, `2` or `2e-1`: cores, millicores
 * (`m`) or an exponent, at least 1m. Byte suffixes (`Mi`, `Gi`, `k`, `M`, `G`,
 * …) are valid grammar but say memory: a CPU of "512Mi" asks for 536870912
 * cores, a pod no node schedules.
 */
export function validateCpu(prop: string, value: string): string {
  const allowed = 'must be a positive CPU quantity in cores or millicores such as "250m", "0.5" or "2" (at least 1m)';
  const suffix = quantitySuffix(value);
  if (suffix !== undefined && suffix !== '' && suffix !== 'm' && !/^[eE]/.test(suffix)) {
    invalid(prop, value, `${allowed}; "${suffix}" is a memory (byte) suffix, which CPU does not take`);
  }
  if (typeof value !== 'string' || !(parseQuantity(value) >= 0.001)) invalid(prop, value, allowed);
  return value;
}

/** The smallest memory or storage quantity taken: 1Mi (runc refuses memory limits under 6MB; smaller volumes are typos). */
const MIN_BYTES = 2 ** 20;

/**
 * A memory or storage quantity such as `512Mi`, `10Gi`, `1G` or `1e9`: a
 * whole number of bytes, at least 1Mi. `m` (milli) is valid grammar but
 * means thousandths of a byte, and a bare small number ("2", "0.5") is bytes:
 * both are CPU-style values given for memory.
 */
export function validateMemory(prop: string, value: string): string {
  const allowed = 'must be a memory or storage quantity with a binary or decimal suffix such as "512Mi", "10Gi" or "1G" (at least 1Mi)';
  const bytes = typeof value === 'string' ? parseQuantity(value) : NaN;
  const suffix = quantitySuffix(value);
  if (suffix === 'm') invalid(prop, value, `${allowed}; "m" means thousandths (millicores for CPU), not megabytes: did you mean "${value.slice(0, -1)}Mi"?`);
  if (!(bytes > 0) || !Number.isInteger(Math.round(bytes * 1000) / 1000)) invalid(prop, value, allowed);
  if (bytes < MIN_BYTES) {
    invalid(prop, value, `${allowed}; ${value} is ${bytes} byte${bytes === 1 ? '' : 's'}${suffix === '' ? `: did you mean "${value}Gi"?` : ''}`);
  }
  return value;
}

/** Millicores of a validated CPU quantity. */
export function parseCpu(value: string): number {
  return Math.ceil(Math.round(parseQuantity(value) * 1e6) / 1e3);
}

/** Bytes of a validated memory quantity. */
export function parseBytes(value: string): number {
  return parseQuantity(value);
}
