import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import fc from 'fast-check';
import { validatePythonRegex } from '../lib';
import { pythonRegexProblem } from '../lib/core/python-regex';
import { difyDocs } from './util';

/**
 * Regular expressions a Python process compiles are validated in Python's
 * dialect. The property: for generated patterns, mostly made of the
 * constructs where JavaScript and Python differ, the verdict of
 * pythonRegexProblem equals that of CPython's own `re.compile` (run once per
 * batch, python3 from Debian).
 */
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 400);
const SEED = Number(process.env.FC_SEED ?? 20261206);
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** CPython's verdict for each pattern: null when it compiles, else its message. */
function pythonVerdicts(patterns: string[]): Array<string | null> {
  const script = [
    'import json, re, sys, warnings',
    "warnings.simplefilter('ignore')",
    'out = []',
    'for p in json.load(sys.stdin):',
    '    try:',
    '        re.compile(p); out.append(None)',
    '    except (re.error, OverflowError, ValueError) as e:',
    '        out.append(str(e))',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(patterns), maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout.toString());
}

/** Where the dialects differ, and the ordinary pieces around them. */
const TOKENS = [
  'a',
  'b',
  'Z',
  '.',
  '^',
  '$',
  '|',
  '(',
  ')',
  '(?:',
  '(?P<n>',
  '(?P<m>',
  '(?P=n)',
  '(?<n>',
  '(?<=',
  '(?<!',
  '(?=',
  '(?!',
  '(?>',
  '(?#c)',
  '(?i)',
  '(?x)',
  '(?s)',
  '(?i:',
  '(?-i:',
  '(?im-sx:',
  '(?a)',
  '(?u)',
  '(?au)',
  '(?L)',
  '(?-i)',
  '(?(1)',
  '(?(n)',
  '*',
  '+',
  '?',
  '*?',
  '+?',
  '??',
  '*+',
  '{2}',
  '{2,}',
  '{,3}',
  '{3,2}',
  '{}',
  '{a}',
  '{,}',
  '[',
  ']',
  '[^',
  '-',
  'a-z',
  'z-a',
  '\\d',
  '\\w',
  '\\s',
  '\\b',
  '\\B',
  '\\A',
  '\\Z',
  '\\z',
  '\\1',
  '\\2',
  '\\0',
  '\\07',
  '\\123',
  '\\400',
  '\\x4',
  '\\x41',
  '\\u0041',
  '\\u12',
  '\\U00110000',
  '\\U0001F600',
  '\\k<n>',
  '\\p{L}',
  '\\cA',
  '\\e',
  '\\-',
  '\\.',
  '\\/',
  '\\8',
  '\\G',
  ' ',
  '#',
  '\n',
  '(?P<1>',
  '(?P<é>',
  '(?(é)',
  '(?P>n)',
  '(?<x',
  'sk-',
  '[A-Za-z0-9]',
  '{20,}',
  '\\\\',
];
const pattern = fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 7 }).map((t) => t.join(''));

describe('regular expressions in the dialect of the Python process that reads them', () => {
  test('the verdict equals CPython re.compile for generated patterns', () => {
    const patterns = fc.sample(pattern, { numRuns: NUM_RUNS, seed: SEED });
    const verdicts = pythonVerdicts(patterns);
    const wrong = patterns
      .map((p, i) => ({ p, python: verdicts[i], ours: pythonRegexProblem(p) }))
      .filter((x) => (x.python === null) !== (x.ours === undefined));
    expect(wrong).toEqual([]);
    // Both kinds were generated: the property is not vacuous.
    expect(verdicts.filter((v) => v === null).length).toBeGreaterThan(NUM_RUNS / 20);
    expect(verdicts.filter((v) => v !== null).length).toBeGreaterThan(NUM_RUNS / 20);
  });

  test("Python's message is given, with its spelling of JavaScript-only syntax", () => {
    expect(() => validatePythonRegex('agent.shellRedactPatterns[0]', '(?<token>sk-[A-Za-z0-9]+)', 'the agent backend')).toThrow(
      'agent.shellRedactPatterns[0]: got "(?<token>sk-[A-Za-z0-9]+)"; must be a Python regular expression (re module, as the agent backend compiles it): unknown extension ?<t at position 0 (write a named group as (?P<name>...))',
    );
    expect(() => validatePythonRegex('p', '(?<=a+)b')).toThrow(/look-behind requires fixed-width pattern/);
    expect(() => validatePythonRegex('p', '\\p{L}+')).toThrow(/bad escape \\p at position 0 \(Python's re has no Unicode property classes/);
  });

  test('Python-only syntax that JavaScript refuses is taken', () => {
    for (const p of ['(?i)password\\s*=\\s*\\S+', '(?P<k>key)=(?P=k)', '\\Atoken\\Z', '(?>a+)b', 'a*+b', '(?x) a b # comment']) {
      expect(pythonRegexProblem(p)).toBeUndefined();
    }
  });

  test('through the facade, the agent backend refuses a JavaScript-only pattern and renders a Python one', () => {
    expect(() => difyDocs({ agent: { shellRedactPatterns: ['ok', '\\k<x>'] } })).toThrow(
      /^agent\.shellRedactPatterns\[1\]: got "\\\\k<x>"; must be a Python regular expression.*bad escape \\k/,
    );
    const { docs } = difyDocs({ agent: { shellRedactPatterns: ['(?i)token=\\S+'] } });
    const cm = docs.find((d) => d.kind === 'ConfigMap' && d.data?.DIFY_AGENT_SHELL_REDACT_PATTERNS !== undefined);
    expect(JSON.parse(cm?.data.DIFY_AGENT_SHELL_REDACT_PATTERNS)).toEqual(['(?i)token=\\S+']);
  });
});
