import { Connections, IConnectable, NetworkPeer, isConnectable } from '../core/connections';
import { EnvSet } from '../core/env';

/**
 * Where the external services an installation's pods reach (given by host
 * name in settings) live, by port: `ExternalNetworks.anywhere()` or
 * `ExternalNetworks.byPort([{ cidr, ports }])` to narrow ports to subnets.
 */
export abstract class ExternalNetworks {
  /** Any address on the ports the settings name. */
  public static anywhere(): ExternalNetworks {
    return ANYWHERE;
  }

  /** Each listed port only at its CIDRs (e.g. a database subnet); other ports at any address. */
  public static byPort(ranges: ReadonlyArray<{ readonly cidr: string; readonly ports: readonly number[] }>): ExternalNetworks {
    const peers = new Map<number, NetworkPeer>();
    return new (class extends ExternalNetworks {
      public peerFor(port: number): NetworkPeer {
        const cidrs = ranges.filter((e) => e.ports.includes(port)).map((e) => e.cidr);
        if (!cidrs.length) return NetworkPeer.anywhere();
        if (!peers.has(port)) peers.set(port, NetworkPeer.cidrs([...new Set(cidrs)], 'networkPolicy.externalServices'));
        return peers.get(port)!;
      }
    })();
  }

  /** The peer egress to `port` goes to. */
  public abstract peerFor(port: number): NetworkPeer;
}

/** Any address on every port. */
export const ANYWHERE: ExternalNetworks = new (class extends ExternalNetworks {
  public peerFor(): NetworkPeer {
    return NetworkPeer.anywhere();
  }
})();

const DEFAULT_PORTS: Record<string, number> = {
  http: 80,
  https: 443,
  grpc: 443,
  grpcs: 443,
  redis: 6379,
  rediss: 6379,
  postgresql: 5432,
  postgres: 5432,
  mysql: 3306,
};
const URL_LIKE = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?(\[[0-9a-fA-F:.]+\]|[^:/?#]+)(?::(\d+))?/;
const HOST_PORT = /^[A-Za-z0-9.-]+:(\d{1,5})$/;

/**
 * The ports a rendered environment points at: explicit `*_PORT` values of
 * host settings, `host:port` lists (Sentinels, cluster nodes) and every URL
 * (default port by scheme). This is how a config object given by host name
 * (a managed database, S3, an OTLP collector) is reached when it has no
 * {@link Connections} of its own.
 */
export function portsOfEnv(env: EnvSet): number[] {
  const ports = new Set<number>();
  const data = env.plainData();
  for (const [name, value] of Object.entries(data)) {
    if (/_PORT$/.test(name) && /^\d{1,5}$/.test(value) && data[name.replace(/_PORT$/, '_HOST')] !== undefined) ports.add(Number(value));
    for (const part of value.split(/[,;]\s*/)) {
      const url = URL_LIKE.exec(part);
      if (url) {
        const port = url[3] !== undefined ? Number(url[3]) : DEFAULT_PORTS[url[1]];
        if (port !== undefined) ports.add(port);
        continue;
      }
      const hp = HOST_PORT.exec(part);
      if (hp && /(SENTINELS|CLUSTERS|NODES|HOSTS)$/.test(name)) ports.add(Number(hp[1]));
    }
  }
  return [...ports].filter((p) => p > 0 && p < 65536).sort((a, b) => a - b);
}

/**
 * What wiring to a config object reaches: the object itself when it is
 * connectable (an embedded store), else the ports its environment names, on
 * the peers `networks` gives for them.
 */
export function reachOf(target: unknown, env: EnvSet, networks: ExternalNetworks): IConnectable[] {
  if (isConnectable(target)) return [target];
  const byPeer = new Map<NetworkPeer, number[]>();
  for (const port of portsOfEnv(env)) {
    const peer = networks.peerFor(port);
    byPeer.set(peer, [...(byPeer.get(peer) ?? []), port]);
  }
  return [...byPeer.entries()].map(([peer, ports]) => ({ connections: Connections.forPeer(peer, ports) }));
}

/**
 * `config` (a vector store, storage or other settings object) that wiring
 * reaches as `target`: e.g. a `VectorStore.qdrant({...})` pointing at a
 * Qdrant you run on {@link DifyStatefulStore}. Components wired to the
 * result get a flow to the store's pods instead of "any address".
 */
export function connectVia<T extends object>(config: T, target: IConnectable): T & IConnectable {
  if (!isConnectable(target)) throw new TypeError('connectVia: target must be a Dify component, store or endpoint');
  return Object.assign(Object.create(config) as T, { connections: target.connections });
}
