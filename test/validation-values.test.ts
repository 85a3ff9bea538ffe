// Validators of values that are not hosts (lib/core/validation.ts): URLs, bucket and other names, pip requirements
// and their environment markers, Python regular expressions. Each states what is taken, what is refused, and what the
// refusal tells the user to write instead.
import {
  validateBucket,
  validateFolder,
  validatePipRequirement,
  validatePythonRegex,
  validateRegion,
  validateS3Bucket,
  validateSqlIdentifier,
  validateUrl,
} from '../lib/core/validation';

/** The message a validator throws, or 'ok' when it returns the value unchanged. */
function verdict(run: () => unknown, value: unknown): string {
  try {
    const out = run();
    return out === value ? 'ok' : `returned ${String(out)}`;
  } catch (e) {
    return (e as Error).message;
  }
}

const URL_ALLOWED = 'must be an absolute http:// or https:// URL without a trailing slash';

describe('validateUrl', () => {
  const url = (v: unknown) => verdict(() => validateUrl('p', v as string), v);
  test('a bare host, with a port or a path, is refused with the URL to write', () => {
    expect(url('dify.example.com')).toBe(`p: got "dify.example.com"; ${URL_ALLOWED}; it has no scheme: did you mean "https://dify.example.com"?`);
    expect(url('dify.example.com:8080')).toBe(
      `p: got "dify.example.com:8080"; ${URL_ALLOWED}; it has no scheme: did you mean "https://dify.example.com:8080"?`,
    );
    expect(url('dify.example.com/a/')).toBe(`p: got "dify.example.com/a/"; ${URL_ALLOWED}; it has no scheme: did you mean "https://dify.example.com/a"?`);
    expect(url('dify.example.com:8080/v1/x')).toBe(
      `p: got "dify.example.com:8080/v1/x"; ${URL_ALLOWED}; it has no scheme: did you mean "https://dify.example.com:8080/v1/x"?`,
    );
  });
  test('a value that is not a bare host gets no suggestion', () => {
    for (const v of ['my host.example.com', 'dify.example.com extra', 'dify.example.com:http', 'dify.example.com/a b', 'localhost', 'a_b.example.com'])
      expect([v, url(v)]).toEqual([v, `p: got ${JSON.stringify(v)}; ${URL_ALLOWED}`]);
  });
  test('credentials in the URL are refused, even where the userinfo holds characters the parser escapes', () => {
    for (const v of [
      'https://u:p@h.example.com',
      'https://token@h.example.com',
      'https://a{b@h.example.com',
      'https://:p@h.example.com',
      'http://u"x@h.example.com',
    ])
      expect(url(v)).toMatch(/without credentials \(user:password@ or token@\): pass them through the credential's own SecretKeyRef prop$/);
  });
  test('trailing slashes are refused with the URL without any of them', () => {
    expect(url('https://h.example.com/')).toBe(`p: got "https://h.example.com/"; ${URL_ALLOWED}: "https://h.example.com"`);
    expect(url('https://h.example.com/a//')).toBe(`p: got "https://h.example.com/a//"; ${URL_ALLOWED}: "https://h.example.com/a"`);
  });
  test('IP hosts, v4 or bracketed v6, are taken; a host that is no DNS name is refused', () => {
    for (const v of ['https://10.0.0.1', 'http://[::1]:8080', 'https://[fd00::1]/v1', 'https://dify.example.com:8443/api'])
      expect([v, url(v)]).toEqual([v, 'ok']);
    expect(url('https://a_b.example.com')).toBe(
      `p: got "https://a_b.example.com"; ${URL_ALLOWED}; its host has the label "a_b": labels hold letters, digits and inner '-' only`,
    );
  });
  test('not parseable, another scheme, or not a string', () => {
    for (const v of ['https://', 'https://exa mple.com', 'ftp://h.example.com', 'https://[::1'])
      expect([v, url(v)]).toEqual([v, `p: got ${JSON.stringify(v)}; ${URL_ALLOWED}`]);
    expect(url(42)).toBe(`p: got 42; ${URL_ALLOWED}`);
  });
});

describe('bucket names', () => {
  const S3 =
    "must be an S3 bucket name (3-63 lowercase letters, digits, '.' and '-', starting and ending alphanumeric, no '..', not an IP address, no reserved prefix such as \"xn--\" or suffix such as \"-s3alias\")";
  const s3 = (v: unknown) => verdict(() => validateS3Bucket('p', v as string), v);
  test('S3: IP-address shapes, reserved prefixes and suffixes are refused only as a whole name, start or end', () => {
    for (const v of ['192.168.10.10', '10.0.0.1', 'xn--bucket', 'sthree-b', 'amzn-s3-demo-b', 'b-s3alias', 'b--ol-s3', 'b--x-s3', 'b.mrap', 'a..b'])
      expect([v, s3(v)]).toEqual([v, `p: got ${JSON.stringify(v)}; ${S3}`]);
    for (const v of ['ab1.2.3.4', '1.2.3.4a', 'my-xn--bucket', 'my-sthree-b', 'b-s3alias-logs', 'b.mrap.x', 'dify-files', 'a.b.c'])
      expect([v, s3(v)]).toEqual([v, 'ok']);
  });
  test('S3: anything but a string is refused, naming the value', () => {
    for (const v of [123, ['dify-files'], null]) expect([v, s3(v)]).toEqual([v, `p: got ${JSON.stringify(v)}; ${S3}`]);
  });
  test('other stores: dots only where allowed; alphanumeric at both ends; strings only', () => {
    const b = (v: unknown, dots: boolean) => verdict(() => validateBucket('p', v as string, 'a bucket', dots), v);
    const refusedDots = "must be a bucket: 3-63 lowercase letters, digits, '.' and '-', starting and ending alphanumeric";
    const refused = "must be a bucket: 3-63 lowercase letters, digits and '-', starting and ending alphanumeric";
    for (const v of ['abc-', '-abc', 'abc!', 'ab', 'Abc']) expect([v, b(v, true)]).toEqual([v, `p: got ${JSON.stringify(v)}; ${refusedDots}`]);
    expect(b('a.bc', true)).toBe('ok');
    expect(b('a.bc', false)).toBe(`p: got "a.bc"; ${refused}`);
    expect(b('abc-', false)).toBe(`p: got "abc-"; ${refused}`);
    expect(b(123, false)).toBe(`p: got 123; ${refused}`);
    expect(b(['abc'], true)).toBe(`p: got ["abc"]; ${refusedDots}`);
  });
});

describe('regions, folders and SQL identifiers take strings only', () => {
  test.each<[string, (v: unknown) => unknown, unknown, string]>([
    ['region', (v) => validateRegion('p', v as string, 'eu-west-1'), ['eu-west-1'], `must be a region such as "eu-west-1" (lowercase letters, digits and '-')`],
    ['region', (v) => validateRegion('p', v as string, 'eu-west-1'), 1, `must be a region such as "eu-west-1" (lowercase letters, digits and '-')`],
    [
      'folder',
      (v) => validateFolder('p', v as string),
      ['dify'],
      `must be a relative folder such as "dify/files": letters, digits, '.', '_', '-' and inner '/'`,
    ],
    ['folder', (v) => validateFolder('p', v as string), 7, `must be a relative folder such as "dify/files": letters, digits, '.', '_', '-' and inner '/'`],
    [
      'SQL identifier',
      (v) => validateSqlIdentifier('p', v),
      true,
      "must be a lowercase SQL identifier: letters, digits and '_', not starting with a digit, at most 63 characters",
    ],
    [
      'SQL identifier',
      (v) => validateSqlIdentifier('p', v),
      ['dify'],
      "must be a lowercase SQL identifier: letters, digits and '_', not starting with a digit, at most 63 characters",
    ],
  ])('%s refuses %p', (_what, run, value, allowed) => {
    expect(verdict(() => run(value), value)).toBe(`p: got ${JSON.stringify(value)}; ${allowed}`);
  });
  test('and take the strings they describe', () => {
    expect([validateRegion('p', 'eu-west-1', 'x'), validateFolder('p', 'dify/files'), validateSqlIdentifier('p', 'dify_plugin')]).toEqual([
      'eu-west-1',
      'dify/files',
      'dify_plugin',
    ]);
  });
});

describe('validatePipRequirement', () => {
  const ALLOWED =
    'must be one PEP 508 requirement such as "numpy==2.1.0", "requests[socks]>=2.31,<3", "pandas; python_version >= \\"3.10\\"" or "pkg @ https://example.com/pkg.whl" (no pip options, one per entry)';
  const pip = (v: unknown) => verdict(() => validatePipRequirement('p', v), v);
  const refused = (v: unknown) => `p: got ${JSON.stringify(v)}; ${ALLOWED}`;
  const notMarker = (v: unknown) => `${refused(v)}: the part after ';' is not an environment marker`;

  test('every marker variable PEP 508 defines is taken, and no other name', () => {
    for (const variable of [
      'python_version',
      'python_full_version',
      'os_name',
      'sys_platform',
      'platform_release',
      'platform_system',
      'platform_version',
      'platform_machine',
      'platform_python_implementation',
      'implementation_name',
      'implementation_version',
      'extra',
    ]) {
      const v = `pkg; ${variable} == "x"`;
      expect([v, pip(v)]).toEqual([v, 'ok']);
      const reversed = `pkg; "x" != ${variable}`;
      expect([reversed, pip(reversed)]).toEqual([reversed, 'ok']);
    }
    for (const v of ['pkg; python_versio == "3"', 'pkg; PYTHON_VERSION == "3"', 'pkg; os == "x"']) expect([v, pip(v)]).toEqual([v, notMarker(v)]);
  });
  test('"not in" with any whitespace between the words, and "in"', () => {
    for (const v of ['pkg; platform_release not in "5.0, 6.0"', 'pkg; platform_release not  in "5.0"', 'pkg; "linux" in sys_platform'])
      expect([v, pip(v)]).toEqual([v, 'ok']);
  });
  test('a marker is value, operator, value, joined by and/or, grouped by closed parentheses, and nothing else', () => {
    for (const v of [
      'pkg; python_version >= "3.10" and (sys_platform == "linux" or os_name != "nt")',
      "pkg; python_version ~= '3.1'",
      'pkg ; python_version == "3" ',
    ])
      expect([v, pip(v)]).toEqual([v, 'ok']);
    for (const v of [
      'pkg;',
      'pkg; ',
      'pkg; == "3"',
      'pkg; python_version ==',
      'pkg; python_version "3" "4"',
      'pkg; python_version == "3" "4"',
      'pkg; (os_name == "a" "b"',
      'pkg; (os_name == "a"',
      'pkg; python_version xin "3"',
      'pkg; python_version into "3"',
      'pkg; python_version == "3" @',
      'pkg; python_version == "3',
      'pkg; python_version == "3" and',
    ])
      expect([v, pip(v)]).toEqual([v, notMarker(v)]);
  });
  test('options, several lines and non-strings are refused with the plain rule, before any URL is read', () => {
    for (const v of ['-r requirements.txt', 'numpy\nrequests', 'numpy\r', 5]) expect([v, pip(v)]).toEqual([v, refused(v)]);
    // The option is what is wrong, not its URL's credentials (which the message still never shows).
    expect(pip('  --index-url https://u:p@pypi.example.com/simple')).toBe(`p: got "  --index-url https://<redacted>@pypi.example.com/simple"; ${ALLOWED}`);
  });
  test('a URL requirement carrying credentials is refused for them', () => {
    expect(pip('pkg @ https://u:t@pypi.example.com/pkg.whl')).toMatch(/carries credentials in its URL \(user:token@ or token@\)/);
    expect(pip('pkg @ https://pypi.example.com/pkg.whl ; python_version >= "3"')).toBe('ok');
    expect(pip('pkg @ https://pypi.example.com/pkg.whl;python_version >= "3"')).toBe(refused('pkg @ https://pypi.example.com/pkg.whl;python_version >= "3"'));
  });
});

describe('validatePythonRegex', () => {
  test("takes Python's dialect and refuses what Python refuses, with Python's reason", () => {
    expect(validatePythonRegex('p', '(?i)(?P<n>x)')).toBe('(?i)(?P<n>x)');
    expect(verdict(() => validatePythonRegex('p', '('), '(')).toBe(
      'p: got "("; must be a Python regular expression (re module, as a Python process compiles it): missing ), unterminated subpattern at position 0',
    );
    expect(verdict(() => validatePythonRegex('p', '(?<n>x)', 'the worker'), '')).toMatch(
      /^p: got "\(\?<n>x\)"; must be a Python regular expression \(re module, as the worker compiles it\): unknown extension \?<n at position 0/,
    );
  });
  test('a non-string is refused with the rule alone', () => {
    expect(verdict(() => validatePythonRegex('p', 5), 5)).toBe('p: got 5; must be a Python regular expression (re module, as a Python process compiles it)');
    expect(verdict(() => validatePythonRegex('p', null, 'api'), null)).toBe('p: got null; must be a Python regular expression (re module, as api compiles it)');
  });
});
