import { posix } from 'path';
import { EnvSet } from '../core/env';

/** Working directory of the dify-api image (its Dockerfile's WORKDIR); relative paths Dify opens resolve against it. */
export const API_WORKDIR = '/app/api';

/**
 * The directory OpenDAL's `fs` scheme creates at start (`OpenDALStorage.__init__`
 * makes its root with `mkdir(parents=True)`), resolved against the image's
 * working directory; undefined for every other storage type.
 */
export function fsStorageRoot(env: EnvSet): string | undefined {
  const type = env.plainValue('STORAGE_TYPE');
  if (type === 'opendal' && (env.plainValue('OPENDAL_SCHEME') ?? 'fs') === 'fs')
    return posix.resolve(API_WORKDIR, env.plainValue('OPENDAL_FS_ROOT') ?? 'storage');
  if (type === 'local') return posix.resolve(API_WORKDIR, env.plainValue('STORAGE_LOCAL_PATH') ?? 'storage');
  return undefined;
}
