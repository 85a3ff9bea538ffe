import { invalid, validateDnsLabel } from '../core/validation';

/**
 * The Celery queues the `langgenius/dify-api:1.16.1` worker consumes when neither `CELERY_WORKER_QUEUES`
 * nor `CELERY_QUEUES` is set (self-hosted edition default of `api/docker/entrypoint.sh`, `MODE=worker`),
 * in the entrypoint's order. Source: `vendor/dify-upstream/worker-queues.md`.
 *
 * With the Redis broker each queue is a Redis list named after the queue in the broker's database
 * (kombu's default priority steps put messages without a priority, which is how Dify sends them, on the
 * bare list name; the `priority_*` queues are ordinary queues). Older images consume fewer queues: validate
 * a pool layout against the list of the image it deploys.
 */
export const DIFY_CELERY_QUEUES: readonly string[] = [
  'api_token',
  'dataset',
  'dataset_summary',
  'priority_dataset',
  'priority_pipeline',
  'pipeline',
  'mail',
  'ops_trace',
  'app_deletion',
  'app_rbac',
  'plugin',
  'workflow_storage',
  'conversation',
  'workflow',
  'schedule_poller',
  'schedule_executor',
  'triggered_workflow_dispatcher',
  'trigger_refresh_publisher',
  'trigger_refresh_executor',
  'retention',
  'workflow_based_app_execution',
];

/** A group of queues consumed by one worker Deployment. */
export interface CeleryQueuePool {
  /** Pool name (DNS label), e.g. `indexing`. */
  readonly name: string;
  /** Queues this pool's workers consume (`CELERY_QUEUES`). */
  readonly queues: readonly string[];
}

/** Options of {@link validateQueuePools}. */
export interface QueuePoolCoverageOptions {
  /** Queues the image consumes. @default DIFY_CELERY_QUEUES */
  readonly consumed?: readonly string[];
  /** Further queues of your own (custom tasks or plugins) that pools may consume. @default [] */
  readonly extraQueues?: readonly string[];
  /** Property name used in error messages. @default 'workerPools' */
  readonly prop?: string;
}

/**
 * Celery queue names: kombu accepts more, but these must survive a comma-separated `CELERY_QUEUES`, a
 * KEDA trigger's `listName` and a label-like log line.
 */
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;

/** A Celery queue name: letters, digits, `_`, `.`, `:` and `-` (no comma, no space), at most 200 characters. */
export function validateQueueName(prop: string, value: string): string {
  if (typeof value !== 'string' || !QUEUE_NAME.test(value)) {
    invalid(prop, value, "must be a Celery queue name: letters, digits, '_', '.', ':' and '-', starting with a letter or digit, at most 200 characters");
  }
  return value;
}

/**
 * Checks that the pools split the image's queues so that every queue is consumed by exactly one pool:
 * pool names are unique DNS labels, each pool names at least one queue, no queue is named twice, no
 * queue is missing, and no pool names a queue the image does not know (a typo would leave it unconsumed)
 * unless it is listed in `extraQueues`.
 */
export function validateQueuePools(pools: readonly CeleryQueuePool[], opts: QueuePoolCoverageOptions = {}): void {
  const prop = opts.prop ?? 'workerPools';
  const consumed = opts.consumed ?? DIFY_CELERY_QUEUES;
  const extra = opts.extraQueues ?? [];
  const known = new Set([...consumed, ...extra]);
  if (pools.length === 0) invalid(prop, [], 'must list at least one pool');
  const owner = new Map<string, string>();
  const poolNames = new Set<string>();
  pools.forEach((pool, i) => {
    validateDnsLabel(`${prop}[${i}].name`, pool.name);
    if (poolNames.has(pool.name)) invalid(`${prop}[${i}].name`, pool.name, 'must be unique: another pool has this name');
    poolNames.add(pool.name);
    if (pool.queues.length === 0) invalid(`${prop}[${i}].queues`, [], `must list at least one queue (pool "${pool.name}")`);
    pool.queues.forEach((q, j) => {
      validateQueueName(`${prop}[${i}].queues[${j}]`, q);
      const first = owner.get(q);
      if (first !== undefined) {
        const where = first === pool.name ? `pool "${pool.name}" names it twice` : `pools "${first}" and "${pool.name}" both consume it`;
        invalid(`${prop}[${i}].queues[${j}]`, q, `each queue must be consumed by exactly one pool; ${where}`);
      }
      if (!known.has(q)) {
        invalid(
          `${prop}[${i}].queues[${j}]`,
          q,
          `is not a queue the image consumes (pool "${pool.name}"); known queues: ${[...known].join(', ')}; add your own queues to extraQueues`,
        );
      }
      owner.set(q, pool.name);
    });
  });
  const missing = consumed.filter((q) => !owner.has(q));
  if (missing.length) {
    invalid(
      prop,
      pools.map((p) => p.name),
      `must consume every queue of the image exactly once; no pool consumes ${missing.map((q) => `"${q}"`).join(', ')}`,
    );
  }
}
