import {
  BackupTarget,
  DifyUrls,
  PluginStorage,
  DifyStorage,
  validatePipRequirement,
  validateS3Bucket,
  validateSqlIdentifier,
  validateHostname,
  validateUrlHost,
} from '../lib';
import { difyDocs } from './util';

describe('one S3 bucket rule for file storage, plugin storage and backups', () => {
  test.each(['dify-files', 'my.bucket.example', 'abc', 'a1-b2'])('accepts %p', (b) => expect(validateS3Bucket('b', b)).toBe(b));
  test.each(['ab', 'Dify', 'a..b', '192.168.1.1', 'xn--bucket', 'bucket-s3alias', 'bucket--ol-s3', '-abc', 'abc-', 'a'.repeat(64)])('refuses %p', (b) => {
    expect(() => validateS3Bucket('b', b)).toThrow(/^b: got .*; must be an S3 bucket name/);
  });
  test('every S3 bucket prop uses it', () => {
    expect(() => DifyStorage.s3({ bucket: 'xn--x', region: 'eu-west-1', useAwsManagedIam: true })).toThrow(
      /^storage\.s3\.bucket: got "xn--x"; must be an S3 bucket name/,
    );
    expect(() => PluginStorage.s3({ bucket: '10.0.0.1', region: 'eu-west-1', useAwsManagedIam: true })).toThrow(
      /^pluginStorage\.s3\.bucket: got "10\.0\.0\.1"; must be an S3 bucket name/,
    );
    expect(() => BackupTarget.s3({ bucket: 'a..b', region: 'eu-west-1' })).toThrow(/^backup\.s3\.bucket: got "a\.\.b"; must be an S3 bucket name/);
  });
  test('backup S3 region, endpoint and prefix are checked (they land in a shell script)', () => {
    expect(() => BackupTarget.s3({ bucket: 'backups', region: 'EU West' })).toThrow(/^backup\.s3\.region: got "EU West"; must be a region/);
    expect(() => BackupTarget.s3({ bucket: 'backups', region: 'eu-west-1', endpoint: 'https://minio:9000/$(id)' })).toThrow(
      /^backup\.s3\.endpoint: got .*; must be a plain http\(s\) URL/,
    );
    expect(() => BackupTarget.s3({ bucket: 'backups', region: 'eu-west-1', prefix: 'a b' })).toThrow(
      /^backup\.s3\.prefix: got "a b"; must be a relative folder/,
    );
    expect(() => BackupTarget.s3({ bucket: 'backups', region: 'eu-west-1', endpoint: 'https://minio.internal:9000', prefix: 'dify/prod' })).not.toThrow();
  });
});

test('one SQL identifier rule', () => {
  expect(validateSqlIdentifier('database', 'dify_plugin')).toBe('dify_plugin');
  expect(() => validateSqlIdentifier('database', 'dify-prod')).toThrow(/^database: got "dify-prod"; must be a lowercase SQL identifier/);
  expect(() => validateSqlIdentifier('database', 1)).toThrow(/^database: got 1; must be a lowercase SQL identifier/);
});

describe('hosts: wildcards where the Ingress takes them, never in URLs; IPs in URLs, never in Ingress rules', () => {
  test('Ingress and HTTPRoute hosts', () => {
    expect(validateHostname('host', '*.example.com')).toBe('*.example.com');
    expect(validateHostname('host', 'dify')).toBe('dify');
    expect(() => validateHostname('host', 'a.*.example.com')).toThrow(/must be a lowercase fully qualified DNS name/);
    expect(() => validateHostname('host', '10.0.0.1')).toThrow(
      /^host: got "10\.0\.0\.1"; must be a DNS name: Ingress and HTTPRoute hosts cannot be IP addresses$/,
    );
  });
  test('URL hosts', () => {
    expect(validateUrlHost('host', '203.0.113.10')).toBe('203.0.113.10');
    expect(() => validateUrlHost('host', '*.example.com')).toThrow(/^host: got "\*\.example\.com"; must be a concrete host name, not a wildcard/);
    expect(() => DifyUrls.fromHost('*.example.com')).toThrow(/^host: got "\*\.example\.com"; must be a concrete host name/);
    expect(() => validateUrlHost('host', '256.1.1.1')).toThrow(/must be a lowercase fully qualified DNS name/);
  });
  test('an IP host with an Ingress is refused before the API server sees it', () => {
    expect(() => difyDocs({ host: '203.0.113.10' })).toThrow(/^host: got "203\.0\.113\.10"; must be a DNS name/);
  });
});

describe('pip requirements per PEP 508', () => {
  test.each([
    'numpy',
    'numpy==2.1.0',
    'requests[socks]>=2.31,<3',
    'pandas ; python_version >= "3.10"',
    'pandas; python_version >= "3.10" and sys_platform != "win32"',
    'Django (>=4.2, <5)',
    'pkg @ https://example.com/pkg-1.0-py3-none-any.whl',
    'pkg @ https://example.com/pkg.whl ; os_name == "posix"',
    'zope.interface~=6.0',
    'a===1.0',
    'foo[bar,baz]',
    'x; (python_version < "3.9" or python_version > "3.11") and extra == \'test\'',
    'pyyaml!=6.0.0',
  ])('accepts %p', (r) => expect(validatePipRequirement('r', r)).toBe(r));
  test.each([
    'numpy; rm -rf /',
    '-r other.txt',
    '--index-url https://evil',
    'numpy\nrequests',
    'numpy==',
    'numpy >> 2',
    'numpy; python_version',
    '==1.0',
    'pkg @ https://example.com/x.whl; os_name == "posix"',
    'numpy; unknown_var == "x"',
    'numpy @ ./local',
  ])('refuses %p', (r) =>
    expect(() => validatePipRequirement('sandboxPythonRequirements[0]', r)).toThrow(/^sandboxPythonRequirements\[0\]: got .*; must be one PEP 508 requirement/),
  );
});

describe('image references per the registry grammar', () => {
  test.each([
    'registry.example.com:5000/team/dify-api:1.16.1',
    'localhost:5000/x:1',
    'registry.example.com/x:V1-RC',
    'a/b__c:1',
    'a/b---c:1',
    '[::1]:5000/x:1',
    `x@sha512:${'a'.repeat(128)}`,
  ])('accepts %p', (i) => {
    expect(() => difyDocs({ images: { api: i } })).not.toThrow();
  });
  test.each(['a_/b:1', 'x:v1+build', 'x::1'])('refuses %p', (i) => {
    expect(() => difyDocs({ images: { api: i } })).toThrow(/^images\.api: got .*; must be an image reference/);
  });
  test.each([
    ['a/B:1', 'a/b:1'],
    ['Registry.Example.com/x:1', 'registry.example.com/x:1'],
    ['ghcr.io/Team/api:1.2', 'ghcr.io/team/api:1.2'],
  ])('refuses upper case in registry or repository: %p', (i, fixed) => {
    expect(() => difyDocs({ images: { api: i } })).toThrow(
      `images.api: got "${i}"; must be lower case in its registry and repository (only the tag may have capitals): "${fixed}"`,
    );
  });
});
