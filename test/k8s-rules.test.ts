import { Chart, Testing } from 'cdk8s';
import {
  BackupTarget,
  DifyNamespace,
  EnvSet,
  validateDistinctHosts,
  validateSandboxPodSecurity,
  validateTimeoutOrder,
  SecretKeyRef,
  cidrNetwork,
  hasUrlCredentials,
  isSensitiveEnvName,
  looksSensitive,
  parseQuantity,
  validateAnnotations,
  validateCidr,
  validateCpu,
  validateCronSchedule,
  validateDns1035Label,
  validateIp,
  validateLabelKey,
  validateLabels,
  validateLabelValue,
  validateMemory,
  validateNginxSize,
  validateNodeSelector,
  validateObjectName,
  validateQuantity,
  validateTolerations,
} from '../lib';
import { difyDocs } from './util';

describe('cron schedules as the CronJob controller parses them', () => {
  test.each([
    '17 3 * * *',
    '*/15 * * * *',
    '0 0 1,15 * *',
    '0 9-17/2 * * MON-FRI',
    '0 0 * JAN,jul sun',
    '0 0 ? * *',
    '5 4 * * 0',
    '@yearly',
    '@annually',
    '@monthly',
    '@weekly',
    '@daily',
    '@midnight',
    '@hourly',
    '@every 6h',
    '@every 1h30m',
    '  0 3 * * *',
  ])('accepts %p', (s) => expect(validateCronSchedule('backup.schedule', s)).toBe(s));
  test.each<[string, RegExp]>([
    ['daily', /not 1 field$/],
    ['0 0 0 * * *', /not 6 fields$/],
    ['60 * * * *', /: minute "60" is outside 0-59$/],
    ['0 24 * * *', /: hour "24" is outside 0-23$/],
    ['0 0 0 * *', /: day of month "0" is outside 1-31$/],
    ['0 0 * 13 *', /: month "13" is outside 1-12$/],
    ['0 0 * * 7', /: day of week "7" is outside 0-6$/],
    ['0 0 * * MON-SUN', /: day of week "MON-SUN" starts after it ends$/],
    ['*/0 * * * *', /: minute "\*\/0" needs a positive step$/],
    ['0 0 L * *', /: day of month "L" is not a number$/],
    ['0 0 * * 1#2', /: day of week "1#2" is not a number or name$/],
    ['@reboot', /macros are @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly and "@every <duration>"/],
    ['@every 0s', /macros are/],
    ['@Daily', /macros are/],
    ['CRON_TZ=Europe/Paris 0 3 * * *', /must not carry TZ= or CRON_TZ=/],
    ['TZ=UTC 0 3 * * *', /must not carry TZ= or CRON_TZ=/],
  ])('refuses %p', (s, message) => {
    expect(() => validateCronSchedule('backup.schedule', s)).toThrow(
      new RegExp(`^backup\\.schedule: got ${JSON.stringify(s).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; `),
    );
    expect(() => validateCronSchedule('backup.schedule', s)).toThrow(message);
  });
  test('the backup CronJob uses it', () => {
    expect(() => difyDocs({ backup: { target: BackupTarget.volume(), schedule: '0 25 * * *' } })).toThrow(
      /^backup\.schedule: got "0 25 \* \* \*"; .*: hour "25" is outside 0-23$/,
    );
    expect(() => difyDocs({ backup: { target: BackupTarget.volume(), schedule: '@weekly' } })).not.toThrow();
  });
});

describe('names by kind', () => {
  test('Services (and the instance that prefixes them) are DNS-1035: a letter first', () => {
    expect(() => validateDns1035Label('instance', '1dify')).toThrow(/^instance: got "1dify"; must be a DNS-1035 label: .*starting with a letter/);
    expect(validateObjectName('name', 'dify-api', 'Service')).toBe('dify-api');
    expect(() => validateObjectName('name', 'dify.api', 'Service')).toThrow(/DNS-1035/);
    expect(validateObjectName('name', 'dify.api', 'ConfigMap')).toBe('dify.api');
    expect(() => validateObjectName('name', 'a'.repeat(64), 'Namespace')).toThrow(/at most 63 characters/);
  });
  test('a namespace name', () => {
    expect(() => new DifyNamespace(new Chart(Testing.app(), 'c'), 'ns', { name: 'Dify' })).toThrow(/^namespace\.name: got "Dify"; must be a DNS-1123 label/);
    expect(() => new DifyNamespace(new Chart(Testing.app(), 'c'), 'ns', { name: 'dify', labels: { team: 'a b' } })).toThrow(
      /^namespace\.labels\.team: got "a b"; must be a label value/,
    );
  });
});

describe('labels, annotations and node selectors', () => {
  test.each(['app', 'example.com/team', 'a.b-c_d', 'app.kubernetes.io/name'])('label key %p', (k) => expect(validateLabelKey('k', k)).toBe(k));
  test.each(['', '/x', 'Example.com/x', 'a/b/c', '-a', `${'a'.repeat(64)}`, 'x/'])('refuses label key %p', (k) => {
    expect(() => validateLabelKey('podLabels', k)).toThrow(/^podLabels: got .*; label key must/);
  });
  test.each(['', 'v1', 'a.b_c-d', 'A'])('label value %p', (v) => expect(validateLabelValue('v', v)).toBe(v));
  test.each(['-a', 'a-', 'a b', 'x'.repeat(64), 'ä'])('refuses label value %p', (v) =>
    expect(() => validateLabelValue('v', v)).toThrow(/must be a label value/),
  );
  test('errors name the key as the user wrote it', () => {
    expect(() => validateLabels('components.api.podLabels', { 'example.com/tier': 'front end' })).toThrow(
      /^components\.api\.podLabels\["example\.com\/tier"\]: got "front end"; must be a label value/,
    );
    expect(() => validateNodeSelector('components.api.nodeSelector', { 'kubernetes.io/os': 'linux', 'bad key': 'x' })).toThrow(
      /^components\.api\.nodeSelector\["bad key"\]: got "bad key"; label key must/,
    );
  });
  test('annotation keys may use upper case in the prefix; values are strings; 256 KiB in total', () => {
    expect(validateAnnotations('a', { 'Example.com/Key': 'x' })).toEqual({ 'Example.com/Key': 'x' });
    expect(() => validateAnnotations('serviceAnnotations', { 'bad key': 'x' })).toThrow(/^serviceAnnotations\["bad key"\]: got "bad key"; annotation key must/);
    expect(() => validateAnnotations('serviceAnnotations', { a: 1 as unknown as string })).toThrow(/^serviceAnnotations\.a: got 1; must be a string/);
    expect(() => validateAnnotations('podAnnotations', { a: 'x'.repeat(256 * 1024) })).toThrow(
      /^podAnnotations: got "262145 bytes"; annotations may total at most 262144 bytes/,
    );
  });
  test('ingress and nginx proxy annotations', () => {
    expect(() => difyDocs({ ingress: { annotations: { 'nginx.ingress.kubernetes.io/': 'x' } } })).toThrow(
      /^ingress\.annotations\["nginx\.ingress\.kubernetes\.io\/"\]: got .*annotation key must have a name part/,
    );
  });
});

describe('tolerations', () => {
  test('valid ones', () => {
    expect(() =>
      validateTolerations('t', [
        { key: 'dedicated', operator: 'Equal', value: 'dify', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
        { operator: 'Exists' },
        { key: 'gpu', effect: 'PreferNoSchedule' },
      ]),
    ).not.toThrow();
  });
  test.each<[unknown, RegExp]>([
    [[{ key: 'a', operator: 'In' }], /^t\[0\]\.operator: got "In"; must be "Equal" or "Exists"$/],
    [[{ operator: 'Equal', value: 'x' }], /^t\[0\]\.operator: got "Equal"; must be "Exists" when key is empty/],
    [[{ key: 'a', operator: 'Exists', value: 'x' }], /^t\[0\]\.value: got "x"; must be empty when operator is "Exists"$/],
    [[{ key: 'a', value: 'x y' }], /^t\[0\]\.value: got "x y"; must be a label value/],
    [[{ key: 'a', effect: 'NoRun' }], /^t\[0\]\.effect: got "NoRun"; must be "NoSchedule", "PreferNoSchedule", "NoExecute" or empty/],
    [[{ key: 'a', effect: 'NoSchedule', tolerationSeconds: 10 }], /^t\[0\]\.tolerationSeconds: got 10; only applies with effect "NoExecute"$/],
    [[{ key: 'bad key' }], /^t\[0\]\.key: got "bad key"; label key must/],
    [[{ key: 'a', opertor: 'Exists' }], /^t\[0\]\.opertor: got "Exists"; unknown toleration field/],
    [{ key: 'a' }, /^t: got \{"key":"a"\}; must be an array of tolerations$/],
  ])('refuses %j', (t, message) => expect(() => validateTolerations('t', t)).toThrow(message));
});

describe('quantities in the Kubernetes grammar', () => {
  test.each<[string, number]>([
    ['500m', 0.5],
    ['1', 1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['2.', 2],
    ['10Gi', 10 * 2 ** 30],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1E', 1e18],
    ['+1k', 1000],
    ['-1', -1],
    ['1Pi', 2 ** 50],
  ])('%p', (q, n) => expect(parseQuantity(q)).toBeCloseTo(n));
  test.each(['', '1.2.3', '10GB', '1 Gi', 'Gi', '1ki', '1e', '0x10'])('refuses %p', (q) => expect(Number.isNaN(parseQuantity(q))).toBe(true));
  test('validators', () => {
    expect(validateQuantity('q', '0')).toBe('0');
    expect(() => validateQuantity('q', '0', { positive: true })).toThrow(/^q: got "0"; must be a positive Kubernetes quantity/);
    expect(validateCpu('cpu', '0.25')).toBe('0.25');
    expect(validateCpu('cpu', '2e-1')).toBe('2e-1');
    expect(() => validateCpu('cpu', '2e3m')).toThrow(/^cpu: got "2e3m"; must be a positive CPU quantity/);
    expect(() => validateCpu('cpu', '0.0001')).toThrow(/at least 1m/);
    expect(validateMemory('memory', '1e9')).toBe('1e9');
    expect(validateMemory('memory', '0.5Gi')).toBe('0.5Gi');
    expect(validateMemory('memory', '1Pi')).toBe('1Pi');
    expect(() => validateMemory('memory', '500m')).toThrow(
      /^memory: got "500m"; must be a memory or storage quantity.*"m" means thousandths.*did you mean "500Mi"/,
    );
  });
  test('request above limit compares across suffixes', () => {
    expect(() => difyDocs({ components: { api: { resources: { memoryRequest: '2G', memoryLimit: '1Gi' } } } })).toThrow(
      /memoryRequest: got "2G"; must not exceed/,
    );
    expect(() => difyDocs({ components: { api: { resources: { cpuRequest: '0.5', cpuLimit: '500m' } } } })).not.toThrow();
  });
});

describe('IPs and CIDRs, IPv4 and IPv6', () => {
  test.each(['10.0.0.0/8', '0.0.0.0/0', '192.168.1.7/32', 'fd00::/8', '2001:db8::/32', '::/0', '::1/128', '::ffff:0:0/96'])('accepts %p', (c) =>
    expect(validateCidr('c', c)).toBe(c),
  );
  test.each(['10.0.0.0/33', '10.0.0.0', '10.0.0.0/08', '010.0.0.0/8', 'fd00::/129', 'fe80::1%eth0/64', 'office', '10.0.0.0/ 8'])('refuses %p', (c) => {
    expect(() => validateCidr('c', c)).toThrow(/^c: got .*; must be a CIDR such as "10\.20\.0\.0\/16" or "fd00::\/8"$/);
  });
  test('host bits set: suggests the network address', () => {
    expect(() => validateCidr('c', '10.1.2.3/8')).toThrow(/^c: got "10\.1\.2\.3\/8"; .*did you mean "10\.0\.0\.0\/8"\?$/);
    expect(() => validateCidr('c', 'fd00::1/8')).toThrow(/did you mean "fd00::\/8"\?$/);
    expect(cidrNetwork('2001:db8:1:2::5/64')).toBe('2001:db8:1:2::/64');
  });
  test('IPs', () => {
    expect(validateIp('ip', '::1')).toBe('::1');
    expect(() => validateIp('ip', '1.2.3')).toThrow(/^ip: got "1\.2\.3"; must be an IPv4 or IPv6 address/);
  });
  test('the SSRF allow-list and LoadBalancer source ranges take IPv6', () => {
    expect(() => difyDocs({ ssrfProxy: { allowPrivateIps: ['fd12:3456::/48'] } })).not.toThrow();
    expect(() => difyDocs({ ssrfProxy: { allowPrivateIps: ['10.20.0.1/16'] } })).toThrow(
      /^ssrfProxy\.allowPrivateIps\[0\]: got "10\.20\.0\.1\/16"; .*did you mean "10\.20\.0\.0\/16"/,
    );
  });
});

describe('nginx sizes: one rule for the Ingress and the nginx proxy', () => {
  test.each(['100m', '100M', '1g', '1G', '512k', '0', '1048576'])('accepts %p', (s) => expect(validateNginxSize('maxBodySize', s)).toBe(s));
  test.each(['100MB', '1.5m', '-1', '', '10 m'])('refuses %p', (s) =>
    expect(() => validateNginxSize('maxBodySize', s)).toThrow(/^maxBodySize: got .*; must be an nginx size/),
  );
  test('the Ingress accepts upper-case suffixes as nginx does', () => {
    const { docs } = difyDocs({ ingress: { maxBodySize: '50M' } });
    expect(docs.find((d) => d.kind === 'Ingress')!.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('50M');
    expect(() => difyDocs({ ingress: { maxBodySize: '50MB' } })).toThrow(/^ingress\.maxBodySize: got "50MB"; must be an nginx size/);
  });
});

describe('credentials: by name pattern in any letter case, and URL userinfo in values', () => {
  test.each([
    'SECRET_KEY',
    'secret_key',
    'Smtp_Password',
    'MY_SERVICE_API_KEY',
    'GITHUB_TOKEN',
    'SENTRY_DSN',
    'GCP_CREDENTIALS',
    'TLS_PRIVATE_KEY',
    'AZURE_CONNECTION_STRING',
    'LDAP_BIND_PASSWD',
    'DB_PASS',
    'apiKey',
    'clientSecret',
    'AWS_ACCESS_KEY_ID',
    'OPENAI_API_KEY',
  ])('%p is sensitive', (n) => expect(isSensitiveEnvName(n)).toBe(true));
  test.each([
    'ACCESS_TOKEN_EXPIRE_MINUTES',
    'REFRESH_TOKEN_EXPIRE_DAYS',
    'REDIS_KEY_PREFIX',
    'NGINX_SSL_CERT_KEY_FILENAME',
    'API_KEY_HEADER',
    'KEYWORD_STORE',
    'INDEXING_MAX_SEGMENTATION_TOKENS_LENGTH',
    'PROMPT_GENERATION_MAX_TOKENS',
    'TURNSTILE_SITE_KEY',
    'AMPLITUDE_API_KEY',
    'WEAVIATE_AUTHENTICATION_APIKEY_USERS',
    'LOG_LEVEL',
    'OAUTH_TOKEN_URL',
    'SECRET_NAME',
    'imagePullSecrets',
  ])('%p is not', (n) => expect(isSensitiveEnvName(n)).toBe(false));
  test('upstream names hold in any letter case', () => expect(isSensitiveEnvName('celery_broker_url')).toBe(true));
  test('looksSensitive reads camelCase prop names too', () => {
    expect(looksSensitive('smtpPassword')).toBe(true);
    expect(looksSensitive('passwordMinLength')).toBe(false);
  });
  test.each(['redis://:pw@redis:6379/0', 'postgresql://dify:s3cret@db/dify', 'https://u:p@example.com', 'a, amqp://u:p@mq'])('%p carries a password', (v) => {
    expect(hasUrlCredentials(v)).toBe(true);
  });
  test.each(['https://example.com', 'postgres://dify@db/dify', 'mailto:a@b.c', 'http://host:8080/path@x', 'user@example.com'])('%p does not', (v) => {
    expect(hasUrlCredentials(v)).toBe(false);
  });
  test('plain config refuses both, naming the variable and never the value', () => {
    expect(() => new EnvSet().plain({ Smtp_Password: 'hunter2' }, 'settings.extraEnv')).toThrow(
      /^settings\.extraEnv\.Smtp_Password: got "<redacted>"; Smtp_Password is a credential .*SecretKeyRef/,
    );
    expect(() => new EnvSet().plain({ MY_DB_URL: 'postgresql://u:hunter2@db/x' }, 'settings.extraEnv')).toThrow(
      /^settings\.extraEnv\.MY_DB_URL: got "postgresql:\/\/<redacted>@db\/x"; carries a credential in URL userinfo .*SecretKeyRef/,
    );
    expect(() => new EnvSet().plain({ MY_DB_URL: 'postgresql://u:hunter2@db/x' }, 'x')).toThrow(/^(?!.*hunter2)/);
    expect(() => new EnvSet().secret({ MY_DB_URL: SecretKeyRef.of('db', 'url') })).not.toThrow();
    expect(() => difyDocs({ settings: { extraEnv: { OPENAI_API_KEY: 'sk-x' } } })).toThrow(/^settings\.extraEnv\.OPENAI_API_KEY: got "<redacted>"/);
  });
});

describe('settings that must agree', () => {
  test('the sandbox needs a namespace that enforces at most "baseline"', () => {
    const ns = new DifyNamespace(new Chart(Testing.app(), 'c'), 'ns', { name: 'dify', podSecurity: { enforce: 'restricted' } });
    expect(ns.podSecurityEnforce).toBe('restricted');
    expect(() => validateSandboxPodSecurity('namespace.podSecurity.enforce', ns.podSecurityEnforce)).toThrow(
      /^namespace\.podSecurity\.enforce: got "restricted"; must be "baseline" or "privileged" where the sandbox runs/,
    );
    expect(() => validateSandboxPodSecurity('namespace.podSecurity.enforce', 'baseline')).not.toThrow();
    expect(new DifyNamespace(new Chart(Testing.app(), 'c'), 'ns', { name: 'dify' }).podSecurityEnforce).toBe('baseline');
  });
  test('nested timeouts name both ends', () => {
    expect(() =>
      validateTimeoutOrder(
        { prop: 'settings.codeExecution.sandboxWorkerTimeoutSeconds', seconds: 90 },
        { prop: 'settings.codeExecution.readTimeoutSeconds', seconds: 60 },
        'api stops reading before the sandbox finishes',
      ),
    ).toThrow(
      /^settings\.codeExecution\.sandboxWorkerTimeoutSeconds: got 90; must be less than settings\.codeExecution\.readTimeoutSeconds \(60\): api stops reading/,
    );
    expect(() => validateTimeoutOrder({ prop: 'a', seconds: 15 }, { prop: 'b', seconds: 60 }, 'x')).not.toThrow();
  });
  test('duplicate hosts name the first use', () => {
    expect(() =>
      validateDistinctHosts([
        { prop: 'host', host: 'dify.example.com' },
        { prop: 'gateway.hostname', host: undefined },
        { prop: 'apiHost', host: 'dify.example.com' },
      ]),
    ).toThrow(/^apiHost: got "dify\.example\.com"; is already used by host/);
  });
});
