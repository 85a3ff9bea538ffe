// Boundaries of every validator in lib/core/validation.ts: the last value taken and the first refused on each side,
// written out here rather than derived from the module, so an off-by-one (a maximum that is itself refused, an equal
// inner and outer timeout that is accepted, an IPv4 octet with a leading zero) fails a named test.
import fc from 'fast-check';
import {
  bracketIpv6,
  dnsNameProblem,
  hostWithoutPort,
  invalid,
  propPath,
  renderValue,
  splitHostPort,
  validateBucket,
  validateDistinctHosts,
  validateDnsLabel,
  validateDnsSubdomain,
  validateEnvName,
  validateFolder,
  validateHostAndPort,
  validateHostname,
  validateInt,
  validateNginxSize,
  validatePipRequirement,
  validatePort,
  validateRegion,
  validateS3Bucket,
  validateServiceHost,
  validateSqlIdentifier,
  validateTimeoutOrder,
  validateUrl,
  validateUrlHost,
} from '../lib';
import { refusal } from './support/refusal';

const SEED = Number(process.env.FC_SEED ?? 20261206);

const takes = (fn: () => unknown) => expect(refusal(fn)).toBeUndefined();
const refuses = (fn: () => unknown, message?: RegExp) => {
  const m = refusal(fn);
  expect(m).toBeDefined();
  if (message) expect(m).toMatch(message);
};

describe('integers and ports', () => {
  test('validateInt takes exactly [min, max], integers only, for any range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (min, width) => {
        const max = min + width;
        expect(validateInt('n', min, min, max)).toBe(min);
        expect(validateInt('n', max, min, max)).toBe(max);
        refuses(() => validateInt('n', min - 1, min, max), new RegExp(`^n: got ${min - 1}; must be an integer from ${min} to ${max}$`));
        refuses(() => validateInt('n', max + 1, min, max));
        refuses(() => validateInt('n', min + 0.5, min, max));
      }),
      { numRuns: 50, seed: SEED },
    );
    expect(validateInt('n', Number.MAX_SAFE_INTEGER, 0)).toBe(Number.MAX_SAFE_INTEGER);
    refuses(() => validateInt('n', Number.MAX_SAFE_INTEGER + 2, 0), /from 0 to 9007199254740991/);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '1' as unknown as number]) refuses(() => validateInt('n', bad, 0, 10));
  });

  test('validatePort takes 1 and 65535, refuses 0 and 65536', () => {
    expect([validatePort('p', 1), validatePort('p', 65535)]).toEqual([1, 65535]);
    refuses(() => validatePort('p', 0), /^p: got 0; must be an integer from 1 to 65535$/);
    refuses(() => validatePort('p', 65536));
    refuses(() => validatePort('p', 80.5));
  });
});

describe('DNS names', () => {
  const label = (n: number) => `a${'b'.repeat(Math.max(0, n - 2))}${n > 1 ? 'c' : ''}`.slice(0, n);

  test('a DNS label is 1 to 63 characters (or the given maximum), lower case, alphanumeric at both ends', () => {
    expect(label(63)).toHaveLength(63);
    takes(() => validateDnsLabel('l', label(63)));
    takes(() => validateDnsLabel('l', 'a'));
    takes(() => validateDnsLabel('l', '0-9'));
    refuses(() => validateDnsLabel('l', label(64)), /at most 63 characters/);
    takes(() => validateDnsLabel('l', label(40), 40));
    refuses(() => validateDnsLabel('l', label(41), 40), /at most 40 characters/);
    for (const bad of ['', '-a', 'a-', 'A', 'a.b', 'a_b', ' a']) refuses(() => validateDnsLabel('l', bad));
    refuses(() => validateDnsLabel('l', 5 as unknown as string));
  });

  test('a DNS subdomain is at most 253 characters of dot-separated labels', () => {
    const name = (n: number) => `${'a.'.repeat(Math.floor((n - 1) / 2))}a${n % 2 === 0 ? 'b' : ''}`;
    expect(name(253)).toHaveLength(253);
    expect(name(254)).toHaveLength(254);
    takes(() => validateDnsSubdomain('s', name(253)));
    refuses(() => validateDnsSubdomain('s', name(254)), /at most 253 characters/);
    takes(() => validateDnsSubdomain('s', 'a'));
    for (const bad of ['', '.a', 'a.', 'a..b', 'A.b', '-a.b', 'a-.b']) refuses(() => validateDnsSubdomain('s', bad));
  });

  test('dnsNameProblem: 253 characters in all and 63 per label are the last taken', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(long).toHaveLength(253);
    expect(dnsNameProblem(long)).toBeUndefined();
    expect(dnsNameProblem(`${long}e`)).toMatch(/is 254 characters long; a DNS name has at most 253/);
    expect(dnsNameProblem(`${'a'.repeat(63)}.example.com`)).toBeUndefined();
    expect(dnsNameProblem(`${'a'.repeat(64)}.example.com`)).toMatch(/of 64 characters; each dot-separated label has at most 63/);
    expect(dnsNameProblem('a.b.123')).toMatch(/ends in the numeric label "123"/);
    expect(dnsNameProblem('123')).toBeUndefined();
    expect(dnsNameProblem('a.123b')).toBeUndefined();
    expect(dnsNameProblem('a..b')).toMatch(/empty label/);
    expect(dnsNameProblem('a_b.c')).toMatch(/has the label "a_b"/);
    expect(dnsNameProblem('Dify.Example.com')).toBe('must be lower case: "dify.example.com"');
    expect(dnsNameProblem('Dify.Example.com', { upper: true })).toBeUndefined();
    expect(dnsNameProblem('*.example.com')).toMatch(/has the label "\*"/);
    expect(dnsNameProblem('*.example.com', { wildcard: true })).toBeUndefined();
    expect(dnsNameProblem('a.*.example.com', { wildcard: true })).toMatch(/has the label "\*"/);
  });
});

describe('hosts', () => {
  test('IPv4 octets are 0-255 without leading zeros, wherever an IPv4 address is taken', () => {
    for (const good of ['0.0.0.0', '10.0.0.1', '255.255.255.255', '192.168.100.10']) {
      takes(() => validateUrlHost('h', good));
      expect(validateServiceHost('h', good)).toBe(good);
    }
    for (const bad of ['256.0.0.1', '1.2.3.256', '01.2.3.4', '1.2.3.04', '1.02.3.4', '1.2.003.4', '00.0.0.0']) {
      refuses(() => validateUrlHost('h', bad), /no leading zeros|0-255/);
      refuses(() => validateServiceHost('h', bad), /no leading zeros|0-255/);
    }
    refuses(() => validateHostname('h', '10.0.0.1'), /cannot be IP addresses/);
  });

  test('a port in a URL host is 1-65535, written without leading zeros', () => {
    for (const good of ['dify.example.com:1', 'dify.example.com:65535', 'dify.example.com:30080', '10.0.0.1:8080']) takes(() => validateUrlHost('h', good));
    for (const bad of [
      'dify.example.com:0',
      'dify.example.com:65536',
      'dify.example.com:080',
      'dify.example.com:',
      'dify.example.com:x',
      'dify.example.com:123456',
    ])
      refuses(() => validateUrlHost('h', bad), /a port is an integer from 1 to 65535/);
    expect(hostWithoutPort('dify.example.com:30080')).toBe('dify.example.com');
    expect(hostWithoutPort('dify.example.com')).toBe('dify.example.com');
    refuses(() => validateUrlHost('h', '*.example.com'), /not a wildcard/);
    refuses(() => validateUrlHost('h', 'fd00::1'));
    refuses(() => validateUrlHost('h', ''));
  });

  test('Ingress hosts: lower-case DNS names, wildcards allowed, no port, no URL', () => {
    takes(() => validateHostname('h', '*.example.com'));
    takes(() => validateHostname('h', 'dify.example.com'));
    refuses(() => validateHostname('h', 'dify.example.com:443'), /carry no port/);
    refuses(() => validateHostname('h', 'https://dify.example.com'), /it is a URL, not a host: give "dify.example.com"/);
    refuses(() => validateHostname('h', 'dify.example.com/x'), /path, query or whitespace/);
    refuses(() => validateHostname('h', 'Dify.example.com'), /lower case/);
    refuses(() => validateHostname('h', ''));
  });

  test('service hosts: the port in its own setting, IPv6 only where allowed, any letter case', () => {
    expect(validateServiceHost('db.host', 'DB.Internal')).toBe('DB.Internal');
    refuses(() => validateServiceHost('db.host', 'db.internal:5432'), /give the port in its own setting and the host as "db.internal"/);
    refuses(() => validateServiceHost('db.host', 'postgres://db.internal:5432/dify'), /give "db.internal", and 5432 as db.port/);
    refuses(() => validateServiceHost('db.host', 'fd00::1'), /IPv6 literals are not supported here/);
    expect(validateServiceHost('db.host', 'fd00::1', { ipv6: true })).toBe('fd00::1');
    expect(validateServiceHost('db.host', '[fd00::1]', { ipv6: true })).toBe('fd00::1');
    refuses(() => validateServiceHost('db.host', ''));
  });

  test('host:port beside a port setting: the boundaries of the port inside the host', () => {
    const port = (value: number | undefined) => ({ prop: 'db.port', value, default: 5432 });
    expect(validateHostAndPort({ prop: 'db.host', value: 'db' }, port(undefined))).toEqual({ host: 'db', port: 5432 });
    expect(validateHostAndPort({ prop: 'db.host', value: 'db:1' }, port(undefined))).toEqual({ host: 'db', port: 1 });
    expect(validateHostAndPort({ prop: 'db.host', value: 'db:65535' }, port(65535))).toEqual({ host: 'db', port: 65535 });
    expect(validateHostAndPort({ prop: 'db.host', value: '[fd00::1]:5433' }, port(undefined), { ipv6: true })).toEqual({ host: 'fd00::1', port: 5433 });
    refuses(() => validateHostAndPort({ prop: 'db.host', value: 'db:0' }, port(undefined)), /^db\.host: /);
    refuses(() => validateHostAndPort({ prop: 'db.host', value: 'db:65536' }, port(undefined)));
    refuses(() => validateHostAndPort({ prop: 'db.host', value: 'db:5433' }, port(5432)), /has port 5433, which contradicts db\.port \(5432\)/);
    refuses(() => validateHostAndPort({ prop: 'db.host', value: 'db' }, port(0)), /^db\.port: /);
  });

  test('splitHostPort and bracketIpv6', () => {
    expect(splitHostPort('a:1')).toEqual({ host: 'a', port: '1' });
    expect(splitHostPort('[fd00::1]:2')).toEqual({ host: 'fd00::1', port: '2' });
    expect(splitHostPort('[fd00::1]')).toEqual({ host: 'fd00::1', port: undefined });
    expect(splitHostPort('fd00::1')).toEqual({ host: 'fd00::1' });
    expect(bracketIpv6('fd00::1')).toBe('[fd00::1]');
    expect(bracketIpv6('10.0.0.1')).toBe('10.0.0.1');
    expect(bracketIpv6('db')).toBe('db');
  });

  test('distinct hosts: the second use of a host is refused, naming the first; absent hosts are skipped', () => {
    validateDistinctHosts([
      { prop: 'a', host: 'x.example.com' },
      { prop: 'b', host: undefined },
      { prop: 'c', host: 'y.example.com' },
      { prop: 'd', host: undefined },
    ]);
    refuses(
      () =>
        validateDistinctHosts([
          { prop: 'a', host: 'x.example.com' },
          { prop: 'b', host: 'y.example.com' },
          { prop: 'c', host: 'x.example.com' },
        ]),
      /^c: got "x\.example\.com"; is already used by a: /,
    );
  });
});

describe('URLs', () => {
  test('absolute http(s) URLs without trailing slash, credentials or a broken host', () => {
    for (const good of ['https://a.example.com', 'http://a.example.com:8080/x', 'https://10.0.0.1', 'https://[fd00::1]:443', 'https://a.example.com/path?q=1'])
      takes(() => validateUrl('u', good));
    refuses(() => validateUrl('u', 'a.example.com'), /it has no scheme: did you mean "https:\/\/a\.example\.com"\?/);
    refuses(() => validateUrl('u', 'a.example.com/'), /did you mean "https:\/\/a\.example\.com"\?/);
    refuses(() => validateUrl('u', 'localhost'), /^u: got "localhost"; must be an absolute http:\/\/ or https:\/\/ URL without a trailing slash$/);
    refuses(() => validateUrl('u', 'ftp://a.example.com'), /must be an absolute http/);
    refuses(() => validateUrl('u', 'https://a.example.com/'), /: "https:\/\/a\.example\.com"$/);
    refuses(() => validateUrl('u', 'https://user:pw@a.example.com'), /without credentials/);
    refuses(() => validateUrl('u', 'https://user@a.example.com'), /without credentials/);
    refuses(() => validateUrl('u', 'https://a_b.example.com'), /its host has the label "a_b"/);
    refuses(() => validateUrl('u', 'https://'), /must be an absolute/);
    refuses(() => validateUrl('u', 5 as unknown as string));
  });
});

describe('names of things', () => {
  test('S3 buckets: 3 to 63 characters', () => {
    takes(() => validateS3Bucket('b', 'abc'));
    takes(() => validateS3Bucket('b', `a${'b'.repeat(61)}c`));
    refuses(() => validateS3Bucket('b', 'ab'));
    refuses(() => validateS3Bucket('b', `a${'b'.repeat(62)}c`));
    for (const bad of ['sthree-x', 'amzn-s3-demo-x', 'x--x-s3', 'x.mrap', '1.2.3.4']) refuses(() => validateS3Bucket('b', bad));
    takes(() => validateS3Bucket('b', '1.2.3.4a'));
  });

  test('other buckets: dots only where the store takes them', () => {
    takes(() => validateBucket('b', 'abc', 'a bucket'));
    takes(() => validateBucket('b', `a${'b'.repeat(61)}c`, 'a bucket'));
    refuses(() => validateBucket('b', `a${'b'.repeat(62)}c`, 'a bucket'));
    refuses(() => validateBucket('b', 'ab', 'a bucket'));
    refuses(() => validateBucket('b', 'a.bc', 'a GCS bucket'), /^b: got "a\.bc"; must be a GCS bucket: 3-63 lowercase letters, digits and '-'/);
    takes(() => validateBucket('b', 'a.bc', 'a bucket', true));
    refuses(() => validateBucket('b', 'a_bc', 'a bucket', true), /digits, '\.' and '-'/);
  });

  test('SQL identifiers: 1 to 63 characters, not starting with a digit', () => {
    takes(() => validateSqlIdentifier('d', 'a'));
    takes(() => validateSqlIdentifier('d', `_${'a'.repeat(62)}`));
    refuses(() => validateSqlIdentifier('d', `_${'a'.repeat(63)}`));
    for (const bad of ['', '1a', 'A', 'a-b', 5]) refuses(() => validateSqlIdentifier('d', bad));
  });

  test('environment names, regions, folders and nginx sizes', () => {
    for (const good of ['A', '_', 'a1', 'A_B_2']) takes(() => validateEnvName('e', good));
    for (const bad of ['', '1A', 'A-B', 'A B', 'A.B']) refuses(() => validateEnvName('e', bad), /\[A-Za-z_\]\[A-Za-z0-9_\]\*/);
    for (const good of ['eu-west-1', 'us1', 'cn-north-1']) takes(() => validateRegion('r', good, 'eu-west-1'));
    for (const bad of ['', 'eu west 1', 'EU-west-1', '-eu', 'eu-', 'eu--west']) refuses(() => validateRegion('r', bad, 'eu-west-1'), /such as "eu-west-1"/);
    for (const good of ['a', 'dify/files', 'a.b/c_d-e']) takes(() => validateFolder('f', good));
    for (const bad of ['', '/a', 'a/', 'a//b', 'a b']) refuses(() => validateFolder('f', bad));
    for (const good of ['0', '100m', '100M', '1g', '8k', '15']) takes(() => validateNginxSize('s', good));
    for (const bad of ['', '100mb', '1.5m', 'm', 100]) refuses(() => validateNginxSize('s', bad), /nginx size/);
  });

  test('pip requirements: markers after URLs need a space, and must be markers', () => {
    takes(() => validatePipRequirement('p', 'pkg @ https://example.com/pkg.whl ; python_version >= "3.10"'));
    refuses(() => validatePipRequirement('p', 'pkg @ https://example.com/pkg.whl;python_version >= "3.10"'));
    takes(() => validatePipRequirement('p', 'numpy; (python_version >= "3.10" or os_name == "nt") and extra == "x"'));
    for (const bad of [
      'numpy; python_version',
      'numpy; foo == "1"',
      'numpy; (python_version >= "3.10"',
      'numpy; python_version >= "3" and',
      '-r x.txt',
      'a\nb',
    ])
      refuses(() => validatePipRequirement('p', bad));
    refuses(() => validatePipRequirement('p', 'pkg @ https://TOKEN@example.com/pkg.whl'), /carries credentials/);
  });
});

describe('timeouts that nest', () => {
  test('the inner timeout must be strictly less than the outer one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), (inner, outer) => {
        const m = refusal(() => validateTimeoutOrder({ prop: 'sandbox.timeout', seconds: inner }, { prop: 'api.readTimeout', seconds: outer }, 'why'));
        if (inner < outer) expect(m).toBeUndefined();
        else expect(m).toBe(`sandbox.timeout: got ${inner}; must be less than api.readTimeout (${outer}): why`);
      }),
      { numRuns: 100, seed: SEED },
    );
    refuses(() => validateTimeoutOrder({ prop: 'a', seconds: 60 }, { prop: 'b', seconds: 60 }, 'equal is too late'));
    refuses(() => validateTimeoutOrder({ prop: 'a', seconds: Number.NaN }, { prop: 'b', seconds: 60 }, 'NaN never nests'));
  });
});

describe('messages', () => {
  test('propPath writes paths as the user wrote them', () => {
    expect(propPath('', 'a')).toBe('a');
    expect(propPath('a', 'b')).toBe('a.b');
    expect(propPath('a', 0)).toBe('a[0]');
    expect(propPath('a', 'x.y/z')).toBe('a["x.y/z"]');
    expect(propPath('', 'x-y')).toBe('["x-y"]');
    expect(propPath('a', '$b_1')).toBe('a.$b_1');
  });

  test('renderValue never crashes and says what the value is', () => {
    expect(renderValue('x')).toBe('"x"');
    expect(renderValue(undefined)).toBe('undefined');
    expect(renderValue(1.5)).toBe('1.5');
    expect(renderValue(Number.NaN)).toBe('NaN');
    expect(renderValue(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
    expect(renderValue(10n)).toBe('10n');
    expect(renderValue(function named() {})).toBe('[function named]');
    expect(renderValue(() => 1)).toBe('[function anonymous]');
    expect(renderValue(Symbol('s'))).toBe('Symbol(s)');
    expect(renderValue(null)).toBe('null');
    expect(renderValue([1, 'a'])).toBe('[1,"a"]');
    expect(renderValue({ a: Number.NaN, b: 2n, c: () => 1, d: Number.POSITIVE_INFINITY })).toBe('{"a":"NaN","b":"2n","c":"[function c]","d":"Infinity"}');
    class Thing {
      public readonly x = 1;
    }
    expect(renderValue(new Thing())).toBe('Thing {"x":1}');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(renderValue(cycle)).toBe('[object]');
    const big = 'x'.repeat(600);
    expect(renderValue(big)).toHaveLength(500);
    expect(renderValue(big).endsWith('...')).toBe(true);
    expect(renderValue('x'.repeat(498))).toHaveLength(500);
    expect(renderValue('x'.repeat(498)).endsWith('x"')).toBe(true);
  });

  test('credentials never reach a message: credential-named props, keys and URL userinfo', () => {
    expect(refusal(() => invalid('smtp.password', 'hunter2', 'must be a SecretKeyRef'))).toBe('smtp.password: got "<redacted>"; must be a SecretKeyRef');
    expect(refusal(() => invalid('extraEnv.SMTP_PASSWORD', 12345, 'x'))).toBe('extraEnv.SMTP_PASSWORD: got "<redacted>"; x');
    expect(refusal(() => invalid('mail.key', 'my-key', 'x'))).toBe('mail.key: got "my-key"; x');
    expect(refusal(() => invalid('extraEnv["SMTP_PASSWORD"]', 'v', 'x'))).toBe('extraEnv["SMTP_PASSWORD"]: got "v"; x');
    expect(refusal(() => invalid('smtp.password', '<a SecretKeyRef>', 'x'))).toBe('smtp.password: got "<a SecretKeyRef>"; x');
    expect(refusal(() => invalid('smtp', { password: 'hunter2', key: 'k', user: 'u' }, 'x'))).toBe(
      'smtp: got {"password":"<redacted>","key":"k","user":"u"}; x',
    );
    const m = refusal(() => invalid('redis.url', 'redis://:s3cr3t@redis:6379/0', 'x'));
    expect(m).not.toContain('s3cr3t');
    expect(m).toContain('redis:6379/0');
  });
});
