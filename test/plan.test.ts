import { execFileSync, spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Yaml } from 'cdk8s';
import { main, parsePlanArgs, runPlan } from '../cli/main';
import { isKeptData } from '../lib';
import { Finding, Manifest, blocks, findingRef, loadManifests, plan, unnamedInNotes, upgradeNotes } from '../cli/plan';

const ROOT = join(__dirname, '..');
const staging = loadManifests(join(ROOT, 'dist', 'staging'));
const clone = (ms: readonly Manifest[]): Manifest[] => ms.map((m) => ({ ...m, doc: JSON.parse(JSON.stringify(m.doc)) }));
const docOf = (ms: Manifest[], kind: string, name: string) => {
  const m = ms.find((x) => x.doc.kind === kind && x.doc.metadata.name === name);
  if (!m) throw new Error(`no ${kind}/${name}`);
  return m.doc;
};
/** Findings of applying `change` (made to a copy of dist/staging) over dist/staging, without the info ones. */
function findingsAfter(change: (ms: Manifest[]) => Manifest[] | void, old: readonly Manifest[] = staging): Finding[] {
  const next = clone(old);
  const returned = change(next);
  return plan(old, Array.isArray(returned) && returned.every((m) => m?.doc) ? returned : next).filter((f) => f.level !== 'info');
}
const summary = (fs: Finding[]) => fs.map((f) => `${f.level} ${findingRef(f)}`);

test('an unchanged installation plans nothing', () => {
  expect(plan(staging, clone(staging))).toEqual([]);
});

describe('apply-fails: immutable fields', () => {
  test.each([
    ['StatefulSet selector', (ms: Manifest[]) => (docOf(ms, 'StatefulSet', 'dify-postgres').spec.selector.matchLabels.x = 'y'), 'StatefulSet', 'spec.selector'],
    ['StatefulSet serviceName', (ms: Manifest[]) => (docOf(ms, 'StatefulSet', 'dify-postgres').spec.serviceName = 'other'), 'StatefulSet', 'spec.serviceName'],
    [
      'podManagementPolicy',
      (ms: Manifest[]) => (docOf(ms, 'StatefulSet', 'dify-redis').spec.podManagementPolicy = 'Parallel'),
      'StatefulSet',
      'podManagementPolicy',
    ],
    [
      'volumeClaimTemplates',
      (ms: Manifest[]) => (docOf(ms, 'StatefulSet', 'dify-weaviate').spec.volumeClaimTemplates[0].spec.resources.requests.storage = '40Gi'),
      'StatefulSet',
      'volumeClaimTemplates',
    ],
    ['Deployment selector', (ms: Manifest[]) => (docOf(ms, 'Deployment', 'dify-api').spec.selector.matchLabels.x = 'y'), 'Deployment', 'spec.selector'],
    ['Service clusterIP', (ms: Manifest[]) => delete docOf(ms, 'Service', 'dify-postgres-headless').spec.clusterIP, 'Service', 'clusterIP'],
    [
      'template of a Job whose name is unchanged',
      (ms: Manifest[]) => (ms.find((m) => m.doc.kind === 'Job')!.doc.spec.template.spec.containers[0].image = 'langgenius/dify-api:1.16.2'),
      'Job',
      'spec.template',
    ],
    [
      'PVC access mode',
      (ms: Manifest[]) => (docOf(ms, 'PersistentVolumeClaim', 'dify-storage-rwx').spec.accessModes = ['ReadWriteOnce']),
      'PersistentVolumeClaim',
      'other than a storage increase',
    ],
    [
      'PVC shrink',
      (ms: Manifest[]) => (docOf(ms, 'PersistentVolumeClaim', 'dify-storage-rwx').spec.resources.requests.storage = '10Gi'),
      'PersistentVolumeClaim',
      'cannot shrink',
    ],
  ])('%s', (_, change, kind, what) => {
    const fs = findingsAfter(change as (ms: Manifest[]) => void);
    expect(fs.filter((f) => f.level === 'apply-fails' && f.kind === kind && f.what.includes(what))).toHaveLength(1);
  });

  test('a PVC grows: info only (needs allowVolumeExpansion)', () => {
    const fs = plan(
      staging,
      (() => {
        const ms = clone(staging);
        docOf(ms, 'PersistentVolumeClaim', 'dify-storage-rwx').spec.resources.requests.storage = '40Gi';
        return ms;
      })(),
    );
    expect(summary(fs)).toEqual(['info PersistentVolumeClaim dify-staging/dify-storage-rwx']);
    expect(fs[0].what).toMatch(/grows from 20Gi to 40Gi.*allowVolumeExpansion/);
  });

  test('immutable ConfigMap content, PriorityClass value, RoleBinding roleRef', () => {
    const meta = (kind: string, name: string, extra: object) =>
      ({ doc: { apiVersion: 'v1', kind, metadata: { name, namespace: 'ns' }, ...extra }, exact: true }) as Manifest;
    const old = [
      meta('ConfigMap', 'frozen', { immutable: true, data: { a: '1' } }),
      { doc: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 }, exact: true },
      meta('RoleBinding', 'rb', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'a' }, subjects: [] }),
    ];
    const next = clone(old);
    next[0].doc.data.a = '2';
    next[1].doc.value = 2000;
    next[2].doc.roleRef.name = 'b';
    expect(summary(plan(old, next))).toEqual(['apply-fails ConfigMap ns/frozen', 'apply-fails PriorityClass high', 'apply-fails RoleBinding ns/rb']);
  });
});

describe('data-at-risk', () => {
  test('a claim deleted, a data StatefulSet deleted, a claim renamed', () => {
    expect(summary(findingsAfter((ms) => ms.filter((m) => !(m.doc.kind === 'PersistentVolumeClaim' && m.doc.metadata.name === 'dify-backup'))))).toContain(
      'data-at-risk PersistentVolumeClaim dify-staging/dify-backup',
    );
    const sts = findingsAfter((ms) => ms.filter((m) => !(m.doc.kind === 'StatefulSet' && m.doc.metadata.name === 'dify-postgres')));
    expect(sts.find((f) => f.kind === 'StatefulSet')).toMatchObject({ level: 'data-at-risk', what: expect.stringMatching(/orphaned/) });
    const renamed = findingsAfter((ms) => {
      docOf(ms, 'PersistentVolumeClaim', 'dify-storage-rwx').metadata.name = 'dify-files';
    });
    expect(renamed.find((f) => f.level === 'data-at-risk')).toMatchObject({ name: 'dify-storage-rwx', what: expect.stringMatching(/^renamed to dify-files/) });
  });

  test('retention loosened, keep annotations lost, a database major version, a data mount moved', () => {
    const fs = findingsAfter((ms) => {
      docOf(ms, 'StatefulSet', 'dify-redis').spec.persistentVolumeClaimRetentionPolicy.whenScaled = 'Delete';
      delete docOf(ms, 'PersistentVolumeClaim', 'dify-backup').metadata.annotations;
      const pg = docOf(ms, 'StatefulSet', 'dify-postgres').spec.template.spec.containers.find((c: any) => c.name === 'postgres');
      pg.image = pg.image.replace(/postgres:15[^@\s]*/, 'postgres:16.4-alpine');
      const api = docOf(ms, 'Deployment', 'dify-api').spec.template.spec.containers.find((c: any) => c.name === 'api');
      api.volumeMounts.find((m: any) => m.name === 'storage').mountPath = '/data';
    });
    const risks = fs.filter((f) => f.level === 'data-at-risk');
    expect(risks.map((f) => `${findingRef(f)}: ${f.what.split(':')[0]}`).sort()).toEqual([
      'Deployment dify-staging/dify-api: data mount moved',
      'PersistentVolumeClaim dify-staging/dify-backup: loses the keep annotations',
      'StatefulSet dify-staging/dify-postgres: database major version changes (postgres',
      'StatefulSet dify-staging/dify-redis: persistentVolumeClaimRetentionPolicy.whenScaled loosens from Retain to Delete',
    ]);
  });

  test('data moving out of the workloads kustomization, before data/ is applied', () => {
    const old = staging.map((m) => ({ ...m, kustomization: '' }));
    const risks = plan(old, staging).filter(blocks);
    const kept = staging
      .filter((m) => isKeptData(m.doc))
      .map((m) => `data-at-risk ${findingRef({ ...m.doc.metadata, kind: m.doc.kind, namespace: m.doc.metadata.namespace ?? '' })}`);
    expect(summary(risks)).toEqual(kept.sort());
    expect(kept).toEqual(
      expect.arrayContaining([
        'data-at-risk Namespace dify-staging',
        'data-at-risk PersistentVolumeClaim dify-staging/dify-backup',
        'data-at-risk PersistentVolumeClaim dify-staging/dify-storage-rwx',
      ]),
    );
    expect(risks[0].what).toMatch(/apply data first .*prune would otherwise delete it/);
  });
});

describe('outage and action', () => {
  test('a single-replica or stateful pod restarts; a rolling multi-replica one is info', () => {
    const next = clone(staging);
    for (const [kind, name] of [
      ['StatefulSet', 'dify-postgres'],
      ['Deployment', 'dify-beat'],
      ['Deployment', 'dify-api'],
    ])
      docOf(next, kind, name).spec.template.metadata.annotations = { bump: '1' };
    expect(summary(plan(staging, next))).toEqual([
      'outage Deployment dify-staging/dify-beat',
      'outage StatefulSet dify-staging/dify-postgres',
      'info Deployment dify-staging/dify-api',
    ]);
  });

  test('objects no longer rendered are leftovers with the delete command; an IAM role on a ServiceAccount needs its trust policy', () => {
    const fs = findingsAfter((ms) => {
      docOf(ms, 'ServiceAccount', 'dify-worker').metadata.annotations = { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/r' };
      return ms.filter((m) => !(m.doc.kind === 'NetworkPolicy' && m.doc.metadata.name === 'dify-web'));
    });
    expect(fs.find((f) => f.kind === 'NetworkPolicy')).toMatchObject({ level: 'action', commands: ['kubectl -n dify-staging delete networkpolicy dify-web'] });
    expect(fs.find((f) => f.kind === 'ServiceAccount')).toMatchObject({
      level: 'action',
      what: expect.stringContaining('trust policy must allow system:serviceaccount:dify-staging:dify-worker'),
    });
  });
});

describe('OLD as a kubectl export', () => {
  /** A live export of `ms`: server fields and defaults added, with or without kubectl's last-applied configuration. */
  function exported(ms: readonly Manifest[], lastApplied: boolean): Manifest[] {
    const items = ms.map(({ doc }) => {
      const live = JSON.parse(JSON.stringify(doc));
      live.metadata.uid = 'u';
      live.metadata.resourceVersion = '1';
      if (lastApplied) live.metadata.annotations = { ...live.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(doc) };
      if (live.kind === 'Service' && !live.spec.clusterIP) live.spec.clusterIP = '10.0.0.7';
      if (live.kind === 'PersistentVolumeClaim')
        Object.assign(live.spec, { volumeName: 'pv-1', volumeMode: 'Filesystem', storageClassName: live.spec.storageClassName ?? 'standard' });
      if (live.spec?.template?.spec) live.spec.template.spec.schedulerName = 'default-scheduler';
      live.status = {};
      return live;
    });
    const controllerMade = [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'dify-api-abc', namespace: 'dify-staging', uid: 'r', ownerReferences: [{ kind: 'Deployment' }] },
      },
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data-dify-postgres-0', namespace: 'dify-staging', uid: 'p' },
        spec: {},
        status: {},
      },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'dify-plan-export-'));
    const file = join(dir, 'export.yaml');
    writeFileSync(file, Yaml.stringify({ apiVersion: 'v1', kind: 'List', items: [...items, ...controllerMade] }));
    return loadManifests(file);
  }

  test.each([true, false])('an unchanged installation plans nothing (last-applied: %s); controller-made objects are left out', (lastApplied) => {
    const old = exported(staging, lastApplied);
    expect(old.some((m) => m.doc.kind === 'ReplicaSet' || m.doc.metadata.name === 'data-dify-postgres-0')).toBe(false);
    expect(plan(old, staging).filter((f) => !f.what.startsWith('moves'))).toEqual([]);
  });

  test.each([true, false])('an immutable change is found through the export (last-applied: %s)', (lastApplied) => {
    const next = clone(staging);
    docOf(next, 'StatefulSet', 'dify-postgres').spec.serviceName = 'other';
    expect(summary(plan(exported(staging, lastApplied), next).filter(blocks))).toEqual(['apply-fails StatefulSet dify-staging/dify-postgres']);
  });

  test('keys the exported Secret already holds need no action; the generated Secret is not reported deleted', () => {
    const dev = loadManifests(join(ROOT, 'dist', 'dev'));
    const old = clone(dev);
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'dify-credentials', namespace: 'dify', uid: 's', labels: { 'app.kubernetes.io/managed-by': 'cdk8s' } },
      data: {},
    };
    expect(plan([...old, { doc: secret, exact: false }], dev)).toEqual([]);
  });
});

describe('the last release: the four agent credential keys', () => {
  // 0.1.0 (the last commit before the agent stack) and the dist/ of the release that added the keys.
  const RELEASE_0_1_0 = '4330e58';
  const LAST_RELEASE = 'adb3a48';
  const KEYS = ['agent-api-token', 'agent-local-sandbox-token', 'agent-redis-url', 'agent-server-secret-key'];
  const work = mkdtempSync(join(tmpdir(), 'dify-plan-release-'));
  for (const c of [RELEASE_0_1_0, LAST_RELEASE]) {
    mkdirSync(join(work, c));
    execFileSync('sh', ['-c', 'git archive "$1" dist | tar -x -C "$2"', 'sh', c, join(work, c)], { cwd: ROOT });
  }
  const planEnv = (env: string) => plan(loadManifests(join(work, RELEASE_0_1_0, 'dist', env)), loadManifests(join(work, LAST_RELEASE, 'dist', env)));
  const keyFindings = (fs: Finding[]) => fs.filter((f) => f.level === 'action' && f.what.startsWith('new credential key'));

  test.each(['dev', 'staging', 'prod'])('%s: one action per key, with commands', (env) => {
    const fs = keyFindings(planEnv(env));
    expect(fs.map((f) => f.what.split(' ')[3]).sort()).toEqual(KEYS);
    for (const f of fs) expect(f.commands!.length).toBeGreaterThan(0);
  });

  test("CHANGELOG's upgrade notes name every blocking finding from 0.1.0 to the committed dist/, and the four keys", () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    for (const env of ['dev', 'staging', 'prod']) {
      const fs = plan(loadManifests(join(work, RELEASE_0_1_0, 'dist', env)), loadManifests(join(ROOT, 'dist', env)));
      expect(unnamedInNotes(fs, changelog)).toEqual([]);
    }
    const notes = upgradeNotes(changelog);
    for (const k of KEYS) expect(notes).toContain(`\`${k}\``);
    for (const entry of ['`prod/dify/agent` property `api-token`', '`prod/dify/redis` property `agent-url`']) expect(notes).toContain(entry);
  });

  test('generated (dev): wait for the generator Job, check without printing the value', () => {
    for (const f of keyFindings(planEnv('dev'))) {
      expect(f.commands![0]).toMatch(/^kubectl -n dify wait --for=condition=complete job\/dify-secret-generator-[0-9a-f]{10} --timeout=5m$/);
      expect(f.commands![1]).toContain('present{{else}}MISSING');
    }
    expect(planEnv('dev').some((f) => f.level === 'outage' && f.what.includes('CreateContainerConfigError'))).toBe(false);
  });

  test('External Secrets (prod): the remote entries to create, then refresh', () => {
    const fs = keyFindings(planEnv('prod'));
    const entries = fs.map((f) => f.what.match(/create the remote entry (\S+ property \S+) in ClusterSecretStore aws-secrets-manager/)![1]).sort();
    expect(entries).toEqual([
      'prod/dify/agent property api-token',
      'prod/dify/agent property local-sandbox-token',
      'prod/dify/agent property server-secret-key',
      'prod/dify/redis property agent-url',
    ]);
    for (const f of fs) expect(f.commands![0]).toBe('kubectl -n dify-prod annotate externalsecret dify-credentials force-sync=$(date +%s) --overwrite');
    const stalled = planEnv('prod').filter((f) => f.level === 'outage' && f.what.includes('CreateContainerConfigError'));
    expect(stalled.map((f) => f.name).sort()).toEqual([
      'dify-agent-backend',
      'dify-api',
      'dify-local-sandbox',
      'dify-worker-indexing',
      'dify-worker-ops',
      'dify-worker-workflow',
    ]);
  });

  test('an existing Secret (staging): the commands run and patch every key with a value of the right form', () => {
    const bin = mkdtempSync(join(tmpdir(), 'dify-kubectl-'));
    const log = join(bin, 'patches');
    // A kubectl that answers the Redis password read and records each patch.
    writeFileSync(
      join(bin, 'kubectl'),
      `#!/bin/sh\nif [ "$3" = get ]; then printf '%s' 'p@ss/w:rd %zz'; exit 0; fi\nfor a; do last="$a"; done\nprintf '%s\\n' "$last" >> '${log}'\n`,
    );
    chmodSync(join(bin, 'kubectl'), 0o755);
    for (const f of keyFindings(planEnv('staging'))) {
      const r = spawnSync('bash', ['--norc', '--noprofile', '-ec', f.commands!.join('\n')], { env: { PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
      expect(r.stderr).toBe('');
    }
    const patched = Object.assign(
      {},
      ...readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).stringData),
    );
    expect(Object.keys(patched).sort()).toEqual(KEYS);
    expect(patched['agent-api-token']).toMatch(/^[0-9a-f]{64}$/);
    expect(patched['agent-local-sandbox-token']).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(patched['agent-server-secret-key'], 'base64url')).toHaveLength(32);
    const url = patched['agent-redis-url'].match(/^redis:\/\/:([^@]*)@dify-redis:6379\/2$/);
    expect(decodeURIComponent(url[1])).toBe('p@ss/w:rd %zz');
  });
});

describe('the command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dify-plan-cli-'));
  const write = (name: string, docs: object[]) => {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'a.k8s.yaml'), Yaml.stringify(...docs));
    return join(dir, name);
  };
  const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'files', namespace: 'ns' }, spec: { accessModes: ['ReadWriteOnce'] } };
  const old = write('old', [claim]);
  const next = write('new', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' } }]);

  test('prints the findings, writes --json, exits 1 on data-at-risk', () => {
    let out = '';
    const json = join(dir, 'plan.json');
    expect(runPlan(parsePlanArgs([old, next, '--json', json]), (s) => (out += s))).toBe(1);
    expect(out).toContain('data-at-risk PersistentVolumeClaim ns/files: deleted');
    expect(JSON.parse(readFileSync(json, 'utf8')).findings).toEqual([
      { level: 'data-at-risk', kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'files', what: 'deleted: a prune deletes its data' },
      { level: 'info', kind: 'ConfigMap', namespace: 'ns', name: 'c', what: 'created' },
    ]);
    expect(runPlan(parsePlanArgs([next, next]), () => undefined)).toBe(0);
  });

  test('--changelog: exits 1 only while a blocking finding is not named in the upgrade notes', () => {
    const changelog = join(dir, 'CHANGELOG.md');
    writeFileSync(changelog, '## [Unreleased]\n\n### Added\n\n`PersistentVolumeClaim ns/files` (not the notes)\n\n### Upgrade notes\n\nnothing\n');
    let out = '';
    expect(runPlan(parsePlanArgs([old, next, '--changelog', changelog]), (s) => (out += s))).toBe(1);
    expect(out).toContain('not in the upgrade notes');
    writeFileSync(changelog, '## [Unreleased]\n\n### Upgrade notes\n\n#### Files\n\nCopy `PersistentVolumeClaim\n  ns/files` first.\n');
    expect(runPlan(parsePlanArgs([old, next, '--changelog', changelog]), () => undefined)).toBe(0);
  });

  test('usage errors', () => {
    expect(() => parsePlanArgs([old])).toThrow('plan expects OLD and NEW');
    expect(() => parsePlanArgs([old, next, '--jsn', 'x'])).toThrow('unknown or incomplete option --jsn');
    expect(main(['plan', join(dir, 'missing'), next])).toBe(1);
  });

  test('upgradeNotes reads every Upgrade notes section up to the next heading of its level or above', () => {
    const text = '## [1]\n### Upgrade notes\na\n#### sub\nb\n### Added\nc\n## [0]\n### Upgrade notes\nd\n';
    expect(upgradeNotes(text).split('\n').filter(Boolean)).toEqual(['a', '#### sub', 'b', 'd']);
    const f: Finding = { level: 'apply-fails', kind: 'PriorityClass', namespace: '', name: 'high', what: '' };
    expect(unnamedInNotes([f], '### Upgrade notes\n`PriorityClass high`\n')).toEqual([]);
    expect(unnamedInNotes([f], '### Upgrade notes\nPriorityClass high\n')).toEqual([f]);
  });
});

describe('CI: scripts/check-upgrade-notes.ts', () => {
  test('plans every environment against the previous dist/ (or the last tag) and fails until the notes name the finding', () => {
    const repo = mkdtempSync(join(tmpdir(), 'dify-notes-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { cwd: repo, encoding: 'utf8' });
    const put = (path: string, text: string) => {
      mkdirSync(join(repo, path, '..'), { recursive: true });
      writeFileSync(join(repo, path), text);
    };
    const check = () =>
      spawnSync(process.execPath, [join(ROOT, 'scripts', 'app.js'), join(ROOT, 'scripts', 'check-upgrade-notes.ts')], {
        cwd: repo,
        env: { ...process.env, DIFY_CDK8S_CACHE: join(ROOT, 'node_modules', '.cache', 'dify-cdk8s') },
        encoding: 'utf8',
      });
    git('init', '-q');
    put('dist/a/a.k8s.yaml', Yaml.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'files', namespace: 'ns' }, spec: {} }));
    put('CHANGELOG.md', '# Changelog\n\n### Upgrade notes\n\nnone\n');
    git('add', '-A');
    git('commit', '-qm', 'one');
    put('dist/a/a.k8s.yaml', Yaml.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' } }));
    git('commit', '-qam', 'two');
    const unnamed = check();
    expect(unnamed.status).toBe(1);
    expect(unnamed.stdout).toContain('against the previous commit that changed dist/');
    expect(unnamed.stdout).toContain('not in the upgrade notes: `PersistentVolumeClaim ns/files` (data-at-risk): deleted');
    put('CHANGELOG.md', '# Changelog\n\n### Upgrade notes\n\n`PersistentVolumeClaim ns/files` is gone: copy its data first.\n');
    git('commit', '-qam', 'notes');
    expect(check().status).toBe(0);
    git('tag', 'v0.2.0');
    const tagged = check();
    expect(tagged.stdout).toContain('against the last release, tag v0.2.0');
    expect(tagged.status).toBe(0);
  });
});

test('a folder is read with its kustomization subfolders (data/), not with others (restore/)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dify-plan-dirs-'));
  const cm = (name: string) => Yaml.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' } });
  for (const [sub, name, kustomization] of [
    ['', 'top', true],
    ['data', 'kept', true],
    ['restore', 'by-hand', false],
  ] as const) {
    mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, sub, 'a.k8s.yaml'), cm(name));
    if (kustomization) writeFileSync(join(dir, sub, 'kustomization.yaml'), 'resources: [a.k8s.yaml]\n');
  }
  expect(loadManifests(dir).map((m) => [m.kustomization, m.doc.metadata.name])).toEqual([
    ['', 'top'],
    ['data', 'kept'],
  ]);
});
