/**
 * Offline checker for the Kubernetes Pod Security Standards, policy version v1.28,
 * modelled on the checks of the PodSecurity admission controller
 * (k8s.io/pod-security-admission/policy). It works on plain parsed pod specs, i.e.
 * objects as they appear in synthesized YAML, so tests can assert the level a
 * workload would be admitted at.
 */

/** A Pod Security Standards level, from least to most restrictive. */
export type PssLevel = 'privileged' | 'baseline' | 'restricted';

/** One failed control. `container` names the offending container when the violation is container-scoped. */
export interface PssViolation {
  /** Rule id, e.g. `hostNamespaces`, `capabilities.restricted`, `seccomp.baseline`. */
  readonly rule: string;
  /** Name of the container (or init/ephemeral container) at fault; absent for pod-level violations. */
  readonly container?: string;
  /** Human-readable explanation. */
  readonly message: string;
}

type Obj = Record<string, any>;

interface ContainerRef {
  readonly name: string;
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  readonly list: string;
  /** The container's securityContext, or `{}`. */
  readonly sc: Obj;
  readonly raw: Obj;
}

interface Ctx {
  readonly spec: Obj;
  readonly annotations: Record<string, string>;
  /** The pod-level securityContext, or `{}`. */
  readonly psc: Obj;
  readonly containers: readonly ContainerRef[];
  /** `spec.os.name == windows`: exempt from some Linux-only restricted checks (v1.25+). */
  readonly windows: boolean;
}

type Check = (ctx: Ctx) => PssViolation[];

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

/**
 * Safe sysctls as of policy v1.28 (`sysctlsAllowedV1Dot27`). The keepalive/fin_timeout
 * sysctls were only added in v1.29 and tcp_rmem/tcp_wmem in v1.32, so they are forbidden here.
 */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
]);

/** SELinux types allowed in v1.28 (`container_engine_t` was only added in v1.31). */
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);

const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});

function containerViolation(rule: string, c: ContainerRef, message: string): PssViolation {
  return { rule, container: c.name, message: `${c.list} "${c.name}" ${message}` };
}

// ---------------------------------------------------------------------------------------------
// Baseline checks
// ---------------------------------------------------------------------------------------------

const hostNamespaces: Check = ({ spec }) =>
  (['hostNetwork', 'hostPID', 'hostIPC'] as const)
    .filter((f) => spec[f] === true)
    .map((f) => ({ rule: 'hostNamespaces', message: `pod must not set ${f}=true` }));

const privileged: Check = ({ containers }) =>
  containers.filter((c) => c.sc.privileged === true).map((c) => containerViolation('privileged', c, 'must not set securityContext.privileged=true'));

const capabilitiesBaseline: Check = ({ containers }) =>
  containers.flatMap((c) => {
    const bad = arr(obj(c.sc.capabilities).add).filter((cap) => !BASELINE_CAPABILITIES.has(cap));
    return bad.length ? [containerViolation('capabilities.baseline', c, `must not add non-default capabilities ${bad.join(', ')}`)] : [];
  });

const hostPathVolumes: Check = ({ spec }) =>
  arr(spec.volumes)
    .filter((v) => isObj(v) && v.hostPath != null)
    .map((v) => ({ rule: 'hostPathVolumes', message: `volume "${v.name}" must not use hostPath` }));

const hostPorts: Check = ({ containers }) =>
  containers.flatMap((c) => {
    const bad = arr(c.raw.ports)
      .map((p) => obj(p).hostPort)
      .filter((hp) => hp != null && Number(hp) !== 0);
    return bad.length ? [containerViolation('hostPorts', c, `must not set hostPort ${bad.join(', ')}`)] : [];
  });

const appArmor: Check = ({ annotations, psc, containers }) => {
  const out: PssViolation[] = [];
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
    const v = String(value ?? '');
    if (v === '' || v === 'runtime/default' || v.startsWith('localhost/')) continue;
    out.push({ rule: 'appArmor', container: key.slice(APPARMOR_ANNOTATION_PREFIX.length), message: `forbidden AppArmor profile annotation ${key}="${v}"` });
  }
  // securityContext.appArmorProfile (field form; enforced by PSA from v1.30, checked here as well).
  const badType = (sc: Obj): string | undefined => {
    const t = obj(sc.appArmorProfile).type;
    return t != null && t !== '' && t !== 'RuntimeDefault' && t !== 'Localhost' ? String(t) : undefined;
  };
  const podType = badType(psc);
  if (podType) out.push({ rule: 'appArmor', message: `pod must not set securityContext.appArmorProfile.type to "${podType}"` });
  for (const c of containers) {
    const t = badType(c.sc);
    if (t) out.push(containerViolation('appArmor', c, `must not set securityContext.appArmorProfile.type to "${t}"`));
  }
  return out;
};

function seLinuxProblems(opts: unknown): string[] {
  if (!isObj(opts)) return [];
  const problems: string[] = [];
  const type = opts.type ?? '';
  if (!SELINUX_TYPES.has(type)) problems.push(`type "${type}"`);
  if (opts.user) problems.push('user may not be set');
  if (opts.role) problems.push('role may not be set');
  return problems;
}

const seLinux: Check = ({ psc, containers }) => {
  const out: PssViolation[] = [];
  const pod = seLinuxProblems(psc.seLinuxOptions);
  if (pod.length) out.push({ rule: 'seLinux', message: `pod set forbidden securityContext.seLinuxOptions: ${pod.join('; ')}` });
  for (const c of containers) {
    const p = seLinuxProblems(c.sc.seLinuxOptions);
    if (p.length) out.push(containerViolation('seLinux', c, `set forbidden securityContext.seLinuxOptions: ${p.join('; ')}`));
  }
  return out;
};

const procMount: Check = ({ containers }) =>
  containers
    .filter((c) => c.sc.procMount != null && c.sc.procMount !== 'Default')
    .map((c) => containerViolation('procMount', c, `must not set securityContext.procMount to "${c.sc.procMount}"`));

const validSeccomp = (t: unknown): boolean => t === 'RuntimeDefault' || t === 'Localhost';

/** Baseline: a seccomp profile, if set anywhere, must be RuntimeDefault or Localhost. */
const seccompBaseline: Check = ({ psc, containers }) => {
  const out: PssViolation[] = [];
  if (isObj(psc.seccompProfile) && !validSeccomp(psc.seccompProfile.type)) {
    out.push({ rule: 'seccomp.baseline', message: `pod must not set securityContext.seccompProfile.type to "${psc.seccompProfile.type}"` });
  }
  for (const c of containers) {
    if (isObj(c.sc.seccompProfile) && !validSeccomp(c.sc.seccompProfile.type)) {
      out.push(containerViolation('seccomp.baseline', c, `must not set securityContext.seccompProfile.type to "${c.sc.seccompProfile.type}"`));
    }
  }
  return out;
};

const sysctls: Check = ({ psc }) => {
  const bad = arr(psc.sysctls)
    .map((s) => obj(s).name)
    .filter((n) => !SAFE_SYSCTLS.has(n));
  return bad.length ? [{ rule: 'sysctls', message: `forbidden sysctls ${bad.join(', ')}` }] : [];
};

const hostProcess: Check = ({ psc, containers }) => {
  const out: PssViolation[] = [];
  if (obj(psc.windowsOptions).hostProcess === true) {
    out.push({ rule: 'hostProcess', message: 'pod must not set securityContext.windowsOptions.hostProcess=true' });
  }
  for (const c of containers) {
    if (obj(c.sc.windowsOptions).hostProcess === true) {
      out.push(containerViolation('hostProcess', c, 'must not set securityContext.windowsOptions.hostProcess=true'));
    }
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// Restricted checks
// ---------------------------------------------------------------------------------------------

/** Volume source keys of a volume; a volume with no source is defaulted to emptyDir by the API server. */
function volumeTypes(v: Obj): string[] {
  const keys = Object.keys(v).filter((k) => k !== 'name' && v[k] != null);
  return keys.length ? keys : ['emptyDir'];
}

const restrictedVolumes: Check = ({ spec }) =>
  arr(spec.volumes)
    .filter(isObj)
    .flatMap((v) => {
      const bad = volumeTypes(v).filter((t) => !RESTRICTED_VOLUME_TYPES.has(t));
      return bad.length ? [{ rule: 'volumeTypes', message: `volume "${v.name}" uses restricted volume type ${bad.join(', ')}` }] : [];
    });

const allowPrivilegeEscalation: Check = ({ containers, windows }) =>
  windows
    ? []
    : containers
        .filter((c) => c.sc.allowPrivilegeEscalation !== false)
        .map((c) => containerViolation('allowPrivilegeEscalation', c, 'must set securityContext.allowPrivilegeEscalation=false'));

const runAsNonRoot: Check = ({ psc, containers }) => {
  const out: PssViolation[] = [];
  if (psc.runAsNonRoot === false) out.push({ rule: 'runAsNonRoot', message: 'pod must not set securityContext.runAsNonRoot=false' });
  const podTrue = psc.runAsNonRoot === true;
  for (const c of containers) {
    if (c.sc.runAsNonRoot === false) {
      out.push(containerViolation('runAsNonRoot', c, 'must not set securityContext.runAsNonRoot=false'));
    } else if (c.sc.runAsNonRoot == null && !podTrue) {
      out.push(containerViolation('runAsNonRoot', c, 'must set securityContext.runAsNonRoot=true (or the pod must)'));
    }
  }
  return out;
};

const runAsUser: Check = ({ psc, containers }) => {
  const out: PssViolation[] = [];
  if (psc.runAsUser === 0) out.push({ rule: 'runAsUser', message: 'pod must not set securityContext.runAsUser=0' });
  for (const c of containers) {
    if (c.sc.runAsUser === 0) out.push(containerViolation('runAsUser', c, 'must not set securityContext.runAsUser=0'));
  }
  return out;
};

const seccompRestricted: Check = ({ psc, containers, windows }) => {
  if (windows) return [];
  const out: PssViolation[] = [];
  let podSet = false;
  if (isObj(psc.seccompProfile)) {
    if (validSeccomp(psc.seccompProfile.type)) podSet = true;
    else out.push({ rule: 'seccomp.restricted', message: `pod must not set securityContext.seccompProfile.type to "${psc.seccompProfile.type}"` });
  }
  for (const c of containers) {
    if (isObj(c.sc.seccompProfile)) {
      if (!validSeccomp(c.sc.seccompProfile.type)) {
        out.push(containerViolation('seccomp.restricted', c, `must not set securityContext.seccompProfile.type to "${c.sc.seccompProfile.type}"`));
      }
    } else if (!podSet) {
      out.push(
        containerViolation('seccomp.restricted', c, 'must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost" (or the pod must)'),
      );
    }
  }
  return out;
};

const capabilitiesRestricted: Check = ({ containers, windows }) =>
  windows
    ? []
    : containers.flatMap((c) => {
        const caps = obj(c.sc.capabilities);
        const out: PssViolation[] = [];
        if (!arr(caps.drop).includes('ALL')) {
          out.push(containerViolation('capabilities.restricted', c, 'must set securityContext.capabilities.drop=["ALL"]'));
        }
        const bad = arr(caps.add).filter((cap) => cap !== 'NET_BIND_SERVICE');
        if (bad.length) {
          out.push(containerViolation('capabilities.restricted', c, `must not include ${bad.join(', ')} in securityContext.capabilities.add`));
        }
        return out;
      });

const BASELINE_CHECKS: ReadonlyArray<[string, Check]> = [
  ['hostProcess', hostProcess],
  ['hostNamespaces', hostNamespaces],
  ['privileged', privileged],
  ['capabilities.baseline', capabilitiesBaseline],
  ['hostPathVolumes', hostPathVolumes],
  ['hostPorts', hostPorts],
  ['appArmor', appArmor],
  ['seLinux', seLinux],
  ['procMount', procMount],
  ['seccomp.baseline', seccompBaseline],
  ['sysctls', sysctls],
];

/** Restricted checks, each with the baseline check it supersedes at restricted level (as PSA's OverrideCheckIDs). */
const RESTRICTED_CHECKS: ReadonlyArray<[Check, string | undefined]> = [
  [restrictedVolumes, 'hostPathVolumes'],
  [allowPrivilegeEscalation, undefined],
  [runAsNonRoot, undefined],
  [runAsUser, undefined],
  [seccompRestricted, 'seccomp.baseline'],
  [capabilitiesRestricted, 'capabilities.baseline'],
];

function context(podSpec: Obj, podMetadata?: { annotations?: Record<string, string> }): Ctx {
  const spec = obj(podSpec);
  const containers: ContainerRef[] = [];
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const raw of arr(spec[list]).filter(isObj)) {
      containers.push({ name: String(raw.name ?? ''), list, sc: obj(raw.securityContext), raw });
    }
  }
  return { spec, annotations: obj(podMetadata?.annotations), psc: obj(spec.securityContext), containers, windows: obj(spec.os).name === 'windows' };
}

/**
 * Evaluates a pod spec against a Pod Security Standards level (policy v1.28).
 *
 * `restricted` includes every baseline control. As in the admission controller,
 * `volumeTypes`, `seccomp.restricted` and `capabilities.restricted` replace their baseline
 * counterparts at restricted level, so one problem is reported once; for Windows pods
 * (`spec.os.name: windows`), which are exempt from those restricted checks, the baseline
 * counterparts stay in force.
 *
 * @param podSpec the pod spec (`spec` of a Pod, `spec.template.spec` of a workload)
 * @param level the level to evaluate against; `privileged` never yields violations
 * @param podMetadata the pod (template) metadata; its annotations carry legacy AppArmor profiles
 * @returns every violation found; empty if the spec satisfies the level
 */
export function checkPodSecurity(podSpec: Record<string, any>, level: PssLevel, podMetadata?: { annotations?: Record<string, string> }): PssViolation[] {
  if (level === 'privileged') return [];
  const ctx = context(podSpec, podMetadata);
  const overridden = new Set<string>();
  const restricted: PssViolation[] = [];
  if (level === 'restricted') {
    for (const [check, overrides] of RESTRICTED_CHECKS) {
      restricted.push(...check(ctx));
      if (overrides && !ctx.windows) overridden.add(overrides);
    }
  }
  const baseline = BASELINE_CHECKS.filter(([id]) => !overridden.has(id)).flatMap(([, check]) => check(ctx));
  return [...baseline, ...restricted];
}

/**
 * The strictest level the pod spec satisfies with zero violations.
 * @returns `restricted`, `baseline` or `privileged`
 */
export function highestPssLevel(podSpec: Record<string, any>, podMetadata?: { annotations?: Record<string, string> }): PssLevel {
  if (checkPodSecurity(podSpec, 'baseline', podMetadata).length > 0) return 'privileged';
  return checkPodSecurity(podSpec, 'restricted', podMetadata).length > 0 ? 'baseline' : 'restricted';
}

const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);

/**
 * Extracts the pod specs (with their pod metadata) from synthesized manifests: Pods,
 * pod templates of Deployment/StatefulSet/DaemonSet/ReplicaSet/ReplicationController/Job,
 * CronJob `spec.jobTemplate.spec.template`, and PodTemplate `template`; `List` items are
 * descended into. Other kinds and empty documents are skipped.
 *
 * @returns one entry per pod spec; `doc` is `${kind}/${metadata.name}`
 */
export function podSpecsFromManifests(docs: ReadonlyArray<Record<string, any>>): { doc: string; spec: Record<string, any>; metadata: Record<string, any> }[] {
  const out: { doc: string; spec: Record<string, any>; metadata: Record<string, any> }[] = [];
  for (const d of docs) {
    if (!isObj(d)) continue;
    const kind = String(d.kind ?? '');
    if (kind === 'List' || kind.endsWith('List')) {
      out.push(...podSpecsFromManifests(arr(d.items).filter(isObj)));
      continue;
    }
    let pod: Obj | undefined;
    if (kind === 'Pod') pod = d;
    else if (TEMPLATE_KINDS.has(kind)) pod = obj(obj(d.spec).template);
    else if (kind === 'CronJob') pod = obj(obj(obj(obj(d.spec).jobTemplate).spec).template);
    else if (kind === 'PodTemplate') pod = obj(d.template);
    if (!pod) continue;
    out.push({ doc: `${kind}/${obj(d.metadata).name}`, spec: obj(pod.spec), metadata: obj(pod.metadata) });
  }
  return out;
}
