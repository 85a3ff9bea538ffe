import { Endpoint, IpEndpoint, NetworkPolicyEvaluator, PodEndpoint, ipInCidr, parseCidr, podEndpointsFromManifests } from './netpol';

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

function pod(namespace: string, labels: Record<string, string>, extra: Partial<PodEndpoint> = {}): PodEndpoint {
  return { kind: 'pod', namespace, labels, name: labels.app ?? 'pod', ...extra };
}
function ip(address: string): IpEndpoint {
  return { kind: 'ip', ip: address };
}
function np(name: string, namespace: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}
function ev(policies: Record<string, unknown>[], namespaces: { name: string; labels: Record<string, string> }[] = []) {
  return new NetworkPolicyEvaluator(policies, namespaces);
}

const api = pod('dify', { app: 'api' }, { namedPorts: { http: { port: 5001 } } });
const web = pod('dify', { app: 'web' });
const db = pod('dify', { app: 'postgres' }, { namedPorts: { pg: { port: 5432, protocol: 'TCP' } } });
const ingressCtl = pod('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }, { name: 'controller' });
const coreDns = pod('kube-system', { 'k8s-app': 'kube-dns' }, { name: 'coredns' });

const denyAll = (ns: string) => np('default-deny', ns, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

// ---------------------------------------------------------------------------
// tests
// ---------------------------------------------------------------------------

describe('NetworkPolicyEvaluator', () => {
  test('no policies: everything is allowed and nothing is isolated', () => {
    const e = ev([]);
    expect(e.allows(web, api, 5001)).toBe(true);
    expect(e.allows(api, ip('8.8.8.8'), 443)).toBe(true);
    expect(e.allows(ip('203.0.113.9'), web, 3000)).toBe(true);
    expect(e.isolation(api)).toEqual({ ingress: false, egress: false });
  });

  test('default-deny ingress isolates only ingress; egress stays open', () => {
    const e = ev([np('deny-in', 'dify', { podSelector: {}, policyTypes: ['Ingress'] })]);
    expect(e.isolation(api)).toEqual({ ingress: true, egress: false });
    expect(e.ingressAllowed(web, api, 5001)).toBe(false);
    expect(e.egressAllowed(api, ip('1.1.1.1'), 443)).toBe(true);
    expect(e.allows(web, api, 5001)).toBe(false);
    // pods in other namespaces are not selected by the policy
    expect(e.isolation(ingressCtl)).toEqual({ ingress: false, egress: false });
    expect(e.allows(api, ingressCtl, 80)).toBe(true);
  });

  test('default-deny egress blocks pod->pod even when destination ingress is open', () => {
    const e = ev([np('deny-out', 'dify', { podSelector: {}, policyTypes: ['Egress'] })]);
    expect(e.isolation(api)).toEqual({ ingress: false, egress: true });
    expect(e.ingressAllowed(api, db, 5432)).toBe(true);
    expect(e.egressAllowed(api, db, 5432)).toBe(false);
    expect(e.allows(api, db, 5432)).toBe(false);
    expect(e.allows(ip('10.1.1.1'), api, 5001)).toBe(true); // ingress not isolated
  });

  test('policyTypes inference: absent => Ingress, plus Egress only when egress rules exist', () => {
    const onlyIngress = ev([np('p', 'dify', { podSelector: {} })]);
    expect(onlyIngress.isolation(api)).toEqual({ ingress: true, egress: false });

    // `egress: []` does not add Egress (API server defaults on len(egress) != 0)
    const emptyEgress = ev([np('p', 'dify', { podSelector: {}, egress: [] })]);
    expect(emptyEgress.isolation(api)).toEqual({ ingress: true, egress: false });

    const withEgress = ev([np('p', 'dify', { podSelector: {}, egress: [{ to: [{ podSelector: { matchLabels: { app: 'postgres' } } }] }] })]);
    expect(withEgress.isolation(api)).toEqual({ ingress: true, egress: true });
    expect(withEgress.egressAllowed(api, db, 5432)).toBe(true);
    expect(withEgress.egressAllowed(api, web, 3000)).toBe(false);

    // explicit Egress-only policy with ingress rules does not isolate ingress
    const explicit = ev([np('p', 'dify', { podSelector: {}, policyTypes: ['Egress'], ingress: [] })]);
    expect(explicit.isolation(api)).toEqual({ ingress: false, egress: true });
  });

  test('policies are additive (union of rules across policies)', () => {
    const fromWeb = np('from-web', 'dify', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5001 }] }],
    });
    const fromIngress = np('from-ingress', 'dify', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 5001 }] }],
    });
    const e = ev([denyAll('dify'), fromWeb, fromIngress]);
    expect(e.ingressAllowed(web, api, 5001)).toBe(true);
    expect(e.ingressAllowed(ingressCtl, api, 5001)).toBe(true);
    expect(e.ingressAllowed(db, api, 5001)).toBe(false);
    expect(e.ingressAllowed(web, api, 5002)).toBe(false);
    // a narrower policy does not restrict what another policy allows
    expect(ev([denyAll('dify'), fromWeb]).ingressAllowed(ingressCtl, api, 5001)).toBe(false);
  });

  test('ingress: [{}] allows all; ingress: [] under an included type denies all', () => {
    const allowAll = ev([np('p', 'dify', { podSelector: {}, ingress: [{}] })]);
    expect(allowAll.ingressAllowed(ip('203.0.113.1'), api, 1)).toBe(true);
    expect(allowAll.ingressAllowed(coreDns, api, 65535, 'UDP')).toBe(true);
    const none = ev([np('p', 'dify', { podSelector: {}, ingress: [] })]);
    expect(none.ingressAllowed(web, api, 5001)).toBe(false);
  });

  describe('peer semantics', () => {
    const namespaces = [
      { name: 'dify', labels: { team: 'dify' } },
      { name: 'monitoring', labels: { team: 'obs' } },
      { name: 'other', labels: { team: 'obs' } },
    ];
    const prom = pod('monitoring', { app: 'prometheus' });
    const promInOther = pod('other', { app: 'prometheus' });
    const grafana = pod('monitoring', { app: 'grafana' });
    const apiPromInDify = pod('dify', { app: 'prometheus' });

    test('podSelector alone only matches pods in the policy namespace', () => {
      const e = ev(
        [np('p', 'dify', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'prometheus' } } }] }] })],
        namespaces,
      );
      expect(e.ingressAllowed(apiPromInDify, api, 5001)).toBe(true);
      expect(e.ingressAllowed(prom, api, 5001)).toBe(false); // other namespace
    });

    test('namespaceSelector + podSelector in ONE peer is an AND', () => {
      const e = ev(
        [
          np('p', 'dify', {
            podSelector: { matchLabels: { app: 'api' } },
            ingress: [
              {
                from: [
                  { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } },
                ],
              },
            ],
          }),
        ],
        namespaces,
      );
      expect(e.ingressAllowed(prom, api, 5001)).toBe(true);
      expect(e.ingressAllowed(grafana, api, 5001)).toBe(false); // right ns, wrong pod
      expect(e.ingressAllowed(promInOther, api, 5001)).toBe(false); // right pod, wrong ns
      expect(e.ingressAllowed(apiPromInDify, api, 5001)).toBe(false); // own ns not implied
    });

    test('namespaceSelector and podSelector as TWO peers is an OR', () => {
      const e = ev(
        [
          np('p', 'dify', {
            podSelector: { matchLabels: { app: 'api' } },
            ingress: [
              {
                from: [
                  { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
                  { podSelector: { matchLabels: { app: 'prometheus' } } },
                ],
              },
            ],
          }),
        ],
        namespaces,
      );
      expect(e.ingressAllowed(prom, api, 5001)).toBe(true);
      expect(e.ingressAllowed(grafana, api, 5001)).toBe(true); // any pod in monitoring
      expect(e.ingressAllowed(apiPromInDify, api, 5001)).toBe(true); // prometheus in own ns
      expect(e.ingressAllowed(promInOther, api, 5001)).toBe(false);
    });

    test('namespaceSelector uses namespace labels; empty namespaceSelector matches every namespace', () => {
      const byTeam = ev([np('p', 'dify', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } } }] }] })], namespaces);
      expect(byTeam.ingressAllowed(prom, api, 80)).toBe(true);
      expect(byTeam.ingressAllowed(promInOther, api, 80)).toBe(true);
      expect(byTeam.ingressAllowed(web, api, 80)).toBe(false);
      // unknown namespace only has the implicit name label
      expect(byTeam.ingressAllowed(pod('unknown', { app: 'x' }), api, 80)).toBe(false);

      const anyNs = ev([np('p', 'dify', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })]);
      expect(anyNs.ingressAllowed(pod('whatever', {}), api, 80)).toBe(true);
      expect(anyNs.ingressAllowed(ip('10.0.0.1'), api, 80)).toBe(false); // selectors never match IPs
    });
  });

  test('matchExpressions: In, NotIn (matches absent key), Exists, DoesNotExist, ANDed with matchLabels', () => {
    const mk = (podSelector: Record<string, unknown>) => ev([np('p', 'dify', { podSelector, policyTypes: ['Ingress'] })]);
    const a = pod('dify', { app: 'api', tier: 'backend' });
    const b = pod('dify', { app: 'web' });

    const inSel = mk({ matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'worker'] }] });
    expect([inSel.isolation(a).ingress, inSel.isolation(b).ingress]).toEqual([true, false]);

    const notIn = mk({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['backend'] }] });
    expect([notIn.isolation(a).ingress, notIn.isolation(b).ingress]).toEqual([false, true]);

    const exists = mk({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] });
    expect([exists.isolation(a).ingress, exists.isolation(b).ingress]).toEqual([true, false]);

    const dne = mk({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] });
    expect([dne.isolation(a).ingress, dne.isolation(b).ingress]).toEqual([false, true]);

    const both = mk({ matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend'] }] });
    expect(both.isolation(a).ingress).toBe(false);

    expect(() => mk({ matchExpressions: [{ key: 'app', operator: 'Equals', values: ['x'] }] })).toThrow(/unsupported operator/);
    expect(() => mk({ matchExpressions: [{ key: 'app', operator: 'In', values: [] }] })).toThrow(/requires values/);
  });

  test('named ports resolve against the destination pod (name + protocol), never against IPs', () => {
    const e = ev([
      np('db-in', 'dify', {
        podSelector: { matchLabels: { app: 'postgres' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'pg' }] }],
      }),
      np('api-out', 'dify', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'pg' }] }] }),
    ]);
    expect(e.allows(api, db, 5432)).toBe(true);
    expect(e.allows(api, db, 5433)).toBe(false);
    expect(e.ingressAllowed(api, db, 5432, 'UDP')).toBe(false);
    // destination without that named port: no match
    expect(e.egressAllowed(api, web, 5432)).toBe(false);
    expect(e.egressAllowed(api, ip('10.0.0.5'), 5432)).toBe(false);
    // the source's own named ports are irrelevant
    const apiWithPg = pod('dify', { app: 'api' }, { namedPorts: { pg: { port: 9999 } } });
    expect(e.egressAllowed(apiWithPg, db, 5432)).toBe(true);
    expect(e.egressAllowed(apiWithPg, db, 9999)).toBe(false);
    // the rule's protocol must match the named port's protocol on the destination
    const dnsUdp = ev([np('p', 'kube-system', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 'dns' }] }] })]);
    const tcpDns = pod('kube-system', { 'k8s-app': 'kube-dns' }, { namedPorts: { dns: { port: 53, protocol: 'TCP' } } });
    const udpDns = pod('kube-system', { 'k8s-app': 'kube-dns' }, { namedPorts: { dns: { port: 53, protocol: 'UDP' } } });
    expect(dnsUdp.ingressAllowed(api, tcpDns, 53, 'UDP')).toBe(false);
    expect(dnsUdp.ingressAllowed(api, udpDns, 53, 'UDP')).toBe(true);
  });

  test('endPort ranges are inclusive', () => {
    const e = ev([np('p', 'dify', { podSelector: {}, ingress: [{ ports: [{ protocol: 'TCP', port: 8000, endPort: 8010 }] }] })]);
    expect(e.ingressAllowed(web, api, 7999)).toBe(false);
    expect(e.ingressAllowed(web, api, 8000)).toBe(true);
    expect(e.ingressAllowed(web, api, 8010)).toBe(true);
    expect(e.ingressAllowed(web, api, 8011)).toBe(false);
    expect(() => ev([np('p', 'dify', { podSelector: {}, ingress: [{ ports: [{ port: 9000, endPort: 8000 }] }] })])).toThrow(/endPort/);
  });

  test('protocol: DNS on UDP 53 is distinct from TCP 53; protocol-only entry matches all ports of it', () => {
    const dnsEgress = np('dns', 'dify', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
          ],
          ports: [{ protocol: 'UDP', port: 53 }],
        },
      ],
    });
    const e = ev([dnsEgress]);
    expect(e.allows(api, coreDns, 53, 'UDP')).toBe(true);
    expect(e.allows(api, coreDns, 53, 'TCP')).toBe(false);
    expect(e.allows(api, coreDns, 53)).toBe(false); // default TCP
    expect(e.allows(api, pod('kube-system', { app: 'other' }), 53, 'UDP')).toBe(false);

    const udpOnly = ev([np('p', 'dify', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP' }] }] })]);
    expect(udpOnly.ingressAllowed(web, api, 12345, 'UDP')).toBe(true);
    expect(udpOnly.ingressAllowed(web, api, 12345, 'TCP')).toBe(false);
    expect(udpOnly.ingressAllowed(web, api, 1, 'SCTP')).toBe(false);
  });

  test('ipBlock with except: internet egress but not RFC1918 nor link-local metadata', () => {
    const e = ev([
      np('egress-internet', 'dify', {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Egress'],
        egress: [
          { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'] } }], ports: [{ port: 443 }] },
        ],
      }),
    ]);
    expect(e.allows(api, ip('8.8.8.8'), 443)).toBe(true);
    expect(e.allows(api, ip('8.8.8.8'), 80)).toBe(false);
    expect(e.allows(api, ip('10.96.0.1'), 443)).toBe(false);
    expect(e.allows(api, ip('172.31.255.255'), 443)).toBe(false);
    expect(e.allows(api, ip('172.32.0.1'), 443)).toBe(true); // just outside 172.16/12
    expect(e.allows(api, ip('169.254.169.254'), 443)).toBe(false);
    expect(e.allows(api, ip('2001:db8::1'), 443)).toBe(false); // IPv4 block never matches IPv6
    // pods: matched by ipBlock only if they carry an IP
    expect(e.egressAllowed(api, db, 443)).toBe(false);
    expect(e.egressAllowed(api, { ...db, ip: '10.244.1.7' }, 443)).toBe(false);
    expect(e.egressAllowed(api, { ...db, ip: '100.64.1.7' }, 443)).toBe(true);
  });

  test('ipBlock on ingress: source IP endpoints and IPv6', () => {
    const e = ev([
      np('p', 'dify', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }, { ipBlock: { cidr: '2001:db8::/32' } }] }],
      }),
    ]);
    expect(e.allows(ip('203.0.113.5'), web, 3000)).toBe(true);
    expect(e.allows(ip('203.0.113.200'), web, 3000)).toBe(false);
    expect(e.allows(ip('2001:db8:abcd::1'), web, 3000)).toBe(true);
    expect(e.allows(ip('2001:db9::1'), web, 3000)).toBe(false);
    expect(e.allows(api, web, 3000)).toBe(false); // pod without ip
  });

  test('pod in another namespace: its own namespace policies apply, not ours', () => {
    const e = ev([denyAll('dify')]);
    const other = pod('tenant-b', { app: 'api' });
    expect(e.isolation(other)).toEqual({ ingress: false, egress: false });
    expect(e.allows(other, ip('1.2.3.4'), 443)).toBe(true);
    expect(e.allows(other, api, 5001)).toBe(false); // dify's ingress deny applies at destination
    expect(e.egressAllowed(other, api, 5001)).toBe(true);
  });

  test('malformed input throws loudly', () => {
    const withBlock = (ipBlock: Record<string, unknown>) => ev([np('p', 'dify', { podSelector: {}, ingress: [{ from: [{ ipBlock }] }] })]);
    expect(() => withBlock({ cidr: '10.0.0.0' })).toThrow(/invalid CIDR/);
    expect(() => withBlock({ cidr: '10.0.0.256/8' })).toThrow(/invalid CIDR/);
    expect(() => withBlock({ cidr: '10.0.0.0/33' })).toThrow(/invalid CIDR/);
    expect(() => withBlock({ cidr: '010.0.0.0/8' })).toThrow(/invalid CIDR/);
    expect(() => withBlock({ cidr: '0.0.0.0/0', except: ['banana'] })).toThrow(/invalid CIDR/);
    expect(() => withBlock({ cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] })).toThrow(/strict subset/);
    expect(() => ev([np('p', 'dify', { podSelector: {}, ingress: [{ form: [] }] })])).toThrow(/unknown field 'form'/);
    expect(() => ev([np('p', 'dify', { podSelector: {}, ingress: [{ from: [{}] }] })])).toThrow(/must specify/);
    expect(() => ev([np('p', 'dify', { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP' }] }] })])).toThrow(/protocol/);
    expect(() => ev([np('p', 'dify', { podSelector: {}, policyTypes: ['ingress'] })])).toThrow(/policyType/);
    const ok = ev([np('p', 'dify', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })]);
    expect(() => ok.allows(ip('not-an-ip'), api, 80)).toThrow(/invalid IP/);
    expect(() => ok.allows(ip('1.1.1.1'), ip('2.2.2.2'), 80)).toThrow(/at least one pod/);
    expect(() => ok.allows(web, api, 0)).toThrow(/invalid port/);
  });

  test('explain() names the verdict, direction and policies', () => {
    const e = ev([
      denyAll('dify'),
      np('api-to-db', 'dify', {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'postgres' } } }], ports: [{ port: 5432 }] }],
      }),
    ]);
    const denied = e.explain(api, db, 5432);
    expect(denied).toBe(
      'DENIED TCP/5432 dify/api -> dify/postgres: egress allowed by dify/api-to-db; ' + 'ingress DENIED (isolated by dify/default-deny; no rule matched)',
    );
    expect(ev([]).explain(ip('1.2.3.4'), web, 80, 'UDP')).toBe(
      'ALLOWED UDP/80 ip 1.2.3.4 -> dify/web: egress n/a (source is not a pod); ingress allowed (not isolated)',
    );
    expect(e.verdict('ingress', api, db, 5432)).toEqual({ allowed: false, isolatedBy: ['dify/default-deny'], allowedBy: [] });
  });
});

describe('fromManifests + podEndpointsFromManifests', () => {
  const docs: Record<string, any>[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dify', labels: { env: 'prod' } } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'dify' },
      spec: {
        template: {
          metadata: { labels: { app: 'api' } },
          spec: { containers: [{ name: 'api', ports: [{ name: 'http', containerPort: 5001 }, { containerPort: 9 }] }] },
        },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'redis', namespace: 'dify' },
      spec: { template: { metadata: { labels: { app: 'redis' } }, spec: { containers: [{ name: 'r', ports: [{ name: 'redis', containerPort: 6379 }] }] } } },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cleanup', namespace: 'dify' },
      spec: { jobTemplate: { spec: { template: { metadata: { labels: { app: 'cleanup' } }, spec: { containers: [{ name: 'c' }] } } } } },
    },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', labels: { app: 'debug' } }, spec: { containers: [] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'dify' }, spec: {} },
    np('redis-in', 'dify', {
      podSelector: { matchLabels: { app: 'redis' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'redis' }] }],
    }),
    // other NetworkPolicy flavours are ignored
    { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'dify' }, spec: { selector: 'all()' } },
  ];

  test('extracts one endpoint per pod template with namespace, labels and named ports', () => {
    const eps = podEndpointsFromManifests(docs);
    expect(eps.map((p) => `${p.namespace}/${p.name}`)).toEqual(['dify/Deployment/api', 'dify/StatefulSet/redis', 'dify/CronJob/cleanup', 'default/Pod/debug']);
    expect(eps[0].labels).toEqual({ app: 'api' });
    expect(eps[0].namedPorts).toEqual({ http: { port: 5001, protocol: 'TCP' } });
  });

  test('evaluates synthesized-style manifests end to end', () => {
    const e = NetworkPolicyEvaluator.fromManifests(docs, [{ name: 'kube-system', labels: { tier: 'control' } }]);
    expect(e.policyIds).toEqual(['dify/redis-in']);
    const byName = new Map<string, Endpoint>(podEndpointsFromManifests(docs).map((p) => [p.name ?? '', p]));
    const apiEp = byName.get('Deployment/api')!;
    const redisEp = byName.get('StatefulSet/redis') as PodEndpoint;
    const cleanupEp = byName.get('CronJob/cleanup')!;
    expect(e.allows(apiEp, redisEp, 6379)).toBe(true);
    expect(e.allows(cleanupEp, redisEp, 6379)).toBe(false);
    expect(e.isolation(redisEp)).toEqual({ ingress: true, egress: false });
    expect(e.namespaceLabelsOf('dify')).toEqual({ env: 'prod', 'kubernetes.io/metadata.name': 'dify' });
    expect(e.namespaceLabelsOf('kube-system')).toEqual({ tier: 'control', 'kubernetes.io/metadata.name': 'kube-system' });
  });
});

describe('CIDR helpers', () => {
  test('IPv4/IPv6 containment and host-bit masking', () => {
    expect(ipInCidr('10.255.255.255', '10.0.0.0/8')).toBe(true);
    expect(ipInCidr('11.0.0.0', '10.0.0.0/8')).toBe(false);
    expect(ipInCidr('1.2.3.4', '0.0.0.0/0')).toBe(true);
    expect(ipInCidr('1.2.3.4', '1.2.3.4/32')).toBe(true);
    expect(ipInCidr('1.2.3.5', '1.2.3.4/32')).toBe(false);
    expect(parseCidr('10.1.2.3/8').base).toBe(parseCidr('10.0.0.0/8').base);
    expect(ipInCidr('::ffff:1.2.3.4', '::ffff:0:0/96')).toBe(true);
    expect(ipInCidr('fe80::1', 'fe80::/10')).toBe(true);
    expect(ipInCidr('fec0::1', 'fe80::/10')).toBe(false);
    expect(() => parseCidr('1::2::3/64')).toThrow(/invalid CIDR/);
    expect(() => parseCidr('1:2:3:4:5:6:7:8:9/64')).toThrow(/invalid CIDR/);
    expect(() => parseCidr('::/129')).toThrow(/invalid CIDR/);
  });
});
