import { DIFY_CELERY_QUEUES } from '../lib';
import { ENVIRONMENTS, SHARED_STORAGE, difyDocs, find, parseDocs, synthFiles } from './util';

const POOLS = [
  {
    name: 'indexing',
    queues: ['dataset', 'dataset_summary', 'priority_dataset', 'pipeline', 'priority_pipeline'],
    queueDepthScaling: { minReplicas: 0, maxReplicas: 5 },
  },
  {
    name: 'rest',
    queues: DIFY_CELERY_QUEUES.filter((q) => !['dataset', 'dataset_summary', 'priority_dataset', 'pipeline', 'priority_pipeline'].includes(q)),
    options: { autoscaling: { minReplicas: 2, maxReplicas: 4 } },
  },
];

describe('worker pools', () => {
  const { docs } = difyDocs({ workerPools: POOLS, storage: SHARED_STORAGE });
  test('each pool is its own Deployment consuming exactly its queues, and no single worker remains', () => {
    expect(find(docs, 'ConfigMap', 'dify-worker-indexing-env').data.CELERY_QUEUES).toBe(POOLS[0].queues.join(','));
    expect(find(docs, 'ConfigMap', 'dify-worker-rest-env').data.CELERY_QUEUES.split(',').sort()).toEqual(POOLS[1].queues.sort());
    expect(docs.some((d) => d.metadata?.name === 'dify-worker')).toBe(false);
  });
  test('a KEDA pool gets a ScaledObject on the embedded broker (db 1) and no HPA; a CPU pool gets an HPA and no ScaledObject', () => {
    const so = find(docs, 'ScaledObject', 'dify-worker-indexing');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'dify-worker-indexing' });
    expect(so.spec.triggers.map((t: any) => t.metadata.listName)).toEqual(POOLS[0].queues);
    expect(so.spec.triggers[0].metadata).toMatchObject({ address: 'dify-redis.dify.svc:6379', databaseIndex: '1' });
    expect(find(docs, 'TriggerAuthentication', 'dify-worker-indexing-keda-redis').spec.secretTargetRef).toEqual([
      { parameter: 'password', name: 'dify-credentials', key: 'redis-password' },
    ]);
    expect(docs.filter((d) => d.kind === 'HorizontalPodAutoscaler').map((d) => d.metadata.name)).toEqual(['dify-worker-rest']);
    expect('replicas' in find(docs, 'Deployment', 'dify-worker-indexing').spec).toBe(false);
    expect(docs.some((d) => d.kind === 'ScaledObject' && d.metadata.name === 'dify-worker-rest')).toBe(false);
  });
  test("KEDA's operator may read the embedded Redis; every pool reaches the stores", () => {
    const redis = find(docs, 'NetworkPolicy', 'dify-redis');
    expect(JSON.stringify(redis.spec.ingress)).toContain('keda-operator');
    for (const p of ['worker-indexing', 'worker-rest'])
      expect(JSON.stringify(find(docs, 'NetworkPolicy', `dify-${p}`).spec.egress)).toContain('"app.kubernetes.io/component":"postgres"');
  });
  test.each([
    [
      'a queue left out',
      [{ name: 'a', queues: ['dataset'] }],
      /^workerPools: got \["a"\]; must consume every queue of the image exactly once; no pool consumes "api_token"/,
    ],
    ['a queue twice', [...POOLS, { name: 'dup', queues: ['mail'] }], /mail/],
    [
      'KEDA and a CPU HPA on one pool',
      [{ ...POOLS[0], options: { autoscaling: { minReplicas: 1, maxReplicas: 2 } } }, POOLS[1]],
      /^workerPools\[0\]\.options\.autoscaling: got "set"; conflicts with queue-depth autoscaling/,
    ],
    ['the single worker configured too', POOLS, /^components\.worker: got .*conflicts with workerPools/],
  ])('%s is a synth-time error', (what, pools, message) => {
    const extra = what.startsWith('the single') ? { components: { worker: { replicas: 2 } } } : {};
    expect(() => difyDocs({ workerPools: pools as any, storage: SHARED_STORAGE, ...extra })).toThrow(message);
  });
});

describe('prod runs worker pools that cover every queue once, each scaled by KEDA', () => {
  const docs = parseDocs(synthFiles(ENVIRONMENTS.find((e) => e.name === 'prod')!));
  test('at least two pools, queues covered exactly once, a ScaledObject each and no HPA fighting it', () => {
    const pools = docs.filter((d) => d.kind === 'Deployment' && /^dify-worker-/.test(d.metadata.name));
    expect(pools.length).toBeGreaterThanOrEqual(2);
    const queues = pools.flatMap((p) => find(docs, 'ConfigMap', `${p.metadata.name}-env`).data.CELERY_QUEUES.split(','));
    expect([...queues].sort()).toEqual([...DIFY_CELERY_QUEUES].sort());
    const hpas = new Set(docs.filter((d) => d.kind === 'HorizontalPodAutoscaler').map((d) => d.spec.scaleTargetRef.name));
    for (const p of pools) {
      expect(find(docs, 'ScaledObject', p.metadata.name).spec.triggers.length).toBeGreaterThan(0);
      expect(hpas.has(p.metadata.name)).toBe(false);
    }
  });
});
