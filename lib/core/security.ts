import { k8s } from './k8s';

/**
 * How a component's containers run. `nonRoot` profiles meet Pod Security
 * Standards "restricted"; the only other profile is the code sandbox's.
 */
export interface SecurityProfile {
  /** UID of every container. */
  readonly runAsUser: number;
  /** GID of every container. */
  readonly runAsGroup: number;
  /** Group that owns mounted volumes. @default - no fsGroup */
  readonly fsGroup?: number;
  /** Reject the pod if the image would run as root. */
  readonly runAsNonRoot: boolean;
  /** Mount the image's root filesystem read-only (writable paths come from emptyDirs). */
  readonly readOnlyRootFilesystem: boolean;
  /** Capabilities added back after dropping ALL. @default [] */
  readonly addCapabilities?: string[];
}

/** A restricted profile for an image that runs as `uid`. */
export function nonRootProfile(uid: number, opts: { readOnlyRootFilesystem: boolean; gid?: number; fsGroup?: number }): SecurityProfile {
  return { runAsUser: uid, runAsGroup: opts.gid ?? uid, fsGroup: opts.fsGroup, runAsNonRoot: true, readOnlyRootFilesystem: opts.readOnlyRootFilesystem };
}

/** The pod-level security context of a profile. */
export function podSecurityContext(p: SecurityProfile): k8s.PodSecurityContext {
  return {
    runAsNonRoot: p.runAsNonRoot,
    runAsUser: p.runAsUser,
    runAsGroup: p.runAsGroup,
    ...(p.fsGroup !== undefined ? { fsGroup: p.fsGroup, fsGroupChangePolicy: 'OnRootMismatch' } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The container-level security context of a profile. */
export function containerSecurityContext(p: SecurityProfile): k8s.SecurityContext {
  return {
    runAsNonRoot: p.runAsNonRoot,
    runAsUser: p.runAsUser,
    runAsGroup: p.runAsGroup,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: p.readOnlyRootFilesystem,
    capabilities: { drop: ['ALL'], ...(p.addCapabilities?.length ? { add: [...p.addCapabilities] } : {}) },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
