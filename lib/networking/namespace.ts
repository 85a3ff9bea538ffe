import { k8s } from '../core/k8s';
import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { registerAppCheck } from '../core/collisions';
import { renderDuringSynthesis } from '../core/synthesis';
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
    registerAppCheck(this, 'pod-security', findPodSecurityViolations);
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

/** Capabilities Pod Security "baseline" allows a container to add. */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
/** Volume types Pod Security "restricted" allows. */
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/**
 * The least restrictive Pod Security level a pod spec needs, by the Pod
 * Security Standards' checks of the fields this library renders (host
 * namespaces, privileged, capabilities, hostPath, seccomp, non-root,
 * privilege escalation, volume types), with the first reason it is not
 * stricter.
 */
export function podSecurityLevelOf(spec: any): { level: PodSecurityLevel; reason?: string } {
  const containers: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const volumes: any[] = spec.volumes ?? [];
  const pod = spec.securityContext ?? {};
  const privileged =
    (spec.hostNetwork && 'hostNetwork') ||
    (spec.hostPID && 'hostPID') ||
    (spec.hostIPC && 'hostIPC') ||
    (volumes.find((v) => v.hostPath) && 'a hostPath volume') ||
    (containers.find((c) => c.securityContext?.privileged) && 'a privileged container') ||
    (containers.flatMap((c) => c.securityContext?.capabilities?.add ?? []).find((cap: string) => !BASELINE_CAPABILITIES.has(cap)) &&
      'capabilities beyond the baseline set') ||
    ([pod, ...containers.map((c) => c.securityContext ?? {})].some((sc) => sc.seccompProfile?.type === 'Unconfined') && 'an Unconfined seccomp profile');
  if (privileged) return { level: 'privileged', reason: privileged };
  const added = containers.flatMap((c) => c.securityContext?.capabilities?.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
  const nonRoot = (c: any) => (c.securityContext?.runAsNonRoot ?? pod.runAsNonRoot) === true && (c.securityContext?.runAsUser ?? pod.runAsUser) !== 0;
  const seccomp = (c: any) => ['RuntimeDefault', 'Localhost'].includes(c.securityContext?.seccompProfile?.type ?? pod.seccompProfile?.type);
  const baseline =
    (added.length && `it adds capabilities ${[...new Set(added)].join(', ')}`) ||
    (containers.find((c) => !nonRoot(c)) && 'a container may run as root') ||
    (containers.find((c) => c.securityContext?.allowPrivilegeEscalation !== false) && 'a container allows privilege escalation') ||
    (containers.find((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL')) && 'a container does not drop ALL capabilities') ||
    (containers.find((c) => !seccomp(c)) && 'a container has no RuntimeDefault seccomp profile') ||
    (volumes.find((v) => !RESTRICTED_VOLUMES.some((t) => v[t] !== undefined)) && 'a volume type "restricted" forbids');
  return baseline ? { level: 'baseline', reason: baseline } : { level: 'restricted' };
}

const POD_OWNERS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod']);

/**
 * Messages for every workload of the App whose pods the Pod Security level
 * enforced by its namespace (a Namespace of the App with the
 * `pod-security.kubernetes.io/enforce` label) would reject: the sandbox in a
 * "restricted" namespace, whatever composed it.
 */
export function findPodSecurityViolations(root: IConstruct): string[] {
  const all = root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const enforced = new Map<string, PodSecurityLevel>();
  for (const ns of all.filter((c) => c.kind === 'Namespace')) {
    const level = ns.metadata.getLabel('pod-security.kubernetes.io/enforce') as PodSecurityLevel | undefined;
    if (level && PSS_ORDER.includes(level) && ns.metadata.name) enforced.set(ns.metadata.name, level);
  }
  const errors: string[] = [];
  for (const obj of all.filter((c) => POD_OWNERS.has(c.kind))) {
    let ns = obj.metadata.namespace;
    try {
      ns ??= Chart.of(obj).namespace;
    } catch {
      // no chart: no namespace
    }
    const enforce = ns !== undefined ? enforced.get(ns) : undefined;
    if (!enforce || enforce === 'privileged') continue;
    const doc = renderDuringSynthesis(obj);
    const spec = doc.kind === 'Pod' ? doc.spec : doc.kind === 'CronJob' ? doc.spec?.jobTemplate?.spec?.template?.spec : doc.spec?.template?.spec;
    if (!spec) continue;
    const need = podSecurityLevelOf(spec);
    if (PSS_ORDER.indexOf(need.level) < PSS_ORDER.indexOf(enforce))
      errors.push(
        `${doc.kind} ${ns}/${doc.metadata.name} (${obj.node.path}) needs Pod Security "${need.level}" (${need.reason}), but namespace "${ns}" enforces "${enforce}", which rejects its pods: enforce "${need.level}" there (podSecurity.enforce), or run it in a namespace that allows it`,
      );
  }
  return errors;
}
