import { k8s } from 'cdk8s-plus-28';
import { DifyStorage } from '../config/storage';
import { LABEL_INSTANCE } from '../core/labels';
import { SecurityProfile, nonRootProfile } from '../core/security';
import { emptyDir } from '../core/workload';

/** UID/GID the dify-api image runs as. */
export const DIFY_API_UID = 1001;

/** Label that marks pods mounting the shared RWO storage claim; they are co-scheduled on one node. */
export const STORAGE_AFFINITY_LABEL = 'dify.langgenius.ai/storage-claim';

/** Restricted profile of the api image; `readOnlyRootFilesystem` where the role allows it. */
export function apiImageProfile(readOnlyRootFilesystem: boolean): SecurityProfile {
  return nonRootProfile(DIFY_API_UID, { readOnlyRootFilesystem, fsGroup: DIFY_API_UID });
}

/** Name of the storage claim of an installation. */
export function storageClaimName(instance: string): string {
  return `${instance}-storage`;
}

/** Volumes and mounts of an api-image pod: /tmp, and the storage claim when storage is a volume. */
export function backendVolumes(instance: string, storage: DifyStorage | undefined): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
  const volumes: k8s.Volume[] = [emptyDir('tmp', '1Gi')];
  const mounts: k8s.VolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }];
  if (storage?.volume) {
    volumes.push({ name: 'storage', persistentVolumeClaim: { claimName: storageClaimName(instance) } });
    mounts.push({ name: 'storage', mountPath: '/app/api/storage' });
  }
  return { volumes, mounts };
}

/**
 * Required pod affinity that keeps every pod mounting the ReadWriteOnce
 * storage claim on the node where the first one runs.
 */
export function storageAffinity(instance: string, storage: DifyStorage | undefined): k8s.Affinity | undefined {
  if (!storage?.volume) return undefined;
  return {
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{
        labelSelector: { matchLabels: { [LABEL_INSTANCE]: instance, [STORAGE_AFFINITY_LABEL]: storageClaimName(instance) } },
        topologyKey: 'kubernetes.io/hostname',
      }],
    },
  };
}

/**
 * The migration gate: an init container, from the same image as the main
 * container, that waits until the database schema is at this image's Alembic
 * head. api, worker and beat therefore never serve with a schema older than
 * their image, whoever runs the migration Job and in whatever order.
 */
export function migrationGate(): k8s.Container {
  return {
    name: 'wait-for-migrations',
    command: ['/bin/bash', '-c', [
      'until flask db current 2>/dev/null | grep -q "(head)"; do',
      '  echo "waiting for the migration Job to bring the schema to this image\'s head"; sleep 5;',
      'done',
    ].join('\n')],
  };
}
