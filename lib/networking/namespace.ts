import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { LABEL_MANAGED_BY, LABEL_PART_OF } from '../core/labels';
import { invalid } from '../core/validation';
import { guardProps } from '../core/guard';
import { validateLabels, validateNamespaceName } from '../core/k8s-rules';
import { keepAnnotations } from '../core/lifecycle';

/** Pod Security Standards levels. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** Pod Security admission labels of the namespace. */
export interface PodSecurityLabels {
  /** Level pods are rejected below. @default "baseline" (the sandbox's jail needs root and baseline capabilities) */
  readonly enforce?: PodSecurityLevel;
  /** Level that produces client warnings. @default "restricted" */
  readonly warn?: PodSecurityLevel;
  /** Level that produces audit annotations. @default "restricted" */
  readonly audit?: PodSecurityLevel;
  /** Policy version. @default "v1.28" */
  readonly version?: string;
}

/** Props of {@link DifyNamespace}. */
export interface DifyNamespaceProps {
  readonly name: string;
  /** Pod Security admission. @default - enforce baseline, warn and audit restricted, v1.28 */
  readonly podSecurity?: PodSecurityLabels;
  /** Extra labels. @default {} */
  readonly labels?: Record<string, string>;
}

/**
 * Pod Security of a namespace that holds only the code sandbox
 * ({@link DifyProps.sandboxNamespace}): enforce and warn "baseline", the
 * level its jail needs (it starts as root and keeps CHOWN, DAC_OVERRIDE,
 * FOWNER, KILL, SETGID, SETUID and SYS_CHROOT to chroot each run and drop to
 * an unprivileged uid, all in the baseline set; see SANDBOX_CAPABILITIES);
 * audit "restricted", so the deviation stays visible in the audit log.
 */
export const SANDBOX_POD_SECURITY: PodSecurityLabels = { enforce: 'baseline', warn: 'baseline', audit: 'restricted' };

/** Pod Security levels from least to most restrictive. */
const PSS_ORDER: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

/**
 * The sandbox runs its jail as root with baseline capabilities: a namespace
 * that enforces "restricted" rejects its pods (the Deployment never becomes
 * ready, silently). Call with the enforced level of the namespace the sandbox
 * runs in; `prop` names where that level was set.
 */
export function validateSandboxPodSecurity(prop: string, enforce: PodSecurityLevel): void {
  if (PSS_ORDER.indexOf(enforce) > PSS_ORDER.indexOf('baseline')) {
    invalid(
      prop,
      enforce,
      'must be "baseline" or "privileged" where the sandbox runs: its jail needs root and baseline capabilities, which "restricted" rejects',
    );
  }
}

/**
 * The namespace an installation lives in; synthesized into its own chart so it is applied first. It outlives the
 * workloads ({@link keepAnnotations}): GitOps never deletes or prunes it, and the synth writes it into `data/`.
 */
export class DifyNamespace extends Construct {
  public readonly name: string;
  /** The Pod Security level enforced (see {@link validateSandboxPodSecurity}). */
  public readonly podSecurityEnforce: PodSecurityLevel;

  constructor(scope: Construct, id: string, props: DifyNamespaceProps) {
    super(scope, id);
    guardProps('DifyNamespaceProps', props, 'namespace');
    this.name = validateNamespaceName('namespace.name', props.name);
    validateLabels('namespace.labels', props.labels);
    const pss = props.podSecurity ?? {};
    const levels = PSS_ORDER;
    this.podSecurityEnforce = pss.enforce ?? 'baseline';
    const version = pss.version ?? 'v1.28';
    if (!/^(v1\.[0-9]+|latest)$/.test(version))
      invalid('namespace.podSecurity.version', version, 'must be "latest" or a Kubernetes minor version such as "v1.28"');
    const labels: Record<string, string> = {};
    for (const mode of ['enforce', 'warn', 'audit'] as const) {
      const level = pss[mode] ?? (mode === 'enforce' ? 'baseline' : 'restricted');
      if (!levels.includes(level)) invalid(`namespace.podSecurity.${mode}`, level, `must be one of ${levels.join(', ')}`);
      labels[`pod-security.kubernetes.io/${mode}`] = level;
      labels[`pod-security.kubernetes.io/${mode}-version`] = version;
    }
    new k8s.KubeNamespace(this, 'Resource', {
      // Outlives the workloads: deleting the namespace deletes every claim and the credentials in it.
      metadata: {
        name: this.name,
        labels: { [LABEL_PART_OF]: 'dify', [LABEL_MANAGED_BY]: 'cdk8s', ...labels, ...props.labels },
        annotations: keepAnnotations(),
      },
    });
  }
}
