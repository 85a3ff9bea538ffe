import { Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { getDomain } from 'tldts';
import {
  Dify,
  DifyDatabase,
  DifyProps,
  DifyStorage,
  DIFY_CELERY_QUEUES,
  DifyUrls,
  EnvSet,
  NetworkPeer,
  SecretKeyRef,
  VALIDATION_MESSAGE_FORMAT,
  hasUrlCredentials,
  redactCredentials,
  validateCpu,
  validateHostAndPort,
  validateHostname,
  validateImage,
  validateMemory,
  validateNamespaceName,
  validatePipRequirement,
  validatePort,
  validateRegion,
  validateServiceHost,
  validateUrl,
  validateUrlHost,
} from '../lib';
import { k8s } from '../lib/core/k8s';
import { validateCookieDomain } from '../lib/config/urls';
import { SHARED_STORAGE, difyDocs } from './util';

/**
 * One property test per class of value Kubernetes or the images refuse at run
 * time (issue 17): each generates valid and invalid values of one shape and
 * checks the validator's verdict against the rule itself, and that every
 * refusal is in the project's message format (prop, value, what is allowed)
 * and never echoes a credential.
 */
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 150);
const SEED = Number(process.env.FC_SEED ?? 20261206);
const opts = { numRuns: NUM_RUNS, seed: SEED };

/** The error `fn` throws, or undefined. */
function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

/** Asserts `fn` throws a message in the project's format, naming `prop`. */
function refuses(fn: () => unknown, prop: string): string {
  const e = thrown(fn);
  expect(e?.name).toBe('DifyValidationError');
  expect(e!.message).toMatch(VALIDATION_MESSAGE_FORMAT);
  expect(e!.message.startsWith(`${prop}: got `)).toBe(true);
  return e!.message;
}

const lower = 'abcdefghijklmnopqrstuvwxyz';
const alnum = `${lower}0123456789`;
const char = (s: string) => fc.constantFrom(...s.split(''));
/** A DNS label of 1..max characters: alphanumeric ends, '-' inside. */
const label = (max: number) =>
  fc
    .tuple(char(alnum), fc.array(char(`${alnum}-`), { maxLength: Math.max(0, max - 2) }), char(alnum))
    .map(([a, mid, z]) => (max === 1 ? a : `${a}${mid.join('')}${z}`));
const dnsName = fc.array(label(70), { minLength: 2, maxLength: 5 }).map((ls) => ls.join('.'));
const isValidName = (n: string) => n.length <= 253 && n.split('.').every((l) => l.length <= 63);
const port = fc.integer({ min: -5, max: 70000 });

describe('DNS names within their length limits', () => {
  test('hosts: every label at most 63 characters, 253 in all', () => {
    fc.assert(
      fc.property(
        dnsName.map((n) => `${n}.io`),
        (name) => {
          const ok = isValidName(name);
          for (const [prop, validate] of [
            ['host', validateUrlHost],
            ['ingress.host', validateHostname],
            ['database.host', validateServiceHost],
          ] as const) {
            if (ok) expect(validate(prop, name)).toBe(name);
            else expect(refuses(() => validate(prop, name), prop)).toMatch(/at most (63|253)/);
          }
        },
      ),
      opts,
    );
  });
  test('namespaces: one DNS-1123 label of at most 63 characters', () => {
    fc.assert(
      fc.property(label(80), (ns) => {
        if (ns.length <= 63) expect(validateNamespaceName('namespace', ns)).toBe(ns);
        else expect(refuses(() => validateNamespaceName('namespace', ns), 'namespace')).toMatch(/at most 63 characters/);
      }),
      opts,
    );
  });
  test('through the facade, a host with a 64-character label is refused naming `host`', () => {
    expect(() => difyDocs({ host: `${'a'.repeat(64)}.example.com` })).toThrow(/^host: got "a{64}\.example\.com"; .*at most 63/);
  });
});

describe('ports within 1-65535', () => {
  test('every port prop takes exactly the integers 1-65535', () => {
    fc.assert(
      fc.property(fc.oneof(port, fc.double({ noNaN: false })), (p) => {
        const ok = Number.isInteger(p) && p >= 1 && p <= 65535;
        if (ok) expect(validatePort('database.port', p)).toBe(p);
        else refuses(() => validatePort('database.port', p), 'database.port');
        const db = () => DifyDatabase.external({ host: 'db.example.com', port: p, username: 'dify', password: SecretKeyRef.of('s', 'k') });
        if (ok) expect(db().port).toBe(p);
        else refuses(db, 'database.port');
      }),
      opts,
    );
  });
  test('a port inside a host is checked the same way', () => {
    fc.assert(
      fc.property(port, (p) => {
        const ok = p >= 1 && p <= 65535;
        const v = `dify.example.com:${p}`;
        if (ok) expect(validateUrlHost('host', v)).toBe(v);
        else refuses(() => validateUrlHost('host', v), 'host');
      }),
      opts,
    );
  });
});

describe('quantities with the right kind of unit', () => {
  const number = fc.oneof(fc.integer({ min: 1, max: 4096 }).map(String), fc.constantFrom('0.5', '1.5', '.25'));
  const byteSuffix = fc.constantFrom('Ki', 'Mi', 'Gi', 'Ti', 'k', 'M', 'G', 'T');
  test('CPU takes cores, millicores and exponents, never a byte suffix', () => {
    fc.assert(
      fc.property(number, fc.oneof(byteSuffix, fc.constantFrom('', 'm')), (n, suffix) => {
        const v = `${n}${suffix}`;
        if (suffix === '' || suffix === 'm') {
          if (Number(n) * (suffix === 'm' ? 0.001 : 1) >= 0.001) expect(validateCpu('resources.cpuLimit', v)).toBe(v);
        } else {
          expect(refuses(() => validateCpu('resources.cpuLimit', v), 'resources.cpuLimit')).toContain(`"${suffix}" is a memory (byte) suffix`);
        }
      }),
      opts,
    );
  });
  test('memory takes bytes of at least 1Mi, never millis', () => {
    fc.assert(
      fc.property(number, fc.oneof(byteSuffix, fc.constantFrom('', 'm')), (n, suffix) => {
        const v = `${n}${suffix}`;
        const factor: Record<string, number> = { '': 1, m: 0.001, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
        const bytes = Number(n) * factor[suffix];
        const ok = suffix !== 'm' && bytes >= 2 ** 20 && Number.isInteger(Math.round(bytes * 1000) / 1000);
        if (ok) expect(validateMemory('resources.memoryLimit', v)).toBe(v);
        else refuses(() => validateMemory('resources.memoryLimit', v), 'resources.memoryLimit');
      }),
      opts,
    );
  });
  test('through the facade, a memory unit on CPU names the component prop', () => {
    expect(() => difyDocs({ components: { api: { resources: { cpuLimit: '512Mi' } } } })).toThrow(
      /^components\.api\.resources\.cpuLimit: got "512Mi"; .*"Mi" is a memory \(byte\) suffix/,
    );
  });
});

describe('image references in lower case', () => {
  const component = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,8}$/);
  test('upper case anywhere in registry or repository is refused with the lower-case reference; tags keep their case', () => {
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom('registry.example.com', 'Registry.Example.com', 'ghcr.io', 'localhost:5000'), { nil: undefined }),
        fc.array(component, { minLength: 1, maxLength: 3 }),
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,10}$/),
        (registry, path, tag) => {
          fc.pre(tag !== 'latest');
          const repo = [registry, ...path].filter(Boolean).join('/');
          const image = `${repo}:${tag}`;
          if (repo === repo.toLowerCase()) expect(validateImage('images.api', image).repository).toBe(repo);
          else expect(refuses(() => validateImage('images.api', image), 'images.api')).toContain(`"${repo.toLowerCase()}:${tag}"`);
        },
      ),
      opts,
    );
  });
});

describe('cloud regions', () => {
  test('letters, digits and inner dashes only: whitespace and upper case are refused', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9 \t-]{1,20}$/), (region) => {
        const ok = /^[a-z0-9]+(-[a-z0-9]+)*$/.test(region);
        if (ok) expect(validateRegion('storage.s3.region', region, 'eu-west-1')).toBe(region);
        else refuses(() => validateRegion('storage.s3.region', region, 'eu-west-1'), 'storage.s3.region');
        const s3 = () => DifyStorage.s3({ bucket: 'dify-files', region, useAwsManagedIam: true });
        if (ok) expect(s3).not.toThrow();
        else refuses(s3, 'storage.s3.region');
      }),
      opts,
    );
  });
});

describe('URLs and hosts mixed up', () => {
  const host = fc.tuple(fc.array(label(10), { minLength: 1, maxLength: 2 }), char(lower)).map(([ls, tld]) => `${ls.join('.')}.${tld}${tld}`);
  test('a URL where a host is wanted names the host to give instead', () => {
    fc.assert(
      fc.property(fc.constantFrom('http', 'https', 'redis', 'postgres'), host, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), (s, h, p) => {
        const url = `${s}://${h}${p ? `:${p}` : ''}/x`;
        const want = new URL(url).port ? `give "${h}", and ${p} as database.port` : `give "${h}"`;
        expect(refuses(() => validateServiceHost('database.host', url), 'database.host')).toContain(want);
        expect(refuses(() => validateUrlHost('host', url), 'host')).toContain('it is a URL, not a host');
      }),
      opts,
    );
  });
  test('a host where a URL is wanted names the URL to write', () => {
    fc.assert(
      fc.property(host, (h) => {
        expect(refuses(() => validateUrl('settings.otel.endpoint', h), 'settings.otel.endpoint')).toContain(`did you mean "https://${h}"?`);
        expect(validateUrl('settings.otel.endpoint', `https://${h}`)).toBe(`https://${h}`);
      }),
      opts,
    );
  });
  test('host:port beside a port setting: taken when alone, accepted when equal, refused when contradicting', () => {
    fc.assert(
      fc.property(host, fc.integer({ min: 1, max: 65535 }), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), (h, inHost, given) => {
        const run = () => validateHostAndPort({ prop: 'redis.host', value: `${h}:${inHost}` }, { prop: 'redis.port', value: given, default: 6379 });
        if (given === undefined || given === inHost) expect(run()).toEqual({ host: h, port: inHost });
        else expect(refuses(run, 'redis.host')).toContain(`has port ${inHost}, which contradicts redis.port (${given})`);
      }),
      opts,
    );
  });
});

describe('cookie domains browsers accept', () => {
  const suffixes = ['com', 'co.uk', 'github.io', 'herokuapp.com', 'org', 'com.au', 's3.amazonaws.com', 'blogspot.com'];
  test('a public suffix (ICANN or private section) is refused; a registrable domain under it is taken', () => {
    fc.assert(
      fc.property(fc.constantFrom(...suffixes), label(12), (suffix, name) => {
        expect(getDomain(suffix, { allowPrivateDomains: true })).toBeNull();
        expect(refuses(() => validateCookieDomain('cookieDomain', suffix), 'cookieDomain')).toContain('Public Suffix List');
        expect(validateCookieDomain('cookieDomain', `dify-${name}.${suffix}`)).toBe(`dify-${name}.${suffix}`);
      }),
      opts,
    );
  });
  test('split hosts whose only shared parent is a public suffix are refused', () => {
    fc.assert(
      fc.property(fc.constantFrom(...suffixes), label(8), label(8), (suffix, a, b) => {
        fc.pre(a !== b);
        const split = () => DifyUrls.split({ webHost: `${a}.${suffix}`, apiHost: `${b}.${suffix}` });
        expect(refuses(split, 'apiHost')).toMatch(/public suffix/);
        expect(DifyUrls.split({ webHost: `${a}.corp.${suffix}`, apiHost: `${b}.corp.${suffix}` }).cookieDomain).toBe(`corp.${suffix}`);
      }),
      opts,
    );
  });
});

describe('credentials in URLs never reach plain config or a message', () => {
  const secret = fc.stringMatching(/^[A-Za-z0-9_-]{12,30}$/).filter((s) => /[0-9]/.test(s) && /[A-Za-z]/.test(s));
  const wrap = fc.constantFrom(
    (u: string) => u,
    (u: string) => `--index-url ${u}/simple`,
    (u: string) => `a,${u},b`,
    (u: string) => JSON.stringify({ nested: { url: u } }),
    (u: string) => JSON.stringify({ url: u }).replace(/\//g, '\\/'),
    (u: string) => `"${u}"`,
  );
  const userinfo = fc.oneof(
    secret.map((s) => ({ info: `user:${s}`, secret: s })),
    secret.map((s) => ({ info: `:${s}`, secret: s })),
    secret.map((s) => ({ info: `ghp_${s}`, secret: `ghp_${s}` })),
  );
  test('password or token userinfo, alone, in longer values or in JSON: detected, redacted and refused as plain config', () => {
    fc.assert(
      fc.property(fc.constantFrom('https', 'http', 'redis', 'rediss', 'postgres', 'git+https'), userinfo, wrap, (scheme, { info, secret: s }, w) => {
        const value = w(`${scheme}://${info}@host.example.com`);
        expect(hasUrlCredentials(value)).toBe(true);
        expect(redactCredentials(value)).not.toContain(s);
        const msg = refuses(() => new EnvSet().plain({ PIP_EXTRA: value }, 'settings.extraEnv'), 'settings.extraEnv.PIP_EXTRA');
        expect(msg).not.toContain(s);
      }),
      opts,
    );
  });
  test('a JSON value with a credential-named key is refused as plain config and redacted in the message', () => {
    fc.assert(
      fc.property(fc.constantFrom('password', 'api_key', 'apiKey', 'secret', 'token', 'client_secret'), secret, fc.boolean(), (key, s, nested) => {
        const json = JSON.stringify(nested ? { auth: { [key]: s }, region: 'eu-west-1' } : { [key]: s, timeout: 3 });
        const msg = refuses(() => new EnvSet().plain({ PROVIDER_CONFIG: json }, 'settings.extraEnv'), 'settings.extraEnv.PROVIDER_CONFIG');
        expect(msg).toContain(`JSON key "${key}"`);
        expect(msg).not.toContain(s);
        expect(() => new EnvSet().plain({ PROVIDER_CONFIG: JSON.stringify({ token_limit: 100, key: 'name', [key]: '' }) }, 'settings.extraEnv')).not.toThrow();
      }),
      opts,
    );
  });
  test('token-only userinfo on http(s) is a credential; an account name on redis/postgres/ssh is not', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{3,10}$/), (user) => {
        expect(hasUrlCredentials(`https://${user}@pypi.example.com/simple`)).toBe(true);
        expect(hasUrlCredentials(`redis://${user}@redis:6379/0`)).toBe(false);
        expect(hasUrlCredentials(`git+ssh://${user}@github.com/o/r.git`)).toBe(false);
      }),
      opts,
    );
  });
  test('pip requirement lines with userinfo are refused without echoing the token', () => {
    fc.assert(
      fc.property(userinfo, ({ info, secret: s }) => {
        const line = `pkg @ https://${info}@files.example.com/pkg-1.0-py3-none-any.whl`;
        expect(refuses(() => validatePipRequirement('sandboxPythonRequirements[0]', line), 'sandboxPythonRequirements[0]')).not.toContain(s);
      }),
      opts,
    );
  });
  test('any message echoing a value redacts URL credentials inside it', () => {
    fc.assert(
      fc.property(secret, (s) => {
        const url = `redis://default:${s}@redis.example.com:6379/0`;
        const msg = refuses(() => difyDocs({ components: { api: { extraEnv: { DB_HOST: url } } } }), 'components.api.extraEnv.DB_HOST');
        expect(msg).not.toContain(s);
        expect(msg).toContain('redis://<redacted>@redis.example.com');
      }),
      { ...opts, numRuns: Math.min(NUM_RUNS, 5) },
    );
  });
});

describe('environment names are one setting in any letter case', () => {
  const mixedCase = (name: string) =>
    fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((flips) =>
      name
        .split('')
        .map((c, i) => (flips[i] ? c.toLowerCase() : c))
        .join(''),
    );
  test('a duplicate of a managed name in another case is refused in extraEnv and secretEnv', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('DB_HOST', 'LOG_LEVEL', 'REDIS_PORT', 'CONSOLE_API_URL').chain((n) => mixedCase(n).map((m) => [n, m] as const)),
        ([name, variant]) => {
          fc.pre(variant !== name);
          const extra = refuses(() => difyDocs({ components: { api: { extraEnv: { [variant]: 'x' } } } }), `components.api.extraEnv.${variant}`);
          expect(extra).toContain(`${variant} is ${name} in another letter case`);
          refuses(() => difyDocs({ components: { api: { secretEnv: { [variant]: SecretKeyRef.of('s', 'k') } } } }), `components.api.secretEnv.${variant}`);
          refuses(() => difyDocs({ settings: { extraEnv: { [variant]: 'x' } } }), `settings.extraEnv.${variant}`);
        },
      ),
      { ...opts, numRuns: Math.min(NUM_RUNS, 6) },
    );
  });
  test('credential names in any case are refused as plain values', () => {
    fc.assert(
      fc.property(fc.constantFrom('SECRET_KEY', 'DB_PASSWORD', 'CELERY_BROKER_URL').chain(mixedCase), (variant) => {
        expect(refuses(() => new EnvSet().plain({ [variant]: 'v' }, 'settings.extraEnv'), `settings.extraEnv.${variant}`)).toContain('<redacted>');
      }),
      opts,
    );
  });
});

describe('valid input of the same shapes is taken and rendered', () => {
  const hex = fc.integer({ min: 1, max: 0xffff }).map((n) => n.toString(16));
  const ipv6 = fc.array(hex, { minLength: 2, maxLength: 3 }).map((g) => `fd00:${g.join(':')}::1`);
  test('an IPv6 literal as the database host: bracketed in the api URL, bare in the daemon DSN', () => {
    fc.assert(
      fc.property(ipv6, fc.boolean(), (ip, bracketed) => {
        const db = DifyDatabase.external({ host: bracketed ? `[${ip}]` : ip, username: 'dify', password: SecretKeyRef.of('s', 'k') });
        expect(db.host).toBe(ip);
        expect(db.backendEnv().plainValue('DB_HOST')).toBe(`[${ip}]`);
        expect(db.pluginDaemonEnv().plainValue('DB_HOST')).toBe(ip);
        const mysql = DifyDatabase.externalMysql({ host: ip, username: 'dify', password: SecretKeyRef.of('s', 'k') });
        expect(mysql.pluginDaemonEnv().plainValue('DB_HOST')).toBe(`[${ip}]`);
      }),
      opts,
    );
  });
  test('a host with a port is advertised with it and routed by name', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), (p) => {
        const urls = DifyUrls.fromHost(`dify.example.com:${p}`, { tls: true });
        expect(urls.backendEnv().CONSOLE_API_URL).toBe(`https://dify.example.com:${p}`);
        expect(urls.hosts()).toEqual(['dify.example.com']);
      }),
      opts,
    );
  });
  test('through the facade with the nginx proxy on a NodePort', () => {
    const { docs } = difyDocs({ host: 'dify.example.com:30080', nginxProxy: { service: { type: 'NodePort', httpNodePort: 30080 } } });
    const cm = docs.find((d) => d.kind === 'ConfigMap' && d.data?.CONSOLE_API_URL);
    expect(cm?.data.CONSOLE_API_URL).toBe('http://dify.example.com:30080');
  });
});

describe('one node port per Service, cluster-wide', () => {
  const nodePort = fc.integer({ min: 30000, max: 32767 });
  test('the nginx proxy and the plugin debug Service claiming one node port are refused, naming both props', () => {
    fc.assert(
      fc.property(nodePort, nodePort, (a, b) => {
        const build = () =>
          difyDocs({
            host: 'dify.example.com',
            nginxProxy: { service: { type: 'NodePort', httpNodePort: a } },
            pluginRemoteDebugging: { advertisedHost: 'debug.example.com', allowedCidrs: ['203.0.113.0/24'], serviceType: 'NodePort', nodePort: b },
          });
        if (a !== b) expect(() => build()).not.toThrow();
        else {
          const e = thrown(build);
          expect(e?.message).toMatch(
            new RegExp(
              `(pluginRemoteDebugging\\.nodePort|nginxProxy\\.service\\.httpNodePort): got ${a}; is already the node port of (nginxProxy\\.service\\.httpNodePort|pluginRemoteDebugging\\.nodePort): node ports are cluster-wide`,
            ),
          );
        }
      }),
      { ...opts, numRuns: Math.min(NUM_RUNS, 8), examples: [[30080, 30080]] },
    );
  });
  test('a hand-made Service in the same App is caught too', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'dify' });
    new Dify(chart, 'Dify', { host: 'dify.example.com', nginxProxy: { service: { type: 'NodePort', httpNodePort: 30080 } } });
    new k8s.KubeService(chart, 'Mine', { metadata: { name: 'mine' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] } });
    expect(() => app.synth()).toThrow(
      /(Service "mine" \(c\/Mine\)|nginxProxy\.service\.httpNodePort): got 30080; is already the node port of (nginxProxy\.service\.httpNodePort|Service "mine")/,
    );
  });
});

describe('options of a part that is switched off are refused', () => {
  const secret = SecretKeyRef.of('s', 'k');
  const external = { externalDatabase: DifyDatabase.external({ host: 'db.example.com', username: 'dify', password: secret }) };
  test.each<[string, Partial<DifyProps>, RegExp]>([
    [
      'components.nginxProxy without nginxProxy',
      { components: { nginxProxy: { replicas: 2 } } },
      /^components\.nginxProxy: got .*only deployed with nginxProxy/,
    ],
    [
      'ingressClassName with the gateway',
      { gateway: { gateway: { name: 'gw' } }, ingressClassName: 'nginx' } as Partial<DifyProps>,
      /^ingressClassName: got "nginx"; .*gateway leaves the Ingress out/,
    ],
    [
      'ingressClassName with ingress: false',
      { ingress: false, ingressClassName: 'nginx' },
      /^ingressClassName: got "nginx"; .*ingress: false leaves the Ingress out/,
    ],
    [
      'settings.postgres with externalDatabase',
      { ...external, settings: { postgres: { maxConnections: 200 } } } as Partial<DifyProps>,
      /^settings\.postgres: got .*externalDatabase replaces/,
    ],
    [
      'processes.apiWebsocket with collaboration: false',
      { collaboration: false, settings: { processes: { apiWebsocket: { workers: 2 } } } } as Partial<DifyProps>,
      /^settings\.processes\.apiWebsocket: got .*collaboration: false leaves out/,
    ],
    [
      'marketplace URL with the marketplace off',
      { settings: { marketplace: { enabled: false, apiUrl: 'https://m.example.com' } } },
      /^settings\.marketplace\.apiUrl: got "https:\/\/m\.example\.com"; .*switched off/,
    ],
    [
      'Sentry sampling without a DSN',
      { settings: { sentry: { tracesSampleRate: 0.5 } } },
      /^settings\.sentry\.tracesSampleRate: got 0\.5; .*without settings\.sentry\.apiDsn/,
    ],
  ])('%s', (_name, props, message) => {
    expect(() => difyDocs(props)).toThrow(message);
  });
  test('property: any switched-off option is refused; the same option with its part on is taken', () => {
    fc.assert(
      fc.property(fc.constantFrom(0.1, 0.5, 1), fc.boolean(), (rate, withDsn) => {
        const build = () => difyDocs({ settings: { sentry: { tracesSampleRate: rate, apiDsn: withDsn ? secret : undefined } } });
        if (withDsn) expect(() => build()).not.toThrow();
        else expect(refuses(build, 'settings.sentry.tracesSampleRate')).toContain('apiDsn');
      }),
      { ...opts, numRuns: Math.min(NUM_RUNS, 6) },
    );
  });
});

describe('namespaces of hand-made charts', () => {
  test('property: a chart namespace over 63 characters or outside DNS-1123 is refused at synth, naming the chart', () => {
    fc.assert(
      fc.property(fc.oneof(label(80), fc.constantFrom('Dify', 'dify_prod', '-dify')), (ns) => {
        const app = Testing.app();
        const chart = new Chart(app, 'mine', { namespace: ns });
        const ok = ns.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns);
        const message = /^namespace: got ".*"; must be a DNS-1123 label.*at most 63 characters \(the namespace of chart "mine"\)/;
        // The facade, and any component composed by hand, fail where they are built, before any synth.
        const build = () => new Dify(chart, 'Dify', { host: 'dify.example.com' });
        if (!ok) {
          expect(build).toThrow(message);
          // A chart holding objects made without the library is caught at synth.
          const other = Testing.app();
          new k8s.KubeConfigMap(new Chart(other, 'mine', { namespace: ns }), 'Cm', { data: {} });
          new Dify(new Chart(other, 'ok', { namespace: 'dify' }), 'Dify', { host: 'dify.example.com' });
          expect(() => other.synth()).toThrow(/namespace: got ".*"; must be a DNS-1123 label.*\(the namespace of chart "mine"\)/);
        } else {
          build();
          expect(() => app.synth()).not.toThrow();
        }
      }),
      { ...opts, numRuns: Math.min(NUM_RUNS, 6), examples: [['a'.repeat(64)]] },
    );
  });
});

describe('ports of network policy peers', () => {
  test('ports given to connections.allowTo by hand are 1-65535', () => {
    const dify = new Dify(new Chart(Testing.app(), 'c', { namespace: 'dify' }), 'Dify', { host: 'dify.example.com' });
    expect(() => dify.api.connections.allowTo(NetworkPeer.cidrs(['10.0.0.0/8']), [65536])).toThrow(
      /^ports\[0\]: got 65536; must be an integer from 1 to 65535/,
    );
    expect(() => dify.api.connections.allowTo(NetworkPeer.cidrs(['10.0.0.0/8']), [8443])).not.toThrow();
  });
  test('property: apiServer and telemetry ports are 1-65535', () => {
    fc.assert(
      fc.property(port, fc.constantFrom('apiServer', 'telemetry'), (p, peer) => {
        const ok = p >= 1 && p <= 65535;
        const np =
          peer === 'apiServer'
            ? { apiServer: { cidrs: ['10.0.0.1/32'], ports: [p] } }
            : { telemetry: { collector: { namespaceLabels: { 'kubernetes.io/metadata.name': 'otel' }, podLabels: { app: 'otel' } }, ports: [p] } };
        const build = () => difyDocs({ networkPolicy: np } as Partial<DifyProps>);
        if (ok) expect(build).not.toThrow();
        else refuses(build, `networkPolicy.${peer}.ports[0]`);
      }),
      { ...opts, numRuns: Math.min(NUM_RUNS, 6), examples: [[70000, 'apiServer']] },
    );
  });
});

describe('queue-depth scaling options that only apply at zero', () => {
  test('property: cooldownPeriod is taken with minReplicas 0 and refused otherwise', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3600 }), (min, cooldown) => {
        const build = () =>
          difyDocs({
            workerPools: [{ name: 'all', queues: [...DIFY_CELERY_QUEUES], queueDepthScaling: { minReplicas: min, maxReplicas: 4, cooldownPeriod: cooldown } }],
            storage: SHARED_STORAGE,
          } as Partial<DifyProps>);
        if (min === 0) expect(build).not.toThrow();
        else expect(refuses(build, 'workerPools[0].queueDepthScaling.cooldownPeriod')).toContain('only applies with minReplicas 0');
      }),
      { ...opts, numRuns: Math.min(NUM_RUNS, 6), examples: [[1, 300]] },
    );
  });
});

describe('split-host messages name the facade props', () => {
  test('through the facade, split-host errors name host, apiHost and splitHosts.*', () => {
    expect(() => difyDocs({ host: 'app.example.com', apiHost: 'api.example.com', splitHosts: { cookieDomain: 'com' } })).toThrow(
      /^splitHosts\.cookieDomain: got "com"; .*Public Suffix List/,
    );
    expect(() => difyDocs({ host: 'app.example.com', apiHost: 'api.example.com', splitHosts: { extraCorsOrigins: ['chat.example.com'] } })).toThrow(
      /^splitHosts\.extraCorsOrigins\[0\]: got "chat\.example\.com"; .*did you mean "https:\/\/chat\.example\.com"\?/,
    );
    expect(() => difyDocs({ host: 'a.github.io', apiHost: 'b.github.io' })).toThrow(
      /^apiHost: got "b\.github\.io"; must share a parent domain with host "a\.github\.io"/,
    );
  });
});
