import { checkPodSecurity, highestPssLevel, podSpecsFromManifests, PssViolation } from './pss';

type Obj = Record<string, any>;

const restrictedContainerSc = (): Obj => ({
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  runAsUser: 1001,
  seccompProfile: { type: 'RuntimeDefault' },
  capabilities: { drop: ['ALL'] },
});

/** A pod spec that satisfies the restricted level with every field at container level. */
function restrictedSpec(): Obj {
  return {
    containers: [{ name: 'api', image: 'langgenius/dify-api', ports: [{ containerPort: 5001 }], securityContext: restrictedContainerSc() }],
    initContainers: [{ name: 'migrate', image: 'langgenius/dify-api', securityContext: restrictedContainerSc() }],
    volumes: [
      { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'tmp', emptyDir: {} },
      { name: 'sec', secret: { secretName: 's' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
    ],
  };
}

const rules = (vs: PssViolation[]): string[] => [...new Set(vs.map((v) => v.rule))].sort();
const mutate = (f: (s: Obj) => void): Obj => {
  const s = restrictedSpec();
  f(s);
  return s;
};

describe('checkPodSecurity: compliant specs', () => {
  test('a fully restricted spec passes every level', () => {
    const spec = restrictedSpec();
    expect(checkPodSecurity(spec, 'restricted')).toEqual([]);
    expect(checkPodSecurity(spec, 'baseline')).toEqual([]);
    expect(highestPssLevel(spec)).toBe('restricted');
  });

  test('the privileged level never reports violations', () => {
    const spec = { hostNetwork: true, containers: [{ name: 'x', securityContext: { privileged: true } }] };
    expect(checkPodSecurity(spec, 'privileged')).toEqual([]);
  });

  test('a minimal default pod passes baseline and fails exactly the four restricted container controls', () => {
    const spec = { containers: [{ name: 'app', image: 'nginx' }] };
    expect(checkPodSecurity(spec, 'baseline')).toEqual([]);
    const vs = checkPodSecurity(spec, 'restricted');
    expect(rules(vs)).toEqual(['allowPrivilegeEscalation', 'capabilities.restricted', 'runAsNonRoot', 'seccomp.restricted']);
    expect(vs.every((v) => v.container === 'app')).toBe(true);
  });

  test('allowed baseline values pass: safe sysctls, SELinux container types, AppArmor defaults, Localhost seccomp, hostPort 0', () => {
    const spec = mutate((s) => {
      s.securityContext = {
        seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' },
        seLinuxOptions: { type: 'container_init_t', level: 's0:c123,c456' },
        sysctls: [
          'kernel.shm_rmid_forced',
          'net.ipv4.ip_local_port_range',
          'net.ipv4.ip_unprivileged_port_start',
          'net.ipv4.tcp_syncookies',
          'net.ipv4.ping_group_range',
          'net.ipv4.ip_local_reserved_ports',
        ].map((name) => ({ name, value: '1' })),
        appArmorProfile: { type: 'RuntimeDefault' },
      };
      s.containers[0].ports = [{ containerPort: 80, hostPort: 0 }];
      s.containers[0].securityContext.procMount = 'Default';
      s.containers[0].securityContext.capabilities.add = ['NET_BIND_SERVICE'];
      s.containers[0].securityContext.seLinuxOptions = { type: 'container_kvm_t' };
      s.containers[0].securityContext.appArmorProfile = { type: 'Localhost', localhostProfile: 'k8s-x' };
      s.volumes.push(
        { name: 'dapi', downwardAPI: { items: [] } },
        { name: 'proj', projected: { sources: [] } },
        { name: 'csi', csi: { driver: 'secrets-store.csi.k8s.io' } },
        { name: 'eph', ephemeral: { volumeClaimTemplate: { spec: {} } } },
        { name: 'bare' }, // defaulted to emptyDir by the API server
      );
    });
    const meta = {
      annotations: {
        'container.apparmor.security.beta.kubernetes.io/api': 'runtime/default',
        'container.apparmor.security.beta.kubernetes.io/migrate': 'localhost/k8s-apparmor',
      },
    };
    expect(checkPodSecurity(spec, 'restricted', meta)).toEqual([]);
  });
});

describe('checkPodSecurity: baseline controls', () => {
  const cases: Array<[string, string, (s: Obj) => void, Obj?]> = [
    [
      'hostNetwork',
      'hostNamespaces',
      (s) => {
        s.hostNetwork = true;
      },
    ],
    [
      'hostPID',
      'hostNamespaces',
      (s) => {
        s.hostPID = true;
      },
    ],
    [
      'hostIPC',
      'hostNamespaces',
      (s) => {
        s.hostIPC = true;
      },
    ],
    [
      'privileged container',
      'privileged',
      (s) => {
        s.containers[0].securityContext.privileged = true;
      },
    ],
    [
      'hostPort',
      'hostPorts',
      (s) => {
        s.containers[0].ports = [{ containerPort: 80, hostPort: 8080 }];
      },
    ],
    ['AppArmor unconfined annotation', 'appArmor', () => undefined, { annotations: { 'container.apparmor.security.beta.kubernetes.io/api': 'unconfined' } }],
    [
      'AppArmor Unconfined field',
      'appArmor',
      (s) => {
        s.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' };
      },
    ],
    [
      'SELinux spc_t type',
      'seLinux',
      (s) => {
        s.containers[0].securityContext.seLinuxOptions = { type: 'spc_t' };
      },
    ],
    [
      'SELinux user',
      'seLinux',
      (s) => {
        s.securityContext = { seLinuxOptions: { user: 'system_u' } };
      },
    ],
    [
      'SELinux role',
      'seLinux',
      (s) => {
        s.containers[0].securityContext.seLinuxOptions = { role: 'sysadm_r' };
      },
    ],
    [
      'procMount Unmasked',
      'procMount',
      (s) => {
        s.containers[0].securityContext.procMount = 'Unmasked';
      },
    ],
    [
      'unsafe sysctl',
      'sysctls',
      (s) => {
        s.securityContext = { sysctls: [{ name: 'kernel.msgmax', value: '1' }] };
      },
    ],
    [
      'v1.29-only sysctl',
      'sysctls',
      (s) => {
        s.securityContext = { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] };
      },
    ],
    [
      'hostProcess',
      'hostProcess',
      (s) => {
        s.securityContext = { windowsOptions: { hostProcess: true } };
      },
    ],
  ];

  // Every row gets all four values: jest treats a callback with more parameters than the row as `done`-style.
  const rows = cases.map(([name, rule, f, meta]) => [name, rule, f, meta ?? {}] as [string, string, (s: Obj) => void, Obj]);
  test.each(rows)('%s fails baseline (%s) and restricted', (_name, rule, f, meta) => {
    const spec = mutate(f);
    expect(rules(checkPodSecurity(spec, 'baseline', meta))).toEqual([rule]);
    expect(rules(checkPodSecurity(spec, 'restricted', meta))).toEqual([rule]);
    expect(highestPssLevel(spec, meta)).toBe('privileged');
  });

  test('hostPath fails baseline; at restricted it is reported once, as volumeTypes (PSA override)', () => {
    const spec = mutate((s) => s.volumes.push({ name: 'host', hostPath: { path: '/var/run' } }));
    expect(rules(checkPodSecurity(spec, 'baseline'))).toEqual(['hostPathVolumes']);
    expect(rules(checkPodSecurity(spec, 'restricted'))).toEqual(['volumeTypes']);
  });

  test('seccomp Unconfined at pod or container level fails baseline', () => {
    const pod = mutate((s) => {
      s.securityContext = { seccompProfile: { type: 'Unconfined' } };
    });
    const podVs = checkPodSecurity(pod, 'baseline');
    expect(rules(podVs)).toEqual(['seccomp.baseline']);
    expect(podVs[0].container).toBeUndefined();
    const container = mutate((s) => {
      s.containers[0].securityContext.seccompProfile = { type: 'Unconfined' };
    });
    expect(checkPodSecurity(container, 'baseline')).toEqual([expect.objectContaining({ rule: 'seccomp.baseline', container: 'api' })]);
    expect(rules(checkPodSecurity(container, 'restricted'))).toEqual(['seccomp.restricted']);
  });

  test('a container that needs SYS_ADMIN fails baseline (and restricted)', () => {
    const spec = mutate((s) => {
      s.containers[0].securityContext.capabilities.add = ['SYS_ADMIN'];
    });
    expect(checkPodSecurity(spec, 'baseline')).toEqual([
      expect.objectContaining({ rule: 'capabilities.baseline', container: 'api', message: expect.stringContaining('SYS_ADMIN') }),
    ]);
    expect(rules(checkPodSecurity(spec, 'restricted'))).toEqual(['capabilities.restricted']);
  });

  test('adding only SETUID/SETGID/SYS_CHROOT passes baseline but fails restricted', () => {
    const spec = mutate((s) => {
      s.containers[0].securityContext.capabilities.add = ['SETUID', 'SETGID', 'SYS_CHROOT'];
    });
    expect(checkPodSecurity(spec, 'baseline')).toEqual([]);
    const vs = checkPodSecurity(spec, 'restricted');
    expect(vs).toEqual([expect.objectContaining({ rule: 'capabilities.restricted', container: 'api' })]);
    expect(vs[0].message).toMatch(/SETUID, SETGID, SYS_CHROOT/);
    expect(highestPssLevel(spec)).toBe('baseline');
  });
});

describe('checkPodSecurity: restricted controls, one at a time', () => {
  const cases: Array<[string, string, (s: Obj) => void]> = [
    [
      'nfs volume',
      'volumeTypes',
      (s) => {
        s.volumes.push({ name: 'n', nfs: { server: 'x', path: '/' } });
      },
    ],
    [
      'allowPrivilegeEscalation unset',
      'allowPrivilegeEscalation',
      (s) => {
        delete s.containers[0].securityContext.allowPrivilegeEscalation;
      },
    ],
    [
      'allowPrivilegeEscalation true',
      'allowPrivilegeEscalation',
      (s) => {
        s.containers[0].securityContext.allowPrivilegeEscalation = true;
      },
    ],
    [
      'runAsNonRoot unset',
      'runAsNonRoot',
      (s) => {
        delete s.containers[0].securityContext.runAsNonRoot;
      },
    ],
    [
      'runAsNonRoot false',
      'runAsNonRoot',
      (s) => {
        s.containers[0].securityContext.runAsNonRoot = false;
      },
    ],
    [
      'container runAsUser 0',
      'runAsUser',
      (s) => {
        s.containers[0].securityContext.runAsUser = 0;
      },
    ],
    [
      'pod runAsUser 0',
      'runAsUser',
      (s) => {
        s.securityContext = { runAsUser: 0 };
      },
    ],
    [
      'seccomp unset',
      'seccomp.restricted',
      (s) => {
        delete s.containers[0].securityContext.seccompProfile;
      },
    ],
    [
      'drop ALL missing',
      'capabilities.restricted',
      (s) => {
        s.containers[0].securityContext.capabilities = { drop: ['NET_RAW'] };
      },
    ],
    [
      'capabilities unset',
      'capabilities.restricted',
      (s) => {
        delete s.containers[0].securityContext.capabilities;
      },
    ],
    [
      'adds CHOWN',
      'capabilities.restricted',
      (s) => {
        s.containers[0].securityContext.capabilities.add = ['CHOWN'];
      },
    ],
  ];

  test.each(cases)('%s passes baseline but fails restricted only on %s', (_name, rule, f) => {
    const spec = mutate(f);
    expect(checkPodSecurity(spec, 'baseline')).toEqual([]);
    expect(rules(checkPodSecurity(spec, 'restricted'))).toEqual([rule]);
    expect(highestPssLevel(spec)).toBe('baseline');
  });
});

describe('checkPodSecurity: pod-level inheritance', () => {
  /** Pod sets runAsNonRoot and seccomp; containers leave them unset. */
  function podLevelSpec(): Obj {
    const s = restrictedSpec();
    s.securityContext = { runAsNonRoot: true, runAsUser: 1001, fsGroup: 1001, seccompProfile: { type: 'RuntimeDefault' } };
    for (const c of [...s.containers, ...s.initContainers]) {
      delete c.securityContext.runAsNonRoot;
      delete c.securityContext.runAsUser;
      delete c.securityContext.seccompProfile;
    }
    return s;
  }

  test('containers inherit runAsNonRoot and seccompProfile from the pod', () => {
    expect(checkPodSecurity(podLevelSpec(), 'restricted')).toEqual([]);
  });

  test('a container overriding runAsNonRoot=false fails even though the pod sets true', () => {
    const s = podLevelSpec();
    s.containers[0].securityContext.runAsNonRoot = false;
    expect(checkPodSecurity(s, 'restricted')).toEqual([expect.objectContaining({ rule: 'runAsNonRoot', container: 'api' })]);
  });

  test('a container overriding seccomp to Unconfined fails even though the pod sets RuntimeDefault', () => {
    const s = podLevelSpec();
    s.initContainers[0].securityContext.seccompProfile = { type: 'Unconfined' };
    expect(checkPodSecurity(s, 'restricted')).toEqual([expect.objectContaining({ rule: 'seccomp.restricted', container: 'migrate' })]);
    expect(checkPodSecurity(s, 'baseline')).toEqual([expect.objectContaining({ rule: 'seccomp.baseline', container: 'migrate' })]);
  });

  test('containers setting their own values make up for an unset pod level, but not for pod-level false', () => {
    expect(checkPodSecurity(restrictedSpec(), 'restricted')).toEqual([]); // nothing at pod level
    const s = restrictedSpec();
    s.securityContext = { runAsNonRoot: false };
    const vs = checkPodSecurity(s, 'restricted');
    expect(vs).toHaveLength(1);
    expect(vs[0]).toMatchObject({ rule: 'runAsNonRoot', message: expect.stringContaining('pod must not') });
    expect(vs[0].container).toBeUndefined();
  });

  test('an invalid pod-level seccomp is not rescued by containers setting RuntimeDefault', () => {
    const s = restrictedSpec();
    s.securityContext = { seccompProfile: { type: 'Unconfined' } };
    expect(rules(checkPodSecurity(s, 'restricted'))).toEqual(['seccomp.restricted']);
  });
});

describe('checkPodSecurity: every container list is checked', () => {
  test('initContainers are checked at baseline and restricted', () => {
    const s = restrictedSpec();
    s.initContainers[0].securityContext.privileged = true;
    expect(checkPodSecurity(s, 'baseline')).toEqual([expect.objectContaining({ rule: 'privileged', container: 'migrate' })]);
    const r = restrictedSpec();
    delete r.initContainers[0].securityContext.allowPrivilegeEscalation;
    expect(checkPodSecurity(r, 'restricted')).toEqual([
      expect.objectContaining({ rule: 'allowPrivilegeEscalation', container: 'migrate', message: expect.stringContaining('initContainers') }),
    ]);
  });

  test('ephemeralContainers are checked', () => {
    const s = restrictedSpec();
    s.ephemeralContainers = [{ name: 'debug', image: 'busybox', securityContext: { capabilities: { add: ['SYS_PTRACE'] } } }];
    expect(checkPodSecurity(s, 'baseline')).toEqual([expect.objectContaining({ rule: 'capabilities.baseline', container: 'debug' })]);
    expect(checkPodSecurity(s, 'restricted').every((v) => v.container === 'debug')).toBe(true);
  });
});

describe('checkPodSecurity: Windows pods', () => {
  test('spec.os.name=windows is exempt from the Linux-only restricted controls (v1.25+)', () => {
    const spec = { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'win', image: 'x' }] };
    expect(checkPodSecurity(spec, 'restricted')).toEqual([]);
    expect(checkPodSecurity({ ...spec, os: undefined }, 'restricted').length).toBeGreaterThan(0);
  });
});

describe('highestPssLevel', () => {
  test('returns restricted, baseline and privileged for three specs', () => {
    expect(highestPssLevel(restrictedSpec())).toBe('restricted');
    expect(highestPssLevel({ containers: [{ name: 'nginx', image: 'nginx' }] })).toBe('baseline');
    expect(highestPssLevel({ hostPID: true, containers: [{ name: 'agent', image: 'x' }] })).toBe('privileged');
  });

  test('takes pod metadata into account (AppArmor annotations)', () => {
    const meta = { annotations: { 'container.apparmor.security.beta.kubernetes.io/api': 'unconfined' } };
    expect(highestPssLevel(restrictedSpec(), meta)).toBe('privileged');
  });
});

describe('podSpecsFromManifests', () => {
  test('extracts pod templates from workloads, CronJob jobTemplates and Pods, skipping other kinds', () => {
    const tpl = (name: string): Obj => ({ metadata: { labels: { app: name }, annotations: { a: name } }, spec: { containers: [{ name }] } });
    const docs: Obj[] = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec: { template: tpl('api') } },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { template: tpl('db') } },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds' }, spec: { template: tpl('ds') } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { template: tpl('migrate') } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cron' }, spec: { jobTemplate: { spec: { template: tpl('cron') } } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { a: 'p' } }, spec: { containers: [{ name: 'p' }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: {} },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: {} },
    ];
    const out = podSpecsFromManifests(docs);
    expect(out.map((o) => o.doc)).toEqual(['Deployment/api', 'StatefulSet/db', 'DaemonSet/ds', 'Job/migrate', 'CronJob/cron', 'Pod/p']);
    for (const o of out) {
      const name = o.doc.split('/')[1];
      expect(o.spec.containers[0].name).toBe(name);
      expect(o.metadata.annotations.a).toBe(name);
    }
  });

  test('extracted specs feed straight into the checker', () => {
    const docs: Obj[] = [
      { kind: 'Deployment', metadata: { name: 'ok' }, spec: { template: { metadata: {}, spec: restrictedSpec() } } },
      { kind: 'Deployment', metadata: { name: 'root' }, spec: { template: { spec: { containers: [{ name: 'c', securityContext: { runAsUser: 0 } }] } } } },
    ];
    const levels = podSpecsFromManifests(docs).map((p) => [p.doc, highestPssLevel(p.spec, p.metadata)]);
    expect(levels).toEqual([
      ['Deployment/ok', 'restricted'],
      ['Deployment/root', 'baseline'],
    ]);
  });
});
