import { k8s } from '../core/k8s';
import { DifyBackendConfig } from '../config/backend';
import { LABEL_INSTANCE } from '../core/labels';
import { SecurityProfile, nonRootProfile } from '../core/security';
import { DifyWorkloadProps, emptyDir } from '../core/workload';

/** UID/GID the dify-api image runs as. */
export const DIFY_API_UID = 1001;

/** Label that marks pods mounting the shared RWO storage claim; they are co-scheduled on one node. */
export const STORAGE_AFFINITY_LABEL = 'dify.langgenius.ai/storage-claim';

/** Restricted profile of the api image; `readOnlyRootFilesystem` where the role allows it. */
export function apiImageProfile(readOnlyRootFilesystem: boolean): SecurityProfile {
  return nonRootProfile(DIFY_API_UID, { readOnlyRootFilesystem, fsGroup: DIFY_API_UID });
}

/** The pod fields every long-running api-image role shares. */
export type BackendPodProps = Pick<
  DifyWorkloadProps,
  'security' | 'volumes' | 'volumeMounts' | 'initContainers' | 'affinity' | 'podLabels' | 'readWriteOnceClaim'
>;

/**
 * The pod of a long-running api-image role: restricted with a read-only root,
 * /tmp, the migration gate, and the storage claim (with its co-location
 * affinity, and one pod per workload on a ReadWriteOnce claim) when file storage is a volume.
 */
export function backendPod(instance: string, config: DifyBackendConfig): BackendPodProps {
  const volumes: k8s.Volume[] = [emptyDir('tmp', '1Gi')];
  const mounts: k8s.VolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }];
  const base = { security: apiImageProfile(true), volumes, volumeMounts: mounts, initContainers: [migrationGate()] };
  const claimName = config.storageClaimName;
  if (!claimName) return base;
  volumes.push({ name: 'storage', persistentVolumeClaim: { claimName } });
  mounts.push({ name: 'storage', mountPath: '/app/api/storage' });
  if (!config.storageReadWriteOnce) return base;
  // Every pod mounting the ReadWriteOnce claim stays on the node where the first one runs.
  const affinity: k8s.Affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [storageAffinityTerm(instance, claimName)] } };
  return { ...base, affinity, podLabels: { [STORAGE_AFFINITY_LABEL]: claimName }, readWriteOnceClaim: claimName };
}

/** The required pod-affinity term that keeps a pod on the node of the pods mounting the ReadWriteOnce storage claim. */
export function storageAffinityTerm(instance: string, claimName: string): k8s.PodAffinityTerm {
  return { labelSelector: { matchLabels: { [LABEL_INSTANCE]: instance, [STORAGE_AFFINITY_LABEL]: claimName } }, topologyKey: 'kubernetes.io/hostname' };
}

/** The init container name of the migration gate. */
export const MIGRATION_GATE = 'wait-for-migrations';

/**
 * The migration gate: an init container, from the same image as the main
 * container, that waits until the database schema is at this image's Alembic
 * head. api, worker and beat therefore never serve with a schema older than
 * their image, whoever runs the migration Job and in whatever order.
 */
export function migrationGate(): k8s.Container {
  return {
    name: MIGRATION_GATE,
    command: [
      '/bin/bash',
      '-c',
      [
        'until flask db current 2>/dev/null | grep -q "(head)"; do',
        '  echo "waiting for the migration Job to bring the schema to this image\'s head"; sleep 5;',
        'done',
      ].join('\n'),
    ],
  };
}
