import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import { parseEnvFile } from './env-file';

/** Where a compose service reads a `.env` variable: `${NAME}` interpolated into the service's own environment. */
export interface ServiceRead {
  /** Compose service, e.g. `plugin_daemon`. */
  readonly service: string;
  /** The variable the service sees, e.g. `PPROF_ENABLED`. */
  readonly variable: string;
}

/** What the converter knows about Dify 1.16.1's docker-compose deployment (vendored, see vendor/dify-upstream). */
export interface UpstreamCompose {
  /** Every name and value of upstream's `env.example`. */
  readonly defaults: Readonly<Record<string, string>>;
  /** `.env` name → the compose services that interpolate it into their own environment. */
  readonly reads: ReadonlyMap<string, readonly ServiceRead[]>;
  /** `<service>/<variable>` → the `.env` names its own environment block interpolates, first the one that wins. */
  readonly sources: ReadonlyMap<string, readonly string[]>;
}

let cached: UpstreamCompose | undefined;

/** Loads the vendored `env.example` and `services.json` once. */
export function upstreamCompose(): UpstreamCompose {
  if (cached) return cached;
  const dir = vendorDir();
  const defaults = parseEnvFile(readFileSync(join(dir, 'env.example'), 'utf8')).values;
  const services = JSON.parse(readFileSync(join(dir, 'services.json'), 'utf8')) as {
    services: Record<string, { env?: { own_block?: Record<string, { interpolates?: string[] }> } }>;
  };
  const reads = new Map<string, ServiceRead[]>();
  const sources = new Map<string, string[]>();
  for (const [service, s] of Object.entries(services.services)) {
    for (const [variable, v] of Object.entries(s.env?.own_block ?? {})) {
      sources.set(`${service}/${variable}`, v.interpolates ?? []);
      for (const name of v.interpolates ?? []) {
        reads.set(name, [...(reads.get(name) ?? []), { service, variable }]);
      }
    }
  }
  cached = { defaults, reads, sources };
  return cached;
}

/** `vendor/dify-upstream` of this package, found from the running file upwards (source and build layouts). */
function vendorDir(): string {
  for (let d = __dirname; ; d = dirname(d)) {
    const candidate = join(d, 'vendor', 'dify-upstream');
    if (existsSync(join(candidate, 'env.example'))) return candidate;
    if (dirname(d) === d) throw new Error('from-env: vendor/dify-upstream/env.example not found beside the package');
  }
}
