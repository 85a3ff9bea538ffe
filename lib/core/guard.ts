import { propClasses } from '../generated/prop-classes';
import { looksSensitive } from './sensitive';
import { invalid, propPath } from './validation';

/**
 * Runtime guard for untyped (JavaScript / JSON) callers. The schemas are
 * generated from the TypeScript props types (`npm run gen:schemas`), so the
 * guard knows every prop without a second hand-written schema: unknown keys
 * (with a "did you mean"), wrong JSON types, non-finite numbers, and class
 * instances (`DifyStorage.s3(…)`, `SecretKeyRef.of(…)`, …) checked with
 * `instanceof`. Errors use the project's format via {@link invalid}.
 */

/** The subset of JSON Schema ts-json-schema-generator emits, plus `instanceOf`. */
export interface GuardSchema {
  readonly type?: string | string[];
  readonly properties?: Record<string, GuardSchema>;
  readonly required?: string[];
  readonly additionalProperties?: boolean | GuardSchema;
  readonly items?: GuardSchema | GuardSchema[];
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly anyOf?: GuardSchema[];
  readonly oneOf?: GuardSchema[];
  readonly allOf?: GuardSchema[];
  readonly enum?: unknown[];
  readonly const?: unknown;
  readonly $ref?: string;
  readonly instanceOf?: string;
}

interface Issue {
  readonly path: string;
  readonly value: unknown;
  readonly allowed: string;
  /** How deep the issue is: unions report the branch that got furthest. */
  readonly depth: number;
  /** The value is under a credential-named key: never shown, whatever its type. */
  readonly secret?: boolean;
}

const MAX_DEPTH = 64;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
let classes: Record<string, Function> | undefined;
/** The constructor of a class-typed prop (resolved on first use, after every module has loaded). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
function classNamed(name: string): Function | undefined {
  classes ??= propClasses();
  return classes[name];
}

let schemas: Record<string, GuardSchema> | undefined;
/** The generated schemas (lib/generated/prop-schemas.json), read on first use. */
function schemaNamed(name: string): GuardSchema | undefined {
  // JSON, not a module: parsing it costs a fraction of compiling the same object literal. A require, not an
  // import, so the compiler does not infer a type from the whole document.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  schemas ??= (require('../generated/prop-schemas.json') as { schemas: Record<string, GuardSchema> }).schemas;
  return schemas[name];
}

/** Where the guard looks up a `$ref`'s schema and an `instanceOf`'s class. */
export interface GuardDefinitions {
  /** The schema of a named type. */
  schema(name: string): GuardSchema | undefined;
  /** The constructor of a class-typed prop, if it is one of ours. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  constructorOf(name: string): Function | undefined;
}

const GENERATED: GuardDefinitions = { schema: schemaNamed, constructorOf: classNamed };

/**
 * Checks `props` against the generated schema of `typeName` (an exported
 * `*Props` / `*Options` type) and throws the first problem in the project's
 * format. `prefix` is the path of `props` as the user wrote it (`''` at the
 * top of a construct's props).
 */
export function guardProps(typeName: string, props: unknown, prefix = ''): void {
  guardAgainst(GENERATED, typeName, props, prefix);
}

/**
 * {@link guardProps} against other definitions: the schema checker itself, which
 * tests drive with schemas of their own.
 * @internal
 */
export function guardAgainst(defs: GuardDefinitions, typeName: string, props: unknown, prefix: string): void {
  const schema = defs.schema(typeName);
  if (!schema) throw new Error(`guardProps: no generated schema for ${typeName}; run npm run gen:schemas`);
  const issue = check(defs, schema, props, prefix, typeName, 0);
  if (!issue) return;
  // A credential-named prop (password, token, …) never has its value echoed.
  const last = /([A-Za-z_$][\w$]*)$|\["((?:[^"\\]|\\.)*)"\]$/.exec(issue.path);
  const key = last ? (last[1] ?? last[2]) : undefined;
  const echoes = typeof issue.value === 'number' || (typeof issue.value === 'string' && !/^<not a \w+>$/.test(issue.value));
  const shown = issue.secret || (key && looksSensitive(key) && echoes) ? '<redacted>' : issue.value;
  invalid(issue.path || 'props', shown, issue.allowed);
}

function resolve(defs: GuardDefinitions, schema: GuardSchema, typeName: string): [GuardSchema, string] {
  let s = schema;
  let name = typeName;
  // An alias of an alias is followed; a cycle of them ends where it comes round.
  const seen = new Set<string>();
  while (s.$ref && !seen.has(s.$ref)) {
    seen.add(s.$ref);
    name = decodeURIComponent(s.$ref.replace('#/definitions/', ''));
    s = defs.schema(name) as GuardSchema;
  }
  return [s, name];
}

function check(defs: GuardDefinitions, schema: GuardSchema, value: unknown, path: string, typeName: string, depth: number): Issue | undefined {
  const [s, name] = resolve(defs, schema, typeName);
  const fail = (allowed: string): Issue => ({ path, value, allowed, depth });
  if (depth > MAX_DEPTH) return fail('is nested too deeply');
  if (s.instanceOf) {
    if (isInstance(defs, value, s.instanceOf)) return undefined;
    // A string where a class belongs is often the credential itself (a password for a SecretKeyRef): never echo it.
    const shown = typeof value === 'string' ? `<not a ${s.instanceOf}>` : value;
    return { path, value: shown, allowed: `must be ${describe(defs, s, name)}`, depth };
  }
  const union = s.anyOf ?? s.oneOf;
  if (union) return checkUnion(defs, union, value, path, name, depth, fail);
  if (s.allOf) {
    for (const part of s.allOf) {
      const issue = check(defs, part, value, path, name, depth);
      if (issue) return issue;
    }
    return undefined;
  }
  if (s.const !== undefined && !Object.is(value, s.const)) return fail(`must be ${describe(defs, s, name)}`);
  if (s.enum && !s.enum.some((e) => Object.is(e, value))) return fail(`must be ${describe(defs, s, name)}`);
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  if (types.length > 0 && !types.some((t) => hasType(t, value, s))) return fail(`must be ${describe(defs, s, name)}`);
  if (Array.isArray(value)) return checkArray(defs, s, value, path, name, depth);
  // Inline object types (`Omit<…>`, records) are named by where they stand.
  const label = schema.$ref || depth === 0 ? readableName(name) : path;
  if (types.includes('object') && isObject(value)) return checkObject(defs, s, value, path, label, depth);
  return undefined;
}

function checkUnion(
  defs: GuardDefinitions,
  union: GuardSchema[],
  value: unknown,
  path: string,
  name: string,
  depth: number,
  fail: (a: string) => Issue,
): Issue | undefined {
  // A branch of the value's own kind that got past the type check explains best (the deepest one, first listed).
  let deepest: Issue | undefined;
  for (const branch of union) {
    const issue = check(defs, branch, value, path, name, depth);
    if (!issue) return undefined;
    if (issue.depth > (deepest?.depth ?? depth)) deepest = issue;
  }
  if (deepest) return deepest;
  return fail(`must be ${alternatives(union.map((b) => describe(defs, ...resolve(defs, b, name))))}`);
}

function checkArray(defs: GuardDefinitions, s: GuardSchema, value: unknown[], path: string, name: string, depth: number): Issue | undefined {
  if (value.length < (s.minItems ?? 0)) return { path, value, allowed: `must have at least ${s.minItems} items`, depth };
  if (value.length > (s.maxItems ?? Infinity)) return { path, value, allowed: `must have at most ${s.maxItems} items`, depth };
  for (let i = 0; i < value.length; i++) {
    const item = Array.isArray(s.items) ? s.items[i] : s.items;
    if (!item) continue;
    const issue = check(defs, item, value[i], propPath(path, i), name, depth + 1);
    if (issue) return issue;
  }
  return undefined;
}

function checkObject(defs: GuardDefinitions, s: GuardSchema, value: object, path: string, label: string, depth: number): Issue | undefined {
  const name = label;
  const props = s.properties ?? {};
  // An interface may be implemented by a class (a construct, a connection): only plain objects are checked for shape.
  if (!isPlainObject(value) && s.properties) return undefined;
  const record = value as Record<string, unknown>;
  for (const key of s.required ?? []) {
    if (record[key] === undefined) {
      return {
        path: propPath(path, key),
        value: undefined,
        allowed: `is required: ${describe(defs, ...resolve(defs, props[key] ?? {}, name))}`,
        depth: depth + 1,
      };
    }
  }
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    const p = propPath(path, key);
    const known = props[key];
    if (known) {
      if (v === undefined) continue;
      const issue = check(defs, known, v, p, name, depth + 1);
      if (issue) return issue;
    } else if (s.additionalProperties === false || (s.additionalProperties === undefined && s.properties)) {
      return { path: p, value: v, allowed: unknownKey(key, Object.keys(props), label), depth: depth + 1, secret: looksSensitive(key) };
    } else if (typeof s.additionalProperties === 'object' && v !== undefined) {
      const issue = check(defs, s.additionalProperties, v, p, name, depth + 1);
      if (issue) return issue;
    }
  }
  return undefined;
}

function unknownKey(key: string, allowed: string[], typeName: string): string {
  const suggestion = closest(key, allowed);
  const hint = suggestion ? `did you mean "${suggestion}"? ` : '';
  const list = allowed.length > 0 ? `known properties: ${[...allowed].sort().join(', ')}` : 'it takes no properties';
  return `unknown property of ${typeName}; ${hint}${list}`;
}

/** The allowed name closest to `key`: case-insensitive equality, then a unique prefix either way, then Levenshtein distance within a third of its length. */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  // A name that differs in letter case only is in the affix list or at distance 0, so it needs no step of its own.
  const lower = key.toLowerCase();
  // A name with a word added or dropped (`hostname` for `host`, `replica` for `replicas`).
  const affix = allowed.filter((a) => a.length >= 3 && (lower.startsWith(a.toLowerCase()) || (a.toLowerCase().startsWith(lower) && lower.length >= 3)));
  if (affix.length === 1) return affix[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const a of allowed) {
    const d = levenshtein(lower, a.toLowerCase());
    if (d < bestDistance) {
      best = a;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function hasType(type: string, value: unknown, s: GuardSchema): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    // A record (only additionalProperties) must be a plain object: a Map or class instance would be silently empty.
    case 'object':
      return isObject(value) && (isPlainObject(value) || Boolean(s.properties));
  }
  // The generator emits JSON Schema's types only: any other takes nothing rather than everything.
  return false;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isInstance(defs: GuardDefinitions, value: unknown, className: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const ctor = defs.constructorOf(className);
  if (ctor) return value instanceof ctor;
  // A dependency's class (cdk8s Chart, Quantity, …): by constructor name along the prototype chain.
  for (let p = Object.getPrototypeOf(value); p; p = Object.getPrototypeOf(p)) {
    if (p.constructor?.name === className) return true;
  }
  return false;
}

function readableName(name: string): string {
  const omitted = /^Omit<([^,]+),/.exec(name)?.[1] ?? name;
  return omitted.replace(/^Partial<(.+)>$/, '$1');
}

/** What a schema allows, in words. */
function describe(defs: GuardDefinitions, s: GuardSchema, name: string): string {
  if (s.instanceOf) {
    const ctor = defs.constructorOf(s.instanceOf) as unknown as Record<string, unknown> | undefined;
    const factories = ctor ? Object.getOwnPropertyNames(ctor).filter((k) => typeof ctor[k] === 'function') : [];
    const made =
      factories.length > 0
        ? ` (from ${factories
            .sort()
            .map((f) => `${s.instanceOf}.${f}()`)
            .join(', ')})`
        : '';
    return `a ${s.instanceOf} instance${made}`;
  }
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return alternatives(s.enum.map((e) => JSON.stringify(e)));
  const union = s.anyOf ?? s.oneOf;
  if (union) return alternatives(union.map((b) => describe(defs, ...resolve(defs, b, name))));
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  const words = types.map((t) => {
    switch (t) {
      case 'string':
        return 'a string';
      case 'number':
        return 'a finite number';
      case 'integer':
        return 'an integer';
      case 'boolean':
        return 'a boolean (true or false)';
      case 'array':
        return s.items && !Array.isArray(s.items) ? `an array of ${plural(describe(defs, ...resolve(defs, s.items, name)))}` : 'an array';
      case 'object':
        return s.properties
          ? `an object (${readableName(name)})`
          : typeof s.additionalProperties === 'object'
            ? `an object whose values are ${plural(describe(defs, ...resolve(defs, s.additionalProperties, name)))}`
            : 'an object';
      default:
        return t;
    }
  });
  return words.length > 0 ? alternatives(words) : 'any value';
}

/** `a`, `a or b`, `a, b or c` (never called with none). */
function alternatives(items: string[]): string {
  const unique = [...new Set(items)];
  const last = unique.pop() as string;
  return unique.length > 0 ? `${unique.join(', ')} or ${last}` : last;
}

function plural(text: string): string {
  return text.replace(/^an? /, '').replace(/^(string|finite number|integer|boolean|object|array)\b/, '$1s');
}
