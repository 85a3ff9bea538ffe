import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DifyWorker } from '../components/worker';
import { DifyBackendConfig } from '../config/backend';
import { redisBackendEnv } from '../config/connections';
import { ComponentOptions } from '../core/availability';
import { NetworkPeer, PodPeer, isConnectable } from '../core/connections';
import { EnvSet } from '../core/env';
import { SecretKeyRef } from '../core/secret-ref';
import { invalid, validateInt } from '../core/validation';
import { DifyComponentProps } from '../core/workload';
import { QueuePoolCoverageOptions, validateQueuePools } from './celery-queues';
import { DifyQueueAutoscaler, QueueAutoscalerRedis, QueueAutoscalerRedisTls } from './queue-autoscaler';
import { guardProps } from '../core/guard';

/** Scale a pool on the length of its queues with KEDA. */
export interface QueueDepthScaling {
  /** Replicas with empty queues; 0 scales the pool to zero. */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Waiting tasks per replica and queue. @default 5 */
  readonly listLength?: number;
  /** Seconds between reads of the queue lengths. @default 30 */
  readonly pollingInterval?: number;
  /** Seconds after the last activity before scaling to zero; only with `minReplicas: 0`. @default 300 */
  readonly cooldownPeriod?: number;
}

/** One Celery worker pool: its own Deployment consuming some queues. */
export interface DifyWorkerPool {
  /** Pool name: the Deployment is `<instance>-worker-<name>`. */
  readonly name: string;
  /** Queues this pool consumes (CELERY_QUEUES); the pools together cover every queue exactly once. */
  readonly queues: string[];
  /** Replicas, resources, PDB, spread, scheduling, a CPU HPA (`autoscaling`), env. @default - one replica */
  readonly options?: ComponentOptions;
  /** Scale on queue depth with KEDA instead of CPU (needs KEDA in the cluster). @default - no queue-depth scaling */
  readonly queueDepthScaling?: QueueDepthScaling;
}

/** Where KEDA reads queue lengths, when it cannot be derived (external Redis). */
export interface WorkerPoolsBrokerOptions {
  /** `host:port` KEDA's operator reaches the broker at. @default - the Redis host and port, or `<instance>-redis.<namespace>.svc:6379` */
  readonly address?: string;
  /** Database index of CELERY_BROKER_URL. @default 1 for the embedded Redis; required for an external one */
  readonly database?: number;
  /** KEDA's operator pods, admitted to the embedded Redis. @default - namespace `keda`, pods `app: keda-operator` */
  readonly kedaOperator?: PodPeer;
}

/** Props of {@link DifyWorkerPools}. */
export interface DifyWorkerPoolsProps extends Omit<DifyComponentProps, 'options' | 'optionsPath'> {
  readonly image?: string;
  readonly config: DifyBackendConfig;
  readonly pools: readonly DifyWorkerPool[];
  /** Which queues must be covered. @default - the 1.16.1 image's 21 queues */
  readonly coverage?: QueuePoolCoverageOptions;
  readonly broker?: WorkerPoolsBrokerOptions;
}

/**
 * Celery workers split into pools (e.g. indexing, workflow, mail/ops) so a
 * burst of one kind of task cannot starve another. The pools must cover every
 * queue the image consumes exactly once (checked at synth). Each pool scales
 * on replicas/CPU through its options or on its queues' depth with a KEDA
 * ScaledObject (never both).
 */
export class DifyWorkerPools extends Construct {
  public readonly workers: DifyWorker[] = [];
  public readonly autoscalers: DifyQueueAutoscaler[] = [];

  constructor(scope: Construct, id: string, props: DifyWorkerPoolsProps) {
    super(scope, id);
    guardProps('DifyWorkerPoolsProps', props);
    if (!Array.isArray(props.pools) || props.pools.length === 0) invalid('workerPools', props.pools, 'must list at least one pool');
    validateQueuePools(props.pools, { prop: 'workerPools', ...props.coverage });
    const names = new Set<string>();
    props.pools.forEach((pool, i) => {
      if (names.has(pool.name)) invalid(`workerPools[${i}].name`, pool.name, 'must be unique among the pools');
      names.add(pool.name);
      const q = pool.queueDepthScaling;
      if (q) {
        validateInt(`workerPools[${i}].queueDepthScaling.minReplicas`, q.minReplicas, 0, 1000);
        validateInt(`workerPools[${i}].queueDepthScaling.maxReplicas`, q.maxReplicas, Math.max(1, q.minReplicas), 1000);
        // KEDA's cooldownPeriod only times the scale to zero: with replicas kept, it would be ignored silently.
        if (q.cooldownPeriod !== undefined && q.minReplicas > 0) {
          invalid(
            `workerPools[${i}].queueDepthScaling.cooldownPeriod`,
            q.cooldownPeriod,
            `only applies with minReplicas 0 (it times the scale to zero), not with minReplicas ${q.minReplicas}; remove it or set minReplicas: 0`,
          );
        }
      }
      const { pools: _pools, coverage: _coverage, broker: _broker, ...common } = props;
      const worker = new DifyWorker(this, `Pool-${pool.name}`, {
        ...common,
        options: pool.options,
        optionsPath: `workerPools[${i}].options`,
        pool: { name: pool.name, queues: pool.queues },
        externalScaling: q ? { minReplicas: q.minReplicas, maxReplicas: q.maxReplicas, prop: `workerPools[${i}].queueDepthScaling.maxReplicas` } : undefined,
      });
      this.workers.push(worker);
      if (q) {
        this.autoscalers.push(
          new DifyQueueAutoscaler(this, `Keda-${pool.name}`, {
            instance: props.instance,
            target: { apiVersion: 'apps/v1', kind: 'Deployment', name: worker.workload.name },
            minReplicas: q.minReplicas,
            maxReplicas: q.maxReplicas,
            queues: pool.queues,
            listLength: q.listLength,
            pollingInterval: q.pollingInterval,
            cooldownPeriod: q.cooldownPeriod,
            redis: this.broker(props, i),
          }),
        );
      }
    });
    const redis = props.config.props.redis;
    if (this.autoscalers.length && isConnectable(redis)) {
      redis.connections.allowFrom(
        NetworkPeer.fromPodPeer(
          'workerPools.broker.kedaOperator',
          props.broker?.kedaOperator ?? { namespaceLabels: { 'kubernetes.io/metadata.name': 'keda' }, podLabels: { app: 'keda-operator' } },
          'KEDA operator',
        ),
        [6379],
      );
    }
  }

  /** The broker as KEDA reaches it, derived from the Redis settings where possible. */
  private broker(props: DifyWorkerPoolsProps, i: number): QueueAutoscalerRedis {
    const redis = props.config.props.redis;
    const env = redisBackendEnv(redis);
    const embedded = isConnectable(redis);
    const host = env.plainValue('REDIS_HOST');
    const port = env.plainValue('REDIS_PORT') ?? '6379';
    const namespace = Chart.of(this).namespace;
    const address = props.broker?.address ?? (embedded && host ? `${host}.${namespace ?? 'default'}.svc:${port}` : host ? `${host}:${port}` : undefined);
    if (!address)
      invalid(
        `workerPools[${i}].queueDepthScaling`,
        'set',
        'needs workerPools broker.address: the Redis topology (Sentinel or Cluster) has no single host KEDA can read',
      );
    const database = props.broker?.database ?? (embedded ? 1 : undefined);
    if (database === undefined) invalid('workerPoolsBroker.database', undefined, 'must give the database index of CELERY_BROKER_URL for an external Redis');
    const password = env.secretRef('REDIS_PASSWORD');
    if (!(password instanceof SecretKeyRef)) invalid('workerPoolsBroker', 'no password', 'queue-depth scaling needs a Redis password Secret for KEDA');
    return { address, database, password, username: env.plainValue('REDIS_USERNAME'), tls: brokerTls(env, i) };
  }
}

/**
 * TLS of KEDA's connection to the broker, from the same settings Dify's pods
 * use: the CA and client certificate Secret (or ConfigMap) keys KEDA reads
 * through its TriggerAuthentication, and no verification where Dify's pods
 * do not verify (CERT_NONE). A path of a file mounted only in Dify's pods
 * cannot reach KEDA's operator, so it is refused.
 */
function brokerTls(env: EnvSet, i: number): QueueAutoscalerRedisTls | undefined {
  if (env.plainValue('REDIS_USE_SSL') !== 'true') return undefined;
  for (const name of ['REDIS_SSL_CA_CERTS', 'REDIS_SSL_CERTFILE', 'REDIS_SSL_KEYFILE']) {
    const path = env.plainValue(name);
    if (path !== undefined && env.fileSource(name) === undefined)
      invalid(
        `workerPools[${i}].queueDepthScaling`,
        `${name}=${path}`,
        "needs the Redis TLS files as Secret or ConfigMap keys (externalRedis tls.caCerts, certFile, keyFile), not paths: KEDA's operator reads them through its TriggerAuthentication, it cannot see files mounted in Dify's pods",
      );
  }
  const cert = env.fileSource('REDIS_SSL_CERTFILE');
  const key = env.fileSource('REDIS_SSL_KEYFILE');
  return {
    ca: env.fileSource('REDIS_SSL_CA_CERTS'),
    cert: cert instanceof SecretKeyRef ? cert : undefined,
    key: key instanceof SecretKeyRef ? key : undefined,
    unsafeSkipVerify: env.plainValue('REDIS_SSL_CERT_REQS') === 'CERT_NONE' ? true : undefined,
  };
}
