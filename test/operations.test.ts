import { BackupTarget, CREDENTIAL_KEYS, SecretKeyRef } from '../lib';
import { NetworkPolicyEvaluator, PodEndpoint, podEndpointsFromManifests } from './support/netpol';
import { checkPodSecurity, podSpecsFromManifests } from './support/pss';
import { checkReferences } from './support/references';
import { formatIssues, validateSchemas } from './support/schema';
import { difyDocs, find } from './util';

const PROMETHEUS = { namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' }, podLabels: { 'app.kubernetes.io/name': 'prometheus' } };
const full = difyDocs({
  monitoring: { prometheus: PROMETHEUS, serviceMonitorLabels: { release: 'kube-prometheus-stack' } },
  backup: { target: BackupTarget.volume({ size: '50Gi' }), retentionDays: 7 },
  settings: { otel: { endpoint: 'http://otel-collector.observability:4318', samplingRate: 0.25, apiKey: SecretKeyRef.of('otel', 'api-key') } },
}).docs;
const s3 = difyDocs({ backup: { target: BackupTarget.s3({ bucket: 'acme-dify-backups', region: 'eu-west-1' }) } }).docs;

describe('everything enabled still validates', () => {
  test.each([
    ['volume backups + monitoring', full],
    ['S3 backups', s3],
  ])('%s: schemas, references and Pod Security', (_what, docs) => {
    expect(formatIssues(validateSchemas(docs, { defaultNamespace: 'dify' }))).toBe(formatIssues([]));
    const runtimeSecrets = [
      { name: 'dify-credentials', namespace: 'dify', keys: Object.values(CREDENTIAL_KEYS) },
      { name: 'otel', namespace: 'dify', keys: ['api-key'] },
    ];
    expect(checkReferences(docs, { defaultNamespace: 'dify', runtimeSecrets })).toEqual([]);
    for (const { doc, spec, metadata } of podSpecsFromManifests(docs)) {
      if (doc === 'Deployment/dify-sandbox') continue;
      expect({ doc, v: checkPodSecurity(spec, 'restricted', metadata) }).toEqual({ doc, v: [] });
    }
  });
});

describe('observability', () => {
  test('OpenTelemetry settings reach api and worker, the key by Secret', () => {
    const cm = find(full, 'ConfigMap', 'dify-api-env').data;
    expect(cm).toMatchObject({
      ENABLE_OTEL: 'true',
      OTLP_BASE_ENDPOINT: 'http://otel-collector.observability:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http',
      OTEL_SAMPLING_RATE: '0.25',
    });
    const env = find(full, 'Deployment', 'dify-worker').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'OTLP_API_KEY').valueFrom.secretKeyRef).toEqual({ name: 'otel', key: 'api-key' });
  });
  test('exporter sidecars authenticate by Secret and the Services expose a metrics port', () => {
    const pg = find(full, 'StatefulSet', 'dify-postgres').spec.template.spec.containers[1];
    expect(pg.image).toBe('quay.io/prometheuscommunity/postgres-exporter:v0.15.0');
    expect(pg.env.find((e: any) => e.name === 'DATA_SOURCE_PASS').valueFrom.secretKeyRef).toEqual({ name: 'dify-credentials', key: 'postgres-password' });
    const redis = find(full, 'StatefulSet', 'dify-redis').spec.template.spec.containers[1];
    expect(redis.env.find((e: any) => e.name === 'REDIS_PASSWORD').valueFrom.secretKeyRef.key).toBe('redis-password');
    for (const [svc, port] of [
      ['dify-postgres', 9187],
      ['dify-redis', 9121],
      ['dify-weaviate', 2112],
    ] as const) {
      expect(find(full, 'Service', svc).spec.ports).toContainEqual({ name: 'metrics', port, targetPort: 'metrics', protocol: 'TCP' });
    }
    expect(find(full, 'ConfigMap', 'dify-weaviate-env').data.PROMETHEUS_MONITORING_ENABLED).toBe('true');
  });
  test('ServiceMonitors select each store and carry the Prometheus selection labels', () => {
    const sms = full.filter((d) => d.kind === 'ServiceMonitor');
    expect(sms.map((d) => d.metadata.name).sort()).toEqual(['dify-postgres', 'dify-redis', 'dify-weaviate']);
    for (const sm of sms) {
      expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(sm.metadata.labels.release).toBe('kube-prometheus-stack');
      expect(sm.spec.endpoints).toEqual([{ port: 'metrics', interval: '30s', path: '/metrics' }]);
    }
  });
  test('Prometheus may scrape exactly the metrics ports', () => {
    const ev = NetworkPolicyEvaluator.fromManifests(full, [{ name: 'monitoring', labels: {} }]);
    const pods = podEndpointsFromManifests(full);
    const pod = (c: string) => pods.find((p) => p.labels['app.kubernetes.io/component'] === c)!;
    const prom: PodEndpoint = { kind: 'pod', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
    expect(ev.allows(prom, pod('postgres'), 9187)).toBe(true);
    expect(ev.allows(prom, pod('postgres'), 5432)).toBe(false);
    expect(ev.allows(prom, pod('redis'), 9121)).toBe(true);
    expect(ev.allows(prom, pod('weaviate'), 2112)).toBe(true);
    expect(ev.allows(prom, pod('api'), 5001)).toBe(false);
  });
});

describe('backups', () => {
  const cron = find(full, 'CronJob', 'dify-backup');
  const pod = cron.spec.jobTemplate.spec.template.spec;
  const plugins = find(full, 'CronJob', 'dify-backup-plugins');
  const pluginPod = plugins.spec.jobTemplate.spec.template.spec;
  test('one set: the dify dump, then the file storage claim (privkeys included), to a claim of its own, with retention', () => {
    expect(cron.spec).toMatchObject({ schedule: '17 3 * * *', concurrencyPolicy: 'Forbid' });
    expect(cron.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(10800);
    const script: string = pod.containers[0].command[2];
    expect(script).toContain('for db in dify; do');
    expect(script).toContain('pg_dump --format=custom');
    // Databases first, then files: every tenant of the dump finds its private key in the archive.
    expect(script.indexOf('pg_dump')).toBeLessThan(script.indexOf('tar -czf "/backups/storage-${stamp}.tar.gz" -C /data/storage .'));
    expect(script).toContain("\\( -name '*.dump' -o -name '*.tar.gz' \\) -mtime +7 -print -delete");
    expect(pod.containers[0].env.find((e: any) => e.name === 'PGPASSWORD').valueFrom.secretKeyRef.key).toBe('postgres-password');
    expect(pod.volumes).toContainEqual({ name: 'storage', persistentVolumeClaim: { claimName: 'dify-storage' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'storage', mountPath: '/data/storage', readOnly: true });
    expect(find(full, 'PersistentVolumeClaim', 'dify-backup').spec.resources.requests.storage).toBe('50Gi');
  });
  test("a second set: dify_plugin, then the plugin daemon's claim (minus the uv cache), to its own claim", () => {
    const script: string = pluginPod.containers[0].command[2];
    expect(script).toContain('for db in dify_plugin; do');
    expect(script).toContain('tar -czf "/backups/plugin-storage-${stamp}.tar.gz" --exclude=./.uv-cache -C /data/plugin-storage .');
    expect(pluginPod.volumes).toContainEqual({ name: 'plugin-storage', persistentVolumeClaim: { claimName: 'storage-dify-plugin-daemon-0' } });
    expect(pluginPod.volumes).toContainEqual({ name: 'backups', persistentVolumeClaim: { claimName: 'dify-backup-plugins' } });
    expect(find(full, 'PersistentVolumeClaim', 'dify-backup-plugins').spec.resources.requests.storage).toBe('50Gi');
  });
  test('each backup pod follows the pods mounting its ReadWriteOnce claim, as their own affinity does, and runs as their user', () => {
    const api = find(full, 'Deployment', 'dify-api').spec.template.spec;
    expect(pod.affinity.podAffinity).toEqual(api.affinity.podAffinity);
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    const daemon = find(full, 'StatefulSet', 'dify-plugin-daemon').spec.template;
    expect(pluginPod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { labelSelector: { matchLabels: find(full, 'StatefulSet', 'dify-plugin-daemon').spec.selector.matchLabels }, topologyKey: 'kubernetes.io/hostname' },
    ]);
    for (const p of [pod, pluginPod]) {
      expect(p.securityContext).toMatchObject({ runAsUser: 1001, fsGroup: 1001 });
    }
    expect(daemon.spec.securityContext.fsGroup).toBe(1001);
    expect(api.securityContext.fsGroup).toBe(1001);
    expect(cron.spec.jobTemplate.spec.template.metadata.labels['dify.langgenius.ai/storage-claim']).toBeUndefined();
  });
  test('S3 target: dump and archive in an init container, upload and prune with the AWS CLI', () => {
    const spec = find(s3, 'CronJob', 'dify-backup').spec.jobTemplate.spec.template.spec;
    expect(spec.initContainers[0].name).toBe('backup');
    expect(spec.initContainers[0].command[2]).toContain('tar -czf "/backups/storage-${stamp}.tar.gz"');
    expect(spec.containers[0].image).toBe('amazon/aws-cli:2.17.0');
    expect(spec.containers[0].command[2]).toContain('aws s3 cp --recursive /backups "s3://acme-dify-backups/dify-backups/"');
    expect(spec.containers[0].command[2]).toContain('date -u -d "-14 days"');
    expect(spec.containers[0].command[2]).toContain('\\.\\(dump\\|tar\\.gz\\)$');
    expect(s3.filter((d) => d.kind === 'PersistentVolumeClaim').map((d) => d.metadata.name)).not.toContain('dify-backup');
    expect(find(s3, 'CronJob', 'dify-backup-plugins').spec.jobTemplate.spec.template.spec.containers[0].name).toBe('upload');
  });
  test('only the backup reaches postgres among new flows; S3 backups may reach the internet', () => {
    const ev = NetworkPolicyEvaluator.fromManifests(s3);
    const pods = podEndpointsFromManifests(s3);
    const p = (c: string) => pods.find((x) => x.labels['app.kubernetes.io/component'] === c)!;
    expect(ev.allows(p('backup'), p('postgres'), 5432)).toBe(true);
    expect(ev.allows(p('backup'), { kind: 'ip', ip: '52.95.1.1' }, 443)).toBe(true);
    expect(ev.allows(p('backup'), p('redis'), 6379)).toBe(false);
    const evVolume = NetworkPolicyEvaluator.fromManifests(full);
    const vpods = podEndpointsFromManifests(full);
    expect(evVolume.allows(vpods.find((x) => x.labels['app.kubernetes.io/component'] === 'backup')!, { kind: 'ip', ip: '52.95.1.1' }, 443)).toBe(false);
  });
  test('bad input', () => {
    expect(() => difyDocs({ backup: { target: BackupTarget.volume(), schedule: 'daily' } })).toThrow(
      /^backup\.schedule: got "daily"; must be a 5-field cron schedule such as "17 3 \* \* \*" .* or a macro such as "@daily", not 1 field$/,
    );
    expect(() => difyDocs({ backup: { target: BackupTarget.volume(), retentionDays: 0 } })).toThrow(
      /^backup\.retentionDays: got 0; must be an integer from 1 to 3650/,
    );
    expect(() => BackupTarget.s3({ bucket: 'B', region: 'x' })).toThrow(/^backup\.s3\.bucket: got "B"; must be an S3 bucket name/);
    expect(() => difyDocs({ settings: { otel: { endpoint: 'collector:4318' } } })).toThrow(
      /^settings\.otel\.endpoint: got "collector:4318"; must be an absolute http/,
    );
    expect(() => difyDocs({ settings: { otel: { endpoint: 'http://c:4318', samplingRate: 2 } } })).toThrow(
      /^settings\.otel\.samplingRate: got 2; must be a ratio from 0 to 1/,
    );
  });
});
