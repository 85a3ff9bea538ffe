import fc from 'fast-check';
import { EnvFileError, parseEnvFile, substitute } from '../cli/env-file';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 200);
const SEED = Number(process.env.FC_SEED ?? 20261206);
const params = { numRuns: NUM_RUNS, seed: SEED };
const values = (text: string) => parseEnvFile(text).values;

describe('compose .env syntax: the documented rules', () => {
  // Each row is an example of compose's "Syntax for environment files" (docs.docker.com/compose/how-tos/
  // environment-variables/variable-interpolation/#env-file-syntax), or of compose-go v2.13.0's dotenv parser.
  test.each([
    ['VAR=VAL', 'VAL'],
    ['VAR="VAL"', 'VAL'],
    ["VAR='VAL'", 'VAL'],
    ['VAR=VAL # comment', 'VAL'],
    ['VAR=VAL# not a comment', 'VAL# not a comment'],
    ['VAR=p@ss#word', 'p@ss#word'],
    ['VAR=VAL\t# a tab is not the space a comment needs', 'VAL\t# a tab is not the space a comment needs'],
    ['VAR="VAL # not a comment"', 'VAL # not a comment'],
    ['VAR="VAL" # comment', 'VAL'],
    ["VAR='VAL' # comment", 'VAL'],
    ["VAR='$OTHER'", '$OTHER'],
    ["VAR='${OTHER}'", '${OTHER}'],
    ["VAR='Let\\'s go!'", "Let's go!"],
    ['VAR="{\\"hello\\": \\"json\\"}"', '{"hello": "json"}'],
    ['VAR="some\\tvalue"', 'some\tvalue'],
    ["VAR='some\\tvalue'", 'some\\tvalue'],
    ['VAR=some\\tvalue', 'some\\tvalue'],
    ['VAR="a\\\\b"', 'a\\b'],
    ['VAR="line1\\nline2\\r"', 'line1\nline2\r'],
    ['VAR="\\0123"', 'S'],
    ['VAR="\\$HOME"', '$HOME'],
    ['VAR=$$HOME', '$HOME'],
    ['VAR="multi\nline"', 'multi\nline'],
    ["VAR='multi\nline'", 'multi\nline'],
    ['export VAR=VAL', 'VAL'],
    ['  VAR  =  VAL  ', 'VAL'],
    ['VAR: VAL', 'VAL'],
    ['VAR=', ''],
    ['VAR=""', ''],
    ["VAR=''", ''],
    ['VAR=a=b=c', 'a=b=c'],
    ['VAR=VAL\r', 'VAL'],
    ['VAR= # comment', '# comment'],
  ])('%j reads %j', (line, expected) => {
    expect(values(`${line}\n`)).toEqual({ VAR: expected });
    expect(values(line)).toEqual({ VAR: expected });
  });

  test('comments, blank lines and CRLF line ends are skipped; a later line replaces a value', () => {
    expect(values('# a comment\r\n\r\n   # indented comment\r\nA=1\r\nB="2"\r\nA=3\r\n')).toEqual({ A: '3', B: '2' });
  });

  test('a name alone on its line comes from the shell in compose: reported as inherited, no value', () => {
    expect(parseEnvFile('A=1\nFROM_SHELL\nexport ALSO\n')).toEqual({ values: { A: '1' }, inherited: ['FROM_SHELL', 'ALSO'] });
  });

  test('interpolation follows compose: lines above, defaults, alternatives, nesting, $$', () => {
    const text = [
      'A=alpha',
      'EMPTY=',
      'B=${A}-$A-${UNSET}',
      'C=${UNSET:-d1}|${EMPTY:-d2}|${EMPTY-d3}|${A:-no}',
      'D=${A:+alt}|${EMPTY:+alt}|${EMPTY+set}|${UNSET+set}',
      'E=${UNSET:-${A:-x}-y}',
      "F='${A}'",
      'G="${A} $$A \\$A"',
      'H=$1 $ ${A}x',
    ].join('\n');
    expect(values(text)).toEqual({
      A: 'alpha',
      EMPTY: '',
      B: 'alpha-alpha-',
      C: 'd1|d2||alpha',
      D: 'alt||set|',
      E: 'alpha-y',
      F: '${A}',
      G: 'alpha $A $A',
      H: '$1 $ alphax',
    });
  });

  test('malformed input is refused with the line, as compose refuses it', () => {
    expect(() => parseEnvFile('A=1\nB="open\n')).toThrow(new EnvFileError('line 2: unterminated quoted value "open'));
    expect(() => parseEnvFile('A=1\nB=${A\n')).toThrow(/^line 2: B: invalid interpolation "\$\{A": no closing "\}"/);
    expect(() => parseEnvFile('A=${A:?must be set}\n')).toThrow('line 1: A: required variable A is unset: must be set');
    expect(() => parseEnvFile('E=\nA=${E:?}\n')).toThrow('line 2: A: required variable E is empty');
    expect(() => parseEnvFile('A B=1\n')).toThrow('line 1: variable name "A B" contains a blank');
    expect(() => parseEnvFile('A/B=1\n')).toThrow('line 1: unexpected character "/" in variable name "A/B=1"');
    expect(() => parseEnvFile('=1\n')).toThrow('line 1: a variable name is missing before "="');
    expect(() => parseEnvFile('A=${1}\n')).toThrow('line 1: A: invalid interpolation "${1}"');
  });
});

// ---- properties: generated files, read back ---------------------------------------------------------------

const NAME = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/).filter((n) => n.toLowerCase() !== 'export');
/** Any text, with the characters the rules are about over-represented. */
const TEXT = fc
  .array(fc.oneof(fc.constantFrom('#', ' #', ' ', '\t', '"', "'", '\\', '$', '{', '}', '=', '\n', '\r\n', 'x', ':'), fc.string({ maxLength: 3 })), {
    maxLength: 12,
  })
  .map((parts) => parts.join(''));

/** The value written in double quotes: every character the parser would read specially is escaped. */
const doubleQuoted = (v: string) =>
  `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
/** Single quotes are literal: only `'` needs its backslash, and a backslash may not stand before a quote. */
const singleQuotable = (v: string) => !/\\('|$)/.test(v);
const singleQuoted = (v: string) => `'${v.replace(/'/g, "\\'")}'`;
/** Unquoted: one line, no ` #`, no leading quote, no surrounding blanks, no `$` (that would interpolate). */
const unquotable = (v: string) => !/[\n\r$]| #|^["']|^[\s\u0085]|[\s\u0085]$/u.test(v);

const STYLED = fc.record({
  name: NAME,
  value: TEXT,
  style: fc.constantFrom('double', 'single', 'plain'),
  exported: fc.boolean(),
  blanks: fc.constantFrom(['', ''], [' ', ' '], ['\t', '  ']),
  trailer: fc.constantFrom('', ' # a comment', '   ', ' #x=1'),
  eol: fc.constantFrom('\n', '\r\n'),
});

describe('compose .env syntax: properties', () => {
  test('any value written by the rules (double, single or no quotes; export, blanks, comments, CRLF) reads back unchanged', () => {
    fc.assert(
      fc.property(fc.array(STYLED, { minLength: 1, maxLength: 8 }), fc.boolean(), (entries, leadingComment) => {
        const expected: Record<string, string> = {};
        const lines: string[] = leadingComment ? ['# generated\n', '\n'] : [];
        for (const e of entries) {
          const style = e.style === 'single' && !singleQuotable(e.value) ? 'double' : e.style === 'plain' && !unquotable(e.value) ? 'double' : e.style;
          const written = style === 'double' ? doubleQuoted(e.value) : style === 'single' ? singleQuoted(e.value) : e.value;
          // An unquoted value ends at its line (trailing blanks dropped; so are the blanks after `=`, which makes
          // `VAR= # c` the value "# c"); a quoted value ends at its quote.
          const trailer = style === 'plain' && (e.trailer === '   ' || e.value === '') ? '' : e.trailer;
          lines.push(`${e.exported ? 'export ' : ''}${e.name}${e.blanks[0]}=${e.blanks[1]}${written}${trailer}${e.eol}`);
          expected[e.name] = e.value;
        }
        expect(values(lines.join(''))).toEqual(expected);
      }),
      params,
    );
  });

  test('an unquoted value keeps every # that no space precedes, and ends at the first " #"', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9@!%^&*()#;,./+-]{1,20}$/).filter((v) => !v.startsWith('#')),
        fc.stringMatching(/^[^\n]{0,20}$/),
        (value, comment) => {
          expect(values(`PASSWORD=${value}\n`)).toEqual({ PASSWORD: value });
          expect(values(`PASSWORD=${value} #${comment}\n`)).toEqual({ PASSWORD: value });
        },
      ),
      params,
    );
  });

  test("single-quoted values are literal: no escapes but \\', no interpolation", () => {
    fc.assert(
      fc.property(TEXT.filter(singleQuotable), (v) => {
        expect(values(`A=x\nV=${singleQuoted(v)}\n`).V).toBe(v);
      }),
      params,
    );
  });

  test('interpolation agrees with a model of compose’s operators for set, empty and unset variables', () => {
    const model = (op: string, v: string | undefined, arg: string): string | Error => {
      const empty = v === undefined || v === '';
      switch (op) {
        case '':
          return v ?? '';
        case ':-':
          return empty ? arg : v!;
        case '-':
          return v === undefined ? arg : v;
        case ':+':
          return empty ? '' : arg;
        case '+':
          return v === undefined ? '' : arg;
        case ':?':
          return empty ? new Error('required') : v!;
        default:
          return v === undefined ? new Error('required') : v;
      }
    };
    fc.assert(
      fc.property(
        fc.constantFrom('', ':-', '-', ':+', '+', ':?', '?'),
        fc.option(fc.stringMatching(/^[a-z0-9 ]{0,6}$/), { nil: undefined }),
        fc.stringMatching(/^[a-z0-9 ]{0,6}$/),
        (op, v, arg) => {
          const template = `<\${X${op}${op ? arg : ''}}>`;
          const expected = model(op, v, arg);
          const run = () => substitute(template, (n) => (n === 'X' ? v : undefined));
          if (expected instanceof Error) expect(run).toThrow(/required variable X/);
          else expect(run()).toBe(`<${expected}>`);
        },
      ),
      params,
    );
  });

  test('text without $ is never changed by interpolation, and $$ is always one $', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('$')),
        (s) => {
          expect(substitute(s, () => 'never')).toBe(s);
          expect(substitute(`${s}$$${s}`, () => 'never')).toBe(`${s}$${s}`);
        },
      ),
      params,
    );
  });

  test('comment and blank lines anywhere change nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(NAME, fc.stringMatching(/^[a-z0-9#]{0,8}$/)), { maxLength: 6 }), fc.stringMatching(/^[^\n]{0,20}$/), (pairs, comment) => {
        const plain = pairs.map(([k, v]) => `${k}=${v}\n`).join('');
        const noisy = pairs.map(([k, v]) => `\n  #${comment}\n${k}=${v}\n\t\n`).join('');
        expect(values(noisy)).toEqual(values(plain));
      }),
      params,
    );
  });
});
