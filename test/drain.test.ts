import { DifyStorage } from '../lib';
import { difyDocs, find, parseDocs, podSpecs, synthFiles, ENVIRONMENTS } from './util';

const rwx = DifyStorage.persistentVolume({ size: '20Gi', storageClassName: 'standard-rwx', accessMode: 'ReadWriteMany' });

describe('file storage on ReadWriteMany', () => {
  test('a claim of its own name and mode; api, worker and websocket mount it with no co-location, several pods each', () => {
    const { docs } = difyDocs({ storage: rwx, components: { api: { replicas: 3 }, worker: { replicas: 2 }, apiWebsocket: { replicas: 2 } } });
    expect(find(docs, 'PersistentVolumeClaim', 'dify-storage-rwx').spec).toEqual({
      accessModes: ['ReadWriteMany'],
      storageClassName: 'standard-rwx',
      resources: { requests: { storage: '20Gi' } },
    });
    expect(docs.some((d) => d.kind === 'PersistentVolumeClaim' && d.metadata.name === 'dify-storage')).toBe(false);
    for (const name of ['dify-api', 'dify-worker', 'dify-api-websocket']) {
      const pod = find(docs, 'Deployment', name).spec.template;
      expect(pod.spec.volumes).toContainEqual({ name: 'storage', persistentVolumeClaim: { claimName: 'dify-storage-rwx' } });
      expect(pod.spec.affinity?.podAffinity).toBeUndefined();
      expect(pod.metadata.labels['dify.langgenius.ai/storage-claim']).toBeUndefined();
    }
  });

  test('ReadWriteOnce (default) keeps the claim name and pins its pods to one node', () => {
    const { docs } = difyDocs();
    expect(find(docs, 'PersistentVolumeClaim', 'dify-storage').spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(find(docs, 'Deployment', 'dify-api').spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });

  test('an unknown access mode names the prop', () => {
    expect(() => DifyStorage.persistentVolume({ accessMode: 'ReadWriteOncePod' as never })).toThrow(
      'storage.accessMode: got "ReadWriteOncePod"; must be "ReadWriteOnce" or "ReadWriteMany"',
    );
  });
});

describe('availability plans that cannot drain', () => {
  const required = {
    podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { a: 'b' } }, topologyKey: 'kubernetes.io/hostname' }] },
  };

  test('a required pod affinity with several replicas and a PDB is refused, naming the prop', () => {
    expect(() => difyDocs({ components: { web: { replicas: 2, affinity: required } } })).toThrow(
      /components\.web\.affinity: got "podAffinity\.requiredDuringSchedulingIgnoredDuringExecution"; with more than one replica and a PodDisruptionBudget cannot drain.*preferredDuringSchedulingIgnoredDuringExecution/,
    );
    expect(() => difyDocs({ components: { web: { autoscaling: { minReplicas: 2, maxReplicas: 4 }, affinity: required } } })).toThrow('components.web.affinity');
  });

  test('one replica, or a preferred affinity, drains', () => {
    expect(() => difyDocs({ components: { web: { replicas: 1, affinity: required } } })).not.toThrow();
    const preferred = {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 1, podAffinityTerm: required.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] },
        ],
      },
    };
    expect(() => difyDocs({ components: { web: { replicas: 2, affinity: preferred } } })).not.toThrow();
  });
});

test('staging drains: its files are on ReadWriteMany and no multi-replica pod carries a required pod affinity', () => {
  const docs = parseDocs(synthFiles(ENVIRONMENTS.find((e) => e.name === 'staging')!));
  expect(find(docs, 'PersistentVolumeClaim', 'dify-storage-rwx').spec.accessModes).toEqual(['ReadWriteMany']);
  const replicas = (d: Record<string, any>) => d.spec.replicas ?? 2;
  const pinned = podSpecs(docs).filter(({ id, spec }) => {
    const d = docs.find((x) => `${x.kind}/${x.metadata.name}` === id)!;
    return d.kind === 'Deployment' && replicas(d) > 1 && spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  });
  expect(pinned).toEqual([]);
  const mounting = podSpecs(docs).filter(({ spec }) => (spec.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === 'dify-storage-rwx'));
  expect(mounting.map((p) => p.id)).toEqual(expect.arrayContaining(['Deployment/dify-api', 'Deployment/dify-worker', 'Deployment/dify-api-websocket']));
});
