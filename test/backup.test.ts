import { Chart, Testing } from 'cdk8s';
import {
  BackupTarget,
  CREDENTIAL_KEYS,
  Dify,
  DifyBackup,
  DifyDatabase,
  DifyFileStorage,
  DifyPostgresBackup,
  DifyRestore,
  DifyStorage,
  PluginStorage,
  SecretKeyRef,
  credentialsInSecret,
} from '../lib';
import type { DifyProps } from '../lib';
import { NetworkPolicyEvaluator, podEndpointsFromManifests } from './support/netpol';
import { checkReferences } from './support/references';
import { formatIssues, validateSchemas } from './support/schema';
import { difyDocs, find } from './util';

const creds = credentialsInSecret('dify-credentials');
const externalDb = DifyDatabase.external({ host: 'db.example.internal', username: 'dify', password: creds.postgresPassword });
const s3Files = DifyStorage.s3({ bucket: 'acme-files', region: 'eu-west-1', useAwsManagedIam: true });
const s3Plugins = PluginStorage.s3({ bucket: 'acme-plugins', region: 'eu-west-1', useAwsManagedIam: true });
const kinds = (docs: Record<string, any>[], kind: string) =>
  docs
    .filter((d) => d.kind === kind)
    .map((d) => d.metadata.name)
    .sort();
const script = (docs: Record<string, any>[], kind: string, name: string, container: string): string => {
  const d = find(docs, kind, name);
  const pod = kind === 'CronJob' ? d.spec.jobTemplate.spec.template.spec : d.spec.template.spec;
  return [...(pod.initContainers ?? []), ...pod.containers].find((c: any) => c.name === container).command[2];
};
/** A Dify plus a DifyRestore of its backup, synthesized together. */
function withRestore(props: Partial<DifyProps> = {}, at?: string): Record<string, any>[] {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'dify' });
  const dify = new Dify(chart, 'Dify', { host: 'dify.example.com', ...props });
  new DifyRestore(chart, 'Restore', { backup: dify.backup!, at });
  return Testing.synth(chart);
}

describe('backups are on wherever data is embedded', () => {
  test('by default (embedded PostgreSQL, file storage claim, local plugin storage): two sets to claims of their own', () => {
    const { dify, docs } = difyDocs();
    expect(dify.backup).toBeInstanceOf(DifyBackup);
    expect(kinds(docs, 'CronJob')).toEqual(['dify-backup', 'dify-backup-plugins']);
    expect(kinds(docs, 'PersistentVolumeClaim')).toEqual(expect.arrayContaining(['dify-backup', 'dify-backup-plugins']));
    expect(find(docs, 'PersistentVolumeClaim', 'dify-backup').spec.resources.requests.storage).toBe('20Gi');
    expect(dify.backup!.sets.map((s) => [s.name, s.databases, s.archives.map((a) => a.claimName)])).toEqual([
      ['dify-backup', ['dify'], ['dify-storage']],
      ['dify-backup-plugins', ['dify_plugin'], ['storage-dify-plugin-daemon-0']],
    ]);
  });

  test('backup: false turns them off', () => {
    const { dify, docs } = difyDocs({ backup: false });
    expect(dify.backup).toBeUndefined();
    expect(kinds(docs, 'CronJob')).toEqual([]);
    expect(kinds(docs, 'PersistentVolumeClaim')).not.toContain('dify-backup');
  });

  test('object storage for files and plugins: one set, both databases, no claim to follow', () => {
    const { dify, docs } = difyDocs({ storage: s3Files, pluginStorage: s3Plugins });
    expect(kinds(docs, 'CronJob')).toEqual(['dify-backup']);
    expect(script(docs, 'CronJob', 'dify-backup', 'backup')).toContain('for db in dify dify_plugin; do');
    expect(script(docs, 'CronJob', 'dify-backup', 'backup')).not.toContain('tar ');
    expect(find(docs, 'CronJob', 'dify-backup').spec.jobTemplate.spec.template.spec.affinity).toBeUndefined();
    expect(dify.backup!.sets).toHaveLength(1);
  });

  test('a managed database with a file storage claim: files only, no database flow', () => {
    const { docs } = difyDocs({ externalDatabase: externalDb, pluginStorage: s3Plugins });
    const s = script(docs, 'CronJob', 'dify-backup', 'backup');
    expect(s).not.toContain('pg_dump');
    expect(s).toContain('tar -czf "/backups/storage-${stamp}.tar.gz" -C /data/storage .');
    expect(find(docs, 'CronJob', 'dify-backup').spec.jobTemplate.spec.template.spec.containers[0].env).toBeUndefined();
    const ev = NetworkPolicyEvaluator.fromManifests(docs);
    const backup = podEndpointsFromManifests(docs).find((p) => p.labels['app.kubernetes.io/component'] === 'backup')!;
    expect(ev.allows(backup, { kind: 'ip', ip: '10.1.2.3' }, 5432)).toBe(false);
  });

  test('nothing embedded: no backup by default, and asking for one is an error', () => {
    const all = { externalDatabase: externalDb, storage: s3Files, pluginStorage: s3Plugins };
    expect(kinds(difyDocs(all).docs, 'CronJob')).toEqual([]);
    expect(() => difyDocs({ ...all, backup: {} })).toThrow(
      /^backup: got "enabled"; has nothing to back up: no embedded PostgreSQL, no file storage claim and no local plugin storage$/,
    );
  });

  test('every rendering validates (schemas, references)', () => {
    for (const docs of [
      withRestore(),
      withRestore({ backup: { target: BackupTarget.s3({ bucket: 'acme-backups', region: 'eu-west-1' }) } }),
      withRestore({ externalDatabase: externalDb }),
    ]) {
      expect(formatIssues(validateSchemas(docs, { defaultNamespace: 'dify' }))).toBe(formatIssues([]));
      expect(
        checkReferences(docs, {
          defaultNamespace: 'dify',
          runtimeSecrets: [{ name: 'dify-credentials', namespace: 'dify', keys: Object.values(CREDENTIAL_KEYS) }],
        }),
      ).toEqual([]);
    }
  });
});

describe('S3 target', () => {
  const target = BackupTarget.s3({
    bucket: 'acme-backups',
    region: 'eu-west-1',
    endpoint: 'https://minio.example.com',
    prefix: 'prod/dify',
    accessKeyId: SecretKeyRef.of('backup-s3', 'id'),
    secretAccessKey: SecretKeyRef.of('backup-s3', 'secret'),
  });
  const docs = withRestore({ backup: { target, serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/backups' } } });

  test('both sets upload to the bucket with the keys from the Secret; the ServiceAccount carries the identity', () => {
    for (const name of ['dify-backup', 'dify-backup-plugins']) {
      const upload = script(docs, 'CronJob', name, 'upload');
      expect(upload).toContain('aws s3 cp --endpoint-url https://minio.example.com --recursive /backups "s3://acme-backups/prod/dify/"');
      const env = find(docs, 'CronJob', name).spec.jobTemplate.spec.template.spec.containers[0].env;
      expect(env).toContainEqual({ name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'backup-s3', key: 'secret' } } });
    }
    expect(find(docs, 'ServiceAccount', 'dify-backup').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/backups' });
    expect(kinds(docs, 'PersistentVolumeClaim')).not.toContain('dify-backup');
  });

  test('restore fetches the newest complete set from the bucket, then restores it', () => {
    const fetch = script(docs, 'Job', 'dify-restore', 'fetch');
    expect(find(docs, 'Job', 'dify-restore').spec.template.spec.initContainers[0].env).toContainEqual({ name: 'RESTORE_AT', value: 'latest' });
    expect(fetch).toContain('aws s3 ls --endpoint-url https://minio.example.com "s3://acme-backups/prod/dify/" | awk \'{print $4}\' > /tmp/keys');
    expect(fetch).toContain('[ -n "$(cat /tmp/keys | grep -Fx "storage-${stamp}.tar.gz")" ] || continue');
    expect(fetch).toContain('aws s3 cp --endpoint-url https://minio.example.com "s3://acme-backups/prod/dify/dify-${pick}.dump" "/backups/dify-${pick}.dump"');
    expect(fetch).toContain(
      'aws s3 cp --endpoint-url https://minio.example.com "s3://acme-backups/prod/dify/storage-${pick}.tar.gz" "/backups/storage-${pick}.tar.gz"',
    );
    expect(script(docs, 'Job', 'dify-restore', 'restore')).toContain('pg_restore --no-owner --exit-on-error --single-transaction');
  });

  test('backup and restore pods reach the internet (S3) and the database, nothing else new', () => {
    const ev = NetworkPolicyEvaluator.fromManifests(docs);
    const pods = podEndpointsFromManifests(docs);
    const p = (c: string) => pods.find((x) => x.labels['app.kubernetes.io/component'] === c)!;
    const restorePod = pods.find((x) => (x as { name?: string }).name === 'Job/dify-restore');
    expect(restorePod).toBeDefined();
    for (const pod of [p('backup'), restorePod!]) {
      expect(ev.allows(pod, { kind: 'ip', ip: '52.95.1.1' }, 443)).toBe(true);
      // The endpoint's port at any address (MinIO may run in the cluster), and no other port.
      expect(ev.allows(pod, { kind: 'ip', ip: '10.0.0.5' }, 443)).toBe(true);
      expect(ev.allows(pod, { kind: 'ip', ip: '52.95.1.1' }, 80)).toBe(false);
      expect(ev.allows(pod, p('postgres'), 5432)).toBe(true);
      expect(ev.allows(pod, p('redis'), 6379)).toBe(false);
      expect(ev.allows(pod, p('api'), 5001)).toBe(false);
    }
  });
});

test('S3 at AWS (no endpoint): the internet on 443 only; an endpoint on its own port, at the networks externalServices gives it', () => {
  const aws = difyDocs({ backup: { target: BackupTarget.s3({ bucket: 'acme-backups', region: 'eu-west-1' }) } }).docs;
  const ev = NetworkPolicyEvaluator.fromManifests(aws);
  const backup = podEndpointsFromManifests(aws).find((x) => x.labels['app.kubernetes.io/component'] === 'backup')!;
  expect(ev.allows(backup, { kind: 'ip', ip: '52.95.1.1' }, 443)).toBe(true);
  expect(ev.allows(backup, { kind: 'ip', ip: '52.95.1.1' }, 80)).toBe(false);
  expect(ev.allows(backup, { kind: 'ip', ip: '10.0.0.5' }, 443)).toBe(false);
  const minio = difyDocs({
    networkPolicy: { externalServices: [{ cidr: '10.50.0.0/16', ports: [9000] }] },
    backup: { target: BackupTarget.s3({ bucket: 'backups', region: 'us-east-1', endpoint: 'http://minio.storage.example:9000' }) },
  }).docs;
  const evMinio = NetworkPolicyEvaluator.fromManifests(minio);
  const backupMinio = podEndpointsFromManifests(minio).find((x) => x.labels['app.kubernetes.io/component'] === 'backup')!;
  expect(evMinio.allows(backupMinio, { kind: 'ip', ip: '10.50.1.2' }, 9000)).toBe(true);
  expect(evMinio.allows(backupMinio, { kind: 'ip', ip: '10.60.1.2' }, 9000)).toBe(false);
  expect(evMinio.allows(backupMinio, { kind: 'ip', ip: '52.95.1.1' }, 443)).toBe(false);
});

describe('DifyRestore', () => {
  const docs = withRestore({}, '20261122T031700Z');
  const job = find(docs, 'Job', 'dify-restore');
  const pod = job.spec.template.spec;
  const backupPod = find(docs, 'CronJob', 'dify-backup').spec.jobTemplate.spec.template;

  test('one Job per set, running as backup pods (ServiceAccount, labels, so the backup NetworkPolicy)', () => {
    expect(kinds(docs, 'Job').filter((n) => n.includes('restore'))).toEqual(['dify-restore', 'dify-restore-plugins']);
    expect(job.metadata.labels['app.kubernetes.io/component']).toBe('restore');
    expect(job.spec.template.metadata.labels).toEqual(backupPod.metadata.labels);
    expect(pod.serviceAccountName).toBe('dify-backup');
    expect(pod.restartPolicy).toBe('Never');
    // Suspended: applying the manifests restores nothing until the Jobs are unsuspended.
    expect(job.spec).toMatchObject({ suspend: true, backoffLimit: 1, activeDeadlineSeconds: 10800 });
  });

  test('it runs while the workloads are scaled down: no affinity to them; the claims mounted writable, the backups read-only', () => {
    expect(pod.affinity).toBeUndefined();
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'backups', mountPath: '/backups', readOnly: true },
      { name: 'storage', mountPath: '/data/storage' },
    ]);
    expect(pod.securityContext).toMatchObject({ runAsUser: 1001, fsGroup: 1001 });
  });

  test('the newest complete set at or before `at`; databases dropped, recreated and restored in one transaction; claims emptied, then unpacked', () => {
    const s: string = pod.containers[0].command[2];
    expect(pod.containers[0].env).toContainEqual({ name: 'RESTORE_AT', value: '20261122T031700Z' });
    expect(s).toContain('at="$RESTORE_AT"');
    expect(s).toContain('if [ "$at" != latest ] && [ "$stamp" \\> "$at" ]; then continue; fi');
    const order = [
      'dropdb --if-exists --force "$db"',
      'createdb "$db"',
      'pg_restore',
      'find /data/storage -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +',
      'tar -xzf',
    ];
    const at = order.map((o) => s.indexOf(o));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(script(docs, 'Job', 'dify-restore-plugins', 'restore')).toContain('for db in dify_plugin; do');
    expect(find(withRestore(), 'Job', 'dify-restore').spec.template.spec.containers[0].env).toContainEqual({ name: 'RESTORE_AT', value: 'latest' });
  });

  test('bad input', () => {
    expect(() => withRestore({}, '2026-11-22')).toThrow(
      /^restore\.at: got "2026-11-22"; must be "latest" or a UTC stamp as in the backup file names, such as "20261122T031700Z"$/,
    );
    expect(() => withRestore({}, '20261399T000000Z')).toThrow(/^restore\.at: got "20261399T000000Z"; must be "latest" or a UTC stamp/);
    const chart = new Chart(Testing.app(), 'test');
    expect(() => new DifyRestore(chart, 'R', { backup: {} as DifyBackup })).toThrow(/^restore\.backup: got \{\}; must be a DifyBackup instance$/);
  });
});

describe('hand composition', () => {
  test('DifyPostgresBackup is the deprecated name of DifyBackup; a database alone still renders as before', () => {
    expect(DifyPostgresBackup).toBe(DifyBackup);
    const chart = new Chart(Testing.app(), 'test', { namespace: 'dify' });
    const b = new DifyPostgresBackup(chart, 'Backup', {
      instance: 'dify',
      image: 'postgres:15.14-alpine',
      database: { host: 'db', port: 5432, database: 'dify', pluginDatabase: 'dify_plugin', username: 'u', password: SecretKeyRef.of('s', 'k') } as any,
      target: BackupTarget.volume(),
    });
    expect(b.cronJob.name).toBe('dify-backup');
    expect(b.sets).toEqual([{ name: 'dify-backup', databases: ['dify', 'dify_plugin'], archives: [], affinity: undefined }]);
  });

  test('a file storage claim on its own', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'dify' });
    const files = new DifyFileStorage(chart, 'Files', { instance: 'x', storage: DifyStorage.persistentVolume() });
    const b = new DifyBackup(chart, 'Backup', {
      instance: 'x',
      image: 'postgres:15.14-alpine',
      fileStorage: files,
      target: BackupTarget.volume({ size: '5Gi' }),
    });
    expect(b.sets[0].archives).toEqual([{ name: 'storage', claimName: 'x-storage', exclude: [] }]);
    expect(b.volume!.claims.map((c) => c.name)).toEqual(['x-backup']);
    expect(() => new DifyBackup(chart, 'None', { instance: 'y', image: 'postgres:15.14-alpine', target: BackupTarget.volume() })).toThrow(
      /^backup: got "enabled"; has nothing to back up/,
    );
    expect(() => new DifyBackup(chart, 'Bad', { instance: 'z', image: 'postgres:15.14-alpine', fileStorage: files, target: 'volume' as any })).toThrow(
      /^backup\.target: got "<not a BackupTarget>"; must be a BackupTarget instance \(from BackupTarget\.s3\(\), BackupTarget\.volume\(\)\)$/,
    );
  });
});
