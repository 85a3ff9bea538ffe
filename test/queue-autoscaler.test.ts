import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { DIFY_CELERY_QUEUES, DifyQueueAutoscaler, DifyQueueAutoscalerProps, DifyValidationError, SecretKeyRef, validateQueuePools } from '../lib';
import { formatIssues, validateSchemas } from './support/schema';

const PASSWORD = SecretKeyRef.of('dify-credentials', 'REDIS_PASSWORD');

const PROPS: DifyQueueAutoscalerProps = {
  instance: 'dify',
  target: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'dify-worker-indexing' },
  minReplicas: 1,
  maxReplicas: 8,
  queues: ['dataset', 'priority_dataset', 'pipeline'],
  redis: { address: 'dify-redis.dify.svc:6379', database: 1, password: PASSWORD },
};

function synth(over: Partial<DifyQueueAutoscalerProps> = {}): Record<string, any>[] {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'dify' });
  new DifyQueueAutoscaler(chart, 'Autoscaler', { ...PROPS, ...over });
  return Testing.synth(chart);
}

const scaledObject = (docs: Record<string, any>[]): Record<string, any> => docs.find((d) => d.kind === 'ScaledObject')!;
const triggerAuth = (docs: Record<string, any>[]): Record<string, any> => docs.find((d) => d.kind === 'TriggerAuthentication')!;

describe('DifyQueueAutoscaler', () => {
  test('renders a ScaledObject and a TriggerAuthentication that pass the KEDA CRD schemas', () => {
    const docs = synth();
    expect(docs.map((d) => `${d.apiVersion} ${d.kind}/${d.metadata.name}`).sort()).toEqual([
      'keda.sh/v1alpha1 ScaledObject/dify-worker-indexing',
      'keda.sh/v1alpha1 TriggerAuthentication/dify-worker-indexing-keda-redis',
    ]);
    expect(formatIssues(validateSchemas(docs))).toBe('');
  });

  test('every variant passes the schema too (TLS with CA, user name from a Secret, scale to zero)', () => {
    const docs = synth({
      minReplicas: 0,
      redis: { ...PROPS.redis, username: SecretKeyRef.of('redis-acl', 'user'), tls: { ca: SecretKeyRef.of('redis-ca', 'ca.crt') } },
    });
    expect(formatIssues(validateSchemas(docs))).toBe('');
  });

  test('the schema check catches a wrong field (the test can fail)', () => {
    const docs = synth();
    const broken = JSON.parse(JSON.stringify(docs)) as Record<string, any>[];
    scaledObject(broken).spec.triggers[0].listName = 'dataset';
    scaledObject(broken).spec.minReplicaCount = 'one';
    expect(formatIssues(validateSchemas(broken))).toMatch(
      /ScaledObject\/dify\/dify-worker-indexing \/spec\/minReplicaCount: .*\n.*\/spec\/triggers\/0\/listName: unknown field "listName"/,
    );
  });

  test('one redis trigger per queue: listName is the Celery queue, connection and targets in metadata', () => {
    const so = scaledObject(synth());
    expect(so.metadata.labels).toMatchObject({ 'app.kubernetes.io/instance': 'dify', 'app.kubernetes.io/component': 'worker-indexing' });
    expect(so.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'dify-worker-indexing' },
      minReplicaCount: 1,
      maxReplicaCount: 8,
      pollingInterval: 30,
      cooldownPeriod: 300,
    });
    expect(so.spec.triggers.map((t: any) => t.metadata.listName)).toEqual(PROPS.queues);
    for (const t of so.spec.triggers) {
      expect(t).toEqual({
        type: 'redis',
        metricType: 'AverageValue',
        metadata: { address: 'dify-redis.dify.svc:6379', databaseIndex: '1', listName: t.metadata.listName, listLength: '5', activationListLength: '0' },
        authenticationRef: { name: 'dify-worker-indexing-keda-redis', kind: 'TriggerAuthentication' },
      });
    }
  });

  test('the password only reaches KEDA through the TriggerAuthentication (secretTargetRef)', () => {
    const docs = synth();
    expect(triggerAuth(docs).spec).toEqual({ secretTargetRef: [{ parameter: 'password', name: 'dify-credentials', key: 'REDIS_PASSWORD' }] });
    expect(JSON.stringify(scaledObject(docs))).not.toMatch(/password/i);
  });

  test('tuning, TLS, CA and user name', () => {
    const docs = synth({
      minReplicas: 0,
      maxReplicas: 3,
      listLength: 20,
      activationListLength: 2,
      pollingInterval: 10,
      cooldownPeriod: 600,
      queues: ['mail'],
      redis: { address: '[fd00::7]:6380', database: 0, password: PASSWORD, username: 'dify', tls: { ca: SecretKeyRef.of('redis-ca', 'ca.crt') } },
    });
    const so = scaledObject(docs);
    expect(so.spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 3, pollingInterval: 10, cooldownPeriod: 600 });
    expect(so.spec.triggers).toHaveLength(1);
    expect(so.spec.triggers[0].metadata).toEqual({
      address: '[fd00::7]:6380',
      databaseIndex: '0',
      enableTLS: 'true',
      username: 'dify',
      listName: 'mail',
      listLength: '20',
      activationListLength: '2',
    });
    expect(triggerAuth(docs).spec.secretTargetRef).toEqual([
      { parameter: 'password', name: 'dify-credentials', key: 'REDIS_PASSWORD' },
      { parameter: 'ca', name: 'redis-ca', key: 'ca.crt' },
    ]);
    expect(scaledObject(synth({ redis: { ...PROPS.redis, address: '10.0.0.7:6379' } })).spec.triggers[0].metadata.address).toBe('10.0.0.7:6379');
    const insecure = scaledObject(synth({ redis: { ...PROPS.redis, tls: { unsafeSkipVerify: true }, username: SecretKeyRef.of('acl', 'user') } }));
    expect(insecure.spec.triggers[0].metadata).toMatchObject({ enableTLS: 'true', unsafeSsl: 'true' });
    expect(insecure.spec.triggers[0].metadata.username).toBeUndefined();
  });

  test('component defaults to the target name without the instance prefix, and can be set', () => {
    expect(scaledObject(synth({ target: { ...PROPS.target, name: 'pool-a' } })).metadata.labels['app.kubernetes.io/component']).toBe('pool-a');
    expect(scaledObject(synth({ component: 'worker' })).metadata.labels['app.kubernetes.io/component']).toBe('worker');
  });

  const bad: Array<[string, Partial<DifyQueueAutoscalerProps>, string]> = [
    ['instance', { instance: 'Dify' }, 'instance: got "Dify"; must be a DNS-1123 label'],
    ['target kind', { target: { ...PROPS.target, kind: 'deployment' } }, 'target.kind: got "deployment"; must be a kind such as "Deployment"'],
    ['target apiVersion', { target: { ...PROPS.target, apiVersion: 'apps' } }, 'target.apiVersion: got "apps"; must be an API version such as "apps/v1"'],
    ['target name', { target: { ...PROPS.target, name: 'Worker_1' } }, 'target.name: got "Worker_1"; must be a DNS-1123 subdomain'],
    ['min > max', { minReplicas: 5, maxReplicas: 2 }, 'minReplicas: got 5; must be at most maxReplicas (2)'],
    ['negative min', { minReplicas: -1 }, 'minReplicas: got -1; must be an integer from 0 to 1000'],
    ['max 0', { maxReplicas: 0 }, 'maxReplicas: got 0; must be an integer from 1 to 1000'],
    ['fractional max', { maxReplicas: 2.5 }, 'maxReplicas: got 2.5; must be an integer from 1 to 1000'],
    ['no queues', { queues: [] }, 'queues: got []; must list at least one Celery queue'],
    ['duplicate queue', { queues: ['dataset', 'dataset'] }, 'queues[1]: got "dataset"; must be unique: the queue is listed twice'],
    ['queue with a comma', { queues: ['dataset,mail'] }, 'queues[0]: got "dataset,mail"; must be a Celery queue name'],
    ['listLength 0', { listLength: 0 }, 'listLength: got 0; must be an integer from 1 to 1000000'],
    ['negative activation', { activationListLength: -1 }, 'activationListLength: got -1; must be an integer from 0 to 1000000'],
    ['polling 0', { pollingInterval: 0 }, 'pollingInterval: got 0; must be an integer from 1 to 3600'],
    ['cooldown', { cooldownPeriod: -5 }, 'cooldownPeriod: got -5; must be an integer from 0 to 86400'],
    ['address without port', { redis: { ...PROPS.redis, address: 'dify-redis' } }, 'redis.address: got "dify-redis"; must be "host:port"'],
    [
      'address not namespace-qualified',
      { redis: { ...PROPS.redis, address: 'dify-redis:6379' } },
      'redis.address: got "dify-redis:6379"; must qualify the Service with its namespace, e.g. "dify-redis.<namespace>.svc:6379"',
    ],
    [
      'address with scheme',
      { redis: { ...PROPS.redis, address: 'redis://dify-redis:6379' } },
      'redis.address: got "redis://dify-redis:6379"; must be "host:port"',
    ],
    [
      'port out of range',
      { redis: { ...PROPS.redis, address: 'dify-redis.dify.svc:70000' } },
      'redis.address: got "dify-redis.dify.svc:70000"; must be "host:port"',
    ],
    ['negative database', { redis: { ...PROPS.redis, database: -1 } }, 'redis.database: got -1; must be an integer from 0'],
    ['password as text', { redis: { ...PROPS.redis, password: 'hunter2' as never } }, 'redis.password: got "<not a SecretKeyRef>"; must be a SecretKeyRef'],
    ['missing password', { redis: { address: 'r.dify.svc:6379', database: 1 } as never }, 'redis.password: got undefined; is required: a SecretKeyRef'],
    ['username with a space', { redis: { ...PROPS.redis, username: 'dify user' } }, 'redis.username: got "dify user"; must be 1-128 printable characters'],
    [
      'CA with skip-verify',
      { redis: { ...PROPS.redis, tls: { ca: PASSWORD, unsafeSkipVerify: true } } },
      'redis.tls.unsafeSkipVerify: got true; must not be set together with redis.tls.ca',
    ],
  ];
  test.each(bad)('rejects bad %s', (_name, over, message) => {
    expect(() => synth(over)).toThrow(DifyValidationError);
    expect(() => synth(over)).toThrow(message);
  });

  test('a password given as text is not echoed in the error', () => {
    expect(() => synth({ redis: { ...PROPS.redis, password: 'hunter2' as never } })).not.toThrow(/hunter2/);
  });
});

describe('Celery queues of the 1.16.1 image', () => {
  test('match the vendored upstream facts (vendor/dify-upstream/worker-queues.md), in order', () => {
    const md = readFileSync(join(__dirname, '..', 'vendor', 'dify-upstream', 'worker-queues.md'), 'utf8');
    const line = /Self-hosted \(community\) default, ([0-9]+) queues, comma-separated:\n\s*`([^`]+)`/.exec(md);
    expect(line).not.toBeNull();
    const queues = line![2]!.split(',').map((q) => q.trim());
    expect(DIFY_CELERY_QUEUES).toEqual(queues);
    expect(DIFY_CELERY_QUEUES).toHaveLength(Number(line![1]));
  });

  const pools = [
    { name: 'indexing', queues: ['dataset', 'dataset_summary', 'priority_dataset', 'priority_pipeline', 'pipeline'] },
    {
      name: 'workflow',
      queues: [
        'workflow',
        'conversation',
        'workflow_storage',
        'schedule_poller',
        'schedule_executor',
        'triggered_workflow_dispatcher',
        'trigger_refresh_publisher',
        'trigger_refresh_executor',
        'workflow_based_app_execution',
      ],
    },
    { name: 'ops', queues: ['api_token', 'mail', 'ops_trace', 'app_deletion', 'app_rbac', 'plugin', 'retention'] },
  ];

  test('a layout that covers every queue exactly once passes', () => {
    expect(() => validateQueuePools(pools)).not.toThrow();
    expect(() => validateQueuePools([{ name: 'all', queues: DIFY_CELERY_QUEUES }])).not.toThrow();
  });

  test('a missing queue is named, with the pools', () => {
    const without = pools.map((p) => (p.name === 'ops' ? { ...p, queues: p.queues.filter((q) => q !== 'mail' && q !== 'retention') } : p));
    expect(() => validateQueuePools(without)).toThrow(
      'workerPools: got ["indexing","workflow","ops"]; must consume every queue of the image exactly once; no pool consumes "mail", "retention"',
    );
  });

  test('a queue in two pools is named, with both pools', () => {
    const twice = pools.map((p) => (p.name === 'ops' ? { ...p, queues: [...p.queues, 'dataset'] } : p));
    expect(() => validateQueuePools(twice)).toThrow(
      'workerPools[2].queues[7]: got "dataset"; each queue must be consumed by exactly one pool; pools "indexing" and "ops" both consume it',
    );
    const dup = [{ name: 'all', queues: [...DIFY_CELERY_QUEUES, 'mail'] }];
    expect(() => validateQueuePools(dup, { prop: 'pools' })).toThrow(
      'pools[0].queues[21]: got "mail"; each queue must be consumed by exactly one pool; pool "all" names it twice',
    );
  });

  test('unknown queues are typos unless declared as extra queues; an older image has a shorter list', () => {
    const typo = pools.map((p) => (p.name === 'ops' ? { ...p, queues: [...p.queues, 'mails'] } : p));
    expect(() => validateQueuePools(typo)).toThrow('workerPools[2].queues[7]: got "mails"; is not a queue the image consumes (pool "ops")');
    expect(() => validateQueuePools(typo, { extraQueues: ['mails'] })).not.toThrow();
    const older = DIFY_CELERY_QUEUES.filter(
      (q) => !['api_token', 'dataset_summary', 'app_rbac', 'trigger_refresh_publisher', 'workflow_based_app_execution'].includes(q),
    );
    expect(() => validateQueuePools([{ name: 'all', queues: older }], { consumed: older })).not.toThrow();
    expect(() => validateQueuePools([{ name: 'all', queues: older }])).toThrow(
      'no pool consumes "api_token", "dataset_summary", "app_rbac", "trigger_refresh_publisher", "workflow_based_app_execution"',
    );
  });

  test('pool names and shapes', () => {
    expect(() => validateQueuePools([])).toThrow('workerPools: got []; must list at least one pool');
    expect(() => validateQueuePools([{ name: 'Indexing', queues: ['dataset'] }])).toThrow('workerPools[0].name: got "Indexing"; must be a DNS-1123 label');
    expect(() => validateQueuePools([...pools, { name: 'ops', queues: ['x'] }])).toThrow('workerPools[3].name: got "ops"; must be unique');
    expect(() => validateQueuePools([{ name: 'empty', queues: [] }])).toThrow('workerPools[0].queues: got []; must list at least one queue (pool "empty")');
  });
});
