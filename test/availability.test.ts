import { SHARED_STORAGE, difyDocs, find } from './util';

const HA = {
  api: {
    autoscaling: { minReplicas: 3, maxReplicas: 10 },
    priorityClassName: 'dify-high',
    serviceType: 'LoadBalancer' as const,
    serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' },
  },
  web: { replicas: 3, nodeSelector: { pool: 'web' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'dify', effect: 'NoSchedule' }] },
  worker: { autoscaling: { minReplicas: 2, maxReplicas: 6, targetMemoryUtilization: 80 }, disruptionBudget: { minAvailable: 1 } },
  sandbox: { replicas: 2, topologySpread: 'hard' as const },
};
const { docs } = difyDocs({ components: HA, storage: SHARED_STORAGE });

describe('high availability', () => {
  test('an HPA owns api: autoscaling/v2, CPU target, and the Deployment sets no replicas', () => {
    const hpa = find(docs, 'HorizontalPodAutoscaler', 'dify-api');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'dify-api' }, minReplicas: 3, maxReplicas: 10 });
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    expect('replicas' in find(docs, 'Deployment', 'dify-api').spec).toBe(false);
  });
  test('no HPA-owned Deployment sets replicas, and every Deployment without one does', () => {
    const owned = new Set(docs.filter((d) => d.kind === 'HorizontalPodAutoscaler').map((d) => d.spec.scaleTargetRef.name));
    expect([...owned].sort()).toEqual(['dify-api', 'dify-worker']);
    for (const d of docs.filter((x) => x.kind === 'Deployment'))
      expect({ name: d.metadata.name, has: 'replicas' in d.spec }).toEqual({ name: d.metadata.name, has: !owned.has(d.metadata.name) });
  });
  test('every multi-replica workload and every store has a PDB selecting its pods', () => {
    const pdbs = Object.fromEntries(docs.filter((d) => d.kind === 'PodDisruptionBudget').map((d) => [d.metadata.name, d.spec]));
    expect(Object.keys(pdbs).sort()).toEqual([
      'dify-api',
      'dify-plugin-daemon',
      'dify-postgres',
      'dify-redis',
      'dify-sandbox',
      'dify-weaviate',
      'dify-web',
      'dify-worker',
    ]);
    expect(pdbs['dify-worker'].minAvailable).toBe(1);
    expect(pdbs['dify-api'].maxUnavailable).toBe(1);
    expect(pdbs['dify-api'].selector.matchLabels).toEqual(find(docs, 'Deployment', 'dify-api').spec.selector.matchLabels);
  });
  test('multi-replica pods spread across nodes and zones, soft by default, hard on request', () => {
    const web = find(docs, 'Deployment', 'dify-web').spec.template.spec.topologySpreadConstraints;
    expect(web.map((t: any) => [t.topologyKey, t.whenUnsatisfiable])).toEqual([
      ['kubernetes.io/hostname', 'ScheduleAnyway'],
      ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
    ]);
    expect(web[0].matchLabelKeys).toEqual(['pod-template-hash']);
    const sandbox = find(docs, 'Deployment', 'dify-sandbox').spec.template.spec.topologySpreadConstraints;
    expect(sandbox.every((t: any) => t.whenUnsatisfiable === 'DoNotSchedule')).toBe(true);
    expect(find(docs, 'Deployment', 'dify-beat').spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });
  test('scheduling and Service options land on the right fields', () => {
    const api = find(docs, 'Deployment', 'dify-api');
    expect(api.spec.template.spec.priorityClassName).toBe('dify-high');
    const web = find(docs, 'Deployment', 'dify-web').spec.template.spec;
    expect(web.nodeSelector).toEqual({ pool: 'web' });
    expect(web.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'dify', effect: 'NoSchedule' }]);
    const svc = find(docs, 'Service', 'dify-api');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' });
  });
  test('beat stays exactly one replica with Recreate', () => {
    const beat = find(docs, 'Deployment', 'dify-beat');
    expect(beat.spec.replicas).toBe(1);
    expect(beat.spec.strategy.type).toBe('Recreate');
  });
  test('rollouts: zero unavailable, one surge, minReadySeconds and a progress deadline', () => {
    // beat and the local sandbox are singletons replaced with Recreate.
    for (const d of docs.filter((x) => x.kind === 'Deployment' && !['dify-beat', 'dify-local-sandbox'].includes(x.metadata.name))) {
      expect(d.spec).toMatchObject({
        strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        minReadySeconds: 10,
        progressDeadlineSeconds: 900,
        revisionHistoryLimit: 5,
      });
      expect(d.spec.template.spec.containers[0].startupProbe).toBeDefined();
    }
  });
  test('Argo CD applies policies and credentials, then stores, then the migration Job, then the app', () => {
    const wave = (kind: string, name: string) => find(docs, kind, name).metadata.annotations?.['argocd.argoproj.io/sync-wave'];
    expect(wave('NetworkPolicy', 'dify-default-deny')).toBe('-3');
    expect(wave('Role', 'dify-secret-generator')).toBe('-3');
    expect(wave('StatefulSet', 'dify-postgres')).toBe('-2');
    const job = docs.find((d) => d.kind === 'Job' && d.metadata.name.startsWith('dify-migrate-'))!;
    expect(job.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    expect(wave('Deployment', 'dify-api')).toBeUndefined();
    const order = docs.map((d) => `${d.kind}/${d.metadata.name}`);
    expect(order.indexOf(`Job/${job.metadata.name}`)).toBeLessThan(order.indexOf('Deployment/dify-api'));
  });
});

describe('availability bad input', () => {
  const cases: Array<[string, any, RegExp]> = [
    [
      'HPA min above max',
      { api: { autoscaling: { minReplicas: 5, maxReplicas: 2 } } },
      /^components\.api\.autoscaling\.minReplicas: got 5; must not exceed autoscaling\.maxReplicas \(2\)/,
    ],
    [
      'replicas with an HPA',
      { web: { replicas: 3, autoscaling: { minReplicas: 2, maxReplicas: 4 } } },
      /^components\.web\.replicas: got 3; must be omitted when autoscaling is set/,
    ],
    [
      'PDB minAvailable not below replicas',
      { web: { replicas: 2, disruptionBudget: { minAvailable: 2 } } },
      /^components\.web\.disruptionBudget\.minAvailable: got 2; must be below the replica count \(2\)/,
    ],
    [
      'PDB minAvailable not below HPA min',
      { api: { autoscaling: { minReplicas: 2, maxReplicas: 4 }, disruptionBudget: { minAvailable: 3 } } },
      /^components\.api\.disruptionBudget\.minAvailable: got 3; must be below the HPA minReplicas \(2\)/,
    ],
    [
      'PDB with both fields',
      { web: { replicas: 2, disruptionBudget: { minAvailable: 1, maxUnavailable: 1 } } },
      /^components\.web\.disruptionBudget: got \{"minAvailable":1,"maxUnavailable":1\}; must set exactly one/,
    ],
    ['two beats', { beat: { replicas: 2 } }, /^components\.beat\.replicas: got 2; beat must run exactly one replica/],
    [
      'autoscaled postgres',
      { postgres: { autoscaling: { minReplicas: 1, maxReplicas: 3 } } },
      /^components\.postgres\.replicas: got "autoscaling"; postgres must run exactly one replica/,
    ],
    [
      'CPU target above 100',
      { api: { autoscaling: { minReplicas: 1, maxReplicas: 3, targetCpuUtilization: 150 } } },
      /^components\.api\.autoscaling\.targetCpuUtilization: got 150; must be an integer from 1 to 100/,
    ],
    ['unknown spread', { web: { replicas: 2, topologySpread: 'zonal' } }, /^components\.web\.topologySpread: got "zonal"; must be "soft", "hard" or "none"$/],
    [
      'bad priority class',
      { api: { priorityClassName: 'High Priority' } },
      /^components\.api\.priorityClassName: got "High Priority"; must be a DNS-1123 subdomain/,
    ],
    ['Service on a worker', { worker: { serviceType: 'LoadBalancer' } }, /^components\.worker\.serviceType: got "LoadBalancer"; worker has no Service/],
    [
      'unknown Service type',
      { web: { serviceType: 'External' } },
      /^components\.web\.serviceType: got "External"; must be "ClusterIP", "NodePort" or "LoadBalancer"$/,
    ],
    [
      'pod label overriding the selector',
      { web: { podLabels: { 'app.kubernetes.io/component': 'x' } } },
      /^components\.web\.podLabels\.app\.kubernetes\.io\/component: got "x"; must not override a selector label/,
    ],
    ['negative minReadySeconds', { web: { minReadySeconds: -5 } }, /^components\.web\.minReadySeconds: got -5; must be an integer from 0 to 3600/],
  ];
  test.each(cases)('%s', (_what, components, message) => {
    expect(() => difyDocs({ components, storage: SHARED_STORAGE })).toThrow(message);
  });
});
