// Properties of lib/core/validation.ts (lines 1-300: messages, redaction, DNS names and hosts) that the boundary
// tests in validator-bounds.test.ts leave open: which values a credential-named prop redacts, what renderValue
// says about unusual objects, the shape VALIDATION_MESSAGE_FORMAT accepts, and the reason each host validator
// gives (a URL, a port, an IPv6 literal, a DNS problem) rather than only that it refuses.
import fc from 'fast-check';
import {
  VALIDATION_MESSAGE_FORMAT,
  dnsNameProblem,
  invalid,
  propPath,
  renderValue,
  splitHostPort,
  validateDnsSubdomain,
  validateHostAndPort,
  validateHostname,
  validateServiceHost,
  validateUrlHost,
} from '../lib/core/validation';
import { refusal } from './support/refusal';

const numRuns = Number(process.env.FC_NUM_RUNS ?? 100);

const HOSTNAME_ALLOWED = 'must be a lowercase fully qualified DNS name such as "dify.example.com" (no scheme, port or path)';
const URL_HOST_ALLOWED = 'must be a lowercase DNS name such as "dify.example.com" or an IPv4 address, optionally with a port ("dify.example.com:30080")';
const SERVICE_HOST_ALLOWED = 'must be a host name or IPv4 address such as "db.internal.example.com" (no scheme, port or path)';
const SERVICE_HOST_ALLOWED_V6 = 'must be a host name or IPv4 or IPv6 address such as "db.internal.example.com" (no scheme, port or path)';

describe('invalid: credential-named props never echo their value', () => {
  test('any string is redacted unless the whole value is one <placeholder>', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (inner, rest) => {
        const placeholder = `<${inner.replace(/>/g, '')}>`;
        for (const secret of [`${placeholder}${rest}`, `${rest}${placeholder}`, rest]) {
          if (/^<[^>]*>$/.test(secret)) continue;
          expect(refusal(() => invalid('smtp.password', secret, 'x'))).toBe('smtp.password: got "<redacted>"; x');
        }
        expect(refusal(() => invalid('smtp.password', placeholder, 'x'))).toBe(`smtp.password: got ${JSON.stringify(placeholder)}; x`);
      }),
      { numRuns },
    );
    expect(refusal(() => invalid('smtp.password', 'hunter<2>', 'x'))).toBe('smtp.password: got "<redacted>"; x');
    expect(refusal(() => invalid('smtp.password', '<ref>hunter2', 'x'))).toBe('smtp.password: got "<redacted>"; x');
  });

  test('a top-level prop (a path of one segment) that names a credential is redacted too', () => {
    for (const prop of ['password', 'apiKey', 'SECRET_KEY', 'SMTP_PASSWORD']) {
      expect(refusal(() => invalid(prop, 'hunter2', 'x'))).toBe(`${prop}: got "<redacted>"; x`);
      expect(refusal(() => invalid(prop, 12345, 'x'))).toBe(`${prop}: got "<redacted>"; x`);
    }
    expect(refusal(() => invalid('key', 'my-key', 'x'))).toBe('key: got "my-key"; x');
  });
});

describe('renderValue', () => {
  test('an anonymous function inside a value is named anonymous', () => {
    expect(renderValue([() => 1])).toBe('["[function anonymous]"]');
    expect(renderValue({ list: [() => {}] })).toBe('{"list":["[function anonymous]"]}');
  });

  test('objects without a prototype, or whose prototype has no constructor, are written as JSON', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = 1;
    expect(renderValue(bare)).toBe('{"a":1}');
    const orphan = Object.create(Object.create(null)) as Record<string, unknown>;
    orphan.b = 'x';
    expect(renderValue(orphan)).toBe('{"b":"x"}');
  });

  test('a class instance that has no JSON is still named by its class', () => {
    class Loop {
      public readonly self: Loop = this;
    }
    expect(renderValue(new Loop())).toBe('Loop [object]');
    expect(
      renderValue({
        toJSON() {
          throw new Error('no');
        },
      }),
    ).toBe('[object]');
  });

  test('a number is written as JSON writes it, and a non-finite number by name', () => {
    fc.assert(
      fc.property(fc.double(), (n) => {
        expect(renderValue(n)).toBe(Number.isFinite(n) ? JSON.stringify(n) : String(n));
      }),
      { numRuns },
    );
    expect(renderValue(-0)).toBe('0');
    expect(renderValue(1e21)).toBe('1e+21');
  });

  test('a string without credentials is written as its JSON string (clipped past 500 characters)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        fc.pre(!/[:@=]/.test(s));
        expect(renderValue(s)).toBe(JSON.stringify(s));
      }),
      { numRuns },
    );
    expect(renderValue('a\n"b"')).toBe('"a\\n\\"b\\""');
    expect(renderValue('https://user:s3cr3t@example.com/x')).not.toContain('s3cr3t');
  });
});

describe('VALIDATION_MESSAGE_FORMAT', () => {
  const key = fc.oneof(
    fc.nat({ max: 100_000 }),
    fc.constantFrom('a', 'host', 'extraEnv', '$x', '_y1'),
    fc.string({ maxLength: 12 }),
    fc.constantFrom('x.y/z', 'a"b', 'back\\slash', 'BAD-NAME', ''),
  );

  test('every message invalid() writes for a path built by propPath has the format', () => {
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 5 }), fc.anything(), (keys, value) => {
        const path = keys.reduce<string>((parent, k) => propPath(parent, k), '');
        expect(refusal(() => invalid(path, value, 'must be something'))).toBeDefined();
      }),
      { numRuns },
    );
    for (const path of ['[12]', '[12].a', 'a[12]', 'a[12][345]', '["ab/c"]', '["a.b"]', 'a["x.y/z"]', '["say \\"hi\\""]', 'a.b-c'])
      expect(`${path}: got 1; must be 1`).toMatch(VALIDATION_MESSAGE_FORMAT);
  });

  test('a message is refused when anything precedes the path, or the path is not one', () => {
    for (const text of [
      'Error: a: got 1; x',
      'a b: got 1; x',
      ' a: got 1; x',
      '[x]: got 1; x',
      'a[x]: got 1; x',
      'a["b"c"]: got 1; x',
      'a: got 1;',
      'a: got 1; ',
      'a: 1; x',
    ])
      expect(text).not.toMatch(VALIDATION_MESSAGE_FORMAT);
  });
});

describe('propPath', () => {
  test('a numeric key is written in brackets as the number itself, whatever the number', () => {
    fc.assert(
      fc.property(fc.constantFrom('', 'a', 'a.b'), fc.oneof(fc.nat(), fc.double()), (parent, n) => {
        expect(propPath(parent, n)).toBe(`${parent}[${String(n)}]`);
      }),
      { numRuns },
    );
    expect(propPath('items', Number.NaN)).toBe('items[NaN]');
  });
});

describe('validateDnsSubdomain', () => {
  const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);

  test('any dot-separated sequence of DNS labels of at most 253 characters is taken', () => {
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 8 }), (labels) => {
        const name = labels.join('.');
        expect(validateDnsSubdomain('s', name)).toBe(name);
      }),
      { numRuns },
    );
    expect(validateDnsSubdomain('s', 'dify-files.example-1.com')).toBe('dify-files.example-1.com');
  });

  test('a value that is not a string is refused with the rule', () => {
    for (const bad of [5, ['a'], undefined, null]) {
      expect(refusal(() => validateDnsSubdomain('s', bad as unknown as string))).toBe(
        `s: got ${renderValue(bad)}; must be a DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters`,
      );
    }
  });
});

describe('dnsNameProblem', () => {
  test('only an all-digit last label reads as an IPv4 address: a TLD may end in a digit', () => {
    for (const name of ['api.v2', 'node.k8s1', 'a.b.c3']) expect(dnsNameProblem(name)).toBeUndefined();
    expect(dnsNameProblem('a.b.12')).toBe('ends in the numeric label "12": neither a DNS name nor an IPv4 address');
  });

  test('a label over 63 characters is quoted by its first 20', () => {
    const long = `${'abcdefghij'.repeat(6)}klmno`;
    expect(dnsNameProblem(`${long}.example.com`)).toBe(`has the label "abcdefghijabcdefghij…" of 65 characters; each dot-separated label has at most 63`);
  });

  test('with upper: true, letter case is all that is relaxed', () => {
    const name = fc.string({ unit: fc.constantFrom('a', 'B', 'z', 'Q', '0', '9', '-', '.', '_'), maxLength: 14 });
    fc.assert(
      fc.property(name, (n) => {
        expect(dnsNameProblem(n, { upper: true }) === undefined).toBe(dnsNameProblem(n.toLowerCase()) === undefined);
      }),
      { numRuns },
    );
    for (const n of ['A', 'A.B.C', 'Ab-C.example.com', 'X1.y']) expect(dnsNameProblem(n, { upper: true })).toBeUndefined();
    for (const n of ['A-', '-A', 'A.-B', 'A_B']) expect(dnsNameProblem(n, { upper: true })).toMatch(/has the label/);
  });

  test('with upper: true, no name is refused for its letter case', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (n) => {
        expect(dnsNameProblem(n, { upper: true }) ?? '').not.toMatch(/lower case/);
      }),
      { numRuns },
    );
    // The Kelvin sign lower-cases to an ASCII "k", but it is not a capital letter.
    expect(dnsNameProblem('\u212A.example.com', { upper: true })).toBe(`has the label "\u212A": labels hold letters, digits and inner '-' only`);
    expect(dnsNameProblem('\u212A.example.com')).toBe(`has the label "\u212A": labels hold letters, digits and inner '-' only`);
  });

  test('"must be lower case" is said exactly when lower-casing fixes the label, all capitals included', () => {
    expect(dnsNameProblem('DIFY.example.com')).toBe('must be lower case: "dify.example.com"');
    expect(dnsNameProblem('A_b.example.com')).toBe(`has the label "A_b": labels hold letters, digits and inner '-' only`);
    expect(dnsNameProblem('Ab-.example.com')).toBe(`has the label "Ab-": labels hold letters, digits and inner '-' only`);
  });
});

describe('hosts that are really URLs', () => {
  test('a URL that does not parse still names its host, without userinfo or path', () => {
    expect(refusal(() => validateServiceHost('db.host', 'postgres://user:pw@exa mple/db'))).toMatch(/; it is a URL, not a host: give "exa mple"$/);
    expect(refusal(() => validateServiceHost('db.host', 'postgres://us@er:p@ss@exa mple?x'))).toMatch(/; it is a URL, not a host: give "exa mple"$/);
    expect(refusal(() => validateHostname('h', 'http://exa mple:8080/x'))).toBe(
      `h: got "http://exa mple:8080/x"; ${HOSTNAME_ALLOWED}; it is a URL, not a host: give "exa mple:8080"`,
    );
  });

  test('userinfo never reaches the hint, even split by a newline', () => {
    const m = refusal(() => validateServiceHost('redis.host', 'redis://user\nname:s3cret@exa mple:6379')) ?? '';
    const hint = m.slice(m.indexOf('; it is a URL'));
    expect(hint).toBe('; it is a URL, not a host: give "exa mple:6379"');
  });

  test('where no port prop is named, a URL port stays on the host', () => {
    expect(refusal(() => validateHostname('h', 'https://dify.example.com:8443/x'))).toBe(
      `h: got "https://dify.example.com:8443/x"; ${HOSTNAME_ALLOWED}; it is a URL, not a host: give "dify.example.com" (Ingress and HTTPRoute hosts carry no port)`,
    );
    expect(refusal(() => validateUrlHost('h', 'https://dify.example.com:8443'))).toBe(
      `h: got "https://dify.example.com:8443"; ${URL_HOST_ALLOWED}; it is a URL, not a host: give "dify.example.com:8443"`,
    );
    expect(refusal(() => validateHostname('h', 'https://dify.example.com'))).toMatch(/it is a URL, not a host: give "dify\.example\.com"$/);
  });

  test('only a value that starts with a scheme is called a URL', () => {
    for (const v of ['files/http://x', 'a b://x', '_x://y']) {
      expect(refusal(() => validateHostname('h', v))).toBe(`h: got ${JSON.stringify(v)}; ${HOSTNAME_ALLOWED}; it has a path, query or whitespace`);
      expect(refusal(() => validateServiceHost('h', v))).toMatch(/; it has a path, query or whitespace$/);
    }
  });

  test('the port hint names the prop that takes the port, and never one that does not exist', () => {
    const url = 'postgres://db.internal:5433/dify';
    const hint = (prop: string, portProp?: string) => refusal(() => validateServiceHost(prop, url, { portProp }));
    expect(hint('db.host')).toMatch(/give "db\.internal", and 5433 as db\.port$/);
    expect(hint('host')).toMatch(/give "db\.internal", and 5433 as port$/);
    expect(hint('db.HOST')).toMatch(/give "db\.internal", and 5433 as db\.port$/);
    // A prop that is not a `host` segment has no sibling `port` to guess: the caller names it, or the host takes none.
    expect(hint('redisHost')).toMatch(/give "db\.internal" \(it takes no port\)$/);
    expect(hint('hostAliases[0].address')).toMatch(/give "db\.internal" \(it takes no port\)$/);
    expect(hint('mail.smtp.server', 'mail.smtp.port')).toMatch(/give "db\.internal", and 5433 as mail\.smtp\.port$/);
    expect(hint('db.host', 'db.portNumber')).toMatch(/give "db\.internal", and 5433 as db\.portNumber$/);
    // validateHostAndPort names its own port prop.
    const both = refusal(() => validateHostAndPort({ prop: 'mail.smtp.server', value: url }, { prop: 'mail.smtp.port', value: undefined, default: 465 }));
    expect(both).toMatch(/give "db\.internal", and 5433 as mail\.smtp\.port$/);
    // A URL without a port needs no port hint.
    expect(refusal(() => validateServiceHost('mail.smtp.server', 'smtp://mail.example.com'))).toMatch(/give "mail\.example\.com"$/);
  });
});

describe('host validators refuse what is not a non-empty string, with their rule', () => {
  const notStrings: unknown[] = [5, undefined, null, ['dify.example.com'], { host: 'x' }];
  test.each([
    ['validateHostname', (v: unknown) => validateHostname('h', v as string), HOSTNAME_ALLOWED],
    ['validateUrlHost', (v: unknown) => validateUrlHost('h', v as string), URL_HOST_ALLOWED],
    ['validateServiceHost', (v: unknown) => validateServiceHost('h', v as string), SERVICE_HOST_ALLOWED],
  ])('%s', (_name, validate, allowed) => {
    for (const v of [...notStrings, '']) expect(refusal(() => validate(v))).toBe(`h: got ${renderValue(v)}; ${allowed}`);
  });
  test('validateServiceHost mentions IPv6 exactly where it takes it', () => {
    expect(refusal(() => validateServiceHost('h', ''))).toBe(`h: got ""; ${SERVICE_HOST_ALLOWED}`);
    expect(refusal(() => validateServiceHost('h', '', { ipv6: true }))).toBe(`h: got ""; ${SERVICE_HOST_ALLOWED_V6}`);
  });
});

describe('splitHostPort', () => {
  test('a bracketed IPv6 host keeps its whole port', () => {
    expect(splitHostPort('[fd00::1]:5433')).toEqual({ host: 'fd00::1', port: '5433' });
    expect(splitHostPort('db:5433')).toEqual({ host: 'db', port: '5433' });
  });
  test('a value with text around the brackets, or a second port, is not split', () => {
    for (const v of ['[fd00::1]:80:90', 'x[fd00::1]:80', '[fd00::1]x']) expect(splitHostPort(v)).toEqual({ host: v });
  });
});

describe('validateUrlHost', () => {
  test('a port is taken exactly when it is the plain decimal of an integer from 1 to 65535', () => {
    const port = fc.oneof(
      fc.integer({ min: -10, max: 70_000 }).map(String),
      fc.constantFrom('+80', '80a', 'a80', '0x50', '1e3', '080', '8080', '1', '65535', '0', '٨٠'),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(port, (p) => {
        const n = Number(p);
        const canonical = /^[0-9]+$/.test(p) && String(n) === p && n >= 1 && n <= 65535;
        const m = refusal(() => validateUrlHost('h', `dify.example.com:${p}`));
        expect(m === undefined).toBe(canonical);
      }),
      { numRuns },
    );
    for (const p of ['+80', '80a', 'a80', '080', '0', '00443', '65536'])
      expect(refusal(() => validateUrlHost('h', `dify.example.com:${p}`))).toMatch(/a port is an integer from 1 to 65535$/);
  });

  test('an IPv6 literal is refused as one', () => {
    for (const v of ['fd00::1', '[fd00::1]:443', '[fd00::1]']) {
      expect(refusal(() => validateUrlHost('h', v))).toBe(
        `h: got ${JSON.stringify(v)}; ${URL_HOST_ALLOWED}; IPv6 literals are not served by Ingress or HTTPRoute hosts: give a DNS name`,
      );
    }
  });

  test('a name that is not a DNS name is refused with the reason', () => {
    expect(refusal(() => validateUrlHost('h', 'Dify.example.com'))).toBe(
      `h: got "Dify.example.com"; ${URL_HOST_ALLOWED}; it must be lower case: "dify.example.com"`,
    );
    expect(refusal(() => validateUrlHost('h', 'a_b.example.com:8080'))).toBe(
      `h: got "a_b.example.com:8080"; ${URL_HOST_ALLOWED}; it has the label "a_b": labels hold letters, digits and inner '-' only`,
    );
  });
});

describe('validateHostname and IPv4-looking names', () => {
  test('a name with more than four numeric-looking parts is judged as a DNS name, not as an IP address', () => {
    expect(validateHostname('h', '1.2.3.4.example.com')).toBe('1.2.3.4.example.com');
    expect(refusal(() => validateHostname('h', 'a.1.2.3.4'))).toBe(
      `h: got "a.1.2.3.4"; ${HOSTNAME_ALLOWED}; it ends in the numeric label "4": neither a DNS name nor an IPv4 address`,
    );
    expect(refusal(() => validateUrlHost('h', 'a1.2.3.4'))).toMatch(/; it ends in the numeric label "4": neither a DNS name nor an IPv4 address$/);
    expect(refusal(() => validateServiceHost('h', '1.2.3.4.5'))).toMatch(/; it ends in the numeric label "5"/);
  });
});

describe('validateServiceHost', () => {
  test('brackets are taken only around a whole IPv6 literal', () => {
    for (const v of ['[fd00::1]x', 'x[fd00::1]']) {
      expect(refusal(() => validateServiceHost('h', v, { ipv6: true }))).toBe(
        `h: got ${JSON.stringify(v)}; ${SERVICE_HOST_ALLOWED_V6}; it is neither a host name nor an IP address`,
      );
    }
  });

  test('host:port is answered with the host to give; anything else with a colon is neither', () => {
    expect(refusal(() => validateServiceHost('h', 'db:5432'))).toBe(
      `h: got "db:5432"; ${SERVICE_HOST_ALLOWED}; give the port in its own setting and the host as "db"`,
    );
    for (const v of ['db:5432x', 'a:b:5432', 'db:x']) {
      expect(refusal(() => validateServiceHost('h', v))).toBe(
        `h: got ${JSON.stringify(v)}; ${SERVICE_HOST_ALLOWED}; it is neither a host name nor an IP address`,
      );
    }
  });

  test('a name that is not a DNS name is refused with the reason', () => {
    expect(refusal(() => validateServiceHost('h', 'a_b.internal'))).toBe(
      `h: got "a_b.internal"; ${SERVICE_HOST_ALLOWED}; it has the label "a_b": labels hold letters, digits and inner '-' only`,
    );
    expect(refusal(() => validateServiceHost('h', `${'a'.repeat(64)}.internal`))).toMatch(/each dot-separated label has at most 63$/);
  });
});

describe('validateHostAndPort', () => {
  const port = (value: number | undefined) => ({ prop: 'redis.port', value, default: 6379 });
  const hostAndPort = (value: unknown, options?: { ipv6?: boolean }) =>
    validateHostAndPort({ prop: 'redis.host', value: value as string }, port(undefined), options);

  test('a URL is refused as a URL, with the host and port to give', () => {
    expect(refusal(() => hostAndPort('redis://cache'))).toBe(`redis.host: got "redis://cache"; ${SERVICE_HOST_ALLOWED}; it is a URL, not a host: give "cache"`);
    expect(refusal(() => hostAndPort('redis://cache:6380'))).toMatch(/; it is a URL, not a host: give "cache", and 6380 as redis\.port$/);
  });

  test('a value that is not a string is refused even when it reads as host:port', () => {
    for (const v of [['db:5432'], { toString: () => 'db:5432' }]) {
      expect(refusal(() => hostAndPort(v))).toBe(`redis.host: got ${renderValue(v)}; ${SERVICE_HOST_ALLOWED}`);
    }
  });

  test('only a whole host:port or [v6]:port is split; more colons or text around the brackets are refused', () => {
    for (const v of ['db:5432:1', 'a:b:5432']) {
      expect(refusal(() => hostAndPort(v))).toBe(`redis.host: got ${JSON.stringify(v)}; ${SERVICE_HOST_ALLOWED}; it is neither a host name nor an IP address`);
    }
    for (const v of ['[fd00::1]:54:33', 'x[fd00::1]:5433']) {
      expect(refusal(() => hostAndPort(v, { ipv6: true }))).toBe(
        `redis.host: got ${JSON.stringify(v)}; ${SERVICE_HOST_ALLOWED_V6}; it is neither a host name nor an IP address`,
      );
    }
    expect(hostAndPort('[fd00::1]:5433', { ipv6: true })).toEqual({ host: 'fd00::1', port: 5433 });
    expect(hostAndPort('cache:6380')).toEqual({ host: 'cache', port: 6380 });
  });
});
