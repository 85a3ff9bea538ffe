// The wiring records (lib/core/connections.ts): what allowTo/allowFrom record on each side, how peers describe and
// render themselves, endpoints, and the refusals. Policies derived from these records are evaluated in
// network-policy-properties.test.ts.
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Connections, DifyEndpoint, IConnectable, NetworkPeer, describePods, isConnectable, podConnections } from '../lib';

class Pods extends Construct implements IConnectable {
  public readonly connections: Connections;
  constructor(scope: Construct, id: string, ports: readonly number[] = [8080]) {
    super(scope, id);
    this.connections = Connections.forPods(this, { instance: 'dify', component: id, selector: { c: id } }, ports);
  }
}
const chart = (namespace?: string) => new Chart(Testing.app(), 'test', namespace ? { namespace } : {});

describe('describePods', () => {
  test('says which pods in which namespaces, in words', () => {
    expect(describePods(undefined, undefined)).toBe('every pod');
    expect(describePods({}, undefined)).toBe('every pod');
    expect(describePods({ app: 'x', tier: 'db' }, undefined)).toBe('pods app=x, tier=db');
    expect(describePods({ app: 'x' }, { 'kubernetes.io/metadata.name': 'obs' })).toBe('pods app=x in namespace obs');
    expect(describePods({ app: 'x' }, { team: 'a', env: 'b' })).toBe('pods app=x in namespaces team=a, env=b');
    expect(describePods(undefined, { 'kubernetes.io/metadata.name': 'obs', team: 'a' })).toBe(
      'every pod in namespaces kubernetes.io/metadata.name=obs, team=a',
    );
    expect(describePods({ app: 'x' }, {})).toBe('pods app=x in every namespace');
  });
});

describe('NetworkPeer', () => {
  test('fromPodPeer renders the namespace and pod selectors as given, and names the prop in its description', () => {
    const p = NetworkPeer.fromPodPeer('networkPolicy.scraper', { namespaceLabels: { team: 'obs' }, podLabels: { app: 'prom' } });
    expect(p.render({ clusterCidrs: [] })).toEqual([{ namespaceSelector: { matchLabels: { team: 'obs' } }, podSelector: { matchLabels: { app: 'prom' } } }]);
    expect(p.description).toBe('networkPolicy.scraper: pods app=prom in namespaces team=obs');
    expect(p.isInCluster).toBe(true);
    const q = NetworkPeer.fromPodPeer('x', { namespaceLabels: { team: 'obs' } }, 'monitoring');
    expect(q.render({ clusterCidrs: [] })).toEqual([{ namespaceSelector: { matchLabels: { team: 'obs' } } }]);
    expect(q.description).toBe('monitoring');
    expect(NetworkPeer.fromPodPeer('x', p as any)).toBe(p);
  });

  test('fromPodPeer refuses what would select everything or is not a peer, naming the prop', () => {
    expect(() => NetworkPeer.fromPodPeer('ingress.controller', null as any)).toThrow(
      /^ingress\.controller: got null; must be \{ namespaceLabels, podLabels\? \} or a NetworkPeer$/,
    );
    expect(() => NetworkPeer.fromPodPeer('ingress.controller', 'x' as any)).toThrow(/^ingress\.controller: got "x"/);
    expect(() => NetworkPeer.fromPodPeer('ingress.controller', {} as any)).toThrow(
      /^ingress\.controller\.namespaceLabels: got \{\}; must select by at least one label/,
    );
    expect(() => NetworkPeer.fromPodPeer('ingress.controller', { namespaceLabels: ['a'] as any })).toThrow(
      /^ingress\.controller\.namespaceLabels: got \["a"\]; must be a map of label keys to values$/,
    );
    expect(() => NetworkPeer.fromPodPeer('ingress.controller', { namespaceLabels: { a: 'b' }, podLabels: null as any })).toThrow(
      /^ingress\.controller\.podLabels: got null; must be a map/,
    );
  });

  test('pods() in the policy namespace needs no namespace selector; namespace labels beyond the name do', () => {
    const ctx = { namespace: 'dify', clusterCidrs: [] };
    expect(NetworkPeer.pods({ namespace: 'dify', podLabels: { a: 'b' } }).render(ctx)).toEqual([{ podSelector: { matchLabels: { a: 'b' } } }]);
    expect(NetworkPeer.pods({ namespaceLabels: { 'kubernetes.io/metadata.name': 'dify', team: 'x' }, podLabels: { a: 'b' } }).render(ctx)).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dify', team: 'x' } }, podSelector: { matchLabels: { a: 'b' } } },
    ]);
    // Without a known policy namespace a named namespace is always selected explicitly.
    expect(NetworkPeer.pods({ namespace: 'dify' }).render({ clusterCidrs: [] })).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dify' } }, podSelector: { matchLabels: {} } },
    ]);
    expect(NetworkPeer.pods({ namespace: 'obs' }).description).toBe('every pod in namespace obs');
  });
});

describe('Connections', () => {
  test('allowTo a component records egress here and ingress there, with its client ports by default', () => {
    const c = chart('dify');
    const a = new Pods(c, 'a');
    const b = new Pods(c, 'b', [5001, 5002]);
    a.connections.allowTo(b);
    expect(a.connections.egress).toEqual([
      {
        peer: b.connections,
        ports: [
          { port: 5001, protocol: 'TCP' },
          { port: 5002, protocol: 'TCP' },
        ],
      },
    ]);
    expect(b.connections.ingress).toEqual([{ peer: a.connections, ports: a.connections.egress[0].ports }]);
    expect(a.connections.ingress).toEqual([]);
    expect(b.connections.egress).toEqual([]);
    expect(a.connections.reaches(b.connections)).toBe(true);
    expect(b.connections.reaches(a.connections)).toBe(false);
  });

  test('allowTo a peer or endpoint records egress only; allowFrom a peer records ingress on the client ports', () => {
    const c = chart('dify');
    const a = new Pods(c, 'a', [5001]);
    const db = DifyEndpoint.of({ host: 'db.internal', port: 5432 });
    a.connections.allowTo(db);
    expect(a.connections.egress).toEqual([{ peer: db.connections, ports: [{ port: 5432, protocol: 'TCP' }] }]);
    expect(db.connections.ingress).toEqual([]);
    const peer = NetworkPeer.cidrs(['10.0.0.0/8']);
    a.connections.allowTo(peer);
    expect(a.connections.egress[1]).toEqual({ peer, ports: [] });
    a.connections.allowFrom(peer);
    expect(a.connections.ingress).toEqual([{ peer, ports: [{ port: 5001, protocol: 'TCP' }] }]);
    a.connections.allowFrom(peer, [{ port: 9, protocol: 'UDP' }]);
    expect(a.connections.ingress[1]).toEqual({ peer, ports: [{ port: 9, protocol: 'UDP' }] });
  });

  test('ports are validated where they are given', () => {
    const c = chart('dify');
    const a = new Pods(c, 'a');
    const b = new Pods(c, 'b');
    expect(() => a.connections.allowTo(b, [0])).toThrow(/^ports\[0\]: got 0; must be an integer from 1 to 65535$/);
    expect(() => a.connections.allowTo(b, [80, { port: 70000 }])).toThrow(/^ports\[1\]: got 70000/);
    expect(() => new Pods(c, 'c', [65536])).toThrow(/test\/c\.ports: got 65536/);
    expect(() => Connections.forPeer(NetworkPeer.internet(), [0])).toThrow(/^internet\.ports: got 0/);
  });

  test('describes itself by instance/component, or by its label or peer', () => {
    const c = chart('dify');
    expect(new Pods(c, 'api').connections.description).toBe('dify/api');
    expect(Connections.forPeer(NetworkPeer.internet(), [443], 'api.openai.com:443').description).toBe('api.openai.com:443');
    expect(Connections.forPeer(NetworkPeer.internet(), [443]).description).toBe('internet');
  });

  test("its namespace is its chart's, and none outside a namespaced chart or for a peer", () => {
    expect(new Pods(chart('dify'), 'a').connections.namespace).toBe('dify');
    expect(new Pods(chart(), 'a').connections.namespace).toBeUndefined();
    expect(new Pods(new Construct(Testing.app(), 'loose'), 'a').connections.namespace).toBeUndefined();
    expect(Connections.forPeer(NetworkPeer.internet(), [443]).namespace).toBeUndefined();
  });

  test('serves and reads record hosts once and every value', () => {
    const a = new Pods(chart('dify'), 'a').connections;
    a.serves('dify-api');
    a.serves('dify-api');
    a.serves('dify-api-internal');
    expect(a.serviceHosts).toEqual(['dify-api', 'dify-api-internal']);
    a.reads({ X: '1', Y: 'dify-api' });
    a.reads({ X: '2' });
    expect(a.configValues).toEqual([
      { name: 'X', value: '1' },
      { name: 'Y', value: 'dify-api' },
      { name: 'X', value: '2' },
    ]);
  });

  test('wiring after the policy rendered throws on either side, naming both', () => {
    const c = chart('dify');
    const a = new Pods(c, 'a');
    const b = new Pods(c, 'b');
    b.connections.freeze('test/Policy');
    expect(() => a.connections.allowTo(b)).toThrow(/^test\/b: a connection was recorded after test\/Policy rendered its policies/);
    expect(() => b.connections.allowTo(a)).toThrow(/^test\/b: a connection was recorded after test\/Policy/);
    expect(() => b.connections.allowFrom(NetworkPeer.internet(), [80])).toThrow(/rendered its policies/);
    expect(() => a.connections.allowTo(NetworkPeer.internet(), [80])).not.toThrow();
  });

  test('isConnectable and podConnections find each pods-owning record once, in tree order', () => {
    const c = chart('dify');
    const a = new Pods(c, 'a');
    const b = new Pods(c, 'b');
    const alias = new (class extends Construct {
      public readonly connections = a.connections;
    })(c, 'alias');
    new (class extends Construct {
      public readonly connections = DifyEndpoint.of({ host: 'x.example.com', port: 1 }).connections;
    })(c, 'endpoint');
    expect(isConnectable(alias)).toBe(true);
    expect(isConnectable({ connections: {} })).toBe(false);
    expect(isConnectable(null)).toBe(false);
    expect(isConnectable('x')).toBe(false);
    expect(podConnections(c)).toEqual([a.connections, b.connections]);
  });
});

describe('DifyEndpoint', () => {
  test('host, port and a peer (any address on the port by default)', () => {
    const e = DifyEndpoint.of({ host: 'otel.obs.svc', port: 4318 });
    expect([e.host, e.port, e.connections.description, e.connections.defaultPorts]).toEqual(['otel.obs.svc', 4318, 'otel.obs.svc:4318', [4318]]);
    expect(e.connections.peer).toBe(NetworkPeer.anywhere());
    const peer = NetworkPeer.pods({ namespace: 'obs' });
    expect(DifyEndpoint.of({ host: 'otel.obs.svc', port: 4318, peer }).connections.peer).toBe(peer);
  });

  test('refuses a missing object, a bad host or port, and a peer that is not a NetworkPeer', () => {
    expect(() => DifyEndpoint.of(null as any)).toThrow(/^DifyEndpoint\.of: got null; must be \{ host, port, peer\? \}$/);
    expect(() => DifyEndpoint.of({ host: 'https://x.example.com', port: 1 })).toThrow(/^DifyEndpoint\.of\.host: /);
    expect(() => DifyEndpoint.of({ host: 'x.example.com', port: 0 })).toThrow(/^DifyEndpoint\.of\.port: got 0/);
    expect(() => DifyEndpoint.of({ host: 'x.example.com', port: 1, peer: {} as any })).toThrow(
      /^DifyEndpoint\.of\.peer: got "object"; must be a NetworkPeer such as NetworkPeer\.pods/,
    );
  });
});
