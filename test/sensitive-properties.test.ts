// Properties of credential-name detection (lib/core/sensitive.ts), stated independently of the module's own word
// lists: a name that holds a credential must be caught in any position and letter case, or it would pass as plain
// configuration into a ConfigMap; a name that only describes one must not be.
import fc from 'fast-check';
import { SENSITIVE_ENV_NAMES, isSensitiveEnvName, looksSensitive } from '../lib';

/** Every single word that marks a credential wherever it stands. */
const CREDENTIAL_WORDS = [
  'PASSWORD',
  'PASSWD',
  'PWD',
  'PASS',
  'PASSPHRASE',
  'SECRET',
  'TOKEN',
  'KEY',
  'APIKEY',
  'ACCESSKEY',
  'SECRETKEY',
  'PRIVATEKEY',
  'DSN',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
];
/** Adjacent words that mark a credential together (each alone does not). */
const CREDENTIAL_PAIRS = [
  ['PRIVATE', 'KEY'],
  ['CONNECTION', 'STRING'],
  ['SERVICE', 'ACCOUNT', 'JSON'],
];
/** Last parts that make a name describe a credential (its lifetime, size, place, name or format). */
const DESCRIPTIVE = [
  'EXPIRE',
  'EXPIRES',
  'EXPIRY',
  'EXPIRATION',
  'TTL',
  'MINUTES',
  'HOURS',
  'DAYS',
  'SECONDS',
  'TIMEOUT',
  'INTERVAL',
  'LENGTH',
  'LEN',
  'SIZE',
  'MIN',
  'MAX',
  'LIMIT',
  'COUNT',
  'ENABLED',
  'ENABLE',
  'DISABLED',
  'PREFIX',
  'SUFFIX',
  'TYPE',
  'NAME',
  'FILENAME',
  'FILE',
  'PATH',
  'USER',
  'USERS',
  'USERNAME',
  'DIR',
  'HEADER',
  'FIELD',
  'VERSION',
  'METHOD',
  'ALGORITHM',
  'MODE',
  'FORMAT',
  'URL',
  'URI',
  'ENDPOINT',
  'HOST',
  'PORT',
  'REGION',
  'ROTATION',
  'PROVIDER',
  'SOURCE',
  'STRATEGY',
  'POLICY',
  'LOCATION',
];
/** Plain words: none is a credential word, none is descriptive. */
const PLAIN = ['SMTP', 'REDIS', 'DB', 'MAIL', 'APP', 'WEAVIATE', 'S3', 'OPENAI', 'X1', 'SERVER', 'PLUGIN', 'ACCESS'];

const plain = fc.constantFrom(...PLAIN);
const descriptive = fc.constantFrom(...DESCRIPTIVE);

/** `parts` joined the ways names are written: SNAKE_CASE, kebab-case, dotted, lower snake, camelCase. */
function spellings(parts: string[]): string[] {
  const lower = parts.map((p) => p.toLowerCase());
  const camel = lower.map((p, i) => (i === 0 ? p : p[0].toUpperCase() + p.slice(1))).join('');
  return [parts.join('_'), lower.join('-'), lower.join('.'), lower.join('_'), camel];
}

describe.each(CREDENTIAL_WORDS)('the credential word %s', (word) => {
  test('marks a name alone, first, last and in the middle, in every spelling', () => {
    fc.assert(
      fc.property(plain, plain, (a, b) => {
        for (const parts of [[word], [word, b], [a, word], [a, word, b]])
          for (const name of spellings(parts)) expect([name, looksSensitive(name), isSensitiveEnvName(name)]).toEqual([name, true, true]);
      }),
      { numRuns: 20 },
    );
  });
  test('does not mark a name whose last part describes it', () => {
    for (const d of DESCRIPTIVE) for (const name of spellings([word, d])) expect([name, looksSensitive(name)]).toEqual([name, false]);
    fc.assert(
      fc.property(plain, descriptive, (a, d) => {
        for (const name of spellings([a, word, d])) expect([name, looksSensitive(name)]).toEqual([name, false]);
      }),
      { numRuns: 20 },
    );
  });
  test('is a whole part, not a substring of a longer word', () => {
    for (const name of [`${word}X`, `X${word}`, `${word}ING_MODE`.replace('_MODE', ''), `MY${word}S2`])
      expect([name, looksSensitive(name)]).toEqual([name, false]);
  });
});

describe.each(CREDENTIAL_PAIRS.map((p) => [p.join('_'), p] as const))('the credential words %s', (_, pair) => {
  test('mark a name together, in any position and spelling', () => {
    fc.assert(
      fc.property(plain, plain, (a, b) => {
        for (const parts of [pair, [a, ...pair], [...pair, b], [a, ...pair, b]])
          for (const name of spellings(parts)) expect([name, looksSensitive(name)]).toEqual([name, true]);
      }),
      { numRuns: 20 },
    );
  });
  test('do not mark a name apart, reversed or with a word between them', () => {
    const [first, ...rest] = pair.filter((w) => !CREDENTIAL_WORDS.includes(w));
    for (const parts of [[first], rest, [...pair].reverse(), [pair[0], 'X', ...pair.slice(1)]].filter(
      (p) => p.length && p.every((w) => !CREDENTIAL_WORDS.includes(w)),
    ))
      expect([parts.join('_'), looksSensitive(parts.join('_'))]).toEqual([parts.join('_'), false]);
  });
});

test('a descriptive last part does not hide a credential when the name is that part alone or the part stands first', () => {
  for (const d of DESCRIPTIVE) {
    expect([d, looksSensitive(d)]).toEqual([d, false]);
    expect([`${d}_PASSWORD`, looksSensitive(`${d}_PASSWORD`)]).toEqual([`${d}_PASSWORD`, true]);
  }
});

test('benign look-alikes are plain configuration', () => {
  for (const name of [
    'KEYBOARD_LAYOUT',
    'MONKEY',
    'TOKENIZER_MODEL',
    'PASSPORT_ID',
    'SECRETARY',
    'BYPASS',
    'COMPASS',
    'DSNX',
    'PRIVATE_NETWORK',
    'CONNECTION_POOL',
    'SERVICE_ACCOUNT',
    'ACCOUNT_JSON',
    'STRING_CONNECTION',
    'ACCESS_TOKEN_EXPIRE_MINUTES',
    'REDIS_KEY_PREFIX',
    'TLS_KEY_FILE',
    'API_KEY_HEADER',
    'OAUTH_TOKEN_URL',
    '',
    '___',
  ])
    expect([name, isSensitiveEnvName(name)]).toEqual([name, false]);
});

test('names the browser receives are public by design, in any spelling; their look-alikes are not', () => {
  for (const name of ['AMPLITUDE_API_KEY', 'TURNSTILE_SITE_KEY', 'COOKIEYES_SITE_KEY']) {
    for (const s of spellings(name.split('_'))) expect([s, looksSensitive(s)]).toEqual([s, false]);
    expect(looksSensitive(`OTHER_${name}`)).toBe(true);
  }
});

test("upstream's credential names are sensitive in any letter case, even those no word marks", () => {
  const unmarked = [...SENSITIVE_ENV_NAMES].filter((n) => !looksSensitive(n));
  expect(unmarked.length).toBeGreaterThan(0);
  for (const n of SENSITIVE_ENV_NAMES) {
    expect([n, isSensitiveEnvName(n), isSensitiveEnvName(n.toLowerCase())]).toEqual([n, true, true]);
  }
  for (const n of unmarked) expect([`X_${n}`, isSensitiveEnvName(`X_${n}`)]).toEqual([`X_${n}`, looksSensitive(`X_${n}`)]);
});

test('separators at either end or doubled change no verdict', () => {
  for (const name of ['TOKEN_TTL', 'API_KEY', 'REDIS_HOST', 'AMPLITUDE_API_KEY', 'CONNECTION_STRING', 'KEY', 'TTL']) {
    const verdict = looksSensitive(name);
    for (const variant of [`_${name}`, `${name}_`, `__${name}__`, name.replace(/_/g, '__'), name.replace(/_/g, '-.'), `.${name}.`])
      expect([variant, looksSensitive(variant)]).toEqual([variant, verdict]);
  }
  expect([looksSensitive('TOKEN_TTL_'), looksSensitive('_AMPLITUDE_API_KEY'), looksSensitive('KEY_')]).toEqual([false, false, true]);
});
