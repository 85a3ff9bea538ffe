/**
 * A value of the generated environment file that is both TypeScript source
 * and a runtime value: the converter renders the source and synthesizes the
 * runtime value, so what it writes is what it has checked.
 */
export class Code {
  constructor(
    /** TypeScript expression. */
    public readonly ts: string,
    /** The value the expression evaluates to. */
    public readonly value: () => unknown,
    /** Names the expression needs from the library. */
    public readonly imports: readonly string[] = [],
  ) {}
}

/** A tree of plain values and {@link Code} nodes. */
export type Tree = string | number | boolean | undefined | Code | Tree[] | { [key: string]: Tree };

/** `factory(arg)`, e.g. `DifyStorage.s3({ … })`; `impl` builds the runtime value. */
export function call(factory: string, impl: (arg: never) => unknown, arg: Tree, imports: string[]): Code {
  const render = (indent: string) => `${factory}(${arg === undefined ? '' : renderTs(arg, indent)})`;
  return new IndentedCode(render, () => impl(evaluate(arg) as never), [...imports, ...importsOf(arg)]);
}

/** A Code node whose source depends on the indentation it is rendered at. */
class IndentedCode extends Code {
  constructor(
    private readonly render: (indent: string) => string,
    value: () => unknown,
    imports: readonly string[],
  ) {
    super(render(''), value, imports);
  }
  public at(indent: string): string {
    return this.render(indent);
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A single-quoted TypeScript string literal. */
export function quote(s: string): string {
  return `'${s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

/** TypeScript source of `t`, objects and arrays spread over lines with two-space indentation. */
export function renderTs(t: Tree, indent = ''): string {
  if (t instanceof IndentedCode) return t.at(indent);
  if (t instanceof Code) return t.ts;
  if (typeof t === 'string') return quote(t);
  if (typeof t === 'number' || typeof t === 'boolean') return String(t);
  if (t === undefined) return 'undefined';
  const inner = `${indent}  `;
  if (Array.isArray(t)) {
    if (t.length === 0) return '[]';
    const items = t.map((x) => renderTs(x, inner));
    const oneLine = `[${items.join(', ')}]`;
    if (oneLine.length <= 80 && !oneLine.includes('\n')) return oneLine;
    return `[\n${items.map((x) => `${inner}${x},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(t).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const key = (k: string) => (IDENTIFIER.test(k) ? k : quote(k));
  if (entries.every(([, v]) => typeof v !== 'object')) {
    const oneLine = `{ ${entries.map(([k, v]) => `${key(k)}: ${renderTs(v)}`).join(', ')} }`;
    if (oneLine.length <= 60) return oneLine;
  }
  return `{\n${entries.map(([k, v]) => `${inner}${key(k)}: ${renderTs(v, inner)},`).join('\n')}\n${indent}}`;
}

/** The runtime value of `t`. */
export function evaluate(t: Tree): unknown {
  if (t instanceof Code) return t.value();
  if (Array.isArray(t)) return t.map(evaluate);
  if (t !== null && typeof t === 'object') {
    return Object.fromEntries(
      Object.entries(t)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, evaluate(v)]),
    );
  }
  return t;
}

/** Every library name `t` needs, sorted. */
export function importsOf(t: Tree): string[] {
  const out = new Set<string>();
  const walk = (x: Tree) => {
    if (x instanceof Code) x.imports.forEach((i) => out.add(i));
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x !== null && typeof x === 'object') Object.values(x).forEach(walk);
  };
  walk(t);
  return [...out].sort();
}
