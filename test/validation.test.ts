import { DifyMail, DifyStorage, SecretKeyRef, VectorStore } from '../lib';
import { difyDocs } from './util';

const ref = SecretKeyRef.of('my-secret', 'password');

/** Each case: what is wrong, the input, and a message naming the property, the value and what is allowed. */
const cases: Array<[string, () => unknown, RegExp]> = [
  [
    'host with a scheme',
    () => difyDocs({ host: 'https://dify.example.com' }),
    /^host: got "https:\/\/dify\.example\.com"; must be a lowercase DNS name.*it is a URL, not a host: give "dify\.example\.com"/,
  ],
  ['uppercase instance', () => difyDocs({ instance: 'Dify' }), /^instance: got "Dify"; must be a DNS-1035 label/],
  [
    'floating image tag',
    () => difyDocs({ images: { api: 'langgenius/dify-api:latest' } }),
    /^images\.api: got "langgenius\/dify-api:latest"; must not use the floating tag "latest"/,
  ],
  ['untagged image', () => difyDocs({ images: { web: 'langgenius/dify-web' } }), /^images\.web: got "langgenius\/dify-web"; must pin a tag or a digest/],
  [
    'bad memory quantity',
    () => difyDocs({ components: { api: { resources: { memoryLimit: '2 gigs' } } } }),
    /^components\.api\.resources\.memoryLimit: got "2 gigs"; must be a memory or storage quantity/,
  ],
  [
    'request above limit',
    () => difyDocs({ components: { worker: { resources: { cpuRequest: '2', cpuLimit: '1' } } } }),
    /^components\.worker\.resources\.cpuRequest: got "2"; must not exceed components\.worker\.resources\.cpuLimit \(1\)/,
  ],
  ['negative replicas', () => difyDocs({ components: { api: { replicas: -1 } } }), /^components\.api\.replicas: got -1; must be an integer from 0 to 1000/],
  ['bad storage size', () => difyDocs({ postgres: { storageSize: '10GB' } }), /^postgres\.storageSize: got "10GB"; must be a memory or storage quantity/],
  ['bad storage class', () => difyDocs({ redis: { storageClassName: 'Fast_SSD' } }), /^redis\.storageClassName: got "Fast_SSD"; must be a DNS-1123 subdomain/],
  [
    'credential through extraEnv',
    () => difyDocs({ settings: { extraEnv: { SECRET_KEY: 'hunter2' } } }),
    /^settings\.extraEnv\.SECRET_KEY: got "<redacted>"; SECRET_KEY is a credential/,
  ],
  [
    'broker URL through extraEnv',
    () => difyDocs({ settings: { extraEnv: { CELERY_BROKER_URL: 'redis://:pw@r:6379/1' } } }),
    /^settings\.extraEnv\.CELERY_BROKER_URL: got "<redacted>"; CELERY_BROKER_URL is a credential/,
  ],
  [
    'managed name through extraEnv',
    () => difyDocs({ settings: { extraEnv: { DB_HOST: 'elsewhere' } } }),
    /^settings\.extraEnv\.DB_HOST: got "elsewhere"; DB_HOST is set by a typed property/,
  ],
  [
    'invalid env name',
    () => difyDocs({ settings: { extraEnv: { 'BAD-NAME': 'x' } } }),
    /^settings\.extraEnv\.BAD-NAME: got "BAD-NAME"; must be an environment variable name/,
  ],
  [
    'unknown log level',
    () => difyDocs({ settings: { logLevel: 'VERBOSE' as any } }),
    /^settings\.logLevel: got "VERBOSE"; must be "DEBUG", "INFO", "WARNING", "ERROR" or "CRITICAL"$/,
  ],
  [
    'zero upload limit',
    () => difyDocs({ settings: { uploads: { fileSizeLimitMb: 0 } } }),
    /^settings\.uploads\.fileSizeLimitMb: got 0; must be an integer from 1 to 10240/,
  ],
  [
    'bad SSRF allow-list CIDR',
    () => difyDocs({ ssrfProxy: { allowPrivateIps: ['10.0.0.0/33'] } }),
    /^ssrfProxy\.allowPrivateIps\[0\]: got "10\.0\.0\.0\/33"; must be a CIDR/,
  ],
  [
    'bad SSRF allow-list domain',
    () => difyDocs({ ssrfProxy: { allowPrivateDomains: ['http://corp'] } }),
    /^ssrfProxy\.allowPrivateDomains\[0\]: got "http:\/\/corp"; must be a lowercase domain.*it is a URL or has a port: give the name only/,
  ],
  [
    'S3 without credentials or IAM',
    () => DifyStorage.s3({ bucket: 'dify-files', region: 'eu-west-1' }),
    /^storage\.s3\.accessKey: got undefined; accessKey and secretKey are both required unless useAwsManagedIam is true/,
  ],
  [
    'S3 with both IAM and keys',
    () => DifyStorage.s3({ bucket: 'dify-files', region: 'eu-west-1', useAwsManagedIam: true, accessKey: ref, secretKey: ref }),
    /^storage\.s3\.useAwsManagedIam: got true; conflicts with accessKey\/secretKey/,
  ],
  [
    'S3 bucket name',
    () => DifyStorage.s3({ bucket: 'Dify_Files', region: 'eu-west-1', useAwsManagedIam: true }),
    /^storage\.s3\.bucket: got "Dify_Files"; must be an S3 bucket name/,
  ],
  [
    'qdrant URL',
    () => VectorStore.qdrant({ url: 'qdrant:6333' }),
    /^vectorStore\.qdrant\.url: got "qdrant:6333"; must be an absolute http:\/\/ or https:\/\/ URL/,
  ],
  [
    'SMTP TLS conflict',
    () => DifyMail.smtp({ server: 'smtp.example.com', from: 'no-reply@example.com', useTls: true, opportunisticTls: true }),
    /^mail\.smtp\.opportunisticTls: got true; conflicts with useTls/,
  ],
  ['mail sender', () => DifyMail.resend({ apiKey: ref, from: 'nobody' }), /^mail\.resend\.from: got "nobody"; must be an address/],
  ['secret ref name', () => SecretKeyRef.of('My Secret', 'k'), /^SecretKeyRef\.secretName: got "My Secret"; must be a DNS-1123 subdomain/],
  [
    'sandbox requirement',
    () => difyDocs({ sandboxPythonRequirements: ['numpy; rm -rf /'] }),
    /^sandboxPythonRequirements\[0\]: got "numpy; rm -rf \/"; must be one PEP 508 requirement/,
  ],
];

describe('bad input fails at synth time with a message naming property, value and what is allowed', () => {
  test.each(cases)('%s', (_what, build, message) => {
    expect(build).toThrow(message);
  });
  test('a credential value passed through extraEnv never appears in the error', () => {
    expect(() => difyDocs({ settings: { extraEnv: { SMTP_PASSWORD: 'hunter2' } } })).toThrow(/^(?!.*hunter2)/);
  });
});
