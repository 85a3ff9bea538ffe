import fc from 'fast-check';
import { DifyProps, DifyStorage, SecretKeyRef } from '../lib';
import { DIFY_CELERY_QUEUES } from '../lib/autoscaling/celery-queues';
import { SHARED_STORAGE, difyDocs, find } from './util';

const FIX =
  "Run one pod, or use DifyStorage.persistentVolume({ accessMode: 'ReadWriteMany' }) with a ReadWriteMany storage class, or object storage (DifyStorage.s3(...))";
const refusal = (prop: string, value: number, component: string, claim = 'dify-storage') =>
  `${prop}: got ${value}; ${component} mounts the ReadWriteOnce file-storage claim ${claim}, which attaches to one node: more than one pod cannot drain or spread. ${FIX}`;

describe('more than one pod of a workload on the ReadWriteOnce file-storage claim is a synth error', () => {
  test.each<[string, Partial<DifyProps>, string]>([
    ['api replicas', { components: { api: { replicas: 2 } } }, refusal('components.api.replicas', 2, 'api')],
    [
      'worker HPA',
      { components: { worker: { autoscaling: { minReplicas: 1, maxReplicas: 4 } } } },
      refusal('components.worker.autoscaling.maxReplicas', 4, 'worker'),
    ],
    [
      'websocket replicas',
      { agent: { redisUrl: SecretKeyRef.of('redis', 'agent') }, components: { apiWebsocket: { replicas: 3 } } },
      refusal('components.apiWebsocket.replicas', 3, 'api-websocket'),
    ],
    [
      'a KEDA worker pool',
      { workerPools: [{ name: 'all', queues: [...DIFY_CELERY_QUEUES], queueDepthScaling: { minReplicas: 0, maxReplicas: 5 } }] },
      refusal('workerPools[0].queueDepthScaling.maxReplicas', 5, 'worker-all'),
    ],
    ['a hard spread over two api pods', { components: { api: { replicas: 2, topologySpread: 'hard' } } }, refusal('components.api.replicas', 2, 'api')],
    [
      'an explicit ReadWriteOnce claim',
      { storage: DifyStorage.persistentVolume({ accessMode: 'ReadWriteOnce' }), components: { worker: { replicas: 2 } } },
      refusal('components.worker.replicas', 2, 'worker'),
    ],
  ])('%s', (_what, props, message) => {
    expect(() => difyDocs(props)).toThrow(message);
  });

  test('one pod per workload on the claim is fine, a hard spread included; ReadWriteMany scales', () => {
    const { docs } = difyDocs({ components: { api: { replicas: 1, topologySpread: 'hard' } } });
    expect(find(docs, 'Deployment', 'dify-api').spec.replicas).toBe(1);
    expect(find(docs, 'Deployment', 'dify-api').spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    const rwx = difyDocs({ storage: SHARED_STORAGE, components: { api: { replicas: 3, topologySpread: 'hard' } } }).docs;
    expect(find(rwx, 'Deployment', 'dify-api').spec.replicas).toBe(3);
    expect(find(rwx, 'Deployment', 'dify-api').spec.template.spec.affinity?.podAffinity).toBeUndefined();
    // web mounts no storage: it scales on any claim.
    expect(find(difyDocs({ components: { web: { replicas: 3 } } }).docs, 'Deployment', 'dify-web').spec.replicas).toBe(3);
  });
});

describe('property: pods on the file-storage claim', () => {
  const mounts = { api: 'api', worker: 'worker', web: undefined } as const;
  const scaling = fc.oneof(
    fc.integer({ min: 1, max: 4 }).map((n) => ({ pods: n, options: { replicas: n }, prop: 'replicas', value: n })),
    fc
      .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 }))
      .map(([min, extra]) => ({
        pods: min + extra,
        options: { autoscaling: { minReplicas: min, maxReplicas: min + extra } },
        prop: 'autoscaling.maxReplicas',
        value: min + extra,
      })),
  );
  test('replicas or an HPA × access mode: refused exactly when a mounting workload may run more than one pod on ReadWriteOnce', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('api', 'worker', 'web' as const),
        scaling,
        fc.constantFrom('ReadWriteOnce', 'ReadWriteMany' as const),
        (role, s, accessMode) => {
          const build = () =>
            difyDocs({
              storage: DifyStorage.persistentVolume({ accessMode, storageClassName: accessMode === 'ReadWriteMany' ? 'standard-rwx' : undefined }),
              components: { [role]: s.options },
            });
          const component = mounts[role as keyof typeof mounts];
          if (component && accessMode === 'ReadWriteOnce' && s.pods > 1) expect(build).toThrow(refusal(`components.${role}.${s.prop}`, s.value, component));
          else expect(build).not.toThrow();
        },
      ),
      { numRuns: 40, seed: 20261206 },
    );
  });

  test('KEDA pools × access mode: refused exactly when a pool may scale past one pod on ReadWriteOnce', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom('ReadWriteOnce', 'ReadWriteMany' as const),
        (min, extra, accessMode) => {
          const max = Math.max(1, min + extra);
          const build = () =>
            difyDocs({
              storage: DifyStorage.persistentVolume({ accessMode }),
              workerPools: [{ name: 'all', queues: [...DIFY_CELERY_QUEUES], queueDepthScaling: { minReplicas: min, maxReplicas: max } }],
            });
          if (accessMode === 'ReadWriteOnce' && max > 1) expect(build).toThrow(refusal('workerPools[0].queueDepthScaling.maxReplicas', max, 'worker-all'));
          else expect(build).not.toThrow();
        },
      ),
      { numRuns: 30, seed: 20261206 },
    );
  });
});
