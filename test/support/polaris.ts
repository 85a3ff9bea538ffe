/**
 * Offline runner for Fairwinds Polaris's schema-based checks over plain parsed manifests (objects
 * as they appear in synthesized YAML), so tests can audit `dist/` without a cluster or the
 * Polaris binary. The check definitions are Polaris's own data files, copied into
 * `test/fixtures/polaris/` (see SOURCE.md there); this module re-implements the engine that
 * interprets them, following Polaris's `pkg/validator` and `pkg/config` semantics:
 *
 * - Resources: every document is a resource; a resource whose `spec…` holds a pod spec (found the
 *   way Polaris's `GetPodSpec` walks `jobTemplate` / `spec` / `template`) is a *controller*.
 * - Targets: `Controller` (the whole controller object), `PodSpec`, `PodTemplate` (the object that
 *   holds `spec.containers`, i.e. `spec.template` of a Deployment or the Pod itself), `Container`
 *   (every container and init container; `containers.exclude: [initContainer]` honoured), and a
 *   kind (`apps/Deployment`, `/ConfigMap`, `PodDisruptionBudget`, …; matched on the kind, the bare
 *   legacy names `Ingress`/`PodDisruptionBudget` mapped as Polaris does). `controllers.include` /
 *   `exclude` filter on the controller kind. `schemaTarget: PodSpec` on a container check validates
 *   a copy of the pod spec whose `containers` is just that container and `initContainers` is empty.
 * - Schemas: `schema` (serialized to JSON first, as Polaris does), `schemaString` or `jsonSchema`,
 *   rendered as a Go text/template (see {@link renderGoTemplate}) with the whole object as dot plus
 *   `.Polaris.PodSpec`, `.Polaris.PodTemplate` and, for container checks, `.Polaris.Container`, then
 *   parsed as YAML and validated with ajv (JSON Schema 2019-09, like qri-io/jsonschema; RE2 inline
 *   flags such as `(?i)` translated; Polaris's `resourceMinimum`/`resourceMaximum` keywords).
 * - Multi-resource checks (`additionalSchemas` / `additionalSchemaStrings`), evaluated only when the
 *   main schema passes: each kind's rendered schema must be satisfied by at least one object of that
 *   kind in the resource's namespace (a Namespace's own name for a Namespace) or without a namespace
 *   (cluster-scoped, e.g. the ClusterRole of a RoleBinding); a schema that renders to nothing is no
 *   requirement (how Polaris's `{{ if }}`-guarded ServiceAccount/Role schemas pass). Both rules are
 *   what Polaris's conformance fixtures require.
 * - `pdbMinAvailableGreaterThanHPAMinReplicas` has no schema: Polaris implements it in Go; it is
 *   re-implemented here (first PDB whose `matchLabels` shares a label with the pod template, first
 *   HPA whose `scaleTargetRef` is this Deployment, fail when `minAvailable` — percentages scaled
 *   against `spec.replicas`, rounded up — exceeds the HPA's `minReplicas`).
 * - Pod specs and containers are normalised as Polaris's typed `corev1` round trip does where the
 *   checks can tell: resource quantities become strings, null fields disappear, and fields the Go
 *   structs do not have (e.g. `privileged` in a pod-level securityContext) are dropped.
 * - Go semantics kept on purpose, quirks included: `missingNetworkPolicy` wants a policy whose
 *   `matchLabels` holds exactly one of the pod's labels (its schema says `oneOf`) and that has both
 *   ingress and egress rules; `missingPodDisruptionBudget` accepts any PDB sharing one label;
 *   rendered label values are re-parsed as YAML (1.1, like Go's yaml), so `const: {{ $value }}`.
 * - Config: only checks whose severity is `danger` or `warning` run. Exemptions: `exemptions`
 *   entries (namespace, `controllerNames` as name prefixes, `containerNames`, `rules`; no rules =
 *   every check) and the `polaris.fairwinds.com/exempt` / `polaris.fairwinds.com/<check>-exempt:
 *   "true"` annotations on the object.
 *
 * A check this module cannot evaluate faithfully (no schema and no Go re-implementation, or a
 * template construct outside the supported subset) yields `unsupported` results instead of passing.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv2019 from 'ajv/dist/2019';
import type { ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';

type Obj = Record<string, any>;

/** Polaris severities; `ignore` (or a check missing from `checks`) means the check does not run. */
export type PolarisSeverity = 'danger' | 'warning' | 'ignore';

/** The directory the Polaris data was copied to. */
export const POLARIS_FIXTURES = path.join(__dirname, '..', 'fixtures', 'polaris');

export interface PolarisExemption {
  readonly namespace?: string;
  readonly controllerNames?: readonly string[];
  readonly containerNames?: readonly string[];
  readonly rules?: readonly string[];
}

export interface PolarisConfig {
  readonly checks: Readonly<Record<string, PolarisSeverity>>;
  readonly exemptions?: readonly PolarisExemption[];
  /** Check definitions keyed by id, in the same format as the built-in check files. */
  readonly customChecks?: Readonly<Record<string, Obj>>;
  readonly disallowExemptions?: boolean;
  readonly disallowAnnotationExemptions?: boolean;
  readonly disallowConfigExemptions?: boolean;
}

export interface PolarisCheck {
  readonly id: string;
  readonly successMessage: string;
  readonly failureMessage: string;
  readonly category: string;
  readonly target: string;
  readonly schemaTarget?: string;
  readonly controllers: { readonly include: readonly string[]; readonly exclude: readonly string[] };
  readonly containers: { readonly include: readonly string[]; readonly exclude: readonly string[] };
  /** The main schema as a Go template source (YAML or JSON); undefined when the check has none. */
  readonly schemaString?: string;
  /** Extra per-kind schemas (Go template sources), keyed by `group/Kind`. */
  readonly additionalSchemaStrings: Readonly<Record<string, string>>;
  /** Set when the check cannot be evaluated faithfully; every result is then `unsupported`. */
  readonly unsupported?: string;
}

export interface PolarisResult {
  readonly check: string;
  readonly severity: PolarisSeverity;
  readonly category: string;
  /** `Kind/namespace/name` (empty namespace for cluster-scoped objects). */
  readonly object: string;
  /** The container name, for container checks. */
  readonly container?: string;
  readonly passed: boolean;
  /** True when the check could not be evaluated (then `passed` is false). */
  readonly unsupported?: boolean;
  readonly message: string;
}

export interface RunPolarisOptions {
  /** Severities, exemptions and custom checks; defaults to Polaris's default config. */
  readonly config?: PolarisConfig;
  /** Built-in check definitions; defaults to {@link loadPolarisChecks}. */
  readonly checks?: Readonly<Record<string, PolarisCheck>>;
}

/** Checks Polaris implements in Go rather than with a schema, re-implemented below. */
const GO_CHECKS: Record<string, (ctx: CheckContext) => boolean> = {
  pdbMinAvailableGreaterThanHPAMinReplicas: pdbMinAvailableGreaterThanHpaMinReplicas,
};

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

/** Field lookup as Go's encoding/json does it for struct fields (exact, then case-insensitive). */
function field(raw: Obj, name: string): unknown {
  if (name in raw) return raw[name];
  const key = Object.keys(raw).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : raw[key];
}

const strList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** Parses one check definition (the content of a `checks/<id>.yaml` file or a `customChecks` entry). */
export function parsePolarisCheck(id: string, raw: Obj): PolarisCheck {
  const controllers = (field(raw, 'controllers') ?? {}) as Obj;
  const containers = (field(raw, 'containers') ?? {}) as Obj;
  const schema = field(raw, 'schema');
  const schemaStringRaw = field(raw, 'schemaString');
  const jsonSchema = field(raw, 'jsonSchema');
  let schemaString: string | undefined;
  if (typeof schemaStringRaw === 'string' && schemaStringRaw.trim() !== '') schemaString = schemaStringRaw;
  else if (typeof jsonSchema === 'string' && jsonSchema.trim() !== '') schemaString = jsonSchema;
  else if (schema !== undefined && schema !== null) schemaString = JSON.stringify(schema);

  const additional: Record<string, string> = {};
  for (const [kind, s] of Object.entries((field(raw, 'additionalSchemas') ?? {}) as Obj)) additional[kind] = JSON.stringify(s);
  for (const [kind, s] of Object.entries((field(raw, 'additionalSchemaStrings') ?? {}) as Obj)) additional[kind] = String(s);

  let unsupported: string | undefined;
  if (schemaString === undefined && !(id in GO_CHECKS)) unsupported = 'the check has no schema and its Go implementation is not re-implemented here';
  for (const src of [schemaString, ...Object.values(additional)]) {
    if (unsupported || src === undefined) continue;
    try {
      parseGoTemplate(src);
    } catch (e) {
      unsupported = `template not supported: ${(e as Error).message}`;
    }
  }
  const check: PolarisCheck = {
    id,
    successMessage: String(field(raw, 'successMessage') ?? '').trim(),
    failureMessage: String(field(raw, 'failureMessage') ?? '').trim(),
    category: String(field(raw, 'category') ?? ''),
    target: String(field(raw, 'target') ?? ''),
    controllers: { include: strList(field(controllers, 'include')), exclude: strList(field(controllers, 'exclude')) },
    containers: { include: strList(field(containers, 'include')), exclude: strList(field(containers, 'exclude')) },
    additionalSchemaStrings: additional,
    ...(field(raw, 'schemaTarget') ? { schemaTarget: String(field(raw, 'schemaTarget')) } : {}),
    ...(schemaString !== undefined ? { schemaString } : {}),
    ...(unsupported ? { unsupported } : {}),
  };
  return check;
}

/** Loads Polaris's built-in checks (`<dir>/*.yaml`, the id being the file name). */
export function loadPolarisChecks(dir: string = path.join(POLARIS_FIXTURES, 'checks')): Record<string, PolarisCheck> {
  const out: Record<string, PolarisCheck> = {};
  for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const id = file.replace(/\.ya?ml$/, '');
    out[id] = parsePolarisCheck(id, parseYaml(fs.readFileSync(path.join(dir, file), 'utf8')) as Obj);
  }
  return out;
}

/** Loads a Polaris config file (default: Polaris's default config with its severities and exemptions). */
export function loadPolarisConfig(file: string = path.join(POLARIS_FIXTURES, 'config.yaml')): PolarisConfig {
  const raw = (parseYaml(fs.readFileSync(file, 'utf8')) ?? {}) as Obj;
  return {
    checks: (raw.checks ?? {}) as Record<string, PolarisSeverity>,
    exemptions: (raw.exemptions ?? []) as PolarisExemption[],
    ...(raw.customChecks ? { customChecks: raw.customChecks as Record<string, Obj> } : {}),
    ...(raw.disallowExemptions ? { disallowExemptions: true } : {}),
    ...(raw.disallowAnnotationExemptions ? { disallowAnnotationExemptions: true } : {}),
    ...(raw.disallowConfigExemptions ? { disallowConfigExemptions: true } : {}),
  };
}

/** The ids of checks in `checks` that this runner cannot evaluate, with the reason. */
export function unsupportedPolarisChecks(checks: Readonly<Record<string, PolarisCheck>> = loadPolarisChecks()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of Object.values(checks)) if (c.unsupported) out[c.id] = c.unsupported;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Go text/template (the subset Polaris's check files use, with Go's semantics)
// ---------------------------------------------------------------------------------------------

/** Go's invalid reflect.Value: what a missing map key evaluates to ("<no value>" when printed). */
const NO_VALUE: unique symbol = Symbol('<no value>');

export class GoTemplateError extends Error {}

type Tok =
  | { k: 'lit'; v: unknown }
  | { k: 'field'; path: string[] }
  | { k: 'var'; name: string; path: string[] }
  | { k: 'ident'; v: string }
  | { k: 'lparen' }
  | { k: 'rparen'; path: string[] }
  | { k: 'pipe' }
  | { k: 'comma' }
  | { k: 'declare' }
  | { k: 'assign' };

type Operand =
  | { k: 'lit'; v: unknown }
  | { k: 'dot'; path: string[] }
  | { k: 'var'; name: string; path: string[] }
  | { k: 'fn'; name: string }
  | { k: 'sub'; pipe: Pipe; path: string[] };

interface Pipe {
  readonly decl: string[];
  readonly assign: boolean;
  readonly cmds: Operand[][];
}

type TNode =
  | { t: 'text'; text: string }
  | { t: 'print'; pipe: Pipe }
  | { t: 'if' | 'with'; pipe: Pipe; body: TNode[]; else: TNode[] }
  | { t: 'range'; pipe: Pipe; body: TNode[]; else: TNode[] };

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;

function lexAction(s: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const chain = (): string[] => {
    const p: string[] = [];
    while (s[i] === '.' && i + 1 < s.length && IDENT_START.test(s[i + 1])) {
      i++;
      const st = i;
      while (i < s.length && IDENT_CHAR.test(s[i])) i++;
      p.push(s.slice(st, i));
    }
    return p;
  };
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      if (j >= s.length) throw new GoTemplateError('unterminated quoted string');
      toks.push({ k: 'lit', v: JSON.parse(s.slice(i, j + 1)) });
      i = j + 1;
    } else if (c === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) throw new GoTemplateError('unterminated raw string');
      toks.push({ k: 'lit', v: s.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '(') { toks.push({ k: 'lparen' }); i++; }
    else if (c === ')') { i++; toks.push({ k: 'rparen', path: chain() }); }
    else if (c === '|') { toks.push({ k: 'pipe' }); i++; }
    else if (c === ',') { toks.push({ k: 'comma' }); i++; }
    else if (s.startsWith(':=', i)) { toks.push({ k: 'declare' }); i += 2; }
    else if (c === '=') { toks.push({ k: 'assign' }); i++; }
    else if (c === '$') {
      i++;
      const st = i;
      while (i < s.length && IDENT_CHAR.test(s[i])) i++;
      toks.push({ k: 'var', name: s.slice(st, i), path: chain() });
    } else if (c === '.' && !/[0-9]/.test(s[i + 1] ?? '')) {
      const p = chain();
      if (p.length === 0) i++; // a lone `.`
      toks.push({ k: 'field', path: p });
    } else if (/[0-9+\-.]/.test(c)) {
      const m = /^[+-]?(0[xX][0-9a-fA-F_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(s.slice(i));
      if (!m || m[0] === '' || m[0] === '+' || m[0] === '-') throw new GoTemplateError(`bad number syntax at ${s.slice(i)}`);
      const text = m[0].replace(/_/g, '');
      const v = Number(text);
      if (Number.isNaN(v)) throw new GoTemplateError(`bad number syntax: ${m[0]}`);
      toks.push({ k: 'lit', v: /[.eE]/.test(text) && !/^[+-]?0[xX]/.test(text) ? new GoFloat(v) : v });
      i += m[0].length;
    } else if (IDENT_START.test(c)) {
      const st = i;
      while (i < s.length && IDENT_CHAR.test(s[i])) i++;
      const w = s.slice(st, i);
      if (w === 'true' || w === 'false') toks.push({ k: 'lit', v: w === 'true' });
      else if (w === 'nil') toks.push({ k: 'lit', v: null });
      else toks.push({ k: 'ident', v: w });
    } else {
      throw new GoTemplateError(`unexpected ${JSON.stringify(c)} in action`);
    }
  }
  return toks;
}

/** A float literal from a template (`1.0`), kept apart from integers for `eq` and printing. */
class GoFloat {
  constructor(readonly v: number) {}
}

function parsePipeline(toks: Tok[], start: number, inParen: boolean): { pipe: Pipe; pos: number } {
  let pos = start;
  let decl: string[] = [];
  let assign = false;
  const t0 = toks[pos];
  if (t0?.k === 'var' && t0.path.length === 0) {
    const t1 = toks[pos + 1];
    const t2 = toks[pos + 2];
    const t3 = toks[pos + 3];
    if (t1?.k === 'declare' || t1?.k === 'assign') {
      decl = [t0.name];
      assign = t1.k === 'assign';
      pos += 2;
    } else if (t1?.k === 'comma' && t2?.k === 'var' && t2.path.length === 0 && t3?.k === 'declare') {
      decl = [t0.name, t2.name];
      pos += 4;
    }
  }
  const cmds: Operand[][] = [];
  let cmd: Operand[] = [];
  for (;;) {
    const t = toks[pos];
    if (t === undefined || t.k === 'rparen' || t.k === 'pipe') {
      if (cmd.length === 0) throw new GoTemplateError('missing command in pipeline');
      cmds.push(cmd);
      cmd = [];
      if (t === undefined) {
        if (inParen) throw new GoTemplateError('unclosed left paren');
        break;
      }
      if (t.k === 'rparen') {
        if (!inParen) throw new GoTemplateError('unexpected right paren');
        break;
      }
      pos++;
      continue;
    }
    switch (t.k) {
      case 'lit': cmd.push({ k: 'lit', v: t.v }); pos++; break;
      case 'field': cmd.push({ k: 'dot', path: t.path }); pos++; break;
      case 'var': cmd.push({ k: 'var', name: t.name, path: t.path }); pos++; break;
      case 'ident': cmd.push({ k: 'fn', name: t.v }); pos++; break;
      case 'lparen': {
        const sub = parsePipeline(toks, pos + 1, true);
        const close = toks[sub.pos] as { k: 'rparen'; path: string[] };
        cmd.push({ k: 'sub', pipe: sub.pipe, path: close.path });
        pos = sub.pos + 1;
        break;
      }
      default:
        throw new GoTemplateError(`unexpected ${t.k} in pipeline`);
    }
  }
  for (const c of cmds) {
    if (c[0].k === 'fn' && !(c[0].name in FUNCS) && c[0].name !== 'and' && c[0].name !== 'or') {
      throw new GoTemplateError(`function "${c[0].name}" not defined`);
    }
    for (const o of c.slice(1)) if (o.k === 'fn' && !(o.name in FUNCS)) throw new GoTemplateError(`function "${o.name}" not defined`);
  }
  return { pipe: { decl, assign, cmds }, pos };
}

const templateCache = new Map<string, TNode[]>();

/** Parses a Go text/template into a tree; throws {@link GoTemplateError} on unsupported syntax. */
function parseGoTemplate(src: string): TNode[] {
  const cached = templateCache.get(src);
  if (cached) return cached;
  // Split into text and actions, applying `{{- ` / ` -}}` trim markers.
  type Piece = { text: string } | { action: string };
  const pieces: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      pieces.push({ text });
      break;
    }
    let j = open + 2;
    const leftTrim = /^-[ \t\r\n]/.test(src.slice(j, j + 2));
    if (leftTrim) { text = text.replace(/\s+$/, ''); j += 2; }
    pieces.push({ text });
    // Find the closing delimiter: after `*/` for a comment, else skipping quoted strings.
    let k = j;
    if (src.startsWith('/*', j)) {
      const end = src.indexOf('*/', j + 2);
      if (end < 0) throw new GoTemplateError('unclosed comment');
      k = end + 2;
      if (src.startsWith(' -}}', k)) k += 2;
      if (!src.startsWith('}}', k)) throw new GoTemplateError('comment ends before closing delimiter');
    } else {
      let quote = '';
      for (; k < src.length; k++) {
        const ch = src[k];
        if (quote) {
          if (ch === '\\' && quote === '"') k++;
          else if (ch === quote) quote = '';
        } else if (ch === '"' || ch === '`') quote = ch;
        else if (src.startsWith('}}', k)) break;
      }
    }
    if (k >= src.length) throw new GoTemplateError('unclosed action');
    let body = src.slice(j, k);
    if (/[ \t\r\n]-$/.test(body)) { body = body.slice(0, -2); trimNext = true; }
    pieces.push({ action: body });
    i = k + 2;
  }

  const root: TNode[] = [];
  type Frame = { node: TNode & { body: TNode[]; else: TNode[] }; inElse: boolean; implicitEnds: number };
  const stack: Frame[] = [];
  const cur = (): TNode[] => {
    const f = stack[stack.length - 1];
    return f ? (f.inElse ? f.node.else : f.node.body) : root;
  };
  for (const p of pieces) {
    if ('text' in p) {
      if (p.text) cur().push({ t: 'text', text: p.text });
      continue;
    }
    const a = p.action.trim();
    if (a.startsWith('/*')) {
      if (!a.endsWith('*/')) throw new GoTemplateError('unclosed comment');
      continue;
    }
    const toks = lexAction(a);
    const first = toks[0];
    const kw = first?.k === 'ident' ? first.v : '';
    if (kw === 'if' || kw === 'with' || kw === 'range') {
      const { pipe, pos } = parsePipeline(toks, 1, false);
      if (pos !== toks.length) throw new GoTemplateError('unexpected tokens after pipeline');
      const node = { t: kw, pipe, body: [] as TNode[], else: [] as TNode[] } as TNode & { body: TNode[]; else: TNode[] };
      cur().push(node);
      stack.push({ node, inElse: false, implicitEnds: 0 });
    } else if (kw === 'else') {
      const f = stack[stack.length - 1];
      if (!f || f.inElse) throw new GoTemplateError('unexpected {{else}}');
      f.inElse = true;
      const next = toks[1];
      if (next?.k === 'ident' && (next.v === 'if' || next.v === 'with')) {
        // `{{else if p}}` is `{{else}}{{if p}}…{{end}}{{end}}` sharing the outer `{{end}}`.
        const { pipe, pos } = parsePipeline(toks, 2, false);
        if (pos !== toks.length) throw new GoTemplateError('unexpected tokens after pipeline');
        const node = { t: next.v, pipe, body: [] as TNode[], else: [] as TNode[] } as TNode & { body: TNode[]; else: TNode[] };
        f.node.else.push(node);
        stack.push({ node, inElse: false, implicitEnds: f.implicitEnds + 1 });
        f.implicitEnds = 0;
      } else if (toks.length !== 1) {
        throw new GoTemplateError('unexpected tokens after else');
      }
    } else if (kw === 'end') {
      if (toks.length !== 1) throw new GoTemplateError('unexpected tokens after end');
      let f = stack.pop();
      if (!f) throw new GoTemplateError('unexpected {{end}}');
      for (let n = f.implicitEnds; n > 0; n--) f = stack.pop();
    } else if (['define', 'template', 'block', 'break', 'continue'].includes(kw)) {
      throw new GoTemplateError(`{{${kw}}} is not supported`);
    } else {
      const { pipe, pos } = parsePipeline(toks, 0, false);
      if (pos !== toks.length) throw new GoTemplateError('unexpected tokens after pipeline');
      cur().push({ t: 'print', pipe });
    }
  }
  if (stack.length) throw new GoTemplateError('unexpected EOF: missing {{end}}');
  templateCache.set(src, root);
  return root;
}

class Scope {
  private readonly vars = new Map<string, unknown>();
  constructor(private readonly parent?: Scope) {}
  declare(name: string, v: unknown): void { this.vars.set(name, v); }
  assign(name: string, v: unknown): void {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      if (s.vars.has(name)) { s.vars.set(name, v); return; }
    }
    throw new GoTemplateError(`undefined variable: $${name}`);
  }
  get(name: string): unknown {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
    throw new GoTemplateError(`undefined variable: $${name}`);
  }
}

const isMap = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat);

/** Go's `.field` on a value: map lookup (missing key → no value), no value stays no value, nil errors. */
function goField(v: unknown, name: string): unknown {
  if (v === NO_VALUE) return NO_VALUE;
  if (v === null || v === undefined) throw new GoTemplateError(`nil pointer evaluating interface {}.${name}`);
  if (isMap(v)) return Object.prototype.hasOwnProperty.call(v, name) ? v[name] : NO_VALUE;
  throw new GoTemplateError(`can't evaluate field ${name} in type ${goTypeName(v)}`);
}

function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'int';
  if (v instanceof GoFloat) return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** Go's truth: false, 0, "", nil, empty map/slice and no value are false. */
function truth(v: unknown): boolean {
  if (v === NO_VALUE || v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof GoFloat) return v.v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return '0';
  const [mant, expStr] = f.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 21) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(f);
}

/** fmt's %v. */
function goFormat(v: unknown): string {
  if (v === NO_VALUE) return '<no value>';
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatFloat(v);
  if (v instanceof GoFloat) return formatFloat(v.v);
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  return `map[${Object.keys(v as Obj).sort().map((k) => `${k}:${goFormat((v as Obj)[k])}`).join(' ')}]`;
}

type Kind = 'invalid' | 'bool' | 'int' | 'float' | 'string' | 'other';
function basicKind(v: unknown): Kind {
  if (v === NO_VALUE || v === null || v === undefined) return 'invalid';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (v instanceof GoFloat) return 'float';
  if (typeof v === 'string') return 'string';
  return 'other';
}
const num = (v: unknown): number => (v instanceof GoFloat ? v.v : (v as number));

function goEq(a: unknown, ...bs: unknown[]): boolean {
  if (bs.length === 0) throw new GoTemplateError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of bs) {
    const k2 = basicKind(b);
    if (k1 === 'other' || k2 === 'other') throw new GoTemplateError('non-comparable types');
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw new GoTemplateError('incompatible types for comparison');
      continue;
    }
    if (k1 === 'invalid') return true;
    if (k1 === 'int' || k1 === 'float' ? num(a) === num(b) : a === b) return true;
  }
  return false;
}

function goLess(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2 || !['int', 'float', 'string'].includes(k1)) throw new GoTemplateError('incompatible types for comparison');
  return k1 === 'string' ? (a as string) < (b as string) : num(a) < num(b);
}

function needString(fn: string, v: unknown): string {
  if (typeof v !== 'string') throw new GoTemplateError(`error calling ${fn}: expected string; got ${v === NO_VALUE ? 'invalid value' : goTypeName(v)}`);
  return v;
}

const FUNCS: Record<string, (...args: unknown[]) => unknown> = {
  not: (a) => !truth(a),
  eq: (a, ...bs) => goEq(a, ...bs),
  ne: (a, b) => !goEq(a, b),
  lt: (a, b) => goLess(a, b),
  le: (a, b) => goLess(a, b) || goEq(a, b),
  gt: (a, b) => !goLess(a, b) && !goEq(a, b),
  ge: (a, b) => !goLess(a, b),
  hasPrefix: (s, p) => needString('hasPrefix', s).startsWith(needString('hasPrefix', p)),
  hasSuffix: (s, p) => needString('hasSuffix', s).endsWith(needString('hasSuffix', p)),
  len: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (isMap(v)) return Object.keys(v).length;
    throw new GoTemplateError(`len of type ${v === NO_VALUE ? 'invalid value' : goTypeName(v)}`);
  },
  // fmt.Sprint: a space between operands when neither is a string. Invalid values arrive as nil.
  print: (...args) => args.map((a, idx) => {
    const prevIsString = idx > 0 && typeof args[idx - 1] === 'string';
    const sep = idx > 0 && !prevIsString && typeof a !== 'string' ? ' ' : '';
    return sep + goFormat(a === NO_VALUE ? null : a);
  }).join(''),
  index: (item, ...keys) => {
    let cur = item;
    if (cur === NO_VALUE || cur === null) throw new GoTemplateError('index of untyped nil');
    for (const key of keys) {
      if (cur === null) throw new GoTemplateError('index of nil pointer');
      if (Array.isArray(cur) || typeof cur === 'string') {
        const n = num(key);
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= cur.length) throw new GoTemplateError('error calling index: index out of range');
        cur = cur[n];
      } else if (isMap(cur)) {
        const k = needString('index', key);
        cur = Object.prototype.hasOwnProperty.call(cur, k) ? cur[k] : null;
      } else {
        throw new GoTemplateError(`can't index item of type ${goTypeName(cur)}`);
      }
    }
    return cur;
  },
};

function evalOperand(o: Operand, dot: unknown, scope: Scope): unknown {
  switch (o.k) {
    case 'lit': return o.v;
    case 'dot': return o.path.reduce(goField, dot);
    case 'var': return o.path.reduce(goField, o.name === '' ? scope.get('') : scope.get(o.name));
    case 'sub': return o.path.reduce(goField, evalPipe(o.pipe, dot, scope));
    case 'fn': return callFn(o.name, [], dot, scope, undefined);
  }
}

function callFn(name: string, args: Operand[], dot: unknown, scope: Scope, final: { v: unknown } | undefined): unknown {
  if (name === 'and' || name === 'or') {
    const thunks = args.map((a) => () => evalOperand(a, dot, scope));
    if (final) thunks.push(() => final.v);
    if (thunks.length === 0) throw new GoTemplateError(`wrong number of args for ${name}`);
    let v: unknown;
    for (const th of thunks) {
      v = th();
      if (truth(v) === (name === 'or')) return v;
    }
    return v;
  }
  const values = args.map((a) => evalOperand(a, dot, scope));
  if (final) values.push(final.v);
  return FUNCS[name](...values);
}

function evalPipe(pipe: Pipe, dot: unknown, scope: Scope): unknown {
  let final: { v: unknown } | undefined;
  for (const cmd of pipe.cmds) {
    const [head, ...rest] = cmd;
    let v: unknown;
    if (head.k === 'fn') v = callFn(head.name, rest, dot, scope, final);
    else {
      if (rest.length > 0 || final) throw new GoTemplateError("can't give argument to non-function");
      v = evalOperand(head, dot, scope);
    }
    // Go unwraps interface values after each command: a nil interface becomes an invalid value.
    final = { v: v === null || v === undefined ? NO_VALUE : v };
  }
  const result = final ? final.v : NO_VALUE;
  if (pipe.decl.length === 1) {
    if (pipe.assign) scope.assign(pipe.decl[0], result);
    else scope.declare(pipe.decl[0], result);
  }
  return result;
}

function execNodes(nodes: TNode[], dot: unknown, scope: Scope, out: string[]): void {
  for (const n of nodes) {
    switch (n.t) {
      case 'text': out.push(n.text); break;
      case 'print': {
        const v = evalPipe(n.pipe, dot, scope);
        if (n.pipe.decl.length === 0) out.push(goFormat(v));
        break;
      }
      case 'if':
      case 'with': {
        const inner = new Scope(scope);
        const v = evalPipe(n.pipe, dot, inner);
        if (truth(v)) execNodes(n.body, n.t === 'with' ? v : dot, inner, out);
        else execNodes(n.else, dot, inner, out);
        break;
      }
      case 'range': {
        const decl = n.pipe.decl;
        const v = evalPipe({ ...n.pipe, decl: [] }, dot, scope);
        let entries: [unknown, unknown][] = [];
        if (Array.isArray(v)) entries = v.map((e, idx) => [idx, e]);
        else if (isMap(v)) entries = Object.keys(v).sort().map((k) => [k, v[k]]);
        else if (typeof v === 'number' && Number.isInteger(v)) entries = Array.from({ length: Math.max(v, 0) }, (_, idx) => [idx, idx]);
        else if (v !== NO_VALUE) throw new GoTemplateError(`range can't iterate over ${goFormat(v)}`);
        if (entries.length === 0) {
          execNodes(n.else, dot, new Scope(scope), out);
          break;
        }
        for (const [key, elem] of entries) {
          const inner = new Scope(scope);
          if (decl.length === 1) inner.declare(decl[0], elem);
          if (decl.length === 2) { inner.declare(decl[0], key); inner.declare(decl[1], elem); }
          execNodes(n.body, elem, inner, out);
        }
        break;
      }
    }
  }
}

/**
 * Renders a Go text/template with Go's semantics for the subset Polaris's checks use: field and
 * variable chains, `:=`/`=`, `if`/`else if`/`else`/`with`/`range` (maps in key order), parenthesised
 * pipelines, `|`, comments, `{{-`/`-}}` trimming, and the functions `and or not eq ne lt le gt ge
 * index len print hasPrefix hasSuffix`. Missing map keys print `<no value>` (Go's default
 * `missingkey` option); a field of an explicit nil is an error, as in Go.
 */
export function renderGoTemplate(src: string, data: unknown): string {
  const nodes = parseGoTemplate(src);
  const scope = new Scope();
  scope.declare('', data);
  const out: string[] = [];
  execNodes(nodes, data, scope, out);
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// JSON Schema (ajv, 2019-09), with Polaris's dialect
// ---------------------------------------------------------------------------------------------

/** RE2 → JS: inline flag groups such as `(?i)` become RegExp flags (only after anchors). */
function goRegExp(pattern: string, _u: string): RegExp {
  let flags = '';
  let src = pattern;
  const re = /\(\?([imsU]+)\)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(pattern)) !== null) {
    const before = pattern.slice(0, m.index).replace(/\(\?[imsU]+\)/g, '');
    if (!/^\^*$/.test(before)) throw new Error(`RE2 inline flags after position 0 are not supported: ${pattern}`);
    for (const f of m[1]) {
      if (f === 'U') throw new Error(`RE2 flag U is not supported: ${pattern}`);
      if (!flags.includes(f)) flags += f;
    }
  }
  src = src.replace(re, '');
  try {
    return new RegExp(src, `${flags}u`);
  } catch {
    return new RegExp(src, flags);
  }
}
goRegExp.code = 'goRegExp';

const QUANTITY_RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E))?$/;
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Parses a Kubernetes resource quantity (`100m`, `1Gi`, `1.5`, `1e3`) to a number; undefined if invalid. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q !== 'string') return undefined;
  const m = QUANTITY_RE.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * BINARY[m[2]];
  if (m[3]) return base * 10 ** Number(m[3].slice(1));
  if (m[4]) return base * DECIMAL[m[4]];
  return base;
}

const ajv = new Ajv2019({
  strict: false,
  validateSchema: false,
  allErrors: false,
  code: { regExp: goRegExp },
});
for (const [keyword, isMin] of [['resourceMinimum', true], ['resourceMaximum', false]] as const) {
  ajv.addKeyword({
    keyword,
    schemaType: ['string', 'number'],
    errors: false,
    validate: (limit: string | number, data: unknown) => {
      const l = parseQuantity(String(limit));
      const d = parseQuantity(data);
      if (l === undefined || d === undefined) return false;
      return isMin ? d >= l : d <= l;
    },
  });
}

/** Keywords whose null value means "no constraint" to qri-io/jsonschema (e.g. an empty `required:`). */
const VALUE_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);
function sanitizeSchema(s: unknown, root = true): unknown {
  if (Array.isArray(s)) return s.map((e) => sanitizeSchema(e, false));
  if (!isMap(s)) return s;
  const out: Obj = {};
  for (const [k, v] of Object.entries(s)) {
    if (root && k === '$schema') continue;
    if (v === null && !VALUE_KEYWORDS.has(k)) continue;
    out[k] = VALUE_KEYWORDS.has(k) ? v : sanitizeSchema(v, false);
  }
  return out;
}

const validatorCache = new Map<string, ValidateFunction | null>();

/** Renders, parses and compiles a schema template; null when it renders to nothing. */
function compileSchema(src: string, data: unknown): ValidateFunction | null {
  const rendered = renderGoTemplate(src, data);
  const cached = validatorCache.get(rendered);
  if (cached !== undefined) return cached;
  const parsed = parseYaml(rendered, { version: '1.1' }) as unknown;
  let fn: ValidateFunction | null = null;
  if (parsed !== null && parsed !== undefined) {
    if (typeof parsed !== 'object' && typeof parsed !== 'boolean') throw new Error(`schema is not an object: ${rendered}`);
    fn = ajv.compile(sanitizeSchema(parsed) as Obj);
  }
  validatorCache.set(rendered, fn);
  return fn;
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

interface Resource {
  readonly obj: Obj;
  readonly kind: string;
  readonly group: string;
  readonly name: string;
  readonly namespace: string;
  readonly annotations: Record<string, unknown>;
  /** Normalised pod spec, for controllers. */
  readonly podSpec?: Obj;
  /** The object holding `spec.containers` (a Deployment's `spec.template`, a Pod itself). */
  readonly podTemplate?: Obj;
}

const POD_SPEC_FIELDS = ['jobTemplate', 'spec', 'template'];

function getPodSpec(o: unknown): Obj | undefined {
  if (!isMap(o)) return undefined;
  for (const child of POD_SPEC_FIELDS) if (child in o) return getPodSpec(o[child]);
  return 'containers' in o ? o : undefined;
}

function getPodTemplate(o: unknown): Obj | undefined {
  if (!isMap(o)) return undefined;
  if (isMap(o.spec) && 'containers' in o.spec) return o;
  for (const child of POD_SPEC_FIELDS) if (child in o) return getPodTemplate(o[child]);
  return undefined;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isMap(v)) return v;
  const out: Obj = {};
  for (const [k, e] of Object.entries(v)) if (e !== null && e !== undefined) out[k] = dropNulls(e);
  return out;
}

function quantitiesToStrings(list: unknown): void {
  if (!isMap(list)) return;
  for (const [k, v] of Object.entries(list)) if (typeof v === 'number') list[k] = String(v);
}

// Fields of the corev1 Go structs (k8s.io/api v0.33): Polaris decodes pod specs into these types,
// so anything else (say `privileged` in a pod-level securityContext) is dropped before checking.
const POD_SPEC_FIELDS_TYPED = new Set([
  'volumes', 'initContainers', 'containers', 'ephemeralContainers', 'restartPolicy', 'terminationGracePeriodSeconds',
  'activeDeadlineSeconds', 'dnsPolicy', 'nodeSelector', 'serviceAccountName', 'serviceAccount', 'automountServiceAccountToken',
  'nodeName', 'hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace', 'securityContext', 'imagePullSecrets', 'hostname',
  'subdomain', 'affinity', 'schedulerName', 'tolerations', 'hostAliases', 'priorityClassName', 'priority', 'dnsConfig',
  'readinessGates', 'runtimeClassName', 'enableServiceLinks', 'preemptionPolicy', 'overhead', 'topologySpreadConstraints',
  'setHostnameAsFQDN', 'os', 'hostUsers', 'schedulingGates', 'resourceClaims', 'resources',
]);
const CONTAINER_FIELDS = new Set([
  'name', 'image', 'command', 'args', 'workingDir', 'ports', 'envFrom', 'env', 'resources', 'resizePolicy', 'restartPolicy',
  'volumeMounts', 'volumeDevices', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath',
  'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty',
  // EphemeralContainer only
  'targetContainerName',
]);
const POD_SECURITY_CONTEXT_FIELDS = new Set([
  'seLinuxOptions', 'windowsOptions', 'runAsUser', 'runAsGroup', 'runAsNonRoot', 'supplementalGroups', 'supplementalGroupsPolicy',
  'fsGroup', 'sysctls', 'fsGroupChangePolicy', 'seccompProfile', 'appArmorProfile', 'seLinuxChangePolicy',
]);
const SECURITY_CONTEXT_FIELDS = new Set([
  'capabilities', 'privileged', 'seLinuxOptions', 'windowsOptions', 'runAsUser', 'runAsGroup', 'runAsNonRoot',
  'readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'procMount', 'seccompProfile', 'appArmorProfile',
]);

function project(o: Obj, fields: ReadonlySet<string>): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (fields.has(k)) out[k] = v;
  return out;
}

/** What Polaris's typed corev1 round trip changes in a container that the checks can observe. */
function normaliseContainer(c: Obj): Obj {
  const out = project(dropNulls(clone(c)) as Obj, CONTAINER_FIELDS);
  if (isMap(out.resources)) {
    quantitiesToStrings(out.resources.limits);
    quantitiesToStrings(out.resources.requests);
  }
  if (isMap(out.securityContext)) out.securityContext = project(out.securityContext, SECURITY_CONTEXT_FIELDS);
  return out;
}

function normalisePodSpec(spec: Obj): Obj {
  const out = project(dropNulls(clone(spec)) as Obj, POD_SPEC_FIELDS_TYPED);
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    if (Array.isArray(out[list])) out[list] = out[list].map((c: unknown) => (isMap(c) ? normaliseContainer(c) : c));
  }
  if (isMap(out.securityContext)) out.securityContext = project(out.securityContext, POD_SECURITY_CONTEXT_FIELDS);
  quantitiesToStrings(out.overhead);
  if (isMap(out.resources)) {
    quantitiesToStrings(out.resources.limits);
    quantitiesToStrings(out.resources.requests);
  }
  return out;
}

function toResource(doc: Obj): Resource {
  const obj = clone(doc);
  const apiVersion = String(obj.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const meta = isMap(obj.metadata) ? obj.metadata : {};
  const spec = getPodSpec(obj);
  const template = spec ? getPodTemplate(obj) : undefined;
  return {
    obj,
    kind: String(obj.kind ?? ''),
    group,
    name: String(meta.name ?? ''),
    namespace: String(meta.namespace ?? ''),
    annotations: isMap(meta.annotations) ? meta.annotations : {},
    ...(spec ? { podSpec: normalisePodSpec(spec) } : {}),
    ...(template ? { podTemplate: clone(template) } : {}),
  };
}

/** Legacy bare kinds Polaris maps to a group (`maybeTransformKindIntoGroupKind`). */
const LEGACY_KINDS: Record<string, string> = { Ingress: 'networking.k8s.io/Ingress', PodDisruptionBudget: 'policy/PodDisruptionBudget' };
const kindOf = (target: string): string => {
  const t = LEGACY_KINDS[target] ?? target;
  return t.includes('/') ? t.slice(t.indexOf('/') + 1) : t;
};

const HANDLED_TARGETS = new Set(['Controller', 'PodSpec', 'PodTemplate', 'Container']);

// ---------------------------------------------------------------------------------------------
// Running checks
// ---------------------------------------------------------------------------------------------

interface CheckContext {
  readonly resource: Resource;
  readonly all: readonly Resource[];
  readonly check: PolarisCheck;
}

function hasExemptionAnnotation(r: Resource, checkId: string): boolean {
  const v = (k: string): string => String(r.annotations[k] ?? '').toLowerCase();
  return v('polaris.fairwinds.com/exempt') === 'true' || v(`polaris.fairwinds.com/${checkId}-exempt`) === 'true';
}

function exemptByConfig(config: PolarisConfig, checkId: string, r: Resource, container: string | undefined): boolean {
  for (const ex of config.exemptions ?? []) {
    if (ex.namespace && ex.namespace !== r.namespace) continue;
    if (ex.controllerNames?.length && !ex.controllerNames.some((n) => r.name.startsWith(n))) continue;
    if (ex.containerNames?.length && !(container !== undefined && ex.containerNames.includes(container))) continue;
    if (!ex.rules?.length || ex.rules.includes(checkId)) return true;
  }
  return false;
}

function controllerAllowed(check: PolarisCheck, kind: string): boolean {
  const k = kind.toLowerCase();
  if (check.controllers.include.length && !check.controllers.include.some((c) => c.toLowerCase() === k)) return false;
  return !check.controllers.exclude.some((c) => c.toLowerCase() === k);
}

function containerAllowed(check: PolarisCheck, isInit: boolean): boolean {
  const matches = (e: string): boolean => (e === 'initContainer' && isInit) || (e === 'container' && !isInit);
  if (check.containers.include.length && !check.containers.include.some(matches)) return false;
  return !check.containers.exclude.some(matches);
}

function templateInput(r: Resource, container: Obj | undefined): Obj {
  const input = clone(r.obj);
  if (r.podSpec) {
    input.Polaris = {
      PodSpec: clone(r.podSpec),
      PodTemplate: r.podTemplate ? clone(r.podTemplate) : null,
      ...(container ? { Container: clone(container) } : {}),
    };
  }
  return input;
}

function evaluate(ctx: CheckContext, data: unknown, container: Obj | undefined): boolean {
  const { check, resource } = ctx;
  const goCheck = GO_CHECKS[check.id];
  if (goCheck && check.schemaString === undefined) return goCheck(ctx);
  const input = templateInput(resource, container);
  const main = compileSchema(check.schemaString ?? '', input);
  if (main && !main(data)) return false;
  const namespace = resource.kind === 'Namespace' ? resource.name : resource.namespace;
  for (const [groupKind, src] of Object.entries(check.additionalSchemaStrings)) {
    const validate = compileSchema(src, input);
    if (!validate) continue;
    const kind = kindOf(groupKind);
    // Same namespace, or cluster-scoped (no namespace): a RoleBinding's ClusterRole must be found.
    const candidates = ctx.all.filter((o) => o.kind === kind && (o.namespace === namespace || o.namespace === ''));
    if (!candidates.some((o) => validate(o.obj))) return false;
  }
  return true;
}

function objectId(r: Resource): string {
  return `${r.kind}/${r.namespace}/${r.name}`;
}

/** Runs every configured check over the given manifests (plain objects, e.g. `doc.toJSON()`). */
export function runPolaris(docs: readonly unknown[], opts: RunPolarisOptions = {}): PolarisResult[] {
  const config = opts.config ?? loadPolarisConfig();
  const builtIn = opts.checks ?? loadPolarisChecks();
  const checks: Record<string, PolarisCheck> = { ...builtIn };
  for (const [id, raw] of Object.entries(config.customChecks ?? {})) checks[id] = parsePolarisCheck(id, raw);

  const resources = docs.filter(isMap).filter((d) => typeof d.kind === 'string').map(toResource);
  const ids = Object.keys(config.checks)
    .filter((id) => config.checks[id] === 'danger' || config.checks[id] === 'warning')
    .sort();
  for (const id of ids) if (!checks[id]) throw new Error(`Check ${id} not found`);

  const results: PolarisResult[] = [];
  for (const r of resources) {
    for (const id of ids) {
      const check = checks[id];
      const severity = config.checks[id];
      const annotationExempt = !config.disallowExemptions && !config.disallowAnnotationExemptions && hasExemptionAnnotation(r, id);
      if (annotationExempt) continue;
      const configExempt = (container?: string): boolean =>
        !config.disallowExemptions && !config.disallowConfigExemptions && exemptByConfig(config, id, r, container);

      const emit = (data: unknown, container: Obj | undefined, containerName: string | undefined): void => {
        if (configExempt(containerName)) return;
        const base = { check: id, severity, category: check.category, object: objectId(r), ...(containerName !== undefined ? { container: containerName } : {}) };
        if (check.unsupported) {
          results.push({ ...base, passed: false, unsupported: true, message: `unsupported: ${check.unsupported}` });
          return;
        }
        const passed = evaluate({ resource: r, all: resources, check }, data, container);
        results.push({ ...base, passed, message: passed ? check.successMessage : check.failureMessage });
      };

      if (!HANDLED_TARGETS.has(check.target)) {
        if (kindOf(check.target) === r.kind) emit(r.obj, undefined, undefined);
        continue;
      }
      if (!r.podSpec || !controllerAllowed(check, r.kind)) continue;
      switch (check.target) {
        case 'Controller':
          emit(r.obj, undefined, undefined);
          break;
        case 'PodSpec':
          emit(r.podSpec, undefined, undefined);
          break;
        case 'PodTemplate':
          emit(r.podTemplate ?? null, undefined, undefined);
          break;
        case 'Container': {
          const lists: [unknown, boolean][] = [[r.podSpec.initContainers, true], [r.podSpec.containers, false]];
          for (const [list, isInit] of lists) {
            if (!Array.isArray(list) || !containerAllowed(check, isInit)) continue;
            for (const c of list as Obj[]) {
              let data: unknown = c;
              if (check.schemaTarget === 'PodSpec') data = { ...r.podSpec, initContainers: [], containers: [c] };
              else if (check.schemaTarget) throw new Error(`Unknown combination of target (${check.target}) and schema target (${check.schemaTarget})`);
              emit(data, c, typeof c.name === 'string' ? c.name : '');
            }
          }
          break;
        }
      }
    }
  }
  return results.sort((a, b) =>
    a.object.localeCompare(b.object) || a.check.localeCompare(b.check) || (a.container ?? '').localeCompare(b.container ?? ''));
}

// ---------------------------------------------------------------------------------------------
// Checks Polaris implements in Go
// ---------------------------------------------------------------------------------------------

/** Go's intstr.GetScaledValueFromIntOrPercent(…, roundUp=true) for a `NN%` string. */
function scaledPercent(v: string, total: number): number | undefined {
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) return undefined;
  return Math.ceil((Number(m[1]) * total) / 100);
}

/**
 * `pdbMinAvailableGreaterThanHPAMinReplicas` (Polaris `pkg/validator/pdbhpavalidator.go`): for a
 * Deployment with both an attached PDB and an attached HPA, fail when the PDB's `minAvailable` is
 * greater than the HPA's `minReplicas`. As in Polaris, PDBs and HPAs are searched among all
 * resources (not only the Deployment's namespace) and the first match wins.
 */
function pdbMinAvailableGreaterThanHpaMinReplicas(ctx: CheckContext): boolean {
  const dep = ctx.resource.obj;
  const templateLabels: Obj = isMap(dep.spec?.template?.metadata?.labels) ? dep.spec.template.metadata.labels : {};
  const pdb = ctx.all.find((r) => {
    if (r.kind !== 'PodDisruptionBudget' || !isMap(r.obj.spec?.selector)) return false;
    const ml: Obj = isMap(r.obj.spec.selector.matchLabels) ? r.obj.spec.selector.matchLabels : {};
    return Object.entries(ml).some(([k, v]) => templateLabels[k] === v);
  });
  const hpa = ctx.all.find((r) => r.kind === 'HorizontalPodAutoscaler'
    && r.obj.spec?.scaleTargetRef?.kind === 'Deployment' && r.obj.spec?.scaleTargetRef?.name === ctx.resource.name);
  if (!pdb || !hpa) return true;
  const minAvailable: unknown = pdb.obj.spec?.minAvailable;
  let value: number | undefined;
  if (typeof minAvailable === 'number') value = minAvailable;
  else if (typeof minAvailable === 'string') {
    if (!/^-?\d+%$/.test(minAvailable)) return true;
    if (typeof dep.spec?.replicas !== 'number') return true;
    value = scaledPercent(minAvailable, dep.spec.replicas);
  }
  const minReplicas: unknown = hpa.obj.spec?.minReplicas;
  return !(value !== undefined && typeof minReplicas === 'number' && value > minReplicas);
}
