/**
 * Fairwinds Polaris (default config: Polaris's own severities and exemptions) over the committed
 * dist/<env>/ manifests, with test/support/polaris.ts. No `danger` finding may fail except the
 * allow-listed ones, and the `warning` findings must be exactly the allow-listed ones, so a new
 * finding (or a fixed one) shows up here. Each entry says why it is accepted.
 *
 * Keys are `check  Kind/name[:container]`; the namespace is the environment's. The migration and
 * secret-generator Jobs carry a hash of image and config in their names, written `-*` here.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { PolarisResult, runPolaris } from './support/polaris';

type Obj = Record<string, any>;
type Env = 'dev' | 'staging' | 'prod';
const ENVS: readonly Env[] = ['dev', 'staging', 'prod'];
const NAMESPACE: Record<Env, string> = { dev: 'dify', staging: 'dify-staging', prod: 'dify-prod' };

function distDocs(env: Env): Obj[] {
  const dir = path.join(__dirname, '..', 'dist', env);
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJSON() as Obj))
    .filter((d) => d);
}

/** `check  Kind/name[:container]`, with the Jobs' content hash replaced by `*`. */
function keyOf(r: PolarisResult, env: Env): string {
  const [kind, ns, name] = r.object.split('/');
  if (ns !== NAMESPACE[env] && ns !== '') throw new Error(`${r.object} is outside the ${env} namespace`);
  const stable = kind === 'Job' ? name.replace(/-[0-9a-f]{10}$/, '-*') : name;
  return `${r.check}  ${kind}/${stable}${r.container !== undefined ? `:${r.container}` : ''}`;
}

/** One allow-list entry per target, all with the same reason. */
const allow = (check: string, reason: string, targets: readonly string[]): Record<string, string> =>
  Object.fromEntries(targets.map((t) => [`${check}  ${t}`, reason]));

// ------------------------------------------------------------------------------------------------
// Workload inventory per environment (what the allow-lists below range over)
// ------------------------------------------------------------------------------------------------

const API_IMAGE_DEPLOYMENTS = ['Deployment/dify-api', 'Deployment/dify-worker', 'Deployment/dify-beat'];
const OTHER_DEPLOYMENTS = ['Deployment/dify-web', 'Deployment/dify-sandbox', 'Deployment/dify-ssrf-proxy'];
/** Collaboration websocket and agent v2 stack, deployed by every environment. */
const LOCAL_SANDBOX = 'Deployment/dify-local-sandbox';
const FEATURE_DEPLOYMENTS = ['Deployment/dify-api-websocket', 'Deployment/dify-agent-backend', LOCAL_SANDBOX, 'Deployment/dify-agent-ssrf-proxy'];
const DEPLOYMENTS = [...API_IMAGE_DEPLOYMENTS, ...OTHER_DEPLOYMENTS, ...FEATURE_DEPLOYMENTS];
const STORES = ['StatefulSet/dify-postgres', 'StatefulSet/dify-redis', 'StatefulSet/dify-weaviate'];
const PLUGIN_DAEMON = 'StatefulSet/dify-plugin-daemon';
const MIGRATION = 'Job/dify-migrate-*';
const SECRET_GENERATOR = 'Job/dify-secret-generator-*';
const BACKUP = 'CronJob/dify-backup';

/** Every pod controller of each environment. */
const CONTROLLERS: Record<Env, string[]> = {
  dev: [...DEPLOYMENTS, PLUGIN_DAEMON, ...STORES, MIGRATION, SECRET_GENERATOR],
  staging: [...DEPLOYMENTS, PLUGIN_DAEMON, ...STORES, MIGRATION, BACKUP],
  prod: [...DEPLOYMENTS, PLUGIN_DAEMON, MIGRATION],
};

/** Every container (init containers included) of each environment, as `Kind/name:container`. */
const CONTAINERS: Record<Env, string[]> = (() => {
  const app = [
    'Deployment/dify-api:wait-for-migrations', 'Deployment/dify-api:api',
    'Deployment/dify-worker:wait-for-migrations', 'Deployment/dify-worker:worker',
    'Deployment/dify-beat:wait-for-migrations', 'Deployment/dify-beat:beat',
    'Deployment/dify-web:web', 'Deployment/dify-sandbox:sandbox', 'Deployment/dify-ssrf-proxy:ssrf-proxy',
    `${PLUGIN_DAEMON}:plugin-daemon`, `${MIGRATION}:migrate`,
    'Deployment/dify-api-websocket:wait-for-migrations', 'Deployment/dify-api-websocket:api-websocket',
    'Deployment/dify-agent-backend:agent-backend', `${LOCAL_SANDBOX}:local-sandbox`, 'Deployment/dify-agent-ssrf-proxy:agent-ssrf-proxy',
  ];
  const stores = ['StatefulSet/dify-postgres:postgres', 'StatefulSet/dify-redis:redis', 'StatefulSet/dify-weaviate:weaviate'];
  return {
    dev: [...app, ...stores, `${SECRET_GENERATOR}:generate`],
    staging: [...app, ...stores, `${BACKUP}:pg-dump`],
    prod: app,
  };
})();

// ------------------------------------------------------------------------------------------------
// danger: accepted failures
// ------------------------------------------------------------------------------------------------

const SANDBOX_ROOT = allow('runAsRootAllowed',
  'By design: dify-sandbox runs as root to chroot each run into its jail and drop to an unprivileged uid; it keeps '
  + 'allowPrivilegeEscalation=false, drops ALL and adds back only CHOWN, DAC_OVERRIDE, FOWNER, KILL, SETGID, SETUID, '
  + 'SYS_CHROOT (Pod Security baseline), RuntimeDefault seccomp, and its NetworkPolicy only lets it reach the SSRF proxy.',
  ['Deployment/dify-sandbox:sandbox']);

const WEAVIATE_TOKENIZER_FLAGS = allow('sensitiveConfigmapContent',
  'False positive: Polaris matches /token/i in key names, and Weaviate\'s ENABLE_TOKENIZER_GSE / ENABLE_TOKENIZER_KAGOME_JA '
  + '/ ENABLE_TOKENIZER_KAGOME_KR are tokenizer feature flags set to "false". The Weaviate API key comes from the '
  + 'credentials Secret (asserted below: no other key or value trips the check).',
  ['ConfigMap/dify-weaviate-env']);

const SECRET_GENERATOR_ENV_NAMES = allow('sensitiveContainerEnvVar',
  'False positive: the generator\'s literal env vars SECRET_NAME (= "dify-credentials"), SECRET_LABELS (the labels to '
  + 'put on it) and REDIS_PASSWORD_KEY (= "redis-password") describe the Secret and name a key, they hold no credential; '
  + 'the generated values never appear in the manifests (asserted below).',
  [`${SECRET_GENERATOR}:generate`]);

const DANGER_ALLOWED: Record<Env, Record<string, string>> = {
  dev: { ...SANDBOX_ROOT, ...WEAVIATE_TOKENIZER_FLAGS, ...SECRET_GENERATOR_ENV_NAMES },
  staging: { ...SANDBOX_ROOT, ...WEAVIATE_TOKENIZER_FLAGS },
  prod: { ...SANDBOX_ROOT },
};

// ------------------------------------------------------------------------------------------------
// warning: the exact expected failures
// ------------------------------------------------------------------------------------------------

const PULL_POLICY = (env: Env): Record<string, string> => allow('pullPolicyNotAlways',
  'By design: every image is pinned to a version tag (":latest" and untagged refs are synth-time errors; imageDigests can '
  + 'pin digests), so IfNotPresent is correct and avoids a registry round trip (and Docker Hub rate limits) on every start.',
  CONTAINERS[env]);

const INSTANCE_LABEL = (env: Env): Record<string, string> => allow('metadataAndInstanceMismatched',
  'By design: app.kubernetes.io/instance names the installation ("dify", shared by all its components, as Helm does with '
  + 'the release name) and is part of every selector; Polaris\'s convention that it equals each object\'s metadata.name '
  + 'would break the name/instance/component selector scheme.',
  CONTROLLERS[env]);

const NETWORK_POLICY = (env: Env): Record<string, string> => allow('missingNetworkPolicy',
  'Polaris limitation: it wants one NetworkPolicy whose matchLabels holds exactly one of the pod\'s labels (a oneOf) and '
  + 'that has both ingress and egress rules. Every pod here is under a default-deny policy (both directions) plus a '
  + 'per-component policy selecting name+instance+component with exactly its flows, where least privilege means empty '
  + 'ingress (worker, beat, Jobs) or egress (stores) (asserted below; evaluated in network-policy.test.ts).',
  CONTROLLERS[env]);

const PRIORITY_CLASS_NONPROD = (env: Env): Record<string, string> => allow('priorityClassNotSet',
  'By design: dev and staging run at the cluster\'s default priority; priority classes are a production setting.',
  CONTROLLERS[env]);

const SINGLE_REPLICA_SPREAD = (targets: string[]): Record<string, string> => allow('topologySpreadConstraint',
  'By design: single-replica workloads (dev runs one of everything; beat, the plugin daemon, the agent local sandbox and '
  + 'the embedded stores refuse a second replica), so there is nothing to spread; every multi-replica workload has zone and node spread.',
  targets);

const WRITABLE_ROOT = allow('notReadOnlyRootFilesystem',
  'By design: beat writes its celerybeat-schedule beside its code, web rewrites its runtime config at start, and the '
  + 'sandbox prepares its chroot jail; every other container has a read-only root filesystem.',
  ['Deployment/dify-beat:beat', 'Deployment/dify-web:web', 'Deployment/dify-sandbox:sandbox']);

const LOCAL_SANDBOX_SINGLE = allow('deploymentMissingReplicas',
  'By design: the agent local sandbox keeps run homes, workspaces and snapshots on its pod, and the agent backend talks to '
  + 'one endpoint, so it runs exactly once (a second replica is a synth-time error).',
  [LOCAL_SANDBOX]);

const WARNING_EXPECTED: Record<Env, Record<string, string>> = {
  dev: {
    ...PULL_POLICY('dev'),
    ...INSTANCE_LABEL('dev'),
    ...NETWORK_POLICY('dev'),
    ...PRIORITY_CLASS_NONPROD('dev'),
    ...SINGLE_REPLICA_SPREAD([...DEPLOYMENTS, PLUGIN_DAEMON, ...STORES]),
    ...WRITABLE_ROOT,
    ...allow('deploymentMissingReplicas',
      'By design: dev is a laptop stack (README: fits a 4-CPU / 8-GiB cluster) and runs one replica of each Deployment.',
      DEPLOYMENTS),
    ...allow('tlsSettingsMissing',
      'By design: dev serves http://dify.localhost on a laptop cluster with no certificate; staging and prod use TLS.',
      ['Ingress/dify']),
    ...allow('automountServiceAccountToken',
      'By design: the secret generator is the only pod that talks to the Kubernetes API (to create dify-credentials), so it '
      + 'mounts its token, with a Role limited to that one Secret; every other pod and ServiceAccount disables automount.',
      [SECRET_GENERATOR]),
  },
  staging: {
    ...PULL_POLICY('staging'),
    ...INSTANCE_LABEL('staging'),
    ...NETWORK_POLICY('staging'),
    ...PRIORITY_CLASS_NONPROD('staging'),
    ...SINGLE_REPLICA_SPREAD(['Deployment/dify-beat', LOCAL_SANDBOX, PLUGIN_DAEMON, ...STORES]),
    ...WRITABLE_ROOT,
    ...allow('deploymentMissingReplicas',
      'By design: beat must run exactly once (two beats would enqueue every periodic task twice).',
      ['Deployment/dify-beat']),
    ...LOCAL_SANDBOX_SINGLE,
  },
  prod: {
    ...PULL_POLICY('prod'),
    ...INSTANCE_LABEL('prod'),
    ...NETWORK_POLICY('prod'),
    ...SINGLE_REPLICA_SPREAD(['Deployment/dify-beat', LOCAL_SANDBOX, PLUGIN_DAEMON]),
    ...WRITABLE_ROOT,
    ...allow('deploymentMissingReplicas',
      'By design: api, web, worker, sandbox and the collaboration websocket are scaled by their HorizontalPodAutoscaler '
      + '(min 3/3/3/2/2), so the Deployment deliberately has no spec.replicas for the HPA to fight with (asserted below).',
      ['Deployment/dify-api', 'Deployment/dify-web', 'Deployment/dify-worker', 'Deployment/dify-sandbox', 'Deployment/dify-api-websocket']),
    ...LOCAL_SANDBOX_SINGLE,
    ...allow('deploymentMissingReplicas',
      'By design: beat must run exactly once (two beats would enqueue every periodic task twice).',
      ['Deployment/dify-beat']),
    ...allow('priorityClassNotSet',
      'Configuration choice in apps/prod.ts: the serving path (api, web, worker, sandboxes, SSRF proxies, plugin daemon, websocket, agent backend) gets '
      + 'dify-critical; beat (one idle scheduler) and the one-shot migration Job run at the default priority.',
      ['Deployment/dify-beat', MIGRATION]),
  },
};

// ------------------------------------------------------------------------------------------------

const RESULTS: Record<Env, PolarisResult[]> = Object.fromEntries(ENVS.map((env) => [env, runPolaris(distDocs(env))])) as Record<Env, PolarisResult[]>;
const failedKeys = (env: Env, severity: string): string[] =>
  RESULTS[env].filter((r) => !r.passed && r.severity === severity).map((r) => keyOf(r, env)).sort();

describe.each(ENVS)('Polaris on dist/%s', (env) => {
  test('every check ran and none was unsupported', () => {
    const results = RESULTS[env];
    expect(results.filter((r) => r.unsupported)).toEqual([]);
    // Each controller got its pod and container checks, the Ingress and ConfigMaps theirs.
    const objects = new Set(results.map((r) => keyOf(r, env).split('  ')[1].split(':')[0]));
    for (const c of CONTROLLERS[env]) expect(objects).toContain(c);
    expect(objects).toContain('Ingress/dify');
  });

  test('no danger finding fails except the allow-listed ones', () => {
    expect(failedKeys(env, 'danger')).toEqual(Object.keys(DANGER_ALLOWED[env]).sort());
  });

  test('the warning findings are exactly the allow-listed ones', () => {
    expect(failedKeys(env, 'warning')).toEqual(Object.keys(WARNING_EXPECTED[env]).sort());
  });

  test('the stated reasons hold', () => {
    const docs = distDocs(env);
    const byKind = (kind: string): Obj[] => docs.filter((d) => d.kind === kind);
    // Every pod is under a default-deny policy for both directions and its own policy with both policy types.
    const policies = byKind('NetworkPolicy');
    for (const d of [...byKind('Deployment'), ...byKind('StatefulSet'), ...byKind('Job'), ...byKind('CronJob')]) {
      const labels: Obj = (d.spec.template ?? d.spec.jobTemplate.spec.template).metadata.labels;
      const selecting = policies.filter((p) => Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v));
      const types = (p: Obj): string => [...(p.spec.policyTypes ?? [])].sort().join(',');
      expect(selecting.some((p) => !p.spec.ingress && !p.spec.egress && types(p) === 'Egress,Ingress')).toBe(true);
      expect(selecting.some((p) => p.spec.podSelector.matchLabels['app.kubernetes.io/component'] === labels['app.kubernetes.io/component']
        && types(p) === 'Egress,Ingress')).toBe(true);
    }
    // The only sensitive-looking ConfigMap keys are Weaviate's tokenizer flags, set to "false".
    for (const cm of byKind('ConfigMap')) {
      for (const [k, v] of Object.entries((cm.data ?? {}) as Record<string, string>)) {
        if (/password|token|bearer|secret|^AWS_SECRET_ACCESS_KEY$|^AZURE_.+KEY$/i.test(k)) {
          expect([cm.metadata.name, k, v]).toEqual(['dify-weaviate-env', expect.stringMatching(/^ENABLE_TOKENIZER_/), 'false']);
        }
      }
    }
    // The secret generator's sensitive-looking literal env vars name things; they hold no credential.
    for (const job of byKind('Job')) {
      for (const c of job.spec.template.spec.containers) {
        for (const e of (c.env ?? []) as Obj[]) {
          if (e.value !== undefined && /password|token|bearer|secret/i.test(e.name)) {
            expect(job.metadata.name).toMatch(/^dify-secret-generator-/);
            if (e.name === 'SECRET_LABELS') {
              // Only the standard app.kubernetes.io/* labels for the generated Secret.
              expect(Object.keys(JSON.parse(e.value)).every((k) => k.startsWith('app.kubernetes.io/'))).toBe(true);
            } else {
              const names: Record<string, string> = { SECRET_NAME: 'dify-credentials', REDIS_PASSWORD_KEY: 'redis-password' };
              expect(names[String(e.name)]).toBe(e.value);
            }
          }
        }
      }
    }
    // HPA-managed Deployments have no spec.replicas; the others that Polaris flags run one replica.
    const hpaTargets = new Set(byKind('HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name));
    for (const d of byKind('Deployment')) {
      if (hpaTargets.has(d.metadata.name)) expect(d.spec.replicas).toBeUndefined();
    }
    expect(byKind('Deployment').find((d) => d.metadata.name === 'dify-beat')?.spec.replicas).toBe(1);
  });
});
