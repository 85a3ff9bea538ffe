import { IConstruct } from 'constructs';
import { Connections, NetworkPeer } from '../core/connections';
import { DifyWorkload } from '../core/workload';
import { podConnections } from '../core/connections';
import { IRouteTable } from '../networking/routes';
import { DifyStatefulStore } from '../stores/stateful-store';
import { TopologyFlow, TopologyGraph, TopologyNode, TopologyRoute } from './model';

/**
 * The picture of everything under `scope`, read from the wiring: every
 * component with its Service and ports, every route an exposure serves, and
 * every flow recorded on the components' connections (the same records the
 * NetworkPolicies are rendered from), plus cluster DNS.
 */
export function topologyOf(scope: IConstruct, options: { readonly title: string; readonly namespace?: string }): TopologyGraph {
  const pods = podConnections(scope);
  const nsOf = (c: Connections): string | undefined => c.namespace ?? options.namespace;
  // The namespace box names the installation unless two installations share a namespace.
  const instancesIn = new Map<string | undefined, Set<string>>();
  for (const c of pods) instancesIn.set(nsOf(c), new Set([...(instancesIn.get(nsOf(c)) ?? []), c.pods!.instance]));
  const manyNamespaces = instancesIn.size > 1;
  const manyInstances = new Set(pods.map((c) => c.pods!.instance)).size > 1;
  const nodes = new Map<string, TopologyNode>();
  const podId = (c: Connections) =>
    [manyNamespaces ? nsOf(c) : undefined, manyInstances ? c.pods!.instance : undefined, c.pods!.component].filter((x) => x !== undefined).join('.');
  for (const c of pods) {
    const owner = c.scope!;
    const workload = owner instanceof DifyWorkload ? owner : undefined;
    const kind = workload ? (owner.node.scope instanceof DifyStatefulStore ? 'store' : 'workload') : 'job';
    const shared = (instancesIn.get(nsOf(c))?.size ?? 0) > 1;
    nodes.set(podId(c), {
      id: podId(c),
      kind,
      label: shared ? `${c.pods!.instance}/${c.pods!.component}` : c.pods!.component,
      service: workload?.service ? { name: workload.name, ports: workload.servicePorts.map((p) => ({ name: p.name, port: p.port })) } : undefined,
      ...(nsOf(c) !== undefined ? { namespace: nsOf(c) } : {}),
    });
  }
  const peerNode = (peer: NetworkPeer | Connections): string => {
    const p = peer instanceof Connections ? peer.peer! : peer;
    const label = peer instanceof Connections ? peer.description : p.description;
    const kind =
      p === NetworkPeer.internet()
        ? 'internet'
        : label === 'ingress controller'
          ? 'ingress'
          : p === NetworkPeer.anywhere()
            ? 'external'
            : p.isInCluster
              ? 'peer'
              : 'external';
    const id = kind === 'internet' ? 'internet' : `${kind}:${label.replace(/[^A-Za-z0-9_.:-]+/g, '-').replace(/^-+|-+$/g, '')}`;
    if (!nodes.has(id)) nodes.set(id, { id, kind, label: kind === 'internet' ? 'internet (public addresses)' : label });
    return id;
  };
  const idOf = (x: NetworkPeer | Connections) => (x instanceof Connections && x.pods ? podId(x) : peerNode(x));
  const flows: TopologyFlow[] = [];
  for (const c of pods) {
    for (const r of c.egress) flows.push({ from: podId(c), to: idOf(r.peer), ports: r.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })) });
    for (const r of c.ingress) {
      if (r.peer instanceof Connections && r.peer.pods) continue; // drawn as the other side's egress
      flows.push({ from: idOf(r.peer), to: podId(c), ports: r.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })) });
    }
  }
  if (pods.length) {
    nodes.set('dns', { id: 'dns', kind: 'dns', label: 'cluster DNS' });
    for (const c of pods)
      flows.push({
        from: podId(c),
        to: 'dns',
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
      });
  }
  const routes: TopologyRoute[] = [];
  for (const c of scope.node.findAll()) {
    const table = (c as Partial<IRouteTable>).routeTable;
    if (!Array.isArray(table)) continue;
    const entry = (c as Partial<IRouteTable>).routeEntry;
    let via = `ingress:${c.node.id}`;
    if (entry) {
      via = idOf(entry instanceof NetworkPeer ? entry : entry.connections);
      // The node that receives the requests is the entry of the routes, whatever else it is.
      nodes.set(via, { ...nodes.get(via)!, kind: 'ingress' });
    } else nodes.set(via, { id: via, kind: 'ingress', label: `${c.node.id} (routes)` });
    for (const r of table) {
      const target = r.backend.connections?.pods ? podId(r.backend.connections) : undefined;
      if (target) routes.push({ host: r.host, path: r.path, to: target, port: r.backend.port, via });
    }
  }
  return { title: options.title, namespace: options.namespace, nodes: [...nodes.values()], routes, flows };
}
