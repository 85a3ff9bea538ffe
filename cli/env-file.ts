/**
 * docker compose's `.env` syntax, read as compose reads it.
 *
 * Rules from the compose documentation ("Syntax for environment files",
 * docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/#env-file-syntax) and its parser,
 * compose-spec/compose-go v2.13.0 (87bbe5a9), dotenv/parser.go and template/template.go:
 *
 * - blank lines and lines whose first non-blank character is `#` are ignored; `export ` before a name is dropped;
 * - a name is letters, digits, `_`, `.`, `-`, `[`, `]`; `=` (or `:`) separates it from the value, with blanks around;
 * - a name alone on its line takes its value from the shell (compose); here it is reported as inherited;
 * - unquoted values end at the line end; ` #` (a space, then `#`) starts a comment, `VAL#x` stays whole;
 *   trailing blanks are dropped;
 * - `'…'` is literal (only `\'` is unescaped); `"…"` unescapes `\"`, `\\`, `\n`, `\r`, `\t`, `\a`, `\b`, `\f`, `\v`,
 *   `\$` and octal `\0ooo`; both may span lines; text after the closing quote starts the next statement, so
 *   `VAR="x" # comment` is a comment;
 * - unquoted and double-quoted values are interpolated: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 *   `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?error}`, `${VAR?error}` (nested), `$$` is a literal `$`. Variables come from
 *   the lines above (compose also consults the shell environment; a conversion does not, so it is reproducible).
 *
 * The `dotenv` package differs (it cuts `VAL#x` at `#`, reads backquotes, unescapes only `\n`/`\r`, does not
 * interpolate), so it is not used.
 */

/** What {@link parseEnvFile} reads. */
export interface EnvFile {
  /** Name → value, in first-seen order; a later line for the same name replaces the value. */
  readonly values: Readonly<Record<string, string>>;
  /** Names without `=` (compose takes their value from the shell environment), in file order. */
  readonly inherited: readonly string[];
}

/** An `.env` text compose refuses; the message names the line. */
export class EnvFileError extends Error {}

/** Blank within a line (compose-go's isSpace): never a line break. */
const BLANK = new Set(['\t', '\v', '\f', '\r', ' ', '\u0085', '\u00a0']);
/** Go's unicode.IsSpace. */
const SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;
const NAME_CHAR = /^[\p{L}\p{N}_.\-[\]]$/u;
const ESCAPE = /\\(?:[abcfnrtv$"\\]|0\d{0,3})/g;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };
const BRACED = /^([_a-z][_a-z0-9]*)(?:(:?[-+?])([\s\S]*))?$/i;
const NAMED = /^[_a-z][_a-z0-9]*/i;

/** Parses a compose `.env` text. */
export function parseEnvFile(text: string): EnvFile {
  return new Parser(text.replace(/^\uFEFF/, '')).run();
}

class Parser {
  private pos = 0;
  private readonly values: Record<string, string> = {};
  private readonly inherited: string[] = [];

  constructor(private readonly src: string) {}

  public run(): EnvFile {
    for (;;) {
      this.skipToStatement();
      if (this.pos >= this.src.length) break;
      const { key, inherited } = this.key();
      if (inherited) {
        if (!this.inherited.includes(key) && !Object.hasOwn(this.values, key)) this.inherited.push(key);
        continue;
      }
      this.values[key] = this.value(key);
    }
    return { values: this.values, inherited: this.inherited };
  }

  private line(at = this.pos): number {
    let n = 1;
    for (let i = 0; i < at && i < this.src.length; i++) if (this.src[i] === '\n') n++;
    return n;
  }

  private fail(message: string, at = this.pos): never {
    throw new EnvFileError(`line ${this.line(at)}: ${message}`);
  }

  /** Skips blanks, blank lines and comment lines. */
  private skipToStatement(): void {
    for (;;) {
      while (this.pos < this.src.length && SPACE.test(this.src[this.pos])) this.pos++;
      if (this.src[this.pos] !== '#') return;
      const nl = this.src.indexOf('\n', this.pos);
      this.pos = nl < 0 ? this.src.length : nl;
    }
  }

  private skipBlanks(): void {
    while (this.pos < this.src.length && BLANK.has(this.src[this.pos])) this.pos++;
  }

  private key(): { key: string; inherited: boolean } {
    const start = this.pos;
    if (/^export\s+/.test(this.src.slice(this.pos, this.pos + 16))) {
      this.pos += 'export'.length;
      this.skipBlanks();
    }
    const from = this.pos;
    let end = -1;
    let inherited = true;
    for (const ch of this.src.slice(from)) {
      if (ch === '=' || ch === ':' || ch === '\n') {
        end = this.pos;
        inherited = ch === '\n';
        this.pos += 1;
        break;
      }
      if (!BLANK.has(ch) && !NAME_CHAR.test(ch)) {
        const text = this.src.slice(from).split('\n')[0];
        this.fail(`unexpected character ${JSON.stringify(ch)} in variable name ${JSON.stringify(text)}`);
      }
      this.pos += ch.length;
    }
    const key = this.src.slice(from, end < 0 ? this.pos : end).replace(/[\s\u0085]+$/u, '');
    if (key === '') this.fail('a variable name is missing before "="', start);
    if (/[\s\u0085]/u.test(key)) this.fail(`variable name ${JSON.stringify(key)} contains a blank`, start);
    if (!inherited) this.skipBlanks();
    return { key, inherited };
  }

  private value(key: string): string {
    const quote = this.src[this.pos];
    if (quote !== '"' && quote !== "'") {
      const nl = this.src.indexOf('\n', this.pos);
      const end = nl < 0 ? this.src.length : nl;
      let raw = this.src.slice(this.pos, end);
      const comment = raw.indexOf(' #');
      if (comment >= 0) raw = raw.slice(0, comment);
      this.pos = end;
      return this.interpolate(key, raw.replace(/[\s\u0085]+$/u, ''));
    }
    const open = this.pos;
    let out = '';
    let escaped = false;
    for (let i = open + 1; i < this.src.length; i++) {
      const ch = this.src[i];
      if (ch !== quote) {
        if (!escaped && ch === '\\') {
          escaped = true;
          continue;
        }
        if (escaped) out += '\\';
        escaped = false;
        out += ch;
        continue;
      }
      if (escaped) {
        escaped = false;
        out += ch;
        continue;
      }
      this.pos = i + 1;
      return quote === '"' ? this.interpolate(key, unescapeDoubleQuoted(out)) : out;
    }
    const nl = this.src.indexOf('\n', open);
    return this.fail(`unterminated quoted value ${this.src.slice(open, nl < 0 ? undefined : nl)}`, open);
  }

  private interpolate(key: string, value: string): string {
    try {
      return substitute(value, (name) => (Object.hasOwn(this.values, name) ? this.values[name] : undefined));
    } catch (e) {
      return this.fail(`${key}: ${(e as Error).message}`);
    }
  }
}

/** Double-quote escapes; `\$` becomes `$$`, which interpolation turns into `$`. */
function unescapeDoubleQuoted(value: string): string {
  return value.replace(ESCAPE, (m) => {
    const c = m.slice(1);
    if (c === '$') return '$$';
    if (c in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[c];
    // Octal: exactly three octal digits after `\0`, at most 255; anything else stays as written.
    if (/^0[0-7]{3}$/.test(c) && Number.parseInt(c.slice(1), 8) <= 255) return String.fromCharCode(Number.parseInt(c.slice(1), 8));
    return m;
  });
}

/** Compose's interpolation of `template`; `lookup` gives a variable's value, undefined when unset. */
export function substitute(template: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) return out + template.slice(i);
    out += template.slice(i, dollar);
    const next = template[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
      continue;
    }
    if (next === '{') {
      const close = closingBrace(template, dollar + 1);
      if (close < 0) throw new Error(`invalid interpolation ${JSON.stringify(template.slice(dollar))}: no closing "}"`);
      out += braced(template.slice(dollar + 2, close), lookup, template.slice(dollar, close + 1));
      i = close + 1;
      continue;
    }
    const name = NAMED.exec(template.slice(dollar + 1))?.[0];
    if (name) {
      out += lookup(name) ?? '';
      i = dollar + 1 + name.length;
    } else {
      out += '$';
      i = dollar + 1;
    }
  }
  return out;
}

/** Index of the `}` that closes the `{` at `open` (compose counts every `{`, skipping the character after it). */
function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '}' && --depth === 0) return i;
    if (s[i] === '{') {
      depth++;
      i++;
    }
  }
  return -1;
}

function braced(inner: string, lookup: (name: string) => string | undefined, whole: string): string {
  const m = BRACED.exec(inner);
  if (!m) throw new Error(`invalid interpolation ${JSON.stringify(whole)}`);
  const [, name, op, arg = ''] = m;
  const v = lookup(name);
  const nested = () => substitute(arg, lookup);
  switch (op) {
    case undefined:
      return v ?? '';
    case ':-':
      return v === undefined || v === '' ? nested() : v;
    case '-':
      return v === undefined ? nested() : v;
    case ':+':
      return v !== undefined && v !== '' ? nested() : (v ?? '');
    case '+':
      return v !== undefined ? nested() : '';
    default: {
      // ':?' and '?'
      if (v === undefined || (op === ':?' && v === '')) {
        const reason = nested();
        throw new Error(`required variable ${name} is ${v === undefined ? 'unset' : 'empty'}${reason ? `: ${reason}` : ''}`);
      }
      return v;
    }
  }
}
