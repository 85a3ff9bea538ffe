import { invalid, validateInt } from '../core/validation';

/**
 * gunicorn worker classes the api image can serve with. The api code is
 * gevent-patched, so `gevent` is upstream's choice for HTTP and the gevent
 * websocket worker its choice for the collaboration websocket.
 */
export const GUNICORN_WORKER_CLASSES = ['gevent', 'sync', 'gthread', 'geventwebsocket.gunicorn.workers.GeventWebSocketWorker'] as const;
export type GunicornWorkerClass = (typeof GUNICORN_WORKER_CLASSES)[number];

/** Celery pools the worker entrypoint passes to `celery worker -P`. */
export const CELERY_POOLS = ['gevent', 'prefork', 'threads', 'solo'] as const;
export type CeleryPool = (typeof CELERY_POOLS)[number];

/** gunicorn sizing of one HTTP-serving api-image role, per pod. */
export interface GunicornSizing {
  /** gunicorn worker processes (SERVER_WORKER_AMOUNT). @default 1 */
  readonly workers?: number;
  /** gunicorn worker class (SERVER_WORKER_CLASS). @default - "gevent" (api), the gevent websocket worker (api websocket) */
  readonly workerClass?: GunicornWorkerClass;
  /** Concurrent connections per worker (SERVER_WORKER_CONNECTIONS). @default - 10 (api), 1000 (api websocket) */
  readonly workerConnections?: number;
  /** Seconds before gunicorn restarts a silent worker (GUNICORN_TIMEOUT). @default 360 */
  readonly timeoutSeconds?: number;
}

/** Celery autoscaling inside one worker pod (CELERY_AUTO_SCALE=true). */
export interface CeleryAutoscale {
  /** Pool size when idle (CELERY_MIN_WORKERS). @default 1 */
  readonly minWorkers?: number;
  /**
   * Pool size under load (CELERY_MAX_WORKERS). Required: upstream's fallback is the
   * node's CPU count, which inside a container is not the pod's CPU limit.
   */
  readonly maxWorkers: number;
}

/** Celery sizing of the worker, per pod. */
export interface CelerySizing {
  /** Pool implementation (CELERY_WORKER_CLASS). @default - the image's "gevent" */
  readonly pool?: CeleryPool;
  /** Fixed pool size (CELERY_WORKER_AMOUNT); conflicts with `autoscale`. @default 4 */
  readonly concurrency?: number;
  /** Let Celery grow and shrink the pool between two bounds instead of a fixed size. @default - fixed `concurrency` */
  readonly autoscale?: CeleryAutoscale;
}

/** Process sizing of each api-image role. Pod counts are `components.<role>`; these size the processes inside one pod. */
export interface DifyProcessSizing {
  /** gunicorn of the api. @default - 1 gevent worker, 10 connections, 360 s */
  readonly api?: GunicornSizing;
  /** gunicorn of the collaboration websocket api. @default - 1 gevent websocket worker, 1000 connections, 360 s */
  readonly apiWebsocket?: GunicornSizing;
  /** Celery of the worker. @default - 4 gevent greenlets, no autoscaling */
  readonly worker?: CelerySizing;
}

const API_DEFAULTS: Required<GunicornSizing> = { workers: 1, workerClass: 'gevent', workerConnections: 10, timeoutSeconds: 360 };
const WEBSOCKET_DEFAULTS: Required<GunicornSizing> = {
  workers: 1,
  workerClass: 'geventwebsocket.gunicorn.workers.GeventWebSocketWorker',
  workerConnections: 1000,
  timeoutSeconds: 360,
};

/** SERVER_WORKER_* and GUNICORN_TIMEOUT of one gunicorn role, validated. */
export function gunicornEnv(prop: string, sizing: GunicornSizing | undefined, role: 'api' | 'apiWebsocket'): Record<string, string | number> {
  const d = role === 'api' ? API_DEFAULTS : WEBSOCKET_DEFAULTS;
  const s = { ...d, ...sizing };
  if (!(GUNICORN_WORKER_CLASSES as readonly string[]).includes(s.workerClass)) {
    invalid(`${prop}.workerClass`, s.workerClass, `must be one of ${GUNICORN_WORKER_CLASSES.join(', ')}`);
  }
  return {
    SERVER_WORKER_AMOUNT: validateInt(`${prop}.workers`, s.workers, 1, 64),
    SERVER_WORKER_CLASS: s.workerClass,
    SERVER_WORKER_CONNECTIONS: validateInt(`${prop}.workerConnections`, s.workerConnections, 1, 100000),
    GUNICORN_TIMEOUT: validateInt(`${prop}.timeoutSeconds`, s.timeoutSeconds, 1, 86400),
  };
}

/**
 * CELERY_* sizing of the worker, with the entrypoint's semantics: with
 * CELERY_AUTO_SCALE=true it runs `--autoscale=MAX,MIN` and ignores
 * CELERY_WORKER_AMOUNT; otherwise `-c CELERY_WORKER_AMOUNT` and the min/max
 * are ignored. So min/max are only rendered together with autoscaling.
 */
export function celeryEnv(prop: string, sizing: CelerySizing | undefined): Record<string, string | number | undefined> {
  const s = sizing ?? {};
  if (s.pool !== undefined && !(CELERY_POOLS as readonly string[]).includes(s.pool)) {
    invalid(`${prop}.pool`, s.pool, `must be one of ${CELERY_POOLS.join(', ')}`);
  }
  const a = s.autoscale;
  if (!a) {
    return { CELERY_WORKER_CLASS: s.pool, CELERY_WORKER_AMOUNT: validateInt(`${prop}.concurrency`, s.concurrency ?? 4, 1, 1000), CELERY_AUTO_SCALE: 'false' };
  }
  if (s.concurrency !== undefined) {
    invalid(`${prop}.concurrency`, s.concurrency, 'conflicts with autoscale: the entrypoint ignores CELERY_WORKER_AMOUNT when autoscaling; set one of the two');
  }
  const max = validateInt(`${prop}.autoscale.maxWorkers`, a.maxWorkers, 1, 1000);
  const min = validateInt(`${prop}.autoscale.minWorkers`, a.minWorkers ?? 1, 1, 1000);
  if (min > max) invalid(`${prop}.autoscale.minWorkers`, min, `must not exceed autoscale.maxWorkers (${max})`);
  return { CELERY_WORKER_CLASS: s.pool, CELERY_AUTO_SCALE: 'true', CELERY_MAX_WORKERS: max, CELERY_MIN_WORKERS: min };
}
