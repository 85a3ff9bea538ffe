/**
 * Synth-time validation helpers. Every failure names the property, the value
 * that was given and what is allowed, so a bad config never becomes YAML.
 */

/** Thrown for invalid construct input. */
export class DifyValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DifyValidationError';
  }
}

/**
 * Throws `<prop>: got <value>; <allowed>`, the one format of every synth-time
 * error: `<prop>` is the property path as the user wrote it (`a.b`, `a[0]`,
 * `a["key/with.dots"]`), `<value>` is {@link renderValue} of what was given.
 */
export function invalid(prop: string, value: unknown, allowed: string): never {
  throw new DifyValidationError(`${prop}: got ${renderValue(value)}; ${allowed}`);
}

/**
 * A value as it appears in an error message: JSON where JSON can say it, and
 * never a crash (NaN, Infinity, bigint, functions, cycles, class instances).
 */
export function renderValue(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : String(value);
    case 'bigint':
      return `${value}n`;
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
    case 'symbol':
      return value.toString();
    default:
      break;
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      if (typeof v === 'bigint') return `${v}n`;
      if (typeof v === 'function') return `[function ${(v as { name?: string }).name || 'anonymous'}]`;
      return v;
    });
  } catch {
    text = undefined;
  }
  const ctor = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value)?.constructor?.name : undefined;
  const named = ctor && ctor !== 'Object' && ctor !== 'Array' ? `${ctor} ` : '';
  if (text === undefined) return `${named || ''}[object]`.trim();
  if (text.length > 500) text = `${text.slice(0, 497)}...`;
  return `${named}${text}`;
}

/**
 * The shape of every synth-time error message: `<path>: got <value>; <allowed>`,
 * where `<path>` is segments such as `a`, `.b`, `[0]` and `["key/with.dots"]`
 * (identifier segments may also hold '-', as environment variable names in
 * user-written keys do).
 */
export const VALIDATION_MESSAGE_FORMAT =
  /^(?:[A-Za-z_$][\w$-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])(?:\.[A-Za-z_$][\w$-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*: got .*?; \S[\s\S]*$/;

/** Appends a property to a path the way the user wrote it: `a.b`, or `a["x.y/z"]` for keys that are not identifiers. */
export function propPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^[0-9]+(\.[0-9]+){3}$/;

/** A DNS-1123 label (names of Services, Secrets, namespaces, …), at most `max` characters. */
export function validateDnsLabel(prop: string, value: string, max = 63): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !DNS_LABEL.test(value)) {
    invalid(prop, value, `must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending alphanumeric, at most ${max} characters`);
  }
  return value;
}

/** A DNS-1123 subdomain (Secret and ConfigMap names, storage classes). */
export function validateDnsSubdomain(prop: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    invalid(prop, value, "must be a DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters");
  }
  return value;
}

/**
 * A host name as an Ingress rule or HTTPRoute takes it: a lowercase DNS-1123
 * subdomain, optionally with a leading `*.` wildcard label, not an IP address.
 */
export function validateHostname(prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > 253 || !HOSTNAME.test(value)) {
    invalid(prop, value, 'must be a lowercase fully qualified DNS name such as "dify.example.com" (no scheme, port or path)');
  }
  if (IPV4.test(value)) invalid(prop, value, 'must be a DNS name: Ingress and HTTPRoute hosts cannot be IP addresses');
  return value;
}

/**
 * A host Dify puts into its URLs: a concrete lowercase DNS name (no wildcard)
 * or, for exposures without host routing (the nginx proxy), an IPv4 address.
 */
export function validateUrlHost(prop: string, value: string): string {
  if (typeof value === 'string' && IPV4.test(value)) {
    if (value.split('.').every((o) => Number(o) <= 255 && (o === '0' || !o.startsWith('0')))) return value;
    invalid(prop, value, 'must be a lowercase fully qualified DNS name such as "dify.example.com" or an IPv4 address (each part 0-255, no leading zeros)');
  }
  if (typeof value !== 'string' || value.length > 253 || !HOSTNAME.test(value)) {
    invalid(prop, value, 'must be a lowercase fully qualified DNS name such as "dify.example.com" (no scheme, port or path)');
  }
  if (value.startsWith('*.')) invalid(prop, value, 'must be a concrete host name, not a wildcard: Dify puts it into URLs');
  return value;
}

/** An environment variable name. */
export function validateEnvName(prop: string, value: string): string {
  if (!ENV_NAME.test(value)) {
    invalid(prop, value, 'must be an environment variable name matching [A-Za-z_][A-Za-z0-9_]*');
  }
  return value;
}

/**
 * An nginx size (client_max_body_size, ingress-nginx proxy-body-size): digits
 * with an optional k/K, m/M or g/G suffix; "0" means unlimited.
 */
export function validateNginxSize(prop: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[0-9]+[kKmMgG]?$/.test(value)) {
    invalid(prop, value, 'must be an nginx size: digits with an optional k, m or g suffix (either case) such as "100m" or "100M"; "0" disables the limit');
  }
  return value;
}

/** An integer within [min, max]. */
export function validateInt(prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    invalid(prop, value, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** A TCP port. */
export function validatePort(prop: string, value: number): number {
  return validateInt(prop, value, 1, 65535);
}

/** An absolute http(s) URL without a trailing slash. */
export function validateUrl(prop: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || value.endsWith('/')) {
    invalid(prop, value, 'must be an absolute http:// or https:// URL without a trailing slash');
  }
  return value;
}

/**
 * An S3 bucket name as S3 (and S3-compatible stores) accept it: 3-63
 * lowercase letters, digits, '.' and '-', starting and ending alphanumeric, no
 * '..', not an IP address, none of the reserved prefixes and suffixes.
 */
export function validateS3Bucket(prop: string, value: string): string {
  if (
    typeof value !== 'string' ||
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) ||
    value.includes('..') ||
    /^\d+\.\d+\.\d+\.\d+$/.test(value) ||
    /^(xn--|sthree-|amzn-s3-demo-)/.test(value) ||
    /(-s3alias|--ol-s3|--x-s3|\.mrap)$/.test(value)
  ) {
    invalid(
      prop,
      value,
      "must be an S3 bucket name (3-63 lowercase letters, digits, '.' and '-', starting and ending alphanumeric, no '..', not an IP address, no reserved prefix such as \"xn--\" or suffix such as \"-s3alias\")",
    );
  }
  return value;
}

/** An object-store bucket name (3-63 lowercase letters, digits and '-', optionally '.'). */
export function validateBucket(prop: string, value: string, what: string, dots = false): string {
  const re = dots ? /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/ : /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
  if (typeof value !== 'string' || !re.test(value)) {
    invalid(prop, value, `must be ${what}: 3-63 lowercase letters, digits${dots ? ", '.'" : ''} and '-', starting and ending alphanumeric`);
  }
  return value;
}

/** A cloud region such as `eu-west-1`. */
export function validateRegion(prop: string, value: string, example: string): string {
  if (typeof value !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(value)) {
    invalid(prop, value, `must be a region such as "${example}" (lowercase letters, digits and '-')`);
  }
  return value;
}

/** A relative object-store folder such as `dify/files`. */
export function validateFolder(prop: string, value: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(value)) {
    invalid(prop, value, "must be a relative folder such as \"dify/files\": letters, digits, '.', '_', '-' and inner '/'");
  }
  return value;
}

/** A lowercase SQL identifier (database names created unquoted): letters, digits and '_', not starting with a digit, at most 63 characters. */
export function validateSqlIdentifier(prop: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    invalid(prop, value, "must be a lowercase SQL identifier: letters, digits and '_', not starting with a digit, at most 63 characters");
  }
  return value;
}

const PEP508_NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?';
const PEP508_VERSION_SPEC = '(?:~=|===|==|!=|<=|>=|<|>)\\s*[A-Za-z0-9_.*+!-]+';
const PEP508_SPECS = `${PEP508_VERSION_SPEC}(?:\\s*,\\s*${PEP508_VERSION_SPEC})*`;
const PEP508_HEAD = new RegExp(
  `^\\s*(${PEP508_NAME})\\s*(\\[\\s*(?:${PEP508_NAME}(?:\\s*,\\s*${PEP508_NAME})*)?\\s*\\])?\\s*` +
    `(?:(\\(\\s*${PEP508_SPECS}\\s*\\)|${PEP508_SPECS})|@\\s*([A-Za-z][A-Za-z0-9+.-]*://\\S+))?\\s*(?:;(.*))?$`,
);
const MARKER_VARIABLES = new Set([
  'python_version',
  'python_full_version',
  'os_name',
  'sys_platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform_machine',
  'platform_python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
]);

/** True when `marker` is a PEP 508 environment marker (`python_version >= "3.8" and sys_platform != "win32"`). */
function isPep508Marker(marker: string): boolean {
  const tokens = marker.match(/\s*("[^"]*"|'[^']*'|\(|\)|~=|===|==|!=|<=|>=|<|>|not\s+in\b|in\b|and\b|or\b|[A-Za-z_][A-Za-z0-9_]*|\S)/g);
  if (!tokens || tokens.join('') !== marker) return false;
  const t = tokens.map((x) => x.trim());
  let i = 0;
  const value = () => {
    const v = t[i];
    if (v !== undefined && (/^("[^"]*"|'[^']*')$/.test(v) || MARKER_VARIABLES.has(v))) {
      i++;
      return true;
    }
    return false;
  };
  const atom = (): boolean => {
    if (t[i] === '(') {
      i++;
      if (!expr() || t[i] !== ')') return false;
      i++;
      return true;
    }
    if (!value()) return false;
    if (!/^(~=|===|==|!=|<=|>=|<|>|in|not\s+in)$/.test(t[i] ?? '')) return false;
    i++;
    return value();
  };
  const expr = (): boolean => {
    if (!atom()) return false;
    while (t[i] === 'and' || t[i] === 'or') {
      i++;
      if (!atom()) return false;
    }
    return true;
  };
  return expr() && i === t.length;
}

/**
 * One line of a pip requirements file as PEP 508 defines a requirement:
 * `name[extras] specifiers ; marker` or `name @ url ; marker`. Options
 * (`-r`, `--index-url`), several lines and local paths are refused: each
 * entry is one package.
 */
export function validatePipRequirement(prop: string, value: unknown): string {
  const allowed =
    'must be one PEP 508 requirement such as "numpy==2.1.0", "requests[socks]>=2.31,<3", ' +
    '"pandas; python_version >= \\"3.10\\"" or "pkg @ https://example.com/pkg.whl" (no pip options, one per entry)';
  if (typeof value !== 'string' || /[\r\n]/.test(value) || value.trim().startsWith('-')) return invalid(prop, value, allowed);
  const m = PEP508_HEAD.exec(value);
  if (!m) return invalid(prop, value, allowed);
  // After a URL, the marker's ';' must follow whitespace (PEP 508), or pip reads it as part of the URL.
  if (m[4] !== undefined && m[5] !== undefined && !/\s;/.test(value)) invalid(prop, value, allowed);
  if (m[5] !== undefined && !isPep508Marker(m[5].trim())) invalid(prop, value, `${allowed}: the part after ';' is not an environment marker`);
  return value;
}

/** One timeout of a pair, as the user wrote it. */
export interface NamedTimeout {
  readonly prop: string;
  readonly seconds: number;
}

/**
 * Two timeouts that must nest: `inner` (the work) must end before `outer`
 * (whoever waits for it) gives up, or the waiting side reports a failure while
 * the work still runs. Names both ends.
 */
export function validateTimeoutOrder(inner: NamedTimeout, outer: NamedTimeout, why: string): void {
  if (!(inner.seconds < outer.seconds)) {
    invalid(inner.prop, inner.seconds, `must be less than ${outer.prop} (${outer.seconds}): ${why}`);
  }
}

/** Hosts of one installation must be distinct (each names what it is for). */
export function validateDistinctHosts(hosts: ReadonlyArray<{ readonly prop: string; readonly host: string | undefined }>): void {
  const seen = new Map<string, string>();
  for (const { prop, host } of hosts) {
    if (host === undefined) continue;
    const first = seen.get(host);
    if (first !== undefined) invalid(prop, host, `is already used by ${first}: each host of one installation serves one purpose`);
    seen.set(host, prop);
  }
}
