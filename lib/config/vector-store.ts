import { EnvSet } from '../core/env';
import { SecretKeyRef } from '../core/secret-ref';
import { validateUrl } from '../core/validation';

/** Props of {@link VectorStore.weaviate}. */
export interface WeaviateOptions {
  /** HTTP endpoint (WEAVIATE_ENDPOINT), e.g. `http://dify-weaviate:8080`. */
  readonly endpoint: string;
  /** gRPC endpoint (WEAVIATE_GRPC_ENDPOINT). @default - none */
  readonly grpcEndpoint?: string;
  /** API key (WEAVIATE_API_KEY). */
  readonly apiKey: SecretKeyRef;
}

/** Props of {@link VectorStore.qdrant}. */
export interface QdrantOptions {
  /** URL (QDRANT_URL), e.g. `https://qdrant.internal:6333`. */
  readonly url: string;
  /** API key (QDRANT_API_KEY). @default - none */
  readonly apiKey?: SecretKeyRef;
  /** Use gRPC (QDRANT_GRPC_ENABLED). @default false */
  readonly grpcEnabled?: boolean;
}

/** The vector database behind knowledge retrieval, chosen with a factory. */
export abstract class VectorStore {
  /** Weaviate (the upstream default). */
  public static weaviate(options: WeaviateOptions): VectorStore {
    validateUrl('vectorStore.weaviate.endpoint', options.endpoint);
    return new (class extends VectorStore {
      public readonly name = 'weaviate';
      public env(): EnvSet {
        return new EnvSet()
          .plain({ VECTOR_STORE: 'weaviate', WEAVIATE_ENDPOINT: options.endpoint, WEAVIATE_GRPC_ENDPOINT: options.grpcEndpoint }, 'vectorStore.weaviate')
          .secret({ WEAVIATE_API_KEY: options.apiKey });
      }
    })();
  }

  /** Qdrant. */
  public static qdrant(options: QdrantOptions): VectorStore {
    validateUrl('vectorStore.qdrant.url', options.url);
    return new (class extends VectorStore {
      public readonly name = 'qdrant';
      public env(): EnvSet {
        return new EnvSet()
          .plain({ VECTOR_STORE: 'qdrant', QDRANT_URL: options.url, QDRANT_GRPC_ENABLED: options.grpcEnabled ? 'true' : 'false' }, 'vectorStore.qdrant')
          .secret({ QDRANT_API_KEY: options.apiKey });
      }
    })();
  }

  /** `VECTOR_STORE` value. */
  public abstract readonly name: string;
  /** api/worker environment for this store. */
  public abstract env(): EnvSet;
}
