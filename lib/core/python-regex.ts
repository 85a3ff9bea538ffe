/**
 * The syntax of Python's `re` module (3.12, the dify-agent's runtime:
 * dify-agent/pyproject.toml `requires-python = ">=3.12"`), for values a
 * Python process compiles (DIFY_AGENT_SHELL_REDACT_PATTERNS). JavaScript's
 * RegExp is a different dialect: it accepts `(?<name>…)`, `\k<name>`,
 * `\p{L}`, `\cX`, variable-width look-behind and `\z`-less identity escapes
 * such as `\e`, which `re.compile` refuses, and refuses `(?i)`, `(?P<name>…)`,
 * `\A`/`\Z`, atomic groups and possessive quantifiers, which Python takes.
 *
 * A faithful port of CPython's parser (Lib/re/_parser.py: `_parse`,
 * `_escape`, `_class_escape`, `_parse_flags`, `getwidth`) and of the
 * look-behind check in Lib/re/_compiler.py, reporting the first error with
 * Python's own message. Unicode character names (`\N{…}`) are taken as
 * written: their table is not carried here.
 * https://docs.python.org/3.12/library/re.html#regular-expression-syntax
 */

const MAXREPEAT = 2 ** 32 - 1;
const DIGITS = /[0-9]/;
const OCTDIGITS = /[0-7]/;
const HEXDIGITS = /[0-9a-fA-F]/;
const ASCIILETTERS = /[a-zA-Z]/;
const WHITESPACE = ' \t\n\r\v\f';
/** `\A \b \B \Z`: positions (zero width, not repeatable). */
const AT_ESCAPES = new Set(['\\A', '\\b', '\\B', '\\Z']);
/** `\d \D \s \S \w \W`: one character. */
const CLASS_ESCAPES = new Set(['\\d', '\\D', '\\s', '\\S', '\\w', '\\W']);
/** Single-character escapes (`\b` is a backspace inside a set). */
const CHAR_ESCAPES = new Set(['\\a', '\\b', '\\f', '\\n', '\\r', '\\t', '\\v', '\\\\']);
const FLAGS = new Set(['i', 'L', 'm', 's', 'x', 'a', 'u']);
const TYPE_FLAGS = new Set(['a', 'u', 'L']);
/** `str.isidentifier()`: a group name (Unicode identifiers, as Python 3 reads them). */
const IDENTIFIER = /^[\p{XID_Start}_][\p{XID_Continue}]*$/u;

class PyReError extends Error {
  constructor(
    message: string,
    public readonly pos: number,
  ) {
    super(message);
  }
}

type Width = [number, number];
/** What the parser appended last to a sequence: decides whether a quantifier may follow. */
type Last = 'none' | 'at' | 'repeat' | 'item';

class Parser {
  private i = 0;
  private groups = 1;
  private readonly names = new Map<string, number>();
  private readonly open = new Set<number>();
  private readonly widths = new Map<number, Width>();
  private readonly condRefs: number[] = [];
  private lookbehindGroups: number | undefined;
  private verbose = false;
  private readonly globalFlags = new Set<string>();

  constructor(private readonly src: string) {}

  public parse(): void {
    this.parseSub(this.verbose, 0, true);
    if (this.i < this.src.length) throw this.error('unbalanced parenthesis', this.i);
    for (const g of this.condRefs) if (g >= this.groups) throw this.error(`invalid group reference ${g}`, 0);
  }

  private error(message: string, pos = this.i): PyReError {
    return new PyReError(message, pos);
  }

  private get next(): string | undefined {
    if (this.i >= this.src.length) return undefined;
    return this.src[this.i] === '\\' ? this.src.slice(this.i, this.i + 2) : this.src[this.i];
  }

  /** The next token: one character, or a backslash and the character after it. */
  private get(): string | undefined {
    const t = this.next;
    if (t === undefined) return undefined;
    if (t === '\\') throw this.error('bad escape (end of pattern)', this.i);
    this.i += t.length;
    return t;
  }

  private match(c: string): boolean {
    if (this.next === c) {
      this.i += c.length;
      return true;
    }
    return false;
  }

  private getWhile(n: number, re: RegExp): string {
    let out = '';
    while (out.length < n && this.i < this.src.length && re.test(this.src[this.i])) out += this.src[this.i++];
    return out;
  }

  private getUntil(end: string, what: string): string {
    const start = this.i;
    const at = this.src.indexOf(end, this.i);
    if (at < 0) throw this.error(`missing ${end}, unterminated name`, start);
    const name = this.src.slice(this.i, at);
    if (name === '') throw this.error(`missing ${what}`, start);
    this.i = at + 1;
    return name;
  }

  /** Alternatives up to `)` or the end; their width. */
  private parseSub(verbose: boolean, nested: number, first = false): Width {
    const widths: Width[] = [];
    for (;;) {
      widths.push(this.parseSeq(verbose, nested + 1, first && widths.length === 0));
      if (!this.match('|')) break;
    }
    return [Math.min(...widths.map((w) => w[0])), Math.max(...widths.map((w) => w[1]))];
  }

  private parseSeq(verbose: boolean, nested: number, first: boolean): Width {
    let lo = 0;
    let hi = 0;
    let last = 'none' as Last;
    let lastWidth: Width = [0, 0];
    let appended = false;
    const add = (kind: Last, w: Width) => {
      lo += w[0];
      hi += w[1];
      last = kind;
      lastWidth = w;
      appended = true;
    };
    for (;;) {
      const t = this.next;
      if (t === undefined || t === '|' || t === ')') break;
      const start = this.i;
      this.get();
      if (verbose) {
        if (WHITESPACE.includes(t)) continue;
        if (t === '#') {
          while (this.i < this.src.length && this.src[this.i] !== '\n') this.i++;
          continue;
        }
      }
      if (t[0] === '\\') {
        const [kind, w] = this.escape(t);
        add(kind, w);
      } else if (t === '[') {
        this.parseClass(start);
        add('item', [1, 1]);
      } else if (t === '^' || t === '$') {
        add('at', [0, 0]);
      } else if (t === '.') {
        add('item', [1, 1]);
      } else if ('?*+{'.includes(t)) {
        let min = 0;
        let max = MAXREPEAT;
        if (t === '?') max = 1;
        else if (t === '+') min = 1;
        else if (t === '{') {
          if (this.next === '}') {
            add('item', [1, 1]);
            continue;
          }
          const here = this.i;
          const loS = this.getWhile(Infinity, DIGITS);
          let hiS = loS;
          if (this.match(',')) hiS = this.getWhile(Infinity, DIGITS);
          if (!this.match('}')) {
            this.i = here;
            add('item', [1, 1]);
            continue;
          }
          if (loS) {
            min = Number(loS);
            if (min >= MAXREPEAT) throw this.error('the repetition number is too large', here);
          }
          if (hiS) {
            max = Number(hiS);
            if (max >= MAXREPEAT) throw this.error('the repetition number is too large', here);
            if (max < min) throw this.error('min repeat greater than max repeat', here);
          }
        }
        if (!appended || last === 'at') throw this.error('nothing to repeat', start);
        if (last === 'repeat') throw this.error('multiple repeat', start);
        if (!this.match('?')) this.match('+');
        const [i, j] = lastWidth;
        lo += i * min - i;
        hi += (max === MAXREPEAT && j ? MAXREPEAT : j * max) - j;
        last = 'repeat';
      } else if (t === '(') {
        const r = this.group(start, verbose, nested, first && !appended);
        if (r === 'flags') verbose = this.verbose || verbose;
        else if (r !== 'comment') add(r[0], r[1]);
      } else {
        add('item', [1, 1]);
      }
    }
    return [Math.min(lo, MAXREPEAT - 1), Math.min(hi, MAXREPEAT)];
  }

  /** A group after `(`: its kind and width, `comment` for `(?#…)`, `flags` for global flags. */
  private group(start: number, verbose: boolean, nested: number, atStart: boolean): [Last, Width] | 'comment' | 'flags' {
    let capture = true;
    let name: string | undefined;
    let subVerbose = verbose;
    let lookbehind = false;
    if (this.match('?')) {
      const c = this.get();
      if (c === undefined) throw this.error('unexpected end of pattern');
      if (c === 'P') {
        if (this.match('<')) {
          name = this.getUntil('>', 'group name');
          this.checkName(name, start);
        } else if (this.match('=')) {
          const ref = this.getUntil(')', 'group name');
          this.checkName(ref, start);
          const gid = this.names.get(ref);
          if (gid === undefined) throw this.error(`unknown group name '${ref}'`, start);
          if (this.open.has(gid)) throw this.error('cannot refer to an open group', start);
          this.checkLookbehindGroup(gid, start);
          return ['item', this.widths.get(gid) ?? [0, 0]];
        } else {
          const n = this.get();
          if (n === undefined) throw this.error('unexpected end of pattern');
          throw this.error(`unknown extension ?P${n}`, start);
        }
      } else if (c === ':') {
        capture = false;
      } else if (c === '#') {
        const end = this.src.indexOf(')', this.i);
        if (end < 0) throw this.error('missing ), unterminated comment', start);
        this.i = end + 1;
        return 'comment';
      } else if (c === '=' || c === '!' || c === '<') {
        if (c === '<') {
          const d = this.get();
          if (d === undefined) throw this.error('unexpected end of pattern');
          if (d !== '=' && d !== '!') throw this.error(`unknown extension ?<${d}`, start);
          lookbehind = true;
        }
        const saved = this.lookbehindGroups;
        if (lookbehind && saved === undefined) this.lookbehindGroups = this.groups;
        const w = this.parseSub(verbose, nested + 1);
        if (lookbehind && saved === undefined) this.lookbehindGroups = undefined;
        if (!this.match(')')) throw this.error('missing ), unterminated subpattern', start);
        if (lookbehind && w[0] !== w[1]) throw this.error('look-behind requires fixed-width pattern', start);
        return ['item', [0, 0]];
      } else if (c === '(') {
        const cond = this.getUntil(')', 'group name');
        let gid: number;
        if (IDENTIFIER.test(cond)) {
          const g = this.names.get(cond);
          if (g === undefined) throw this.error(`unknown group name '${cond}'`, start);
          gid = g;
        } else {
          if (!/^[0-9]+$/.test(cond)) throw this.error(`bad character in group name '${cond}'`, start);
          gid = Number(cond);
          if (gid === 0) throw this.error('bad group number', start);
          this.condRefs.push(gid);
        }
        this.checkLookbehindGroup(gid, start);
        const yes = this.parseSeq(verbose, nested + 1, false);
        let no: Width | undefined;
        if (this.match('|')) {
          no = this.parseSeq(verbose, nested + 1, false);
          if (this.next === '|') throw this.error('conditional backref with more than two branches', start);
        }
        if (!this.match(')')) throw this.error('missing ), unterminated subpattern', start);
        return ['item', no ? [Math.min(yes[0], no[0]), Math.max(yes[1], no[1])] : [0, yes[1]]];
      } else if (c === '>') {
        capture = false;
      } else if (FLAGS.has(c) || c === '-') {
        const flags = this.parseFlags(c);
        if (flags === undefined) {
          if (!atStart || nested !== 1) throw this.error('global flags not at the start of the expression', start);
          return 'flags';
        }
        const [add, del] = flags;
        subVerbose = (verbose || add.has('x')) && !del.has('x');
        capture = false;
      } else {
        throw this.error(`unknown extension ?${c}`, start);
      }
    }
    let gid: number | undefined;
    if (capture) {
      gid = this.groups++;
      if (name !== undefined) {
        if (this.names.has(name)) throw this.error(`redefinition of group name '${name}' as group ${gid}; was group ${this.names.get(name)}`, start);
        this.names.set(name, gid);
      }
      this.open.add(gid);
    }
    const w = this.parseSub(subVerbose, nested + 1);
    if (!this.match(')')) throw this.error('missing ), unterminated subpattern', start);
    if (gid !== undefined) {
      this.open.delete(gid);
      this.widths.set(gid, w);
    }
    return ['item', w];
  }

  private checkName(name: string, pos: number): void {
    if (!IDENTIFIER.test(name)) throw this.error(`bad character in group name '${name}'`, pos);
  }

  private checkLookbehindGroup(gid: number, pos: number): void {
    if (this.lookbehindGroups !== undefined && gid >= this.lookbehindGroups) {
      throw this.error('cannot refer to group defined in the same lookbehind subpattern', pos);
    }
  }

  /** Inline flags after `(?`: undefined for global flags `(?i)`, else the flags turned on and off for `(?i-m:…)`. */
  private parseFlags(first: string): [Set<string>, Set<string>] | undefined {
    const add = new Set<string>();
    const del = new Set<string>();
    let c: string | undefined = first;
    if (c !== '-') {
      for (;;) {
        if (c === 'L') throw this.error("bad inline flags: cannot use 'L' flag with a str pattern");
        add.add(c!);
        if (TYPE_FLAGS.has(c!) && [...add].filter((f) => TYPE_FLAGS.has(f)).length > 1) {
          throw this.error("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
        }
        c = this.get();
        if (c === undefined) throw this.error('missing -, : or )');
        if (c === ')' || c === '-' || c === ':') break;
        if (!FLAGS.has(c)) throw this.error(/^[A-Za-z]$/.test(c) ? 'unknown flag' : 'missing -, : or )');
      }
    }
    if (c === ')') {
      if (add.has('x')) this.verbose = true;
      // Global flags add up over the groups; Lib/re/_parser.py fix_flags refuses 'a' with 'u' at the end.
      for (const f of add) this.globalFlags.add(f);
      if (this.globalFlags.has('a') && this.globalFlags.has('u')) throw this.error('ASCII and UNICODE flags are incompatible');
      return undefined;
    }
    if (c === '-') {
      c = this.get();
      if (c === undefined) throw this.error('missing flag');
      if (!FLAGS.has(c)) throw this.error(/^[A-Za-z]$/.test(c) ? 'unknown flag' : 'missing flag');
      for (;;) {
        if (TYPE_FLAGS.has(c!)) throw this.error("bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
        del.add(c!);
        c = this.get();
        if (c === undefined) throw this.error('missing :');
        if (c === ':') break;
        if (!FLAGS.has(c)) throw this.error(/^[A-Za-z]$/.test(c) ? 'unknown flag' : 'missing :');
      }
    }
    if ([...add].some((f) => del.has(f))) throw this.error('bad inline flags: flag turned on and off');
    return [add, del];
  }

  /** A code-point escape shared by both contexts (`\x`, `\u`, `\U`, `\N`), or undefined when `esc` is none of them. */
  private codepointEscape(esc: string, start: number): boolean {
    const c = esc[1];
    if (c === 'x' || c === 'u' || c === 'U') {
      const n = { x: 2, u: 4, U: 8 }[c];
      const digits = this.getWhile(n, HEXDIGITS);
      if (digits.length !== n) throw this.error(`incomplete escape ${esc}${digits}`, start);
      if (c === 'U' && parseInt(digits, 16) > 0x10ffff) throw this.error(`bad escape ${esc}${digits}`, start);
      return true;
    }
    if (c === 'N') {
      if (!this.match('{')) throw this.error('missing {', this.i);
      this.getUntil('}', 'character name');
      return true;
    }
    return false;
  }

  /** An escape outside a set: its kind and width. */
  private escape(esc: string): [Last, Width] {
    const start = this.i - esc.length;
    if (AT_ESCAPES.has(esc)) return ['at', [0, 0]];
    if (CLASS_ESCAPES.has(esc) || CHAR_ESCAPES.has(esc)) return ['item', [1, 1]];
    if (this.codepointEscape(esc, start)) return ['item', [1, 1]];
    const c = esc[1];
    if (c === '0') {
      this.getWhile(2, OCTDIGITS);
      return ['item', [1, 1]];
    }
    if (DIGITS.test(c)) {
      let digits = c;
      if (this.i < this.src.length && DIGITS.test(this.src[this.i])) {
        digits += this.src[this.i++];
        if (OCTDIGITS.test(digits[0]) && OCTDIGITS.test(digits[1]) && this.i < this.src.length && OCTDIGITS.test(this.src[this.i])) {
          digits += this.src[this.i++];
          if (parseInt(digits, 8) > 0o377) throw this.error(`octal escape value \\${digits} outside of range 0-0o377`, start);
          return ['item', [1, 1]];
        }
      }
      const group = Number(digits);
      if (group < this.groups) {
        if (this.open.has(group)) throw this.error('cannot refer to an open group', start);
        this.checkLookbehindGroup(group, start);
        return ['item', this.widths.get(group) ?? [0, 0]];
      }
      throw this.error(`invalid group reference ${group}`, start + 1);
    }
    if (ASCIILETTERS.test(c)) throw this.error(`bad escape ${esc}`, start);
    return ['item', [1, 1]];
  }

  /** An escape inside a set: `literal` (a range may use it) or `class` (`\d`, …). */
  private classEscape(esc: string): 'literal' | 'class' {
    const start = this.i - esc.length;
    if (CHAR_ESCAPES.has(esc)) return 'literal';
    if (CLASS_ESCAPES.has(esc)) return 'class';
    if (this.codepointEscape(esc, start)) return 'literal';
    const c = esc[1];
    if (OCTDIGITS.test(c)) {
      const digits = c + this.getWhile(2, OCTDIGITS);
      if (parseInt(digits, 8) > 0o377) throw this.error(`octal escape value \\${digits} outside of range 0-0o377`, start);
      return 'literal';
    }
    if (DIGITS.test(c) || ASCIILETTERS.test(c)) throw this.error(`bad escape ${esc}`, start);
    return 'literal';
  }

  /** The code point of a set member token (a character or a literal escape), for range checks. */
  private codepoint(token: string, end: number): number {
    if (token[0] !== '\\') return token.codePointAt(0)!;
    const body = this.src.slice(end - token.length, this.i);
    const m = /^\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{1,3}))$/.exec(body);
    if (m) return parseInt(m[1] ?? m[2] ?? m[3] ?? '', 16) || (m[4] !== undefined ? parseInt(m[4], 8) : 0);
    const named: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (body[1] in named) return named[body[1]];
    if (body[1] === 'N') return -1;
    return body.codePointAt(1)!;
  }

  private parseClass(here: number): void {
    this.match('^');
    let members = 0;
    for (;;) {
      const t = this.get();
      if (t === undefined) throw this.error('unterminated character set', here);
      if (t === ']' && members > 0) return;
      const k1 = t[0] === '\\' ? this.classEscape(t) : 'literal';
      const lo = k1 === 'literal' ? this.codepoint(t, this.i) : -1;
      if (this.match('-')) {
        const u = this.get();
        if (u === undefined) throw this.error('unterminated character set', here);
        if (u === ']') return;
        const k2 = u[0] === '\\' ? this.classEscape(u) : 'literal';
        if (k1 !== 'literal' || k2 !== 'literal') throw this.error(`bad character range ${t}-${u}`, here);
        const hi = this.codepoint(u, this.i);
        if (lo >= 0 && hi >= 0 && hi < lo) throw this.error(`bad character range ${t}-${u}`, here);
      }
      members++;
    }
  }
}

/** JavaScript-only syntax a message names, with the Python spelling. */
const JS_HINTS: ReadonlyArray<[RegExp, string]> = [
  [/\(\?<(?![=!])/, 'write a named group as (?P<name>...)'],
  [/\\k</, 'refer to a named group as (?P=name)'],
  [/\\[pP]\{/, "Python's re has no Unicode property classes (\\p{...}); use a character set"],
  [/\\c[A-Za-z]/, 'write a control character as \\x01 ... \\x1f'],
  [/\\u\{/, 'write a code point as \\uXXXX or \\UXXXXXXXX'],
  [/^\/.*\/[a-z]*$/, 'give the pattern without /.../ delimiters; flags go inline, such as (?i)'],
];

/**
 * Why Python's `re.compile(pattern)` refuses `pattern`, in its own words
 * with the position and, for JavaScript-only syntax, the Python spelling; or
 * undefined when it compiles.
 */
export function pythonRegexProblem(pattern: string): string | undefined {
  try {
    new Parser(pattern).parse();
  } catch (e) {
    if (!(e instanceof PyReError)) throw e;
    const hint = JS_HINTS.find(([re]) => re.test(pattern));
    return `${e.message} at position ${e.pos}${hint ? ` (${hint[1]})` : ''}`;
  }
  return undefined;
}
