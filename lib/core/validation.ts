/**
 * Synth-time validation helpers. Every failure names the property, the value
 * that was given and what is allowed, so a bad config never becomes YAML.
 */

import { parseQuantity } from './k8s-rules';

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
    case 'undefined': return 'undefined';
    case 'number': return Number.isFinite(value) ? JSON.stringify(value) : String(value);
    case 'bigint': return `${value}n`;
    case 'function': return `[function ${value.name || 'anonymous'}]`;
    case 'symbol': return value.toString();
    default: break;
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

/** Appends a property to a path the way the user wrote it: `a.b`, or `a["x.y/z"]` for keys that are not identifiers. */
export function propPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

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
    invalid(prop, value, 'must be a DNS-1123 subdomain: lowercase alphanumerics, \'-\' and \'.\', at most 253 characters');
  }
  return value;
}

/** A fully qualified host name for an Ingress rule (optionally a leading wildcard). */
export function validateHostname(prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > 253 || !HOSTNAME.test(value)) {
    invalid(prop, value, 'must be a lowercase fully qualified DNS name such as "dify.example.com" (no scheme, port or path)');
  }
  return value;
}

/** An environment variable name. */
export function validateEnvName(prop: string, value: string): string {
  if (!ENV_NAME.test(value)) {
    invalid(prop, value, 'must be an environment variable name matching [A-Za-z_][A-Za-z0-9_]*');
  }
  return value;
}

/** A CPU quantity in the Kubernetes grammar such as `250m`, `1.5` or `2`: at least 1m. */
export function validateCpu(prop: string, value: string): string {
  if (typeof value !== 'string' || !(parseQuantity(value) >= 0.001)) {
    invalid(prop, value, 'must be a positive CPU quantity such as "250m" or "1" (at least 1m)');
  }
  return value;
}

/**
 * A memory or storage quantity in the Kubernetes grammar such as `512Mi`,
 * `10Gi`, `1G` or `1e9`: positive and a whole number of bytes (`m`, milli,
 * is valid grammar but means thousandths of a byte: always a mistake here).
 */
export function validateMemory(prop: string, value: string): string {
  const bytes = typeof value === 'string' ? parseQuantity(value) : NaN;
  if (!(bytes >= 1) || !Number.isInteger(Math.round(bytes * 1000) / 1000)) {
    invalid(prop, value, 'must be a positive quantity with a binary or decimal suffix such as "512Mi" or "10Gi"');
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

/** Millicores of a validated CPU quantity. */
export function parseCpu(value: string): number {
  return Math.ceil(Math.round(parseQuantity(value) * 1e6) / 1e3);
}

/** Bytes of a validated memory quantity. */
export function parseBytes(value: string): number {
  return parseQuantity(value);
}
