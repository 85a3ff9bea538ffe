import { Construct } from 'constructs';
import { VectorStore } from '../config/vector-store';
import { EnvSet } from '../core/env';
import { ComponentResources, withResources } from '../core/resources';
import { SecretKeyRef } from '../core/secret-ref';
import { nonRootProfile } from '../core/security';
import { httpProbe, startupFor } from '../core/workload';
import { DifyStatefulStore, StoreVolumeOptions } from './stateful-store';

/** Props of {@link DifyWeaviate}. */
export interface DifyWeaviateProps extends StoreVolumeOptions {
  readonly instance: string;
  readonly image: string;
  /** The only API key the server accepts (AUTHENTICATION_APIKEY_ALLOWED_KEYS); anonymous access is off. */
  readonly apiKey: SecretKeyRef;
  /** @default - 250m/1 CPU, 512Mi/2Gi memory */
  readonly resources?: Partial<ComponentResources>;
  /** Serve Prometheus metrics on port 2112 (PROMETHEUS_MONITORING_ENABLED). @default false */
  readonly metrics?: boolean;
}

/** Embedded Weaviate, the upstream default vector store, with API-key authentication. */
export class DifyWeaviate extends Construct {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '2Gi' };

  /** Prometheus metrics port when enabled. */
  public static readonly METRICS_PORT = 2112;

  public readonly store: DifyStatefulStore;
  public readonly host: string;
  public readonly port = 8080;
  public readonly grpcPort = 50051;
  public readonly apiKey: SecretKeyRef;

  constructor(scope: Construct, id: string, props: DifyWeaviateProps) {
    super(scope, id);
    this.apiKey = props.apiKey;
    const ready = httpProbe('/v1/.well-known/ready', 'http');
    this.store = new DifyStatefulStore(this, 'Store', {
      instance: props.instance,
      component: 'weaviate',
      image: props.image,
      ports: [{ name: 'http', port: this.port }, { name: 'grpc', port: this.grpcPort }, ...(props.metrics ? [{ name: 'metrics', port: DifyWeaviate.METRICS_PORT }] : [])],
      env: new EnvSet().plain({
        PERSISTENCE_DATA_PATH: '/var/lib/weaviate',
        QUERY_DEFAULTS_LIMIT: 25,
        AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED: 'false',
        DEFAULT_VECTORIZER_MODULE: 'none',
        CLUSTER_HOSTNAME: 'node1',
        AUTHENTICATION_APIKEY_ENABLED: 'true',
        AUTHENTICATION_APIKEY_USERS: 'hello@dify.ai',
        AUTHORIZATION_ADMINLIST_ENABLED: 'true',
        AUTHORIZATION_ADMINLIST_USERS: 'hello@dify.ai',
        DISABLE_TELEMETRY: 'true',
        ENABLE_TOKENIZER_GSE: 'false',
        ENABLE_TOKENIZER_KAGOME_JA: 'false',
        ENABLE_TOKENIZER_KAGOME_KR: 'false',
        PROMETHEUS_MONITORING_ENABLED: props.metrics ? 'true' : undefined,
      }, 'weaviate').secret({ AUTHENTICATION_APIKEY_ALLOWED_KEYS: props.apiKey }),
      probes: { readiness: ready, liveness: httpProbe('/v1/.well-known/live', 'http', { period: 30 }), startup: startupFor(ready, 300) },
      resources: withResources(DifyWeaviate.DEFAULT_RESOURCES, props.resources),
      security: nonRootProfile(1000, { readOnlyRootFilesystem: true, fsGroup: 1000 }),
      dataPath: '/var/lib/weaviate',
      defaultStorageSize: '10Gi',
      storageSize: props.storageSize,
      storageClassName: props.storageClassName,
    });
    this.host = this.store.host;
  }

  /** This store as Dify's vector store, over HTTP and gRPC. */
  public asVectorStore(): VectorStore {
    return VectorStore.weaviate({
      endpoint: `http://${this.host}:${this.port}`,
      grpcEndpoint: `grpc://${this.host}:${this.grpcPort}`,
      apiKey: this.apiKey,
    });
  }
}
