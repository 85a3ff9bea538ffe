import { posix } from 'path';
import { EnvSet } from '../core/env';

/** Working directory of the dify-api image (its Dockerfile's WORKDIR); relative paths Dify opens resolve against it. */
export const API_WORKDIR = '/app/api';

/**
 * The directory OpenDAL's `fs` scheme creates at start (`OpenDALStorage.__init__`
 * makes its root with `mkdir(parents=True)`), resolved against the image's
 * working directory; undefined for every other storage type.
 */
export function fsStorageRoot(env: EnvSet | Readonly<Record<string, string | undefined>>): string | undefined {
  const get = (name: string) => (env instanceof EnvSet ? env.plainValue(name) : env[name]);
  const type = get('STORAGE_TYPE');
  if (type === 'opendal' && (get('OPENDAL_SCHEME') ?? 'fs') === 'fs') return posix.resolve(API_WORKDIR, get('OPENDAL_FS_ROOT') ?? 'storage');
  if (type === 'local') return posix.resolve(API_WORKDIR, get('STORAGE_LOCAL_PATH') ?? 'storage');
  return undefined;
}

/** Annotations that give a pod's ServiceAccount a cloud identity (IRSA, GKE and Azure workload identity). */
export const IDENTITY_ANNOTATIONS: readonly string[] = ['eks.amazonaws.com/role-arn', 'iam.gke.io/gcp-service-account', 'azure.workload.identity/client-id'];

/**
 * Whether the api image opens its file storage with the pod's ambient cloud identity: S3 with
 * S3_USE_AWS_MANAGED_IAM, or Google Cloud Storage without a service account key.
 */
export function storageUsesPodIdentity(env: Readonly<Record<string, string | undefined>>, secretNames: ReadonlySet<string>): boolean {
  if (env.STORAGE_TYPE === 's3') return env.S3_USE_AWS_MANAGED_IAM === 'true';
  if (env.STORAGE_TYPE === 'google-storage') return !secretNames.has('GOOGLE_STORAGE_SERVICE_ACCOUNT_JSON_BASE64');
  return false;
}

/** A path a process writes, resolved against its environment. */
export interface ResolvedWrite {
  readonly id: string;
  readonly path: string;
  readonly when: 'boot' | 'work';
}

/**
 * The paths a contract says its process writes, resolved against the
 * environment: fixed paths, the directory an env var names (relative paths
 * resolve against `workdir`), the fs storage root. Unset env vars write nothing.
 */
export function resolveWrites(
  writes: ReadonlyArray<{ readonly id: string; readonly when: 'boot' | 'work'; readonly writes: WrittenPathLike }>,
  env: EnvSet | Readonly<Record<string, string | undefined>>,
  workdir: string,
): ResolvedWrite[] {
  const get = (name: string) => (env instanceof EnvSet ? env.plainValue(name) : env[name]);
  const out: ResolvedWrite[] = [];
  for (const f of writes) {
    let path: string | undefined;
    if ('path' in f.writes) path = f.writes.path;
    else if ('storageRoot' in f.writes) path = fsStorageRoot(env);
    else {
      const value = get(f.writes.env);
      if (value) path = posix.resolve(workdir, f.writes.dirOf ? posix.dirname(value) : value);
    }
    if (path !== undefined) out.push({ id: f.id, path, when: f.when });
  }
  return out;
}

type WrittenPathLike = { readonly path: string } | { readonly env: string; readonly dirOf?: boolean } | { readonly storageRoot: true };
