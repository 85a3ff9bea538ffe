import { PortSource, RuntimeContract, ServedEndpoint, citationText } from './contract';
import { contractOf } from './contracts';
import { API_WORKDIR, IDENTITY_ANNOTATIONS, resolveWrites, storageUsesPodIdentity } from './paths';

type Doc = Readonly<Record<string, any>>;

/** One rendered pod of a component with a contract, resolved for checking. */
interface RenderedProcess {
  readonly where: string;
  readonly installation: string;
  readonly component: string;
  readonly contract: RuntimeContract;
  readonly env: Record<string, string>;
  readonly secretEnv: ReadonlySet<string>;
  readonly serviceAccount: Record<string, string>;
  readonly writable: (path: string) => boolean;
  readonly container: Doc;
  /** Lines of the configuration files the container mounts from ConfigMaps, trimmed. */
  readonly configLines: readonly string[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job', 'CronJob', 'DaemonSet']);
const WRITABLE_VOLUME_KINDS = ['emptyDir', 'persistentVolumeClaim', 'ephemeral', 'hostPath'];
const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;

/**
 * Checks rendered manifests against the runtime contracts (lib/runtime/contracts.ts):
 * every path a process writes is on a writable mount (or its root filesystem is
 * writable), a process that needs HOME has a writable one, every process that
 * opens the file storage with the pod identity holds an identity once any
 * process of its installation does, and every probe hits an endpoint the process serves.
 * Returns one message per broken contract line, naming the component and the line.
 * (Reachability of boot-time endpoints under the rendered NetworkPolicies is
 * checked by test/runtime-contracts.test.ts with the policy evaluator.)
 */
export function checkRuntimeContracts(docs: readonly Doc[]): string[] {
  const processes = renderedProcesses(docs);
  const out: string[] = [];
  for (const p of processes) out.push(...checkWrites(p), ...checkHome(p), ...checkProbes(p));
  out.push(...checkIdentities(processes));
  return out;
}

function renderedProcesses(docs: readonly Doc[]): RenderedProcess[] {
  const key = (d: Doc) => `${d.metadata?.namespace ?? 'default'}/${d.metadata?.name}`;
  const configMaps = new Map(docs.filter((d) => d.kind === 'ConfigMap').map((d) => [key(d), (d.data ?? {}) as Record<string, string>]));
  const accounts = new Map(docs.filter((d) => d.kind === 'ServiceAccount').map((d) => [key(d), (d.metadata?.annotations ?? {}) as Record<string, string>]));
  const out: RenderedProcess[] = [];
  for (const d of docs) {
    if (!WORKLOAD_KINDS.has(d.kind)) continue;
    const spec = d.kind === 'CronJob' ? d.spec?.jobTemplate?.spec : d.spec;
    const template = spec?.template;
    const labels: Record<string, string> = template?.metadata?.labels ?? {};
    const component = labels['app.kubernetes.io/component'];
    const contract = component ? contractOf(component) : undefined;
    const container = template?.spec?.containers?.[0];
    if (!contract || !container) continue;
    const ns = d.metadata?.namespace ?? 'default';
    const env: Record<string, string> = {};
    for (const from of container.envFrom ?? []) Object.assign(env, configMaps.get(`${ns}/${from.configMapRef?.name}`) ?? {});
    const secretEnv = new Set<string>();
    for (const e of container.env ?? []) {
      if (typeof e.value === 'string') env[e.name] = e.value;
      else secretEnv.add(e.name);
    }
    const pod = template.spec;
    const claims = new Set<string>((spec?.volumeClaimTemplates ?? []).map((c: Doc) => c.metadata?.name));
    const volumes = new Map<string, Doc>((pod.volumes ?? []).map((v: Doc) => [v.name, v]));
    const writableVolume = (name: string) => claims.has(name) || WRITABLE_VOLUME_KINDS.some((k) => volumes.get(name)?.[k] !== undefined);
    const readOnlyRoot = container.securityContext?.readOnlyRootFilesystem === true;
    const mounts: Doc[] = container.volumeMounts ?? [];
    const writable = (path: string) =>
      !readOnlyRoot ||
      mounts.some(
        (m) => !m.readOnly && !m.subPath && writableVolume(m.name) && (path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`)),
      );
    const mounted = new Set(mounts.map((m) => m.name));
    const configLines = (pod.volumes ?? [])
      .filter((v: Doc) => v.configMap && mounted.has(v.name))
      .flatMap((v: Doc) => Object.values(configMaps.get(`${ns}/${v.configMap.name}`) ?? {}))
      .flatMap((text: string) => text.split('\n').map((l) => l.trim()));
    out.push({
      where: `${ns}/${d.kind}/${d.metadata?.name}`,
      configLines,
      installation: `${ns}/${labels['app.kubernetes.io/instance']}`,
      component,
      contract,
      env,
      secretEnv,
      serviceAccount: accounts.get(`${ns}/${pod.serviceAccountName}`) ?? {},
      writable,
      container,
    });
  }
  return out;
}

function line(p: RenderedProcess, fact: { id: string; why: string; source: Parameters<typeof citationText>[0] }, problem: string): string {
  return `runtime contract of ${p.where} (${p.component}), line ${p.contract.component}.${fact.id} "${fact.why}" [${citationText(fact.source)}]: ${problem}`;
}

function checkWrites(p: RenderedProcess): string[] {
  const out: string[] = [];
  const workdir = p.contract.image === 'api' ? API_WORKDIR : '/';
  for (const w of resolveWrites(p.contract.writes, p.env, workdir)) {
    if (p.writable(w.path)) continue;
    const f = p.contract.writes.find((x) => x.id === w.id)!;
    const what = 'env' in f.writes ? `${f.writes.env}=${p.env[f.writes.env]} puts ${w.path}` : w.path;
    out.push(
      line(
        p,
        f,
        `${what} on the read-only root filesystem (written at ${f.when}); mount a writable volume there or move it under a writable mount such as /tmp`,
      ),
    );
  }
  return out;
}

function checkHome(p: RenderedProcess): string[] {
  const h = p.contract.home;
  if (!h) return [];
  const home = p.env.HOME;
  if (home === undefined && !p.contract.user.passwdEntry)
    return [line(p, h, `uid ${p.contract.user.uid} has no passwd entry and the pod sets no HOME; set HOME to a writable path (e.g. /tmp)`)];
  if (home !== undefined && !p.writable(home)) return [line(p, h, `HOME=${home} is on the read-only root filesystem`)];
  return [];
}

function served(p: RenderedProcess, probe: Doc): ServedEndpoint | 'none' {
  const port = (ref: unknown) =>
    typeof ref === 'number'
      ? ref
      : ((p.container.ports ?? []).find((x: Doc) => x.name === ref)?.containerPort ?? (Number.isInteger(Number(ref)) ? Number(ref) : NaN));
  if (probe.httpGet) return { http: probe.httpGet.path ?? '/', port: port(probe.httpGet.port) };
  if (probe.tcpSocket) return { tcp: port(probe.tcpSocket.port) };
  if (probe.exec) return { exec: probe.exec.command ?? [] };
  return 'none';
}

/** A contract endpoint with its port as the rendered process sets it (see {@link PortSource}). */
function listening(p: RenderedProcess, s: ServedEndpoint): ServedEndpoint {
  const from = (src: PortSource | undefined, dflt: number): number => {
    if (!src) return dflt;
    const v = 'env' in src ? p.env[src.env] : p.configLines.find((l) => l.startsWith(`${src.configDirective} `))?.split(/\s+/)[1];
    return v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : dflt;
  };
  if ('http' in s) return { http: s.http, port: from(s.portFrom, s.port) };
  if ('tcp' in s) return { tcp: from(s.portFrom, s.tcp) };
  return s;
}

function checkProbes(p: RenderedProcess): string[] {
  const out: string[] = [];
  const f = p.contract.probes;
  for (const kind of PROBES) {
    const probe = p.container[kind];
    if (!probe) continue;
    const hit = served(p, probe);
    const ok = hit !== 'none' && f.serves.map((s) => listening(p, s)).some((s) => JSON.stringify(s) === JSON.stringify(hit));
    if (!ok)
      out.push(line(p, f, `${kind} ${JSON.stringify(hit)} is not an endpoint the process serves (${JSON.stringify(f.serves.map((s) => listening(p, s)))})`));
  }
  return out;
}

/**
 * Processes of one installation that open the file storage with the pod identity: once one of them holds an
 * identity annotation, each of them must hold one (the value may differ, e.g. a role per component).
 */
function checkIdentities(processes: readonly RenderedProcess[]): string[] {
  const out: string[] = [];
  const needing = processes.filter((p) => p.contract.identity.some((i) => i.for === 'file-storage') && storageUsesPodIdentity(p.env, p.secretEnv));
  for (const installation of new Set(needing.map((p) => p.installation))) {
    const group = needing.filter((p) => p.installation === installation);
    for (const key of IDENTITY_ANNOTATIONS) {
      const holder = group.find((p) => p.serviceAccount[key] !== undefined);
      if (!holder) continue;
      for (const p of group.filter((x) => x.serviceAccount[key] === undefined)) {
        const fact = p.contract.identity.find((i) => i.for === 'file-storage')!;
        out.push(
          line(
            p,
            fact,
            `its ServiceAccount has no ${key} while ${holder.component}'s has ${holder.serviceAccount[key]}; it opens the bucket with its pod identity at start: set the installation's serviceAccountAnnotations`,
          ),
        );
      }
    }
  }
  return out;
}
