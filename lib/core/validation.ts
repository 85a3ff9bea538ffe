import { isIP } from 'net';
import { pythonRegexProblem } from './python-regex';
import { hasUrlCredentials as hasCredentialInUrl, looksSensitive, redactCredentials } from './sensitive';

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
  // A credential-named prop (`password`, `extraEnv.SMTP_PASSWORD`, …) never has its value echoed.
  const shown = (typeof value === 'string' && !/^<[^>]*>$/.test(value)) || typeof value === 'number' ? (credentialNamed(prop) ? '<redacted>' : value) : value;
  throw new DifyValidationError(`${prop}: got ${renderValue(shown)}; ${allowed}`);
}

/** True when the last segment of a prop path is a property (not a map key in brackets) that names a credential. */
function credentialNamed(prop: string): boolean {
  const last = /(?:^|\.)([A-Za-z_$][\w$-]*)$/.exec(prop);
  return last !== null && credentialKey(last[1]);
}

/** A property name that holds a credential (`password`, `apiKey`, `SMTP_PASSWORD`); `key` alone names a Secret, label or map key. */
function credentialKey(name: string): boolean {
  return name !== 'key' && looksSensitive(name);
}

/**
 * A value as it appears in an error message: JSON where JSON can say it, and
 * never a crash (NaN, Infinity, bigint, functions, cycles, class instances).
 */
export function renderValue(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return `${value}n`;
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
    // undefined, symbols, NaN and ±Infinity have no JSON: String() names them (and writes a finite number as JSON does).
    case 'undefined':
    case 'symbol':
    case 'number':
      return String(value);
  }
  // Strings, objects, arrays and null as JSON; the replacer redacts a top-level string too (its key is '').
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (k, v: unknown) => {
      // Credentials never reach a message: values of credential-named keys, and URL userinfo anywhere.
      if (typeof v === 'string') return k && credentialKey(k) ? '<redacted>' : redactCredentials(v);
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      if (typeof v === 'bigint') return `${v}n`;
      if (typeof v === 'function') return `[function ${(v as { name?: string }).name || 'anonymous'}]`;
      return v;
    });
  } catch {
    // a cycle, or a toJSON that throws: text stays undefined
  }
  const ctor = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value)?.constructor?.name : undefined;
  const named = ctor && ctor !== 'Object' && ctor !== 'Array' ? `${ctor} ` : '';
  if (text === undefined) return `${named}[object]`;
  return `${named}${clip(text)}`;
}

function clip(text: string): string {
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}

/**
 * The shape of every synth-time error message: `<path>: got <value>; <allowed>`,
 * where `<path>` is segments such as `a`, `.b`, `[0]` and `["key/with.dots"]`
 * (identifier segments may also hold '-', as environment variable names in
 * user-written keys do).
 */
export const VALIDATION_MESSAGE_FORMAT =
  /^(?:[A-Za-z_$][\w$-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])(?:\.[A-Za-z_$][\w$-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*: got .*?; \S/; // the allowed part: anything from its first visible character on

/** Appends a property to a path the way the user wrote it: `a.b`, or `a["x.y/z"]` for keys that are not identifiers. */
export function propPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IPV4 = /^[0-9]+(\.[0-9]+){3}$/;
const URL_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** A DNS-1123 label (names of Services, Secrets, namespaces, …), at most `max` characters. */
export function validateDnsLabel(prop: string, value: string, max = 63): string {
  if (typeof value !== 'string' || value.length > max || !DNS_LABEL.test(value)) {
    invalid(prop, value, `must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending alphanumeric, at most ${max} characters`);
  }
  return value;
}

/** A DNS-1123 subdomain (Secret and ConfigMap names, storage classes). */
export function validateDnsSubdomain(prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    invalid(prop, value, "must be a DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters");
  }
  return value;
}

/** Rules of one kind of DNS name: letter case, a leading `*.` wildcard. */
interface DnsNameRules {
  /** Upper-case letters allowed (resolvers ignore case; Ingress and HTTPRoute hosts must be lower case). */
  readonly upper?: boolean;
  /** A leading `*.` wildcard label allowed. */
  readonly wildcard?: boolean;
}

/**
 * Why `name` is not a DNS name as resolvers and the API server take it (RFC
 * 1123: labels of 1-63 letters, digits and inner '-', at most 253 characters
 * in all), or undefined when it is one.
 */
export function dnsNameProblem(name: string, rules: DnsNameRules = {}): string | undefined {
  const body = rules.wildcard && name.startsWith('*.') ? name.slice(2) : name;
  if (name.length > 253) return `is ${name.length} characters long; a DNS name has at most 253`;
  const labels = body.split('.');
  // URL parsers read a name ending in a numeric label as an IPv4 address (WHATWG URL "ends in a number"); no TLD is numeric.
  if (labels.length > 1 && /^[0-9]+$/.test(labels[labels.length - 1]))
    return `ends in the numeric label "${labels[labels.length - 1]}": neither a DNS name nor an IPv4 address`;
  for (const label of labels) {
    if (label.length > 63) return `has the label "${label.slice(0, 20)}…" of ${label.length} characters; each dot-separated label has at most 63`;
    const re = rules.upper ? /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/ : /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    if (!re.test(label)) {
      if (!rules.upper && /[A-Z]/.test(label) && re.test(label.toLowerCase())) return `must be lower case: "${name.toLowerCase()}"`;
      return label === ''
        ? 'has an empty label (a leading, trailing or doubled dot)'
        : `has the label "${label}": labels hold letters, digits and inner '-' only`;
    }
  }
  return undefined;
}

/**
 * What a value that should be a bare host is instead, with the fix: a URL
 * (give its host, and the port or scheme where they belong), or a value with a
 * path. Undefined when it is neither.
 */
function hostMixup(value: string, portFix: (host: string, port: string) => string): string | undefined {
  const scheme = URL_SCHEME.exec(value);
  if (scheme) {
    let host: string;
    let port = '';
    try {
      const url = new URL(value);
      host = url.hostname;
      port = url.port;
    } catch {
      const authority = value.slice(scheme[0].length).split(/[/?#]/)[0];
      host = authority.slice(authority.lastIndexOf('@') + 1);
    }
    return `it is a URL, not a host: give ${port ? portFix(host, port) : `"${host}"`}`;
  }
  if (/[/?#\s]/.test(value)) return 'it has a path, query or whitespace';
  return undefined;
}

/** `host` and `port` of `name:port` (or `[v6]:port`); `port` undefined without one. */
export function splitHostPort(value: string): { host: string; port?: string } {
  const v6 = /^\[([^\]]*)\](?::([^:]*))?$/.exec(value);
  if (v6) return { host: v6[1], port: v6[2] };
  const parts = value.split(':');
  return parts.length === 2 ? { host: parts[0], port: parts[1] } : { host: value };
}

function portProblem(port: string): string | undefined {
  // A leading '0' is refused, and with it every port below 1.
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) > 65535 || port.startsWith('0')) {
    return `has the port "${port}"; a port is an integer from 1 to 65535`;
  }
  return undefined;
}

function validIpv4(value: string): boolean {
  return IPV4.test(value) && value.split('.').every((o) => Number(o) <= 255 && (o === '0' || !o.startsWith('0')));
}

/**
 * A host name as an Ingress rule or HTTPRoute takes it: a lowercase DNS name
 * (labels of at most 63 characters, 253 in all), optionally with a leading
 * `*.` wildcard label, not an IP address, no port.
 */
export function validateHostname(prop: string, value: string): string {
  const allowed = 'must be a lowercase fully qualified DNS name such as "dify.example.com" (no scheme, port or path)';
  if (typeof value !== 'string' || value.length === 0) return invalid(prop, value, allowed);
  const mixup = hostMixup(value, (host) => `"${host}" (Ingress and HTTPRoute hosts carry no port)`);
  if (mixup) invalid(prop, value, `${allowed}; ${mixup}`);
  if (value.includes(':')) invalid(prop, value, `${allowed}: Ingress and HTTPRoute hosts carry no port`);
  if (IPV4.test(value)) invalid(prop, value, 'must be a DNS name: Ingress and HTTPRoute hosts cannot be IP addresses');
  const problem = dnsNameProblem(value, { wildcard: true });
  if (problem) invalid(prop, value, `${allowed}; it ${problem}`);
  return value;
}

/**
 * A host Dify puts into its URLs, with an optional port (`dify.example.com`,
 * `dify.example.com:30080` behind a NodePort or a proxy on another port): a
 * concrete lowercase DNS name (no wildcard) or an IPv4 address.
 */
export function validateUrlHost(prop: string, value: string): string {
  const allowed = 'must be a lowercase DNS name such as "dify.example.com" or an IPv4 address, optionally with a port ("dify.example.com:30080")';
  if (typeof value !== 'string' || value.length === 0) return invalid(prop, value, allowed);
  const mixup = hostMixup(value, (host, port) => `"${host}:${port}"`);
  if (mixup) invalid(prop, value, `${allowed}; ${mixup}`);
  const { host, port } = splitHostPort(value);
  if (port !== undefined) {
    const problem = portProblem(port);
    if (problem) invalid(prop, value, `${allowed}; it ${problem}`);
  }
  if (IPV4.test(host)) {
    if (validIpv4(host)) return value;
    invalid(prop, value, 'must be a lowercase fully qualified DNS name such as "dify.example.com" or an IPv4 address (each part 0-255, no leading zeros)');
  }
  if (host.startsWith('*.')) invalid(prop, value, 'must be a concrete host name, not a wildcard: Dify puts it into URLs');
  if (isIP(host) === 6) invalid(prop, value, `${allowed}; IPv6 literals are not served by Ingress or HTTPRoute hosts: give a DNS name`);
  const problem = dnsNameProblem(host);
  if (problem) invalid(prop, value, `${allowed}; it ${problem}`);
  return value;
}

/** The host of a validated {@link validateUrlHost} value, without its port. */
export function hostWithoutPort(value: string): string {
  return splitHostPort(value).host;
}

/** Options of {@link validateServiceHost}. */
export interface ServiceHostOptions {
  /** Accept IPv6 literals (`fd00::1`, also written `[fd00::1]`): only where every client brackets them correctly. @default false */
  readonly ipv6?: boolean;
  /**
   * The prop that takes this host's port, named in the fix when a URL with a port is given.
   * @default the sibling `port` of a prop ending in `host` (`redis.host` → `redis.port`); otherwise the host takes no port
   */
  readonly portProp?: string;
}

/**
 * A host a client connects to (a database, Redis, a vector store): a DNS name
 * in any letter case, an IPv4 address, or (with `ipv6`) an IPv6 literal,
 * returned bare (`fd00::1`). No scheme, port, path or whitespace: a URL or a
 * `host:port` is refused with what to write instead (see
 * {@link validateHostAndPort} for props that accept `host:port`).
 */
export function validateServiceHost(prop: string, value: string, options: ServiceHostOptions = {}): string {
  const allowed = `must be a host name or IPv4${options.ipv6 ? ' or IPv6' : ''} address such as "db.internal.example.com" (no scheme, port or path)`;
  if (typeof value !== 'string' || value.length === 0) return invalid(prop, value, allowed);
  const portProp = options.portProp ?? (/(^|\.)host$/i.test(prop) ? prop.replace(/\.?host$/i, '.port').replace(/^\./, '') : undefined);
  const mixup = hostMixup(value, (host, port) => (portProp ? `"${host}", and ${port} as ${portProp}` : `"${host}" (it takes no port)`));
  if (mixup) invalid(prop, value, `${allowed}; ${mixup}`);
  const bare = /^\[(.*)\]$/.exec(value)?.[1] ?? value;
  if (isIP(bare) === 6) {
    if (!options.ipv6) invalid(prop, value, `${allowed}; IPv6 literals are not supported here: give a DNS name that resolves to it`);
    return bare;
  }
  if (value.includes(':')) {
    const hp = /^([^:]+):([0-9]+)$/.exec(value);
    invalid(
      prop,
      value,
      hp ? `${allowed}; give the port in its own setting and the host as "${hp[1]}"` : `${allowed}; it is neither a host name nor an IP address`,
    );
  }
  if (IPV4.test(value)) {
    if (validIpv4(value)) return value;
    invalid(prop, value, `${allowed}; an IPv4 address has four parts of 0-255 without leading zeros`);
  }
  const problem = dnsNameProblem(value, { upper: true });
  if (problem) invalid(prop, value, `${allowed}; it ${problem}`);
  return value;
}

/**
 * A host that may carry its port (`db.example.com:5433`) beside a separate
 * port setting: the port in the host is taken when the setting is not given,
 * accepted when it is the same, and refused when it contradicts it.
 * Returns the bare host and the port to connect to.
 */
export function validateHostAndPort(
  host: { readonly prop: string; readonly value: string },
  port: { readonly prop: string; readonly value: number | undefined; readonly default: number },
  options: ServiceHostOptions = {},
): { host: string; port: number } {
  const given = port.value === undefined ? undefined : validatePort(port.prop, port.value);
  if (typeof host.value === 'string' && !URL_SCHEME.test(host.value)) {
    const v6 = /^\[([^\]]+)\]:([^:]*)$/.exec(host.value);
    const plain = /^([^:[\]]+):([^:]*)$/.exec(host.value);
    const m = v6 ?? plain;
    if (m) {
      const problem = portProblem(m[2]);
      if (problem) invalid(host.prop, host.value, `must be a host, optionally with a port; it ${problem}`);
      const inHost = Number(m[2]);
      if (given !== undefined && given !== inHost) {
        invalid(host.prop, host.value, `has port ${inHost}, which contradicts ${port.prop} (${given}): give the port once`);
      }
      return { host: validateServiceHost(host.prop, v6 ? `[${m[1]}]` : m[1], { ...options, portProp: port.prop }), port: inHost };
    }
  }
  return { host: validateServiceHost(host.prop, host.value, { ...options, portProp: port.prop }), port: given ?? port.default };
}

/** An IPv6 literal in brackets (`[fd00::1]`) for URLs and `host:port` strings; other hosts unchanged. */
export function bracketIpv6(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
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

/**
 * An absolute http(s) URL without a trailing slash and without credentials
 * (they go by Secret reference). A bare host where a URL belongs is refused
 * with the URL to write instead.
 */
export function validateUrl(prop: string, value: string): string {
  const allowed = 'must be an absolute http:// or https:// URL without a trailing slash';
  if (typeof value !== 'string') return invalid(prop, value, allowed);
  if (!URL_SCHEME.test(value)) {
    const hostLike = /^[A-Za-z0-9.-]+(:[0-9]+)?(\/\S*)?$/.test(value) && value.includes('.');
    invalid(prop, value, hostLike ? `${allowed}; it has no scheme: did you mean "https://${value.replace(/\/$/, '')}"?` : allowed);
  }
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) invalid(prop, value, allowed);
  if (url.username || url.password || hasCredentialInUrl(value)) {
    invalid(prop, value, `${allowed} and without credentials (user:password@ or token@): pass them through the credential's own SecretKeyRef prop`);
  }
  if (value.endsWith('/')) invalid(prop, value, `${allowed}: "${value.replace(/\/+$/, '')}"`);
  // An IPv6 host is the one hostname the URL parser keeps in brackets.
  const problem = url.hostname.startsWith('[') || isIP(url.hostname) ? undefined : dnsNameProblem(url.hostname);
  if (problem) invalid(prop, value, `${allowed}; its host ${problem}`);
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
  // A character no token takes (`@`, an unclosed quote) is left out of the tokens, so they no longer spell the marker.
  const tokens = marker.match(/\s*("[^"]*"|'[^']*'|\(|\)|~=|===|==|!=|<=|>=|<|>|not\s+in\b|in\b|and\b|or\b|[A-Za-z_][A-Za-z0-9_]*)/g);
  if (!tokens || tokens.join('') !== marker) return false;
  const t = tokens.map((x) => x.trim());
  let i = 0;
  const value = () => {
    const v = t[i];
    // Stryker disable next-line Regex: a token is whole (the tokenizer yields a quoted string from quote to quote), so the anchors change nothing
    if (/^("[^"]*"|'[^']*')$/.test(v) || MARKER_VARIABLES.has(v)) {
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
    if (!/^(~=|===|==|!=|<=|>=|<|>|in|not\s+in)$/.test(t[i])) return false;
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
  // pip sends URL userinfo as basic auth (`https://TOKEN@host`, `https://user:token@host`): a credential in plain config.
  if (hasCredentialInUrl(value)) {
    invalid(
      prop,
      value,
      `${allowed}; it carries credentials in its URL (user:token@ or token@), which would land in plain config: serve the package from an index given by settings.pipMirrorUrl as a SecretKeyRef`,
    );
  }
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

/**
 * A regular expression a Python process compiles, checked in Python's `re`
 * dialect (see {@link pythonRegexProblem}), not JavaScript's: `(?i)` and
 * `(?P<name>…)` are taken, `(?<name>…)`, `\\k<name>`, `\\p{…}` and
 * variable-width look-behind are refused with Python's own message.
 */
export function validatePythonRegex(prop: string, value: unknown, reader = 'a Python process'): string {
  const allowed = `must be a Python regular expression (re module, as ${reader} compiles it)`;
  if (typeof value !== 'string') return invalid(prop, value, allowed);
  const problem = pythonRegexProblem(value);
  if (problem) invalid(prop, value, `${allowed}: ${problem}`);
  return value;
}
