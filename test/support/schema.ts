/**
 * Strict schema validation for synthesized Kubernetes manifests.
 *
 * Input is a list of plain documents (as parsed by `yaml.parseAllDocuments(...).map(d => d.toJSON())`).
 *
 * - Built-in kinds are validated with the `kubernetes-models` (4.5.1) validator of the model class
 *   matching `apiVersion` + `kind`. Those validators are precompiled ajv code that ignores unknown
 *   fields, so the document is validated through a recording `Proxy`: every object property the
 *   generated validator reads is "declared", and any property it never reads is reported as an
 *   unknown field. Objects the validator enumerates (`for..in`, i.e. maps with
 *   `additionalProperties` such as labels, annotations or ConfigMap `data`) and objects whose
 *   schema declares no properties at all (free-form, e.g. `RawExtension`) accept arbitrary keys.
 * - Custom resources of the CRDs under `<repo>/crds` are validated against the served version's
 *   `openAPIV3Schema` with a small structural-schema validator that follows Kubernetes pruning
 *   semantics: unknown fields are errors unless `x-kubernetes-preserve-unknown-fields` is set
 *   (or the node has `additionalProperties`). `metadata` is validated as an `ObjectMeta`.
 * - Metadata rules the OpenAPI schemas do not express are checked for every document: name
 *   presence and format, namespace format, label keys/values, annotation keys, ConfigMap/Secret
 *   data keys, and duplicate objects.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';

/** One schema problem found in a document. */
export interface SchemaIssue {
  /** `Kind/namespace/name` of the offending document (namespace is empty for cluster-scoped kinds). */
  readonly doc: string;
  /** JSON Pointer into the document (`''` = the whole document), e.g. `/spec/template/spec/containers/0/image`. */
  readonly path: string;
  /** Human-readable description of the problem. */
  readonly message: string;
}

/** Options for {@link validateSchemas}. */
export interface ValidateSchemasOptions {
  /** Namespace of namespaced objects without `metadata.namespace` (used in ids and duplicate detection). Default `'default'`. */
  readonly defaultNamespace?: string;
  /** Directory searched (two levels deep) for CRD YAML files. Default `<repo>/crds`. */
  readonly crdDir?: string;
}

type Obj = Record<string, unknown>;

const DEFAULT_CRD_DIR = path.resolve(__dirname, '../../crds');

/** Kinds that are cluster-scoped (built-in ones plus the cluster-scoped kinds of the bundled CRDs). */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ComponentStatus',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'VolumeAttributesClass',
  'IngressClass',
  'IPAddress',
  'ServiceCIDR',
  'PriorityClass',
  'RuntimeClass',
  'CustomResourceDefinition',
  'APIService',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'CertificateSigningRequest',
  'ClusterTrustBundle',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'DeviceClass',
  'StorageVersionMigration',
  'ClusterIssuer',
  'ClusterSecretStore',
  'ClusterExternalSecret',
  'ClusterPushSecret',
  'ClusterGenerator',
  'GatewayClass',
]);

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** API group of an `apiVersion` (`''` for the core group). */
export function apiGroup(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** Whether objects of this kind are cluster-scoped (built-in kinds and the bundled CRDs' kinds). */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind);
}

/** Effective namespace of a document: `''` for cluster-scoped kinds, else `metadata.namespace` or the default. */
export function docNamespace(doc: Readonly<Record<string, any>>, defaultNamespace = 'default'): string {
  const kind = str(doc.kind) ?? '';
  if (isClusterScoped(kind)) return '';
  const meta: unknown = doc.metadata;
  return (isObj(meta) ? str(meta.namespace) : undefined) || defaultNamespace;
}

/** `Kind/namespace/name` identifier of a document (`?` for a missing kind or name). */
export function docId(doc: Readonly<Record<string, any>>, defaultNamespace = 'default'): string {
  const meta: unknown = doc.metadata;
  const name = (isObj(meta) ? str(meta.name) : undefined) ?? '?';
  return `${str(doc.kind) ?? '?'}/${docNamespace(doc, defaultNamespace)}/${name}`;
}

/** Formats issues one per line (handy as a Jest failure message). */
export function formatIssues(issues: ReadonlyArray<SchemaIssue>): string {
  return issues.map((i) => `${i.doc} ${i.path || '/'}: ${i.message}`).join('\n');
}

/** Orders JSON Pointers segment by segment, array indices numerically. */
function comparePointers(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i] ?? '';
    const y = bs[i] ?? '';
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}

function ptr(base: string, key: string | number): string {
  return `${base}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

// ---------------------------------------------------------------------------------------------
// Built-in kinds: kubernetes-models validators + unknown-field detection through a Proxy
// ---------------------------------------------------------------------------------------------

interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  readonly prototype: { validate(this: unknown): void };
}

interface AjvLikeError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

interface Problem {
  readonly path: string;
  readonly message: string;
}

const API_VERSION_RE = /^([a-z0-9][a-z0-9.-]*\/)?v[0-9]+([a-z]+[0-9]+)?$/;
const KIND_RE = /^[A-Z][A-Za-z0-9]*$/;
/** Built-in alpha/beta versions (kubernetes-models keeps models of APIs long removed from clusters). */
const PRE_GA_VERSION = /^v[0-9]+(alpha|beta)[0-9]+$/;
const modelCache = new Map<string, ModelClass | null>();

function isModelClass(v: unknown): v is ModelClass {
  return (
    typeof v === 'function' &&
    typeof (v as { apiVersion?: unknown }).apiVersion === 'string' &&
    typeof (v as { kind?: unknown }).kind === 'string' &&
    typeof (v as { prototype?: { validate?: unknown } }).prototype?.validate === 'function'
  );
}

function findModel(apiVersion: string, kind: string): ModelClass | undefined {
  if (!API_VERSION_RE.test(apiVersion) || !KIND_RE.test(kind)) return undefined;
  const key = `${apiVersion}/${kind}`;
  const cached = modelCache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  let found: ModelClass | null = null;
  try {
    // Every model lives at `kubernetes-models/<group>/<version>/<Kind>` (core group: `v1/<Kind>`).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`kubernetes-models/${key}`) as Record<string, unknown>;
    const cls = mod[kind];
    if (isModelClass(cls) && cls.apiVersion === apiVersion && cls.kind === kind) found = cls;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e;
  }
  modelCache.set(key, found);
  return found ?? undefined;
}

interface Access {
  readonly keys: Set<string>;
  enumerated: boolean;
}

function formatAjvError(e: AjvLikeError): Problem {
  let message = e.message ?? e.keyword;
  const allowed = e.params.allowedValues;
  if (e.keyword === 'enum' && Array.isArray(allowed)) message += `: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  return { path: e.instancePath, message };
}

/**
 * Runs a kubernetes-models validator over a recording proxy of a JSON copy of `doc`; returns the
 * validator's errors plus one `unknown field` problem per property the validator never looked at.
 */
/**
 * Real API fields that kubernetes-models 4.5.1's generated validators never read (its schema
 * generator drops properties named like JSON Schema keywords), keyed by `apiVersion/kind`.
 * They are accepted, everything else the validator does not read stays an unknown field.
 */
const MODEL_GAPS: Readonly<Record<string, readonly string[]>> = { 'scheduling.k8s.io/v1/PriorityClass': ['/description'] };

function validateWithModel(model: ModelClass, doc: Readonly<Obj>): Problem[] {
  const data = JSON.parse(JSON.stringify(doc)) as Obj;
  const access = new WeakMap<object, Access>();
  const proxies = new WeakMap<object, object>();
  const wrap = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const existing = proxies.get(v);
    if (existing) return existing;
    const acc: Access = { keys: new Set(), enumerated: false };
    access.set(v, acc);
    const proxy = new Proxy(v, {
      get(target, key, receiver) {
        if (typeof key === 'string') acc.keys.add(key);
        return wrap(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === 'string') acc.keys.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        acc.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(v, proxy);
    return proxy;
  };

  const problems: Problem[] = [];
  try {
    model.prototype.validate.call(wrap(data));
  } catch (e) {
    const errors = (e as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) throw e;
    for (const err of errors as AjvLikeError[]) problems.push(formatAjvError(err));
  }

  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, ptr(at, i)));
      return;
    }
    if (!isObj(node)) return;
    const acc = access.get(node);
    // Not reached (parent already failed) or free-form object (schema declares no properties).
    if (!acc || (!acc.enumerated && acc.keys.size === 0)) return;
    for (const key of Object.keys(node)) {
      if (acc.enumerated || acc.keys.has(key)) walk(node[key], ptr(at, key));
      else problems.push({ path: ptr(at, key), message: `unknown field "${key}"` });
    }
  };
  walk(data, '');
  const gaps = MODEL_GAPS[`${String(doc.apiVersion)}/${String(doc.kind)}`] ?? [];
  return problems.filter((p) => !(gaps.includes(p.path) && p.message.startsWith('unknown field')));
}

// ---------------------------------------------------------------------------------------------
// Custom resources: CRD loading (lazy, cached in memory and on disk) + structural validation
// ---------------------------------------------------------------------------------------------

/** The subset of a CRD `openAPIV3Schema` (JSONSchemaProps) the validator understands. */
interface JsonSchemaProps {
  readonly type?: string;
  readonly format?: string;
  readonly nullable?: boolean;
  readonly properties?: Readonly<Record<string, JsonSchemaProps>>;
  readonly additionalProperties?: boolean | JsonSchemaProps;
  readonly items?: JsonSchemaProps;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly multipleOf?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly allOf?: readonly JsonSchemaProps[];
  readonly anyOf?: readonly JsonSchemaProps[];
  readonly oneOf?: readonly JsonSchemaProps[];
  readonly not?: JsonSchemaProps;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
}

interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly schema?: JsonSchemaProps;
}

interface CrdInfo {
  readonly group: string;
  readonly kind: string;
  readonly scope: string;
  readonly versions: readonly CrdVersion[];
}

/** Bump when the on-disk cache format changes. */
const CACHE_FORMAT = 'crd-v2';

interface CrdDirIndex {
  readonly files: readonly string[];
  readonly byFile: Map<string, CrdInfo | null>;
  readonly byGroupKind: Map<string, CrdInfo | null>;
}

const crdDirs = new Map<string, CrdDirIndex>();

function crdIndex(dir: string): CrdDirIndex {
  let index = crdDirs.get(dir);
  if (!index) {
    const files: string[] = [];
    const scan = (d: string, depth: number): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = path.join(d, e.name);
        if (e.isDirectory() && depth > 0) scan(full, depth - 1);
        else if (e.isFile() && /\.ya?ml$/.test(e.name)) files.push(full);
      }
    };
    scan(dir, 1);
    files.sort();
    index = { files, byFile: new Map(), byGroupKind: new Map() };
    crdDirs.set(dir, index);
  }
  return index;
}

/** Drops documentation-only keywords (`description`, `example`, `default`, CEL rules) to keep cached schemas small. */
function stripSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(stripSchema);
  if (!isObj(s)) return s;
  const out: Obj = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'description' || k === 'example' || k === 'default' || k === 'x-kubernetes-validations') continue;
    if (k === 'properties' && isObj(v)) {
      // Keys of `properties` are field names (a field may be called "description"): keep them all.
      out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, stripSchema(sub)]));
    } else {
      out[k] = k === 'enum' ? v : stripSchema(v);
    }
  }
  return out;
}

function reduceCrd(raw: unknown): CrdInfo | null {
  if (!isObj(raw) || raw.kind !== 'CustomResourceDefinition' || !isObj(raw.spec)) return null;
  const spec = raw.spec;
  const names = isObj(spec.names) ? spec.names : {};
  const versions: CrdVersion[] = [];
  for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
    if (!isObj(v) || typeof v.name !== 'string') continue;
    const schemaHolder = isObj(v.schema) ? v.schema : isObj(spec.validation) ? spec.validation : {};
    const schema = schemaHolder.openAPIV3Schema;
    versions.push({ name: v.name, served: v.served !== false, ...(isObj(schema) ? { schema: stripSchema(schema) as JsonSchemaProps } : {}) });
  }
  return { group: str(spec.group) ?? '', kind: str(names.kind) ?? '', scope: str(spec.scope) ?? 'Namespaced', versions };
}

/** Parses one CRD file; the reduced result is cached under os.tmpdir() keyed by content hash. */
function loadCrdFile(index: CrdDirIndex, file: string): CrdInfo | null {
  const cached = index.byFile.get(file);
  if (cached !== undefined) return cached;
  const text = fs.readFileSync(file, 'utf8');
  const useDiskCache = process.env.DIFY_CDK8S_CRD_CACHE !== 'off';
  const hash = crypto.createHash('sha256').update(CACHE_FORMAT).update(text).digest('hex').slice(0, 32);
  const cacheDir = path.join(os.tmpdir(), 'dify-cdk8s-crd-cache');
  const cacheFile = path.join(cacheDir, `${hash}.json`);
  let info: CrdInfo | null | undefined;
  if (useDiskCache) {
    try {
      info = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as CrdInfo | null;
    } catch {
      info = undefined;
    }
  }
  if (info === undefined) {
    info = reduceCrd(parseYaml(text) as unknown);
    if (useDiskCache) {
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(info));
        fs.renameSync(tmp, cacheFile);
      } catch {
        // The cache is an optimisation only.
      }
    }
  }
  index.byFile.set(file, info);
  return info;
}

function pluralGuesses(kind: string): string[] {
  const k = kind.toLowerCase();
  return [`${k}s`, `${k}es`, k.endsWith('y') ? `${k.slice(0, -1)}ies` : `${k}s`];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Finds the CRD for group+kind. Tries `<group>_<plural>.yaml` (controller-gen naming) first; other
 * files are only parsed when their text mentions both the group and the kind, so looking up an
 * unknown kind stays cheap.
 */
function findCrd(dir: string, group: string, kind: string): CrdInfo | undefined {
  const index = crdIndex(dir);
  const key = `${group}/${kind}`;
  const cached = index.byGroupKind.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const base = (f: string): string => path.basename(f).replace(/\.ya?ml$/, '');
  const guesses = new Set(pluralGuesses(kind).map((p) => `${group}_${p}`));
  const groupRe = new RegExp(`^\\s*group:\\s*["']?${escapeRegExp(group)}["']?\\s*$`, 'm');
  const kindRe = new RegExp(`^\\s*kind:\\s*["']?${escapeRegExp(kind)}["']?\\s*$`, 'm');
  const mentions = (f: string): boolean => {
    if (index.byFile.has(f)) return true;
    const text = fs.readFileSync(f, 'utf8');
    return groupRe.test(text) && kindRe.test(text);
  };
  const ordered = [...index.files.filter((f) => guesses.has(base(f))), ...index.files.filter((f) => !guesses.has(base(f)) && mentions(f))];
  let found: CrdInfo | null = null;
  for (const f of ordered) {
    const info = loadCrdFile(index, f);
    if (info && info.group === group && info.kind === kind) {
      found = info;
      break;
    }
  }
  index.byGroupKind.set(key, found);
  return found ?? undefined;
}

const regexCache = new Map<string, RegExp | null>();

function regex(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern);
    } catch {
      re = null; // RE2-only syntax: skip rather than guess.
    }
    regexCache.set(pattern, re);
  }
  return re;
}

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return isObj(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function formatProblem(format: string, v: unknown): string | undefined {
  switch (format) {
    case 'int32':
      return typeof v === 'number' && (v < -2147483648 || v > 2147483647) ? 'must be a 32-bit integer' : undefined;
    case 'int64':
      return typeof v === 'number' && !Number.isSafeInteger(v) && Number.isInteger(v) ? 'must be a 64-bit integer' : undefined;
    case 'byte':
      return typeof v === 'string' && !BASE64_RE.test(v) ? 'must be base64-encoded' : undefined;
    case 'date-time':
      return typeof v === 'string' && !DATE_TIME_RE.test(v) ? 'must be an RFC 3339 date-time' : undefined;
    case 'ipv4':
      return typeof v === 'string' && !net.isIPv4(v) ? 'must be an IPv4 address' : undefined;
    case 'ipv6':
      return typeof v === 'string' && !net.isIPv6(v) ? 'must be an IPv6 address' : undefined;
    default:
      return undefined;
  }
}

/**
 * Validates `v` against a structural schema. `strict` enables unknown-field detection; it is off
 * inside allOf/anyOf/oneOf/not branches (they only add value validations in structural schemas).
 */
function checkStructural(s: JsonSchemaProps, v: unknown, at: string, out: Problem[], strict: boolean): void {
  if (v === null || v === undefined) {
    if (!s.nullable && (s.type || s['x-kubernetes-int-or-string'])) out.push({ path: at, message: 'must not be null' });
    return;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))) {
      out.push({ path: at, message: 'must be an integer or a string' });
      return;
    }
  } else if (s.type && !typeOk(s.type, v)) {
    out.push({ path: at, message: `must be ${s.type}` });
    return;
  }
  if (s.enum && !s.enum.some((e) => stableJson(e) === stableJson(v))) {
    out.push({ path: at, message: `must be one of: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  }
  if (s.format) {
    const p = formatProblem(s.format, v);
    if (p) out.push({ path: at, message: p });
  }

  if (typeof v === 'string') {
    const len = [...v].length;
    if (s.minLength !== undefined && len < s.minLength) out.push({ path: at, message: `must be at least ${s.minLength} characters` });
    if (s.maxLength !== undefined && len > s.maxLength) out.push({ path: at, message: `must be at most ${s.maxLength} characters` });
    if (s.pattern !== undefined) {
      const re = regex(s.pattern);
      if (re && !re.test(v)) out.push({ path: at, message: `must match pattern ${s.pattern}` });
    }
  } else if (typeof v === 'number') {
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
      out.push({ path: at, message: `must be ${s.exclusiveMinimum ? '>' : '>='} ${s.minimum}` });
    }
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
      out.push({ path: at, message: `must be ${s.exclusiveMaximum ? '<' : '<='} ${s.maximum}` });
    }
    if (s.multipleOf !== undefined && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf)) {
      out.push({ path: at, message: `must be a multiple of ${s.multipleOf}` });
    }
  } else if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) out.push({ path: at, message: `must have at least ${s.minItems} items` });
    if (s.maxItems !== undefined && v.length > s.maxItems) out.push({ path: at, message: `must have at most ${s.maxItems} items` });
    const items = s.items;
    if (items) v.forEach((item, i) => checkStructural(items, item, ptr(at, i), out, strict));
    const listType = s['x-kubernetes-list-type'];
    const mapKeys = s['x-kubernetes-list-map-keys'];
    if (s.uniqueItems || listType === 'set' || (listType === 'map' && mapKeys)) {
      const seen = new Map<string, number>();
      v.forEach((item, i) => {
        const key = listType === 'map' && mapKeys && isObj(item) ? stableJson(mapKeys.map((k) => item[k] ?? null)) : stableJson(item);
        const prev = seen.get(key);
        if (prev !== undefined) {
          out.push({
            path: ptr(at, i),
            message:
              listType === 'map'
                ? `duplicate entry for list-map keys [${(mapKeys ?? []).join(', ')}] (same as item ${prev})`
                : `duplicate item (same as item ${prev})`,
          });
        } else {
          seen.set(key, i);
        }
      });
    }
  } else if (isObj(v)) {
    const props = s.properties ?? {};
    const additional = s.additionalProperties;
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    const embedded = s['x-kubernetes-embedded-resource'] === true;
    const keys = Object.keys(v);
    if (s.minProperties !== undefined && keys.length < s.minProperties) out.push({ path: at, message: `must have at least ${s.minProperties} properties` });
    if (s.maxProperties !== undefined && keys.length > s.maxProperties) out.push({ path: at, message: `must have at most ${s.maxProperties} properties` });
    for (const r of s.required ?? []) {
      if (v[r] === undefined) out.push({ path: at, message: `missing required field "${r}"` });
    }
    for (const key of keys) {
      const child = Object.hasOwn(props, key) ? props[key] : undefined;
      if (child) {
        checkStructural(child, v[key], ptr(at, key), out, strict);
      } else if (isObj(additional)) {
        checkStructural(additional, v[key], ptr(at, key), out, strict);
      } else if (strict && additional !== true && !preserve && !(embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata'))) {
        out.push({ path: ptr(at, key), message: `unknown field "${key}"` });
      }
    }
  }

  const passes = (branch: JsonSchemaProps): boolean => {
    const tmp: Problem[] = [];
    checkStructural(branch, v, at, tmp, false);
    return tmp.length === 0;
  };
  for (const branch of s.allOf ?? []) checkStructural(branch, v, at, out, false);
  if (s.anyOf && !s.anyOf.some(passes)) out.push({ path: at, message: 'must match at least one schema in anyOf' });
  if (s.oneOf && s.oneOf.filter(passes).length !== 1) out.push({ path: at, message: 'must match exactly one schema in oneOf' });
  if (s.not && passes(s.not)) out.push({ path: at, message: 'must not match the schema in "not"' });
}

function validateCustomResource(version: CrdVersion, doc: Readonly<Obj>): Problem[] {
  const problems: Problem[] = [];
  if (version.schema) {
    // The CRD schema declares metadata as a free-form object; it is validated as ObjectMeta below.
    const withoutMeta: Obj = { ...doc };
    delete withoutMeta.metadata;
    checkStructural(version.schema, withoutMeta, '', problems, true);
  }
  const configMap = findModel('v1', 'ConfigMap');
  if (configMap && doc.metadata !== undefined) {
    for (const p of validateWithModel(configMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: doc.metadata })) {
      if (p.path === '/metadata' || p.path.startsWith('/metadata/')) problems.push(p);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Metadata rules not expressed in the OpenAPI schemas
// ---------------------------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

function isDns1123Subdomain(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split('.').every((part) => DNS1123_LABEL.test(part));
}

function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'must be a qualified name ([prefix/]name)';
  const name = parts[parts.length - 1] ?? '';
  if (parts.length === 2 && !isDns1123Subdomain(parts[0] ?? '')) return 'prefix must be a DNS-1123 subdomain';
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'name part must be at most 63 characters, alphanumeric, "-", "_" or "." and start and end with an alphanumeric character';
  }
  return undefined;
}

function nameProblem(group: string, kind: string, name: string): string | undefined {
  if (group === 'rbac.authorization.k8s.io') {
    return name === '.' || name === '..' || /[/%]/.test(name) ? 'must be a valid path segment name (no "/" or "%", not "." or "..")' : undefined;
  }
  if (kind === 'Namespace' && group === '') {
    return isDns1123Label(name)
      ? undefined
      : 'must be a DNS-1123 label (at most 63 lowercase alphanumeric characters or "-", starting and ending with an alphanumeric character)';
  }
  if (kind === 'Service' && group === '') {
    return name.length <= 63 && DNS1035_LABEL.test(name)
      ? undefined
      : 'must be a DNS-1035 label (at most 63 lowercase alphanumeric characters or "-", starting with a letter and ending with an alphanumeric character)';
  }
  if (!isDns1123Subdomain(name)) {
    return 'must be a DNS-1123 subdomain (at most 253 lowercase alphanumeric characters, "-" or ".", starting and ending with an alphanumeric character)';
  }
  if (kind === 'CronJob' && group === 'batch' && name.length > 52) return 'must be at most 52 characters for a CronJob';
  return undefined;
}

function checkLabelMap(map: unknown, at: string, out: Problem[]): void {
  if (!isObj(map)) return;
  for (const [k, v] of Object.entries(map)) {
    const keyProblem = qualifiedNameProblem(k);
    if (keyProblem) out.push({ path: ptr(at, k), message: `invalid label key "${k}": ${keyProblem}` });
    if (typeof v !== 'string') {
      out.push({ path: ptr(at, k), message: `label value must be a string, got ${JSON.stringify(v)}` });
    } else if (v.length > 63 || !LABEL_VALUE.test(v)) {
      out.push({
        path: ptr(at, k),
        message: `invalid label value "${v}": must be at most 63 characters, empty or alphanumeric, "-", "_" or "." starting and ending with an alphanumeric character`,
      });
    }
  }
}

/**
 * Label keys/values (`metadata.labels`, `matchLabels`, `nodeSelector`) and annotation keys
 * (`metadata.annotations`) anywhere in the document, e.g. in pod and volume claim templates.
 */
function checkLabelsDeep(node: unknown, at: string, out: Problem[], parentKey: string, grandKey: string): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => checkLabelsDeep(v, ptr(at, i), out, '', ''));
    return;
  }
  if (!isObj(node)) return;
  if ((parentKey === 'labels' && grandKey === 'metadata') || parentKey === 'matchLabels' || parentKey === 'nodeSelector') {
    checkLabelMap(node, at, out);
    return;
  }
  if (parentKey === 'annotations' && grandKey === 'metadata') {
    for (const k of Object.keys(node)) {
      const p = qualifiedNameProblem(k);
      if (p) out.push({ path: ptr(at, k), message: `invalid annotation key "${k}": ${p}` });
    }
    return;
  }
  for (const [k, v] of Object.entries(node)) checkLabelsDeep(v, ptr(at, k), out, k, parentKey);
}

function checkMetadata(doc: Readonly<Obj>, group: string, kind: string, out: Problem[]): void {
  const meta = doc.metadata;
  if (!isObj(meta)) {
    out.push({ path: '/metadata', message: 'metadata is missing' });
    return;
  }
  const name = meta.name;
  if (typeof name !== 'string' || name.length === 0) {
    out.push({ path: '/metadata/name', message: 'metadata.name is missing' });
  } else {
    const p = nameProblem(group, kind, name);
    if (p) out.push({ path: '/metadata/name', message: `invalid name "${name}": ${p}` });
  }
  const ns = meta.namespace;
  if (typeof ns === 'string' && !isDns1123Label(ns)) {
    out.push({ path: '/metadata/namespace', message: `invalid namespace "${ns}": must be a DNS-1123 label` });
  }
  // Service selectors are plain label maps.
  if (group === '' && kind === 'Service' && isObj(doc.spec)) checkLabelMap(doc.spec.selector, '/spec/selector', out);
  checkLabelsDeep(doc, '', out, '', '');
  if (group === '' && (kind === 'ConfigMap' || kind === 'Secret')) {
    const seen = new Set<string>();
    for (const field of kind === 'ConfigMap' ? ['data', 'binaryData'] : ['data', 'stringData']) {
      const data = doc[field];
      if (!isObj(data)) continue;
      for (const key of Object.keys(data)) {
        if (key.length > 253 || !CONFIG_KEY.test(key)) {
          out.push({ path: ptr(`/${field}`, key), message: `invalid key "${key}": must consist of alphanumeric characters, "-", "_" or "."` });
        }
        if (kind === 'ConfigMap' && seen.has(key)) {
          out.push({ path: ptr(`/${field}`, key), message: `key "${key}" appears in both data and binaryData` });
        }
        seen.add(key);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

/**
 * Validates every document strictly (unknown fields are errors) and returns all issues found;
 * an empty array means the manifests are valid. Documents that are `null`/non-objects (e.g. empty
 * YAML documents) are reported.
 */
export function validateSchemas(docs: ReadonlyArray<Record<string, any>>, opts: ValidateSchemasOptions = {}): SchemaIssue[] {
  const defaultNamespace = opts.defaultNamespace ?? 'default';
  const crdDir = opts.crdDir ?? DEFAULT_CRD_DIR;
  const issues: SchemaIssue[] = [];
  const seen = new Map<string, number>();

  docs.forEach((doc, index) => {
    if (!isObj(doc)) {
      issues.push({ doc: `#${index}`, path: '', message: 'document is not an object' });
      return;
    }
    const id = docId(doc, defaultNamespace);
    const problems: Problem[] = [];
    const apiVersion = str(doc.apiVersion);
    const kind = str(doc.kind);
    if (!apiVersion || !kind) {
      issues.push({ doc: id, path: '', message: 'apiVersion and kind are required' });
      return;
    }
    const group = apiGroup(apiVersion);

    const model = findModel(apiVersion, kind);
    const versionName = apiVersion.slice(group.length ? group.length + 1 : 0);
    if (model && PRE_GA_VERSION.test(versionName)) {
      // kubernetes-models still ships long-removed APIs (extensions/v1beta1, batch/v1beta1, ...).
      problems.push({
        path: '/apiVersion',
        message: `unknown kind: "${apiVersion}" ${kind} is a pre-GA built-in API (removed, deprecated or disabled by default); use a GA version`,
      });
    } else if (model) {
      problems.push(...validateWithModel(model, doc));
    } else {
      const crd = group ? findCrd(crdDir, group, kind) : undefined;
      const version = crd?.versions.find((v) => v.name === versionName);
      if (!crd) {
        problems.push({ path: '', message: `unknown kind: no built-in model or CRD for apiVersion "${apiVersion}" kind "${kind}"` });
      } else if (!version?.served) {
        problems.push({
          path: '/apiVersion',
          message: `unknown kind: the ${kind} CRD does not serve version "${versionName}" (served: ${crd.versions
            .filter((v) => v.served)
            .map((v) => v.name)
            .join(', ')})`,
        });
      } else {
        problems.push(...validateCustomResource(version, doc));
      }
    }

    checkMetadata(doc, group, kind, problems);

    const meta = isObj(doc.metadata) ? doc.metadata : {};
    if (typeof meta.name === 'string') {
      const key = [group, kind, docNamespace(doc, defaultNamespace), meta.name].join('\u0000');
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push({ path: '', message: `duplicate object: same group, kind, namespace and name as document #${first}` });
      } else {
        seen.set(key, index);
      }
    }

    problems.sort((a, b) => comparePointers(a.path, b.path));
    for (const p of problems) issues.push({ doc: id, path: p.path, message: p.message });
  });
  return issues;
}
