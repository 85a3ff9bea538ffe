import { DIFY_CELERY_QUEUES, DifyStorage } from '../lib';
import { ENVIRONMENTS, difyDocs, find, parseDocs, synthFiles } from './util';

const ROLE = { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/files' };
const S3 = DifyStorage.s3({ bucket: 'files', region: 'eu-west-1', useAwsManagedIam: true });
const annotationsOf = (docs: Record<string, any>[], name: string) => find(docs, 'ServiceAccount', name).metadata.annotations ?? {};

describe('installation-level serviceAccountAnnotations (the api-image family)', () => {
  test('every api-image ServiceAccount carries them, the migration Job included; other components do not', () => {
    const { docs } = difyDocs({ storage: S3, serviceAccountAnnotations: ROLE });
    for (const sa of ['dify-api', 'dify-api-websocket', 'dify-worker', 'dify-beat', 'dify-migration']) {
      expect({ sa, annotations: annotationsOf(docs, sa) }).toEqual({ sa, annotations: expect.objectContaining(ROLE) });
    }
    for (const sa of ['dify-web', 'dify-plugin-daemon', 'dify-sandbox', 'dify-agent-backend']) {
      expect({ sa, role: annotationsOf(docs, sa)['eks.amazonaws.com/role-arn'] }).toEqual({ sa, role: undefined });
    }
  });

  test('per-component values are merged over them, key by key; worker pools too', () => {
    const { docs } = difyDocs({
      storage: S3,
      serviceAccountAnnotations: { ...ROLE, 'example.com/team': 'ai' },
      components: { beat: { serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/beat' } } },
      workerPools: [{ name: 'all', queues: [...DIFY_CELERY_QUEUES], options: { serviceAccountAnnotations: { 'example.com/team': 'ml' } } }],
    });
    expect(annotationsOf(docs, 'dify-beat')).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/beat', 'example.com/team': 'ai' });
    expect(annotationsOf(docs, 'dify-worker-all')).toEqual({ ...ROLE, 'example.com/team': 'ml' });
    expect(annotationsOf(docs, 'dify-api')).toEqual({ ...ROLE, 'example.com/team': 'ai' });
  });

  test('a bad annotation key fails synth naming the prop', () => {
    expect(() => difyDocs({ serviceAccountAnnotations: { 'not a key': 'x' } })).toThrow(
      'serviceAccountAnnotations["not a key"]: got "not a key"; annotation key must',
    );
  });
});

describe('dist/prod: every process that opens the bucket at start holds the files role', () => {
  const prod = ENVIRONMENTS.find((e) => e.name === 'prod')!;
  const docs = parseDocs(synthFiles(prod));
  test.each(['dify-api', 'dify-api-websocket', 'dify-worker-indexing', 'dify-worker-workflow', 'dify-worker-ops', 'dify-beat', 'dify-migration'])('%s', (sa) =>
    expect(annotationsOf(docs, sa)['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::123456789012:role/dify-prod-files'),
  );
});

describe('the migration Job', () => {
  test('gets a scratch directory at the fs storage root its app factory creates (read-only root, no claim)', () => {
    const { docs } = difyDocs({});
    const job = docs.find((d) => d.kind === 'Job' && d.metadata.labels['app.kubernetes.io/component'] === 'migration')!;
    const pod = job.spec.template.spec;
    const mount = pod.containers[0].volumeMounts.find((m: any) => m.mountPath === '/app/api/storage');
    expect(mount).toBeDefined();
    expect(pod.volumes.find((v: any) => v.name === mount.name).emptyDir).toBeDefined();
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });
  test('has no storage mount with object storage', () => {
    const { docs } = difyDocs({ storage: S3, serviceAccountAnnotations: ROLE });
    const job = docs.find((d) => d.kind === 'Job' && d.metadata.labels['app.kubernetes.io/component'] === 'migration')!;
    expect(job.spec.template.spec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp']);
  });
  test('is renamed by any change of its pod template (Job templates are immutable), and only then', () => {
    const jobName = (props: Parameters<typeof difyDocs>[0]) => difyDocs(props).dify.migration.jobName;
    expect(jobName({})).toBe(jobName({}));
    expect(jobName({ storage: S3 })).not.toBe(jobName({}));
    expect(jobName({ imagePullSecrets: ['regcred'] })).not.toBe(jobName({}));
  });
});
