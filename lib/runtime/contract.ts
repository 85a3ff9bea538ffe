/**
 * Runtime contracts: what each image does when it starts and while it works,
 * as read from upstream's source at the pinned versions. Every fact carries
 * where it was read (repository, path, the tag the image is built from and,
 * when the tag itself could not be retrieved, the revision that was read), or
 * says that it could not be read and which safe choice the rendering takes.
 * The rendering derives mounts, connections and identities from these facts,
 * and {@link checkRuntimeContracts} holds every rendered pod to them.
 */

/** Where a fact was read. */
export interface UpstreamSource {
  /** `owner/name` on GitHub. */
  readonly repo: string;
  /** The tag the deployed image is built from. */
  readonly ref: string;
  readonly path: string;
  /** The function, block or line range the fact comes from. */
  readonly at?: string;
  /**
   * The commit actually read when it is not `ref` (the code index holds no
   * copy at the tag): the fact is then assumed unchanged at `ref`, and the
   * rendering only ever takes the safe side of it.
   */
  readonly readAt?: string;
}

/** A fact that could not be read: why, and the safe choice the rendering takes instead. */
export interface Unread {
  readonly unread: string;
  readonly safeChoice: string;
}

/** The provenance of a fact. */
export type Citation = UpstreamSource | Unread;

/** When a process needs something: before it serves (a failure stops the pod) or only on demand. */
export type RuntimeWhen = 'boot' | 'work';

/**
 * A path a process writes: a fixed path, the directory an env var names
 * (`dirOf`: the parent of a file path, e.g. LOG_FILE), or the fs storage root
 * the api image resolves from its storage settings.
 */
export type WrittenPath = { readonly path: string } | { readonly env: string; readonly dirOf?: boolean } | { readonly storageRoot: true };

/** One written path. */
export interface PathFact {
  readonly id: string;
  readonly writes: WrittenPath;
  readonly when: RuntimeWhen;
  readonly why: string;
  readonly source: Citation;
}

/** What a process connects to, by the role the wiring resolves. */
export type RuntimeNeed =
  | 'database'
  | 'redis'
  | 'file-storage'
  | 'otel-collector'
  | 'vector-store'
  | 'sandbox'
  | 'plugin-daemon'
  | 'ssrf-proxy'
  | 'agent-backend'
  | 'api'
  | 'local-sandbox'
  | 'agent-ssrf-proxy'
  | 'plugin-storage'
  | 'internet';

/** One connection. */
export interface ConnectionFact {
  readonly id: string;
  readonly to: RuntimeNeed;
  readonly when: RuntimeWhen;
  /** Only when this env var has this value (e.g. ENABLE_OTEL=true). @default - always */
  readonly ifEnv?: { readonly name: string; readonly equals: string };
  readonly why: string;
  readonly source: Citation;
}

/** A cloud identity a process needs for a store it opens with ambient credentials. */
export interface IdentityFact {
  readonly id: string;
  readonly for: 'file-storage' | 'plugin-storage';
  readonly when: RuntimeWhen;
  readonly why: string;
  readonly source: Citation;
}

/**
 * Where a process reads the port it listens on: a variable, or a directive of a configuration file mounted
 * from a ConfigMap (`http_port 3128`). The endpoint's number is the port when the source does not set one.
 */
export type PortSource = { readonly env: string } | { readonly configDirective: string };

/** An endpoint a probe may hit: an HTTP path on a port, a TCP port, or an exact exec command. */
export type ServedEndpoint =
  | { readonly http: string; readonly port: number; readonly portFrom?: PortSource }
  | { readonly tcp: number; readonly portFrom?: PortSource }
  | { readonly exec: readonly string[] };

/** The endpoints probes may use. */
export interface ProbeFact {
  readonly id: string;
  readonly serves: readonly ServedEndpoint[];
  readonly why: string;
  readonly source: Citation;
}

/** The user a container runs as. */
export interface UserFact {
  readonly id: string;
  /** The uid the rendering runs it as. */
  readonly uid: number;
  /** Whether the image's /etc/passwd has that uid (no entry: no HOME unless the pod sets one). */
  readonly passwdEntry: boolean;
  /** Linux capabilities the process needs beyond none. */
  readonly capabilities: readonly string[];
  readonly why: string;
  readonly source: Citation;
}

/** The runtime contract of one component (one process of one image). */
export interface RuntimeContract {
  /** `app.kubernetes.io/component` of its pods; worker pools (`worker-<pool>`) match `worker`. */
  readonly component: string;
  /** Key of the image in `DifyImages`. */
  readonly image: string;
  /** What runs, from the image's entrypoint. */
  readonly process: { readonly id: string; readonly command: string; readonly source: Citation };
  readonly user: UserFact;
  /** The process needs a writable HOME (tools that write under `~`). */
  readonly home?: { readonly id: string; readonly why: string; readonly source: Citation };
  readonly writes: readonly PathFact[];
  readonly connects: readonly ConnectionFact[];
  readonly identity: readonly IdentityFact[];
  readonly probes: ProbeFact;
}

/** True for a fact read from source (at the tag or another revision). */
export function isRead(c: Citation): c is UpstreamSource {
  return (c as UpstreamSource).repo !== undefined;
}

/** One line of citation: `repo@ref:path (at), read at <commit>` or `unread: …; safe choice: …`. */
export function citationText(c: Citation): string {
  if (!isRead(c)) return `unread (${c.unread}); safe choice: ${c.safeChoice}`;
  return `${c.repo}@${c.ref}:${c.path}${c.at ? ` (${c.at})` : ''}${c.readAt ? `, read at ${c.readAt.slice(0, 10)}` : ''}`;
}

/** A GitHub link to the cited file at the revision read. */
export function citationUrl(c: Citation): string | undefined {
  if (!isRead(c)) return undefined;
  return `https://github.com/${c.repo}/blob/${c.readAt ?? c.ref}/${c.path}`;
}
