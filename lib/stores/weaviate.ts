import { Construct } from 'constructs';
import { VectorStore } from '../config/vector-store';
import { Connections, IConnectable } from '../core/connections';
import { EnvSet } from '../core/env';
import { ComponentResources } from '../core/resources';
import { SecretKeyRef } from '../core/secret-ref';
import { nonRootProfile } from '../core/security';
import { DifyComponentProps, httpProbe, startupFor } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { DifyStatefulStore, StoreVolumeOptions } from './stateful-store';
import { guardProps } from '../core/guard';

/** Props of {@link DifyWeaviate}. */
export interface DifyWeaviateProps extends StoreVolumeOptions, DifyComponentProps {
  /** @default - {@link DEFAULT_IMAGES}.weaviate */
  readonly image?: string;
  /** The only API key the server accepts (AUTHENTICATION_APIKEY_ALLOWED_KEYS); anonymous access is off. */
  readonly apiKey: SecretKeyRef;
  /** Serve Prometheus metrics on port 2112 (PROMETHEUS_MONITORING_ENABLED). @default false */
  readonly metrics?: boolean;
  /** Settings merged over Weaviate's own env (`DifySettings.weaviateEnv()`). @default - none */
  readonly settingsEnv?: EnvSet;
}

/** Embedded Weaviate, the upstream default vector store, with API-key authentication. Default resources: 250m/1 CPU, 512Mi/2Gi memory. */
export class DifyWeaviate extends Construct implements IConnectable {
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
    guardProps('DifyWeaviateProps', props);
    this.apiKey = props.apiKey;
    const ready = httpProbe('/v1/.well-known/ready', 'http');
    this.store = new DifyStatefulStore(this, 'Store', {
      ...props,
      component: 'weaviate',
      image: props.image ?? DEFAULT_IMAGES.weaviate,
      ports: [
        { name: 'http', port: this.port },
        { name: 'grpc', port: this.grpcPort },
        ...(props.metrics ? [{ name: 'metrics', port: DifyWeaviate.METRICS_PORT, client: false }] : []),
      ],
      metricsPort: props.metrics ? DifyWeaviate.METRICS_PORT : undefined,
      env: new EnvSet()
        .plain(
          {
            QUERY_DEFAULTS_LIMIT: 25,
            ENABLE_TOKENIZER_GSE: 'false',
            ENABLE_TOKENIZER_KAGOME_JA: 'false',
            ENABLE_TOKENIZER_KAGOME_KR: 'false',
            PROMETHEUS_MONITORING_ENABLED: props.metrics ? 'true' : undefined,
          },
          'weaviate',
        )
        // The volume's mount path; the generated API key as the only (admin) user; no vectorizer (Dify embeds); no telemetry.
        .defaults(
          {
            PERSISTENCE_DATA_PATH: '/var/lib/weaviate',
            AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED: 'false',
            DEFAULT_VECTORIZER_MODULE: 'none',
            CLUSTER_HOSTNAME: 'node1',
            AUTHENTICATION_APIKEY_ENABLED: 'true',
            AUTHENTICATION_APIKEY_USERS: 'hello@dify.ai',
            AUTHORIZATION_ADMINLIST_ENABLED: 'true',
            AUTHORIZATION_ADMINLIST_USERS: 'hello@dify.ai',
            DISABLE_TELEMETRY: 'true',
          },
          'weaviate',
        )
        .secret({ AUTHENTICATION_APIKEY_ALLOWED_KEYS: props.apiKey })
        .merge(props.settingsEnv ?? new EnvSet()),
      probes: { readiness: ready, liveness: httpProbe('/v1/.well-known/live', 'http', { period: 30 }), startup: startupFor(ready, 300) },
      resources: DifyWeaviate.DEFAULT_RESOURCES,
      security: nonRootProfile(1000, { readOnlyRootFilesystem: true, fsGroup: 1000 }),
      dataPath: '/var/lib/weaviate',
      defaultStorageSize: '10Gi',
      storageSize: props.storageSize,
      storageClassName: props.storageClassName,
    });
    this.host = this.store.host;
  }

  public get connections(): Connections {
    return this.store.connections;
  }

  /** This store as Dify's vector store, over HTTP and gRPC; wiring to it reaches this store. */
  public asVectorStore(): VectorStore & IConnectable {
    return new EmbeddedWeaviateVectorStore(
      VectorStore.weaviate({ endpoint: `http://${this.host}:${this.port}`, grpcEndpoint: `grpc://${this.host}:${this.grpcPort}`, apiKey: this.apiKey }),
      this.connections,
    );
  }
}

/** The embedded Weaviate as a vector store that wiring can reach. */
class EmbeddedWeaviateVectorStore extends VectorStore implements IConnectable {
  public readonly name: string;
  constructor(
    private readonly inner: VectorStore,
    public readonly connections: Connections,
  ) {
    super();
    this.name = inner.name;
  }
  public env(): EnvSet {
    return this.inner.env();
  }
}
