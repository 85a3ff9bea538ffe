// Properties of the NetworkPolicies derived from wiring (lib/networking/network-policy.ts, lib/core/connections.ts),
// stated as what each peer may reach, evaluated on the rendered objects: for random wirings, a flow is open exactly
// when it was recorded (component pairs, ports, protocols, namespaces, external peers), DNS is open to cluster DNS
// only, default-deny covers exactly the installation's pods, and IPv6 never lands in an IPv4 rule.
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import fc from 'fast-check';
import {
  Connections,
  DifyNetworkPolicy,
  DifyNetworkPolicyProps,
  FlowPort,
  IConnectable,
  LABEL_COMPONENT,
  LABEL_INSTANCE,
  LABEL_NAME,
  NetworkPeer,
} from '../lib';
import { k8s } from '../lib/core/k8s';
import { IpEndpoint, NetworkPolicyEvaluator, PodEndpoint, Protocol } from './support/netpol';

const NS = 'ns-a';

/** A minimal wired workload: a Deployment whose pods carry the selector labels, and their connections. */
class Pods extends Construct implements IConnectable {
  public readonly connections: Connections;
  public readonly endpoint: PodEndpoint;
  constructor(scope: Construct, id: string, instance: string, component: string, ports: readonly number[] = [8080]) {
    super(scope, id);
    const selector = { [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: instance, [LABEL_COMPONENT]: component };
    this.connections = Connections.forPods(this, { instance, component, selector }, ports);
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: `${instance}-${component}` },
      spec: {
        selector: { matchLabels: selector },
        template: { metadata: { labels: selector }, spec: { containers: [{ name: 'main', image: 'example/app:1.0.0' }] } },
      },
    });
    this.endpoint = { kind: 'pod', namespace: Chart.of(this).namespace!, labels: selector, name: `${instance}/${component}` };
  }
}

const pod = (namespace: string, labels: Record<string, string>, name = `${namespace}/${JSON.stringify(labels)}`): PodEndpoint => ({
  kind: 'pod',
  namespace,
  labels,
  name,
});
const ip = (address: string): IpEndpoint => ({ kind: 'ip', ip: address });
const KUBE_DNS = pod('kube-system', { 'k8s-app': 'kube-dns' }, 'kube-dns');
const NAMESPACES = ['ns-a', 'ns-b', 'team-b', 'team-c', 'kube-system'].map((name) => ({ name, labels: {} }));

function evaluator(...charts: Chart[]): NetworkPolicyEvaluator {
  return NetworkPolicyEvaluator.fromManifests(
    charts.flatMap((c) => Testing.synth(c)),
    NAMESPACES,
  );
}

function chart(namespace = NS): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

// ---------------------------------------------------------------------------------------------------------------
// Random wirings between components of one installation: open exactly when recorded.

interface Flow {
  readonly from: number;
  readonly to: number;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

const flowArb = (n: number) =>
  fc.record({
    from: fc.integer({ min: 0, max: n - 1 }),
    to: fc.integer({ min: 0, max: n - 1 }),
    port: fc.constantFrom(80, 443, 5432, 6379, 8080, 9000),
    protocol: fc.constantFrom<'TCP' | 'UDP'>('TCP', 'UDP'),
  });

describe('flows between wired components', () => {
  test('are open exactly on the recorded (source, destination, port, protocol), and nothing else is', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }).chain((n) => fc.tuple(fc.constant(n), fc.array(flowArb(n), { maxLength: 6 }))),
        ([n, flows]) => {
          const c = chart();
          const comps = Array.from({ length: n }, (_, i) => new Pods(c, `C${i}`, 'dify', `c${i}`));
          for (const f of flows) comps[f.from].connections.allowTo(comps[f.to], [{ port: f.port, protocol: f.protocol }]);
          new DifyNetworkPolicy(c, 'Policy');
          const ev = evaluator(c);
          for (const from of comps.keys())
            for (const to of comps.keys())
              for (const port of [80, 443, 5432, 6379, 8080, 9000])
                for (const protocol of ['TCP', 'UDP'] as Protocol[]) {
                  if (from === to) continue; // hairpin traffic is not modelled
                  const recorded = flows.some((f: Flow) => f.from === from && f.to === to && f.port === port && f.protocol === protocol);
                  const allowed = ev.allows(comps[from].endpoint, comps[to].endpoint, port, protocol);
                  expect({ from, to, port, protocol, allowed }).toEqual({ from, to, port, protocol, allowed: recorded });
                }
        },
      ),
      { numRuns: 25 },
    );
  });

  test("a flow with no ports uses the destination's client ports, TCP", () => {
    const c = chart();
    const a = new Pods(c, 'A', 'dify', 'a');
    const b = new Pods(c, 'B', 'dify', 'b', [5001, 5003]);
    a.connections.allowTo(b);
    new DifyNetworkPolicy(c, 'Policy');
    const ev = evaluator(c);
    expect([5001, 5003, 5002].map((p) => ev.allows(a.endpoint, b.endpoint, p))).toEqual([true, true, false]);
    expect(ev.allows(a.endpoint, b.endpoint, 5001, 'UDP')).toBe(false);
    expect(ev.allows(b.endpoint, a.endpoint, 8080)).toBe(false);
  });

  test('allowFrom a component is the same flow as allowTo from it', () => {
    const c = chart();
    const a = new Pods(c, 'A', 'dify', 'a');
    const b = new Pods(c, 'B', 'dify', 'b', [5001]);
    b.connections.allowFrom(a, [{ port: 53, protocol: 'UDP' }]);
    new DifyNetworkPolicy(c, 'Policy');
    const ev = evaluator(c);
    expect(ev.allows(a.endpoint, b.endpoint, 53, 'UDP')).toBe(true);
    expect(ev.allows(a.endpoint, b.endpoint, 53, 'TCP')).toBe(false);
    expect(ev.allows(b.endpoint, a.endpoint, 53, 'UDP')).toBe(false);
  });

  test('a UDP flow stays UDP and a TCP flow on the same port stays TCP, in the same rule set', () => {
    const c = chart();
    const a = new Pods(c, 'A', 'dify', 'a');
    const b = new Pods(c, 'B', 'dify', 'b');
    const d = new Pods(c, 'D', 'dify', 'd');
    a.connections.allowTo(b, [{ port: 8125, protocol: 'UDP' }]);
    a.connections.allowTo(d, [8125]);
    new DifyNetworkPolicy(c, 'Policy');
    const ev = evaluator(c);
    expect([ev.allows(a.endpoint, b.endpoint, 8125, 'UDP'), ev.allows(a.endpoint, b.endpoint, 8125, 'TCP')]).toEqual([true, false]);
    expect([ev.allows(a.endpoint, d.endpoint, 8125, 'TCP'), ev.allows(a.endpoint, d.endpoint, 8125, 'UDP')]).toEqual([true, false]);
  });

  test('installations in one namespace are isolated from each other unless wired', () => {
    const c = chart();
    const a = new Pods(c, 'A', 'one', 'api');
    const b = new Pods(c, 'B', 'two', 'api');
    const a2 = new Pods(c, 'A2', 'one', 'db');
    a.connections.allowTo(a2);
    new DifyNetworkPolicy(c, 'Policy');
    const ev = evaluator(c);
    expect(ev.allows(a.endpoint, a2.endpoint, 8080)).toBe(true);
    expect(ev.allows(b.endpoint, a2.endpoint, 8080)).toBe(false);
    expect(ev.allows(a.endpoint, b.endpoint, 8080)).toBe(false);
    for (const p of [a, b, a2]) expect(ev.isolation(p.endpoint)).toEqual({ ingress: true, egress: true });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Scope of default-deny and DNS.

describe('default-deny and DNS', () => {
  const c = chart();
  const a = new Pods(c, 'A', 'dify', 'api');
  new DifyNetworkPolicy(c, 'Policy');
  const ev = evaluator(c);

  test("default-deny isolates the installation's pods and no other pod of the namespace", () => {
    expect(ev.isolation(a.endpoint)).toEqual({ ingress: true, egress: true });
    const others: Record<string, string>[] = [
      { app: 'other' },
      { [LABEL_NAME]: 'other', [LABEL_INSTANCE]: 'dify' },
      { [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: 'other' },
      { [LABEL_INSTANCE]: 'dify' },
    ];
    for (const labels of others) expect({ labels, ...ev.isolation(pod(NS, labels)) }).toEqual({ labels, ingress: false, egress: false });
    // The same labels in another namespace are not selected either.
    expect(ev.isolation(pod('ns-b', a.endpoint.labels))).toEqual({ ingress: false, egress: false });
  });

  test('a pod of the installation that no component owns is still denied (default-deny selects by name and instance)', () => {
    const stray = pod(NS, { [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: 'dify', [LABEL_COMPONENT]: 'debug' });
    expect(ev.isolation(stray)).toEqual({ ingress: true, egress: true });
    expect(ev.allows(stray, ip('1.1.1.1'), 443)).toBe(false);
    expect(ev.allows(a.endpoint, stray, 8080)).toBe(false);
  });

  test('cluster DNS is reachable on 53 over UDP and TCP, and only there', () => {
    expect([ev.allows(a.endpoint, KUBE_DNS, 53, 'UDP'), ev.allows(a.endpoint, KUBE_DNS, 53, 'TCP')]).toEqual([true, true]);
    for (const port of [52, 54, 80, 443, 5353]) expect({ port, open: ev.allows(a.endpoint, KUBE_DNS, port) }).toEqual({ port, open: false });
    expect(ev.allows(a.endpoint, KUBE_DNS, 80, 'UDP')).toBe(false);
    // Other pods of kube-system, and kube-dns look-alikes elsewhere, are not DNS.
    expect(ev.allows(a.endpoint, pod('kube-system', { 'k8s-app': 'metrics-server' }), 53, 'UDP')).toBe(false);
    expect(ev.allows(a.endpoint, pod('kube-system', {}), 53, 'UDP')).toBe(false);
    expect(ev.allows(a.endpoint, pod('team-b', { 'k8s-app': 'kube-dns' }), 53, 'UDP')).toBe(false);
    expect(ev.allows(a.endpoint, ip('10.96.0.10'), 53, 'UDP')).toBe(false);
  });

  test('a custom DNS peer replaces the default one', () => {
    const c2 = chart();
    const b = new Pods(c2, 'B', 'dify', 'api');
    new DifyNetworkPolicy(c2, 'Policy', { dns: { namespaceLabels: { 'kubernetes.io/metadata.name': 'team-c' }, podLabels: { app: 'dns' } } });
    const ev2 = evaluator(c2);
    expect(ev2.allows(b.endpoint, pod('team-c', { app: 'dns' }), 53, 'UDP')).toBe(true);
    expect(ev2.allows(b.endpoint, pod('team-c', { app: 'other' }), 53, 'UDP')).toBe(false);
    expect(ev2.allows(b.endpoint, KUBE_DNS, 53, 'UDP')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// External peers: other namespaces, CIDRs, the internet, anywhere.

describe('external peers', () => {
  test('pods of another namespace are admitted from that namespace only, with those labels only', () => {
    fc.assert(
      fc.property(fc.constantFrom('team-b', 'team-c'), fc.constantFrom('ingress', 'egress'), fc.constantFrom(80, 443, 8080), (ns, direction, port) => {
        const c = chart();
        const a = new Pods(c, 'A', 'dify', 'api', [port]);
        const peer = NetworkPeer.pods({ namespace: ns, podLabels: { app: 'client' } });
        if (direction === 'egress') a.connections.allowTo(peer, [port]);
        else a.connections.allowFrom(peer, [port]);
        new DifyNetworkPolicy(c, 'Policy');
        const ev = evaluator(c);
        const check = (other: PodEndpoint) => (direction === 'egress' ? ev.allows(a.endpoint, other, port) : ev.allows(other, a.endpoint, port));
        expect(check(pod(ns, { app: 'client' }))).toBe(true);
        expect(check(pod(ns, { app: 'client', extra: 'x' }))).toBe(true);
        const elsewhere = ['team-b', 'team-c', 'ns-b', NS].filter((x) => x !== ns);
        for (const other of elsewhere) expect({ other, open: check(pod(other, { app: 'client' })) }).toEqual({ other, open: false });
        expect(check(pod(ns, { app: 'server' }))).toBe(false);
        expect(check(pod(ns, {}))).toBe(false);
        expect(
          direction === 'egress' ? ev.allows(a.endpoint, pod(ns, { app: 'client' }), port + 1) : ev.allows(pod(ns, { app: 'client' }), a.endpoint, port + 1),
        ).toBe(false);
      }),
      { numRuns: 12 },
    );
  });

  test('pods selected by namespace labels; pods of the policy namespace need no namespace selector', () => {
    const c = chart();
    const a = new Pods(c, 'A', 'dify', 'api');
    a.connections.allowTo(NetworkPeer.pods({ namespaceLabels: { team: 'obs' }, podLabels: { app: 'otel' } }), [4318]);
    a.connections.allowTo(NetworkPeer.pods({ podLabels: { app: 'local' } }), [9000]);
    a.connections.allowTo(NetworkPeer.pods({ namespace: NS, podLabels: { app: 'same' } }), [9001]);
    new DifyNetworkPolicy(c, 'Policy');
    const ev = NetworkPolicyEvaluator.fromManifests(Testing.synth(c), [...NAMESPACES, { name: 'observability', labels: { team: 'obs' } }]);
    expect(ev.allows(a.endpoint, pod('observability', { app: 'otel' }), 4318)).toBe(true);
    expect(ev.allows(a.endpoint, pod('team-b', { app: 'otel' }), 4318)).toBe(false);
    expect(ev.allows(a.endpoint, pod(NS, { app: 'local' }), 9000)).toBe(true);
    expect(ev.allows(a.endpoint, pod('team-b', { app: 'local' }), 9000)).toBe(false);
    expect(ev.allows(a.endpoint, pod(NS, { app: 'same' }), 9001)).toBe(true);
    expect(ev.allows(a.endpoint, pod('team-b', { app: 'same' }), 9001)).toBe(false);
  });

  test('a component of another chart namespace is reached in its namespace only', () => {
    const app = Testing.app();
    const ca = new Chart(app, 'a', { namespace: 'ns-a' });
    const cb = new Chart(app, 'b', { namespace: 'ns-b' });
    const a = new Pods(ca, 'A', 'dify', 'api');
    const b = new Pods(cb, 'B', 'dify', 'sandbox', [8194]);
    a.connections.allowTo(b);
    new DifyNetworkPolicy(ca, 'Policy');
    new DifyNetworkPolicy(cb, 'Policy');
    const ev = evaluator(ca, cb);
    expect(ev.allows(a.endpoint, b.endpoint, 8194)).toBe(true);
    // The same labels in a third namespace are neither reached nor admitted.
    const lookalikeA = pod('team-b', a.endpoint.labels);
    const lookalikeB = pod('team-b', b.endpoint.labels);
    expect(ev.allows(a.endpoint, lookalikeB, 8194)).toBe(false);
    expect(ev.allows(lookalikeA, b.endpoint, 8194)).toBe(false);
    expect(ev.allows(b.endpoint, a.endpoint, 8080)).toBe(false);
  });

  test('CIDR peers reach addresses inside their ranges only, IPv4 and IPv6', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 0, max: 255 }), (x, y) => {
        const c = chart();
        const a = new Pods(c, 'A', 'dify', 'api');
        a.connections.allowTo(NetworkPeer.cidrs(['10.20.0.0/16', 'fd00:10::/32']), [5432]);
        new DifyNetworkPolicy(c, 'Policy');
        const ev = evaluator(c);
        expect(ev.allows(a.endpoint, ip(`10.20.${y}.${x}`), 5432)).toBe(true);
        expect(ev.allows(a.endpoint, ip(`10.21.${y}.${x}`), 5432)).toBe(false);
        expect(ev.allows(a.endpoint, ip(`fd00:10::${x.toString(16)}`), 5432)).toBe(true);
        expect(ev.allows(a.endpoint, ip(`fd00:11::${x.toString(16)}`), 5432)).toBe(false);
        expect(ev.allows(a.endpoint, ip(`10.20.${y}.${x}`), 5433)).toBe(false);
      }),
      { numRuns: 10 },
    );
  });

  test('the internet is every public IPv4 address except non-public ranges and the IPv4 cluster CIDRs', () => {
    const c = chart();
    const a = new Pods(c, 'A', 'dify', 'api');
    a.connections.allowTo(NetworkPeer.internet(), [443]);
    new DifyNetworkPolicy(c, 'Policy', { clusterCidrs: ['34.118.224.0/20', 'fd12:3456::/48', '203.0.113.0/24'] });
    const docs = Testing.synth(c);
    const ev = NetworkPolicyEvaluator.fromManifests(docs, NAMESPACES);
    for (const addr of ['1.1.1.1', '8.8.8.8', '34.118.240.1', '203.0.114.1', '100.128.0.1', '172.32.0.1', '192.169.0.1'])
      expect({ addr, open: ev.allows(a.endpoint, ip(addr), 443) }).toEqual({ addr, open: true });
    for (const addr of [
      '0.1.2.3',
      '10.1.2.3',
      '100.64.0.1',
      '100.127.255.254',
      '127.0.0.1',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.254',
      '192.168.0.1',
      '224.0.0.1',
      '239.255.255.250',
      '240.0.0.1',
      '34.118.230.1',
      '203.0.113.9',
    ])
      expect({ addr, open: ev.allows(a.endpoint, ip(addr), 443) }).toEqual({ addr, open: false });
    expect(ev.allows(a.endpoint, ip('1.1.1.1'), 80)).toBe(false);
    // IPv6 is never "internet" here, and an IPv6 cluster CIDR never lands in an IPv4 except list.
    expect(ev.allows(a.endpoint, ip('2606:4700::1111'), 443)).toBe(false);
    const excepts = docs.flatMap((d) => (d.spec?.egress ?? []).flatMap((r: any) => (r.to ?? []).flatMap((p: any) => p.ipBlock?.except ?? [])));
    expect(excepts.length).toBeGreaterThan(0);
    expect(excepts.filter((e: string) => e.includes(':'))).toEqual([]);
  });

  test('an "anywhere" rule is never merged into a narrower rule on the same ports, nor the reverse', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom(443, 8443), (anywhereFirst, port) => {
        const c = chart();
        const a = new Pods(c, 'A', 'dify', 'api');
        const b = new Pods(c, 'B', 'dify', 'worker');
        const wire = [
          () => a.connections.allowTo(NetworkPeer.anywhere(), [port]),
          () => a.connections.allowTo(NetworkPeer.cidrs(['10.9.0.0/16']), [port]),
          () => a.connections.allowTo(b, [port]),
        ];
        for (const w of anywhereFirst ? wire : [...wire].reverse()) w();
        // Ingress too: anywhere and one pod on the same port.
        b.connections.allowFrom(NetworkPeer.anywhere(), [port]);
        b.connections.allowFrom(NetworkPeer.cidrs(['192.0.2.0/24']), [port]);
        new DifyNetworkPolicy(c, 'Policy');
        const ev = evaluator(c);
        for (const addr of ['1.1.1.1', '10.9.1.1', '10.10.1.1', '169.254.169.254'])
          expect({ addr, open: ev.allows(a.endpoint, ip(addr), port) }).toEqual({ addr, open: true });
        expect(ev.allows(a.endpoint, ip('1.1.1.1'), port + 1)).toBe(false);
        expect(ev.allows(a.endpoint, b.endpoint, port)).toBe(true);
        expect(ev.allows(ip('198.51.100.7'), b.endpoint, port)).toBe(true);
        expect(ev.allows(pod('team-b', { app: 'x' }), b.endpoint, port)).toBe(true);
        expect(ev.allows(ip('198.51.100.7'), b.endpoint, port + 1)).toBe(false);
      }),
      { numRuns: 4 },
    );
  });

  test('peers with the same ports share a rule; different port sets stay apart', () => {
    const c = chart();
    const a = new Pods(c, 'A', 'dify', 'api');
    a.connections.allowTo(NetworkPeer.cidrs(['10.1.0.0/16']), [443]);
    a.connections.allowTo(NetworkPeer.cidrs(['10.2.0.0/16']), [443]);
    a.connections.allowTo(NetworkPeer.cidrs(['10.1.0.0/16']), [443]);
    a.connections.allowTo(NetworkPeer.cidrs(['10.3.0.0/16']), [80, 443]);
    new DifyNetworkPolicy(c, 'Policy');
    const docs = Testing.synth(c);
    const ev = NetworkPolicyEvaluator.fromManifests(docs, NAMESPACES);
    expect([ev.allows(a.endpoint, ip('10.1.0.1'), 443), ev.allows(a.endpoint, ip('10.2.0.1'), 443), ev.allows(a.endpoint, ip('10.3.0.1'), 80)]).toEqual([
      true,
      true,
      true,
    ]);
    expect([ev.allows(a.endpoint, ip('10.1.0.1'), 80), ev.allows(a.endpoint, ip('10.2.0.1'), 80)]).toEqual([false, false]);
    const policy = docs.find((d) => d.kind === 'NetworkPolicy' && d.metadata.name === 'dify-api');
    // One rule for 443 with both ranges, once each; one for 80+443.
    expect(policy.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.1.0.0/16' } }, { ipBlock: { cidr: '10.2.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      {
        to: [{ ipBlock: { cidr: '10.3.0.0/16' } }],
        ports: [
          { protocol: 'TCP', port: 80 },
          { protocol: 'TCP', port: 443 },
        ],
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Objects, names and refusals.

describe('rendered objects', () => {
  test('one default-deny, one DNS policy per installation and one policy per component, named and labelled', () => {
    const c = chart();
    new Pods(c, 'A', 'dify', 'api');
    new Pods(c, 'B', 'dify', 'worker');
    new Pods(c, 'C', 'other', 'api');
    new DifyNetworkPolicy(c, 'Policy');
    const policies = Testing.synth(c).filter((d) => d.kind === 'NetworkPolicy');
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(
      ['dify-allow-dns', 'dify-api', 'dify-default-deny', 'dify-worker', 'other-allow-dns', 'other-api', 'other-default-deny'].sort(),
    );
    for (const p of policies) {
      expect(p.metadata.labels[LABEL_NAME]).toBe('dify');
      expect(p.spec.podSelector.matchLabels[LABEL_INSTANCE]).toBe(p.metadata.name.split('-')[0]);
    }
    const deny = policies.find((p) => p.metadata.name === 'dify-default-deny');
    expect(deny.spec).toEqual({ podSelector: { matchLabels: { [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: 'dify' } }, policyTypes: ['Ingress', 'Egress'] });
    const api = policies.find((p) => p.metadata.name === 'dify-api');
    expect(api.spec.podSelector.matchLabels).toEqual({ [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: 'dify', [LABEL_COMPONENT]: 'api' });
    expect(api.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(api.spec.ingress).toBeUndefined();
    expect(api.spec.egress).toBeUndefined();
    const dns = policies.find((p) => p.metadata.name === 'dify-allow-dns');
    expect(dns.metadata.labels[LABEL_COMPONENT]).toBe('network-policy-dns');
    expect(dns.spec).toEqual({
      podSelector: { matchLabels: { [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: 'dify' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
    expect(deny.metadata.labels[LABEL_COMPONENT]).toBe('network-policy');
  });

  test('a scope without components is refused, naming the prop', () => {
    const c = chart();
    expect(() => {
      new DifyNetworkPolicy(c, 'Policy');
      Testing.synth(c);
    }).toThrow(/networkPolicy.*found no Dify component/);
  });

  test.each<[string, DifyNetworkPolicyProps, RegExp]>([
    ['a non-list', { clusterCidrs: '10.0.0.0/8' as any }, /clusterCidrs.*must be a(n array| list)/],
    ['a bad CIDR', { clusterCidrs: ['10.0.0.0/33'] }, /networkPolicy\.clusterCidrs\[0\]/],
    ['an empty DNS namespace selector', { dns: { namespaceLabels: {} } }, /networkPolicy\.dns\.namespaceLabels.*\{\} would select everything/],
  ])('%s is refused', (_, props, message) => {
    const c = chart();
    new Pods(c, 'A', 'dify', 'api');
    expect(() => {
      new DifyNetworkPolicy(c, 'Policy', props);
      Testing.synth(c);
    }).toThrow(message);
  });

  test('a flow to anywhere on every port is refused in both directions', () => {
    const c = chart();
    const a = new Pods(c, 'A', 'dify', 'api');
    expect(() => a.connections.allowTo(NetworkPeer.anywhere(), [])).toThrow(/connections\.allowTo.*needs ports/);
    expect(() => a.connections.allowFrom(NetworkPeer.anywhere(), [])).toThrow(/connections\.allowFrom.*needs ports/);
    expect(() => a.connections.allowTo(NetworkPeer.anywhere())).toThrow(/needs ports/);
  });

  test('wiring to something that is neither a component nor a peer is refused', () => {
    const c = chart();
    const a = new Pods(c, 'A', 'dify', 'api');
    expect(() => a.connections.allowTo({} as any)).toThrow(/connections\.allowTo.*anything with `connections`/);
    expect(() => a.connections.allowFrom({ connections: 1 } as any)).toThrow(/connections\.allowFrom/);
  });

  test('empty namespace label selectors are refused; pods({}) selects the policy namespace', () => {
    expect(() => NetworkPeer.pods({ namespaceLabels: {} })).toThrow(/NetworkPeer\.pods\.namespaceLabels.*would select everything/);
    expect(() => NetworkPeer.pods({ namespace: 'x', namespaceLabels: { a: 'b' } })).toThrow(/NetworkPeer\.pods\.namespace.*conflicts with namespaceLabels/);
    expect(() => NetworkPeer.pods({ podLabels: 'x' as any })).toThrow(/NetworkPeer\.pods\.podLabels.*map of label keys/);
    expect(() => NetworkPeer.cidrs([])).toThrow(/NetworkPeer\.cidrs.*at least one CIDR/);
    expect(() => NetworkPeer.cidrs(['300.0.0.0/8'])).toThrow(/NetworkPeer\.cidrs\[0\]/);
    expect(NetworkPeer.pods({ podLabels: { app: 'x' } }).render({ namespace: NS, clusterCidrs: [] })).toEqual([{ podSelector: { matchLabels: { app: 'x' } } }]);
    expect(NetworkPeer.pods({ namespace: 'team-b' }).render({ namespace: NS, clusterCidrs: [] })).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-b' } }, podSelector: { matchLabels: {} } },
    ]);
  });

  test('peers describe themselves for errors and pictures', () => {
    expect(NetworkPeer.internet().description).toBe('internet');
    expect(NetworkPeer.anywhere().description).toBe('anywhere');
    expect(NetworkPeer.cidrs(['10.0.0.0/8', '10.1.0.0/16']).description).toBe('10.0.0.0/8, 10.1.0.0/16');
    expect(NetworkPeer.cidrs(['10.0.0.0/8'], 'db subnet').description).toBe('db subnet');
    expect(NetworkPeer.pods({ namespace: 'obs', podLabels: { app: 'otel' } }).description).toBe('pods app=otel in namespace obs');
    expect(NetworkPeer.pods({ namespace: 'obs', podLabels: { app: 'otel' }, description: 'otel' }).description).toBe('otel');
    expect([NetworkPeer.pods({}).isInCluster, NetworkPeer.cidrs(['10.0.0.0/8']).isInCluster, NetworkPeer.internet().isInCluster]).toEqual([true, false, false]);
  });

  test('ports are carried as FlowPort values', () => {
    const ports: FlowPort[] = [{ port: 1 }, { port: 65535, protocol: 'UDP' }];
    const c = chart();
    const a = new Pods(c, 'A', 'dify', 'api');
    const b = new Pods(c, 'B', 'dify', 'db');
    a.connections.allowTo(b, ports);
    expect(a.connections.egress[0].ports).toEqual([
      { port: 1, protocol: 'TCP' },
      { port: 65535, protocol: 'UDP' },
    ]);
    expect(b.connections.ingress[0].peer).toBe(a.connections);
  });
});

describe('which components a policy covers', () => {
  const names = (p: DifyNetworkPolicy) => p.subjects.map((s) => s.policyName);

  test('every component under its scope, plus same-instance components elsewhere in its namespace', () => {
    const c = chart();
    const stack = new Construct(c, 'Stack');
    new Pods(stack, 'A', 'dify', 'api');
    new Pods(c, 'Beside', 'dify', 'qdrant');
    new Pods(c, 'Other', 'other', 'api');
    const policy = new DifyNetworkPolicy(c, 'Policy', { scope: stack });
    expect(names(policy)).toEqual(['dify-api', 'dify-qdrant']);
  });

  test('a same-instance component in another namespace, or under another policy, is left to that one', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'ns-a' });
    const b = new Chart(app, 'b', { namespace: 'ns-b' });
    const stackA = new Construct(a, 'Stack');
    new Pods(stackA, 'Api', 'dify', 'api');
    new Pods(b, 'Far', 'dify', 'far');
    const second = new Construct(a, 'Second');
    new Pods(second, 'Web', 'dify', 'web');
    const policyA = new DifyNetworkPolicy(a, 'Policy', { scope: stackA });
    const policyB = new DifyNetworkPolicy(a, 'Policy2', { scope: second });
    expect(names(policyA)).toEqual(['dify-api']);
    expect(names(policyB)).toEqual(['dify-web']);
  });

  test('a component whose instance and name are already covered is not covered twice', () => {
    const c = chart();
    const stack = new Construct(c, 'Stack');
    new Pods(stack, 'A', 'dify', 'api');
    new Pods(c, 'Twin', 'dify', 'api');
    expect(names(new DifyNetworkPolicy(c, 'Policy', { scope: stack }))).toEqual(['dify-api']);
  });

  test('subjects render once; wiring afterwards throws', () => {
    const c = chart();
    const a = new Pods(c, 'A', 'dify', 'api');
    const b = new Pods(c, 'B', 'dify', 'db');
    const policy = new DifyNetworkPolicy(c, 'Policy');
    expect(policy.subjects).toBe(policy.subjects);
    expect(policy.subjects.map((s) => s.connections)).toEqual([a.connections, b.connections]);
    expect(() => a.connections.allowTo(b)).toThrow(/rendered its policies/);
  });
});

test('a peer open on every port absorbs narrower flows to it, and only to it', () => {
  const c = chart();
  const a = new Pods(c, 'A', 'dify', 'api');
  a.connections.allowTo(NetworkPeer.cidrs(['10.1.0.0/16']), [443]);
  a.connections.allowTo(NetworkPeer.cidrs(['10.1.0.0/16']));
  a.connections.allowTo(NetworkPeer.cidrs(['10.2.0.0/16']), [443]);
  a.connections.allowTo(NetworkPeer.anywhere(), [8443]);
  new DifyNetworkPolicy(c, 'Policy');
  const docs = Testing.synth(c);
  const policy = docs.find((d) => d.kind === 'NetworkPolicy' && d.metadata.name === 'dify-api');
  expect(policy.spec.egress).toEqual([
    { to: [{ ipBlock: { cidr: '10.1.0.0/16' } }] },
    { to: [{ ipBlock: { cidr: '10.2.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    { ports: [{ protocol: 'TCP', port: 8443 }] },
  ]);
  const ev = NetworkPolicyEvaluator.fromManifests(docs, NAMESPACES);
  expect([ev.allows(a.endpoint, ip('10.1.0.1'), 22), ev.allows(a.endpoint, ip('10.2.0.1'), 22), ev.allows(a.endpoint, ip('10.2.0.1'), 443)]).toEqual([
    true,
    false,
    true,
  ]);
});
