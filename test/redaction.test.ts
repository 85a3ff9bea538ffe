// Credentials inside values (lib/core/sensitive.ts): URL userinfo, JSON objects and query parameters. A value that
// carries one must be refused as plain configuration and never shown in a message; the rest of the text must stay,
// so an error still shows what was given.
import fc from 'fast-check';
import { hasUrlCredentials, jsonCredentialKey, redactCredentials } from '../lib';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 100);

/** Every scheme under which a user name alone is an account, not a credential. */
const ACCOUNT_SCHEMES = [
  'redis',
  'rediss',
  'redis+sentinel',
  'sentinel',
  'postgres',
  'postgresql',
  'mysql',
  'mysql+pymysql',
  'mongodb',
  'mongodb+srv',
  'amqp',
  'amqps',
  'ssh',
  'git+ssh',
  'sftp',
  'ldap',
  'ldaps',
  'smtp',
  'smtps',
  'mailto',
];
const OTHER_SCHEMES = ['http', 'https', 'git+https', 'ws', 'wss', 'ftp', 's3', 'x-custom.v2'];
/** Prefixes that make a user name a token whatever its length. */
const TOKEN_PREFIXES = [
  'ghp_',
  'gho_',
  'ghu_',
  'ghs_',
  'ghr_',
  'github_pat_',
  'glpat-',
  'sk-',
  'xoxa-',
  'xoxb-',
  'xoxp-',
  'xoxr-',
  'AKIA',
  'ASIA',
  'hf_',
  'npm_',
  'pypi-',
];

const word = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);

describe('URL userinfo', () => {
  test.each(ACCOUNT_SCHEMES)('%s: a password is a credential; a plain user name or an empty password is an account', (scheme) => {
    expect(hasUrlCredentials(`${scheme}://u:pw@host/0`)).toBe(true);
    expect(hasUrlCredentials(`${scheme}://:pw@host`)).toBe(true);
    expect(hasUrlCredentials(`${scheme}://dify@host/0`)).toBe(false);
    expect(hasUrlCredentials(`${scheme}://dify:@host/0`)).toBe(false);
    expect(hasUrlCredentials(`${scheme.toUpperCase()}://dify@host/0`)).toBe(false);
    expect(redactCredentials(`${scheme}://u:pw@host/0`)).toBe(`${scheme}://<redacted>@host/0`);
    expect(redactCredentials(`${scheme}://dify@host/0`)).toBe(`${scheme}://dify@host/0`);
  });
  test.each(OTHER_SCHEMES)('%s: a user name alone is how a token is sent, so it is a credential', (scheme) => {
    expect(hasUrlCredentials(`${scheme}://u@host/x`)).toBe(true);
    expect(hasUrlCredentials(`${scheme}://u:p@host/x`)).toBe(true);
    expect(redactCredentials(`${scheme}://u@host/x`)).toBe(`${scheme}://<redacted>@host/x`);
  });
  test.each(TOKEN_PREFIXES)('a user name starting %s is a token under an account scheme too', (prefix) => {
    expect(hasUrlCredentials(`redis://${prefix}abc@host`)).toBe(true);
    expect(hasUrlCredentials(`redis://x${prefix}abc@host`)).toBe(false);
  });
  test('a long user name mixing letters and digits is a token; short, letters-only or digits-only is an account', () => {
    expect(hasUrlCredentials('redis://a1234567890123456789@host')).toBe(true);
    expect(hasUrlCredentials('redis://a123456789012345678@host')).toBe(false);
    expect(hasUrlCredentials('redis://abcdefghijabcdefghijabcdefghij@host')).toBe(false);
    expect(hasUrlCredentials('redis://12345678901234567890123@host')).toBe(false);
    // Percent-encoding is decoded first; a malformed escape is read as written.
    expect(hasUrlCredentials('redis://%67hp_x@host')).toBe(true);
    expect(hasUrlCredentials('redis://%E0%A4%A@host')).toBe(false);
    expect(hasUrlCredentials('redis://%zz1234567890123456789@host')).toBe(true);
  });
  test('found wherever it stands: inside a longer value, a list, JSON with escaped slashes, quotes', () => {
    for (const v of [
      '--index-url https://u:p@pypi.example.com/simple --trusted-host x',
      'a,redis://:pw@r:6379/0,b',
      '{"url":"https:\\/\\/u:p@host\\/x"}',
      "'postgres://u:p@db/x'",
      'see <https://u:p@host>',
    ])
      expect([v, hasUrlCredentials(v)]).toEqual([v, true]);
  });
  test('not a URL, or no userinfo: nothing to find', () => {
    for (const v of [
      'redis://r:6379/0',
      'https://host/a@b',
      'user@example.com',
      'https://host?x=a@b',
      'https://host#a@b',
      'host:6379',
      '1://u:p@h',
      '',
      'https:/u:p@h',
    ])
      expect([v, hasUrlCredentials(v)]).toEqual([v, false]);
    expect(hasUrlCredentials(undefined as unknown as string)).toBe(false);
    expect(hasUrlCredentials(42 as unknown as string)).toBe(false);
  });
  test('a password may hold an @: everything up to the last @ of the authority is redacted', () => {
    expect(redactCredentials('redis://u:p@ss@host:6379/0')).toBe('redis://<redacted>@host:6379/0');
  });
  test('every credential of a text is redacted and the rest is kept, in order', () => {
    expect(redactCredentials('a https://u:p@h1/x b redis://:q@h2 c redis://dify@h3 d')).toBe(
      'a https://<redacted>@h1/x b redis://<redacted>@h2 c redis://dify@h3 d',
    );
  });
  test('property: a redacted text keeps no password and still names every host', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ACCOUNT_SCHEMES, ...OTHER_SCHEMES), word, word, word, (scheme, user, password, host) => {
        const text = `x ${scheme}://${user}:${password}Z9@${host}.example/p y`;
        const out = redactCredentials(text);
        expect(hasUrlCredentials(text)).toBe(true);
        expect(out).toBe(`x ${scheme}://<redacted>@${host}.example/p y`);
        expect(hasUrlCredentials(out)).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('JSON objects with credential-named keys', () => {
  test('the key of the first credential-named pair with a non-empty string value', () => {
    expect(jsonCredentialKey('{"api_key": "sk-1"}')).toBe('api_key');
    expect(jsonCredentialKey('{"auth": {"password":"x"}}')).toBe('password');
    expect(jsonCredentialKey('{"region":"eu","clientSecret"  :  "s"}')).toBe('clientSecret');
    expect(jsonCredentialKey('prefix {"token":"t"} suffix')).toBe('token');
    expect(jsonCredentialKey('{"pass\\"word":"t"}')).toBe('pass\\"word');
    expect(jsonCredentialKey('{"a":"x\\"","token":"t"}')).toBe('token');
  });
  test('no credential: empty values, the bare word "key", non-credential names, non-string values, no JSON', () => {
    for (const v of ['{"password": ""}', '{"key": "k"}', '{"region": "eu"}', '{"password": 5}', '{"token": null}', 'password: x', '', 'no quotes'])
      expect([v, jsonCredentialKey(v)]).toEqual([v, undefined]);
    expect(jsonCredentialKey(undefined as unknown as string)).toBeUndefined();
  });
  test('redaction replaces the value only, keeps other pairs, and normalises nothing else', () => {
    expect(redactCredentials('{"region": "eu", "password" : "hunter2", "key": "k", "token": ""}')).toBe(
      '{"region": "eu", "password":"<redacted>", "key": "k", "token": ""}',
    );
    expect(redactCredentials('{"a":"x\\"y","secret":"s\\"t"}')).toBe('{"a":"x\\"y","secret":"<redacted>"}');
  });
});

describe('query parameters', () => {
  test('credential-named parameters and signatures are redacted, after ?, & or ;', () => {
    expect(redactCredentials('https://h/p?password=x&user=u')).toBe('https://h/p?password=<redacted>&user=u');
    expect(redactCredentials('https://h/p?a=1&access_token=t#frag')).toBe('https://h/p?a=1&access_token=<redacted>#frag');
    expect(redactCredentials('https://h/p;api-key=t')).toBe('https://h/p;api-key=<redacted>');
    for (const name of ['sig', 'SIGNATURE', 'X-Amz-Signature', 'x-amz-credential', 'auth'])
      expect(redactCredentials(`https://h/p?${name}=v&b=2`)).toBe(`https://h/p?${name}=<redacted>&b=2`);
  });
  test('other parameters, empty values and look-alike names stay', () => {
    for (const v of [
      'https://h/p?user=u&region=eu',
      'https://h/p?password=&b=1',
      'https://h/p?signed=1',
      'https://h/p?xsig=1',
      'https://h/p?authority=x',
      'a=password',
    ])
      expect([v, redactCredentials(v)]).toEqual([v, v]);
  });
  test('a value ends at &, #, whitespace, quotes or angle brackets', () => {
    expect(redactCredentials('"https://h/?token=abc" next')).toBe('"https://h/?token=<redacted>" next');
    expect(redactCredentials("<https://h/?token=abc'>")).toBe("<https://h/?token=<redacted>'>");
    expect(redactCredentials('https://h/?token=abc def')).toBe('https://h/?token=<redacted> def');
  });
  test('a non-string is returned as it is', () => {
    expect(redactCredentials(7 as unknown as string)).toBe(7);
  });
});

test('only a string is read for credentials: a String object or anything else that prints a URL is not', () => {
  const printsUrl = { toString: () => 'https://u:p@host' };
  expect(hasUrlCredentials(new String('https://u:p@host') as unknown as string)).toBe(false);
  expect(hasUrlCredentials(printsUrl as unknown as string)).toBe(false);
  expect(jsonCredentialKey(new String('{"token":"t"}') as unknown as string)).toBeUndefined();
});

test('a tab or line break inside the userinfo, which URL parsers drop, does not hide the credential', () => {
  for (const v of ['redis://u\n:pw@host:6379/0', 'https://u:p\tw@host/x', 'postgres://u:\r\npw@db/x']) {
    expect([v, hasUrlCredentials(v)]).toEqual([v, true]);
    expect(redactCredentials(v)).toMatch(/^\w+:\/\/<redacted>@/);
    expect(new URL(v).password).not.toBe('');
  }
});
