import { Chart, Testing } from 'cdk8s';
import { Dify, DifyStorage, SecretKeyRef, closest, guardProps, renderValue } from '../lib';
import { difyDocs } from './util';

/** Builds a Dify from untyped (JavaScript / JSON) props. */
function untyped(props: unknown): () => unknown {
  return () => new Dify(new Chart(Testing.app(), 'test'), 'Dify', props as any);
}

const cases: Array<[string, unknown, RegExp]> = [
  [
    'typo in a top-level prop',
    { host: 'dify.example.com', instnace: 'x' },
    /^instnace: got "x"; unknown property of DifyProps; did you mean "instance"\? known properties: agent, apiHost, backup, /,
  ],
  [
    'letter case of a prop',
    { host: 'dify.example.com', ApiHost: 'api.example.com' },
    /^ApiHost: got "api\.example\.com"; unknown property of DifyProps; did you mean "apiHost"\?/,
  ],
  [
    'unknown component',
    { host: 'dify.example.com', components: { apii: { replicas: 2 } } },
    /^components\.apii: got \{"replicas":2\}; unknown property of DifyComponents; did you mean "api"\?/,
  ],
  [
    'unknown component option',
    { host: 'dify.example.com', components: { api: { replica: 2 } } },
    /^components\.api\.replica: got 2; unknown property of ComponentOptions; did you mean "replicas"\?/,
  ],
  [
    'unknown resource key',
    { host: 'dify.example.com', components: { api: { resources: { cpu: '1' } } } },
    /^components\.api\.resources\.cpu: got "1"; unknown property of components\.api\.resources; known properties: cpuLimit, cpuRequest, memoryLimit, memoryRequest$/,
  ],
  [
    'unknown image key',
    { host: 'dify.example.com', images: { worker: 'x:1' } },
    /^images\.worker: got "x:1"; unknown property of images; known properties: agentBackend, api, /,
  ],
  ['a truthy string for a boolean', { host: 'dify.example.com', tls: 'false' }, /^tls: got "false"; must be a boolean \(true or false\)$/],
  [
    'NaN is reported as NaN',
    { host: 'dify.example.com', components: { api: { replicas: NaN } } },
    /^components\.api\.replicas: got NaN; must be a finite number$/,
  ],
  [
    'Infinity is reported as Infinity',
    { host: 'dify.example.com', components: { web: { minReadySeconds: Infinity } } },
    /^components\.web\.minReadySeconds: got Infinity; must be a finite number$/,
  ],
  [
    'a class given as a string',
    { host: 'dify.example.com', backup: { target: 'volume', retentionDays: 3 } },
    /^backup\.target: got "<not a BackupTarget>"; must be a BackupTarget instance \(from BackupTarget\.s3\(\), BackupTarget\.volume\(\)\)$/,
  ],
  [
    'a number as a string',
    { host: 'dify.example.com', components: { api: { replicas: '2' } } },
    /^components\.api\.replicas: got "2"; must be a finite number$/,
  ],
  ['a string for an array', { host: 'dify.example.com', imagePullSecrets: 'regcred' }, /^imagePullSecrets: got "regcred"; must be an array of strings$/],
  ['an array item of the wrong type', { host: 'dify.example.com', imagePullSecrets: ['a', 3] }, /^imagePullSecrets\[1\]: got 3; must be a string$/],
  [
    'a record value of the wrong type',
    { host: 'dify.example.com', components: { api: { podLabels: { tier: 1 } } } },
    /^components\.api\.podLabels\.tier: got 1; must be a string$/,
  ],
  [
    'a record key that is not an identifier',
    { host: 'dify.example.com', components: { api: { podAnnotations: { 'example.com/x': true } } } },
    /^components\.api\.podAnnotations\["example\.com\/x"\]: got true; must be a string$/,
  ],
  [
    'an array for a record',
    { host: 'dify.example.com', components: { api: { nodeSelector: ['a'] } } },
    /^components\.api\.nodeSelector: got \["a"\]; must be an object whose values are strings$/,
  ],
  [
    'a Map for a record',
    { host: 'dify.example.com', components: { api: { nodeSelector: new Map([['a', 'b']]) } } },
    /^components\.api\.nodeSelector: got Map \{\}; must be an object whose values are strings$/,
  ],
  [
    'a plain object for a union class',
    { host: 'dify.example.com', storage: { type: 's3', bucket: 'b' } },
    /^storage: got \{"type":"s3","bucket":"b"\}; must be a DifyStorage instance \(from DifyStorage\.aliyunOss\(\), .*DifyStorage\.s3\(\)/,
  ],
  [
    'a string for a Secret reference',
    { host: 'dify.example.com', externalDatabase: 'postgres://x' },
    /^externalDatabase: got "<not a DifyDatabase>"; must be a DifyDatabase instance/,
  ],
  ['false | options: a wrong option inside', { host: 'dify.example.com', ingress: { maxBodySize: 100 } }, /^ingress\.maxBodySize: got 100; must be a string$/],
  ['false | options: true', { host: 'dify.example.com', ingress: true }, /^ingress: got true; must be false or an object \(DifyIngressOptions\)$/],
  [
    'unknown toleration key',
    { host: 'dify.example.com', components: { api: { tolerations: [{ key: 'a', opertor: 'Exists' }] } } },
    /^components\.api\.tolerations\[0\]\.opertor: got "Exists"; unknown property of Toleration; did you mean "operator"\?/,
  ],
  ['missing host', {}, /^host: got undefined; is required: a string$/],
  ['null for an optional prop', { host: 'dify.example.com', apiHost: null }, /^apiHost: got null; must be a string$/],
  ['props that are not an object', 'dify.example.com', /^props: got "dify\.example\.com"; must be an object \(DifyProps\)$/],
  [
    'a credential-looking unknown key is redacted',
    { host: 'dify.example.com', settings: { smtpPassword: 'hunter2' } },
    /^settings\.smtpPassword: got "<redacted>"; unknown property of DifySettingsProps/,
  ],
];

describe('untyped callers: unknown keys and wrong types are named with the path the user wrote', () => {
  test.each(cases)('%s', (_what, props, message) => {
    expect(untyped(props)).toThrow(message);
  });
  test('the credential itself is never in the message', () => {
    expect(untyped({ host: 'dify.example.com', settings: { smtpPassword: 'hunter2' } })).toThrow(/^(?!.*hunter2)/);
  });
  test('class instances and valid props pass', () => {
    expect(() => difyDocs({ storage: DifyStorage.s3({ bucket: 'dify-files', region: 'eu-west-1', useAwsManagedIam: true }) })).not.toThrow();
  });
  test('a guard for another props type and prefix', () => {
    expect(() => guardProps('ComponentOptions', { replicas: 1, podLabel: {} }, 'components.api')).toThrow(
      /^components\.api\.podLabel: got \{\}; unknown property of ComponentOptions; did you mean "podLabels"\?/,
    );
    expect(() => guardProps('NoSuchProps', {})).toThrow(/no generated schema for NoSuchProps/);
  });
});

describe('renderValue never crashes and says what NaN and Infinity are', () => {
  test.each<[unknown, string]>([
    [NaN, 'NaN'],
    [-Infinity, '-Infinity'],
    [10n, '10n'],
    [undefined, 'undefined'],
    [{ a: NaN }, '{"a":"NaN"}'],
    [SecretKeyRef.of('s', 'k'), 'SecretKeyRef {"secretName":"s","key":"k"}'],
  ])('%p', (value, shown) => expect(renderValue(value)).toBe(shown));
  test('cycles', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(renderValue(a)).toBe('[object]');
  });
});

test('did-you-mean: case first, then edit distance within a third of the length', () => {
  expect(closest('HOST', ['host', 'apiHost'])).toBe('host');
  expect(closest('relicas', ['replicas', 'resources'])).toBe('replicas');
  expect(closest('zzzzzz', ['replicas'])).toBeUndefined();
});

test('a credential-named prop of the wrong type never echoes its value', () => {
  expect(() => guardProps('RedisBrokerUrlOptions', { host: 'redis', password: 12345678 }, 'redisBrokerUrl')).toThrow(
    /^redisBrokerUrl\.password: got "<redacted>"; must be a string$/,
  );
});

describe('every public construct guards its own props for JavaScript callers', () => {
  const { Chart, Testing } = require('cdk8s');
  const lib = require('../lib');
  const chart = () => new Chart(Testing.app(), 'c', { namespace: 'dify' });
  test.each([
    [
      'DifyFileStorage',
      (c: any) => new lib.DifyFileStorage(c, 'S', { instance: 'dify', storge: 1 }),
      /^storge: got 1; unknown property of DifyFileStorageProps; did you mean "storage"\?/,
    ],
    [
      'DifyNetworkPolicy',
      (c: any) => new lib.DifyNetworkPolicy(c, 'P', { clusterCidr: ['10.0.0.0/8'] }),
      /^clusterCidr: got \["10\.0\.0\.0\/8"\]; unknown property of DifyNetworkPolicyProps; did you mean "clusterCidrs"\?/,
    ],
    [
      'DifySsrfProxy',
      (c: any) => new lib.DifySsrfProxy(c, 'X', { instance: 'dify', options: { replica: 2 } }),
      /^options\.replica: got 2; unknown property of ComponentOptions; did you mean "replicas"\?/,
    ],
    [
      'DifyRedis',
      (c: any) => new lib.DifyRedis(c, 'R', { instance: 'dify', password: 'plain', celeryBrokerUrl: lib.SecretKeyRef.of('s', 'k') }),
      /^password: got "<redacted>"|^password: got "<not a SecretKeyRef>"/,
    ],
  ])('%s', (_name, build, message) => {
    expect(() => build(chart())).toThrow(message);
  });
});
