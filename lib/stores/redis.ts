import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { RedisConnection } from '../config/connections';
import { Connections, IConnectable } from '../core/connections';
import { EnvSet } from '../core/env';
import { ComponentResources } from '../core/resources';
import { SecretKeyRef } from '../core/secret-ref';
import { nonRootProfile } from '../core/security';
import { DifyComponentProps, execProbe, startupFor } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { ExporterOptions, METRICS_PORT_NAME, exporterSidecar } from './exporter';
import { DifyStatefulStore, StoreVolumeOptions } from './stateful-store';
import { guardProps } from '../core/guard';

/** Props of {@link DifyRedis}. */
export interface DifyRedisProps extends StoreVolumeOptions, DifyComponentProps {
  /** @default - {@link DEFAULT_IMAGES}.redis */
  readonly image?: string;
  /** The password the server requires (REDIS_PASSWORD); there is no unauthenticated mode. */
  readonly password: SecretKeyRef;
  /** The Celery broker URL built from the same password (CELERY_BROKER_URL, Redis db 1). */
  readonly celeryBrokerUrl: SecretKeyRef;
  /** Run a redis_exporter sidecar on port 9121. @default - none */
  readonly metricsExporter?: ExporterOptions;
}

/**
 * Embedded Redis 6 (cache, Celery broker, pub/sub) with a required password
 * and append-only persistence. The password is written to a tmpfs config
 * file at start, never onto the command line, so `ps` does not show it.
 * Default resources: 100m/500m CPU, 256Mi/512Mi memory.
 */
export class DifyRedis extends Construct implements RedisConnection, IConnectable {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '256Mi', memoryLimit: '512Mi' };
  /** UID of the `redis` user in the alpine image. */
  public static readonly UID = 999;

  /** Client port. */
  public static readonly PORT = 6379;
  /** redis_exporter port. */
  public static readonly METRICS_PORT = 9121;

  public readonly store: DifyStatefulStore;
  public readonly host: string;
  public readonly port = DifyRedis.PORT;
  public readonly password: SecretKeyRef;
  public readonly celeryBrokerUrl: SecretKeyRef;

  constructor(scope: Construct, id: string, props: DifyRedisProps) {
    super(scope, id);
    guardProps('DifyRedisProps', props);
    this.password = props.password;
    this.celeryBrokerUrl = props.celeryBrokerUrl;
    const start = [
      'umask 077',
      // requirepass is a double-quoted config string: escape \ and " so any password is read back verbatim.
      "pw=$(printf '%s' \"$REDIS_PASSWORD\" | sed 's/[\\\\\"]/\\\\&/g')",
      'printf \'requirepass "%s"\\nport 6379\\ndir /data\\nappendonly yes\\nprotected-mode no\\n\' "$pw" > /run/redis/redis.conf',
      'exec redis-server /run/redis/redis.conf',
    ].join('\n');
    const ping = execProbe(['/bin/sh', '-c', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'], { period: 10 });
    this.store = new DifyStatefulStore(this, 'Store', {
      ...props,
      component: 'redis',
      image: props.image ?? DEFAULT_IMAGES.redis,
      ports: [{ name: 'redis', port: this.port }],
      // REDISCLI_AUTH lets the probe authenticate without a password argument.
      env: new EnvSet().secret({ REDIS_PASSWORD: props.password, REDISCLI_AUTH: props.password }),
      command: ['/bin/sh', '-c', start],
      probes: {
        readiness: ping,
        liveness: execProbe(['/bin/sh', '-c', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'], { period: 30 }),
        startup: startupFor(ping, 120),
      },
      resources: DifyRedis.DEFAULT_RESOURCES,
      security: nonRootProfile(DifyRedis.UID, { readOnlyRootFilesystem: true, fsGroup: DifyRedis.UID }),
      dataPath: '/data',
      defaultStorageSize: '2Gi',
      storageSize: props.storageSize,
      storageClassName: props.storageClassName,
      volumes: [{ name: 'run', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } }],
      volumeMounts: [{ name: 'run', mountPath: '/run/redis' }],
      ...(props.metricsExporter
        ? {
            sidecars: [
              exporterSidecar(
                'redis.metricsExporter',
                props.metricsExporter,
                DifyRedis.METRICS_PORT,
                [{ name: 'REDIS_ADDR', value: 'redis://127.0.0.1:6379' }],
                { name: 'REDIS_PASSWORD', ref: props.password },
              ),
            ],
            sidecarPorts: [{ name: METRICS_PORT_NAME, port: DifyRedis.METRICS_PORT }],
            metricsPort: DifyRedis.METRICS_PORT,
          }
        : {}),
    });
    this.host = this.store.host;
  }

  public get connections(): Connections {
    return this.store.connections;
  }
}
