import { EnvSet } from '../core/env';
import { SecretKeyRef, FileSource } from '../core/secret-ref';
import { invalid, validateEnvName, validateHostAndPort, validateInt, validateRegion, validateSqlIdentifier, validateUrl } from '../core/validation';
import { validateSecretKeyRef } from './connections';
import { guardProps } from '../core/guard';

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

/** Props of {@link VectorStore.milvus}. Authenticate with `token` or with `user` and `password`. */
export interface MilvusOptions {
  /** URI (MILVUS_URI), e.g. `https://milvus.internal:19530`. */
  readonly uri: string;
  /** Token, e.g. Zilliz Cloud API key or `user:password` (MILVUS_TOKEN). @default - none; use user/password */
  readonly token?: SecretKeyRef;
  /** User (MILVUS_USER). @default - none; use token */
  readonly user?: string;
  /** Password (MILVUS_PASSWORD). @default - none; use token */
  readonly password?: SecretKeyRef;
  /** Database (MILVUS_DATABASE). @default - Milvus's "default" */
  readonly database?: string;
  /** Hybrid search, Milvus >= 2.5 (MILVUS_ENABLE_HYBRID_SEARCH). @default - upstream's default */
  readonly enableHybridSearch?: boolean;
  /** Analyzer parameters as a JSON object string (MILVUS_ANALYZER_PARAMS), e.g. `{"type":"chinese"}`. @default - none */
  readonly analyzerParams?: string;
}

/** Props of {@link VectorStore.pgvector}. */
export interface PgvectorOptions {
  /** Host (PGVECTOR_HOST). */
  readonly host: string;
  /** Port (PGVECTOR_PORT). @default 5432 */
  readonly port?: number;
  /** User (PGVECTOR_USER). */
  readonly user: string;
  /** Password (PGVECTOR_PASSWORD). */
  readonly password: SecretKeyRef;
  /** Database with the `vector` extension (PGVECTOR_DATABASE). */
  readonly database: string;
  /** Pool minimum (PGVECTOR_MIN_CONNECTION). @default 1 */
  readonly minConnections?: number;
  /** Pool maximum (PGVECTOR_MAX_CONNECTION). @default 5 */
  readonly maxConnections?: number;
  /** Use pg_bigm for full-text search (PGVECTOR_PG_BIGM). @default false */
  readonly pgBigm?: boolean;
}

/** Props of {@link VectorStore.elasticsearch}: a self-managed cluster with basic auth. */
export interface ElasticsearchOptions {
  /** Host name (ELASTICSEARCH_HOST is rendered as `<scheme>://<host>`). */
  readonly host: string;
  /** Port (ELASTICSEARCH_PORT). @default 9200 */
  readonly port?: number;
  /** Scheme. @default "https" */
  readonly scheme?: 'http' | 'https';
  /** User (ELASTICSEARCH_USERNAME). @default "elastic" */
  readonly username?: string;
  /** Password (ELASTICSEARCH_PASSWORD). */
  readonly password: SecretKeyRef;
  /** Verify the server certificate, https only (ELASTICSEARCH_VERIFY_CERTS). @default true */
  readonly verifyCerts?: boolean;
  /**
   * CA bundle from a Secret or ConfigMap key, https only, mounted read-only into the pods that reach
   * Elasticsearch (ELASTICSEARCH_CA_CERTS names the file). Not with caCertsPath. @default - system CAs
   */
  readonly caCerts?: FileSource;
  /** CA bundle path inside the containers, https only (ELASTICSEARCH_CA_CERTS), a file you mount. Not with caCerts. @default - system CAs */
  readonly caCertsPath?: string;
  /** Japanese analysis (VECTOR_STORE=elasticsearch-ja). @default false */
  readonly japanese?: boolean;
}

/** Props of {@link VectorStore.elasticCloud}. */
export interface ElasticCloudOptions {
  /** Deployment URL (ELASTICSEARCH_CLOUD_URL), e.g. `https://my-deploy.es.eu-west-1.aws.found.io:443`. */
  readonly cloudUrl: string;
  /** API key (ELASTICSEARCH_API_KEY). */
  readonly apiKey: SecretKeyRef;
  /** Japanese analysis (VECTOR_STORE=elasticsearch-ja). @default false */
  readonly japanese?: boolean;
}

/** AWS SigV4 authentication of {@link OpenSearchOptions}. */
export interface OpenSearchAwsIamOptions {
  /** Region (OPENSEARCH_AWS_REGION). */
  readonly region: string;
  /** `es` for OpenSearch Service, `aoss` for Serverless (OPENSEARCH_AWS_SERVICE). */
  readonly service: 'es' | 'aoss';
}

/** Props of {@link VectorStore.opensearch}. Authenticate with `user`/`password` or `awsManagedIam`. */
export interface OpenSearchOptions {
  /** Host name (OPENSEARCH_HOST). */
  readonly host: string;
  /** Port (OPENSEARCH_PORT). @default 9200 */
  readonly port?: number;
  /** TLS (OPENSEARCH_SECURE). @default true */
  readonly secure?: boolean;
  /** Verify the server certificate (OPENSEARCH_VERIFY_CERTS). @default true */
  readonly verifyCerts?: boolean;
  /** Basic-auth user (OPENSEARCH_USER). @default - none; use awsManagedIam */
  readonly user?: string;
  /** Basic-auth password (OPENSEARCH_PASSWORD). @default - none; use awsManagedIam */
  readonly password?: SecretKeyRef;
  /** The pod's AWS role (OPENSEARCH_AUTH_METHOD=aws_managed_iam). @default - basic auth */
  readonly awsManagedIam?: OpenSearchAwsIamOptions;
}

/** Props of {@link VectorStore.custom}. */
export interface CustomVectorStoreOptions {
  /** VECTOR_STORE value; one of {@link CUSTOM_VECTOR_STORES}. */
  readonly name: string;
  /** Non-credential settings of that store, e.g. `{ TIDB_VECTOR_HOST: 'tidb.internal' }`; names in sensitive_env_names are rejected. */
  readonly config: Record<string, string>;
  /** Credentials of that store, by Secret reference, e.g. `{ TIDB_VECTOR_PASSWORD: ref }`. @default {} */
  readonly secrets?: Record<string, SecretKeyRef>;
}

/** VECTOR_STORE values with a typed factory, and that factory. */
const TYPED: Record<string, string> = {
  weaviate: 'VectorStore.weaviate()',
  qdrant: 'VectorStore.qdrant()',
  milvus: 'VectorStore.milvus()',
  pgvector: 'VectorStore.pgvector()',
  elasticsearch: 'VectorStore.elasticsearch() or VectorStore.elasticCloud()',
  'elasticsearch-ja': 'VectorStore.elasticsearch({ japanese: true }) or VectorStore.elasticCloud({ japanese: true })',
  opensearch: 'VectorStore.opensearch()',
};

/**
 * Every other VECTOR_STORE value of Dify 1.16.1 (compose profiles and the
 * provider env groups of docker/envs), with the env-name prefixes of its
 * settings.
 */
export const CUSTOM_VECTOR_STORES: { readonly [name: string]: readonly string[] } = {
  alibabacloud_mysql: ['ALIBABACLOUD_MYSQL_'],
  analyticdb: ['ANALYTICDB_'],
  baidu: ['BAIDU_VECTOR_DB_'],
  chroma: ['CHROMA_'],
  clickzetta: ['CLICKZETTA_'],
  couchbase: ['COUCHBASE_'],
  hologres: ['HOLOGRES_'],
  huawei_cloud: ['HUAWEI_CLOUD_'],
  iris: ['IRIS_'],
  lindorm: ['LINDORM_'],
  matrixone: ['MATRIXONE_'],
  myscale: ['MYSCALE_'],
  oceanbase: ['OCEANBASE_'],
  opengauss: ['OPENGAUSS_'],
  oracle: ['ORACLE_'],
  'pgvecto-rs': ['PGVECTO_RS_'],
  relyt: ['RELYT_'],
  seekdb: ['OCEANBASE_', 'SEEKDB_'],
  tablestore: ['TABLESTORE_'],
  tencent: ['TENCENT_VECTOR_DB_'],
  tidb_on_qdrant: ['TIDB_ON_QDRANT_', 'TIDB_'],
  tidb_vector: ['TIDB_VECTOR_'],
  upstash: ['UPSTASH_VECTOR_'],
  vastbase: ['VASTBASE_'],
  vikingdb: ['VIKINGDB_'],
};

const NAME = /^\S{1,128}$/;
const ABSOLUTE_PATH = /^\/[^\s]*$/;

function validateName(prop: string, v: string | undefined): void {
  if (v !== undefined && (typeof v !== 'string' || !NAME.test(v))) invalid(prop, v, 'must be a non-empty name without whitespace, at most 128 characters');
}

/**
 * The vector database behind knowledge retrieval, chosen with a factory:
 * `weaviate`, `qdrant`, `milvus`, `pgvector`, `elasticsearch`,
 * `elasticCloud`, `opensearch`, or `custom` for the other stores Dify
 * supports. Credentials are always SecretKeyRefs.
 */
export abstract class VectorStore {
  /** Weaviate (the upstream default). */
  public static weaviate(options: WeaviateOptions): VectorStore {
    guardProps('WeaviateOptions', options, 'vectorStore.weaviate');
    validateUrl('vectorStore.weaviate.endpoint', options.endpoint);
    return new RenderedVectorStore('weaviate', () =>
      new EnvSet()
        .plain({ VECTOR_STORE: 'weaviate', WEAVIATE_ENDPOINT: options.endpoint, WEAVIATE_GRPC_ENDPOINT: options.grpcEndpoint }, 'vectorStore.weaviate')
        .secret({ WEAVIATE_API_KEY: options.apiKey }),
    );
  }

  /** Qdrant. */
  public static qdrant(options: QdrantOptions): VectorStore {
    guardProps('QdrantOptions', options, 'vectorStore.qdrant');
    validateUrl('vectorStore.qdrant.url', options.url);
    return new RenderedVectorStore('qdrant', () =>
      new EnvSet()
        .plain({ VECTOR_STORE: 'qdrant', QDRANT_URL: options.url, QDRANT_GRPC_ENABLED: options.grpcEnabled ? 'true' : 'false' }, 'vectorStore.qdrant')
        .secret({ QDRANT_API_KEY: options.apiKey }),
    );
  }

  /** Milvus or Zilliz Cloud (VECTOR_STORE=milvus). */
  public static milvus(o: MilvusOptions): VectorStore {
    const p = 'vectorStore.milvus';
    guardProps('MilvusOptions', o, p);
    validateUrl(`${p}.uri`, o.uri);
    if (o.token !== undefined && (o.user !== undefined || o.password !== undefined)) {
      invalid(`${p}.token`, o.token.toString(), 'conflicts with user/password; use one or the other');
    }
    if (o.token !== undefined) {
      validateSecretKeyRef(`${p}.token`, o.token, 'the Milvus token');
    } else {
      validateName(`${p}.user`, o.user);
      if (o.user === undefined) invalid(`${p}.user`, undefined, 'user and password are both required unless token is set');
      validateSecretKeyRef(`${p}.password`, o.password, 'the Milvus password (user and password are both required unless token is set)');
    }
    if (o.database !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(o.database)) {
      invalid(`${p}.database`, o.database, "must be a Milvus database name: letters, digits and '_', not starting with a digit");
    }
    if (o.analyzerParams !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(o.analyzerParams);
      } catch {
        parsed = undefined;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        invalid(`${p}.analyzerParams`, o.analyzerParams, 'must be a JSON object such as {"type":"chinese"}');
      }
    }
    return new RenderedVectorStore('milvus', () =>
      new EnvSet()
        .plain(
          {
            VECTOR_STORE: 'milvus',
            MILVUS_URI: o.uri,
            MILVUS_USER: o.user,
            MILVUS_DATABASE: o.database,
            MILVUS_ENABLE_HYBRID_SEARCH: o.enableHybridSearch === undefined ? undefined : String(o.enableHybridSearch),
            MILVUS_ANALYZER_PARAMS: o.analyzerParams,
          },
          p,
        )
        .secret({ MILVUS_TOKEN: o.token, MILVUS_PASSWORD: o.password }),
    );
  }

  /** PostgreSQL with pgvector (VECTOR_STORE=pgvector). */
  public static pgvector(o: PgvectorOptions): VectorStore {
    const p = 'vectorStore.pgvector';
    guardProps('PgvectorOptions', o, p);
    const { host, port } = validateHostAndPort({ prop: `${p}.host`, value: o.host }, { prop: `${p}.port`, value: o.port, default: 5432 });
    validateName(`${p}.user`, o.user);
    if (o.user === undefined) invalid(`${p}.user`, undefined, 'is required');
    validateSecretKeyRef(`${p}.password`, o.password, 'the PostgreSQL password');
    validateSqlIdentifier(`${p}.database`, o.database);
    const min = validateInt(`${p}.minConnections`, o.minConnections ?? 1, 1, 1000);
    const max = validateInt(`${p}.maxConnections`, o.maxConnections ?? 5, 1, 1000);
    if (min > max) invalid(`${p}.minConnections`, min, `must not exceed maxConnections (${max})`);
    return new RenderedVectorStore('pgvector', () =>
      new EnvSet()
        .plain(
          {
            VECTOR_STORE: 'pgvector',
            PGVECTOR_HOST: host,
            PGVECTOR_PORT: port,
            PGVECTOR_USER: o.user,
            PGVECTOR_DATABASE: o.database,
            PGVECTOR_MIN_CONNECTION: min,
            PGVECTOR_MAX_CONNECTION: max,
            PGVECTOR_PG_BIGM: o.pgBigm ? 'true' : 'false',
          },
          p,
        )
        .secret({ PGVECTOR_PASSWORD: o.password }),
    );
  }

  /** A self-managed Elasticsearch 8 cluster with basic auth (VECTOR_STORE=elasticsearch or elasticsearch-ja). */
  public static elasticsearch(o: ElasticsearchOptions): VectorStore {
    const p = 'vectorStore.elasticsearch';
    guardProps('ElasticsearchOptions', o, p);
    const { host, port } = validateHostAndPort({ prop: `${p}.host`, value: o.host }, { prop: `${p}.port`, value: o.port, default: 9200 });
    const scheme = o.scheme ?? 'https';
    if (!['http', 'https'].includes(scheme)) invalid(`${p}.scheme`, scheme, 'must be "http" or "https"');
    validateName(`${p}.username`, o.username);
    validateSecretKeyRef(`${p}.password`, o.password, 'the Elasticsearch password');
    if (scheme === 'http' && (o.verifyCerts !== undefined || o.caCertsPath !== undefined || o.caCerts !== undefined)) {
      invalid(`${p}.scheme`, scheme, 'conflicts with verifyCerts/caCerts/caCertsPath, which only apply to https');
    }
    if (o.caCertsPath !== undefined && !ABSOLUTE_PATH.test(o.caCertsPath)) {
      invalid(`${p}.caCertsPath`, o.caCertsPath, 'must be an absolute file path inside the container, without whitespace');
    }
    if (o.caCerts !== undefined && o.caCertsPath !== undefined) {
      invalid(`${p}.caCertsPath`, o.caCertsPath, 'conflicts with caCerts: give the Secret key (mounted for you) or the path of a file you mount, not both');
    }
    if (o.verifyCerts === false && (o.caCertsPath !== undefined || o.caCerts !== undefined)) {
      invalid(
        `${p}.verifyCerts`,
        false,
        `conflicts with ${o.caCerts !== undefined ? 'caCerts' : 'caCertsPath'}: a CA bundle is only used when certificates are verified`,
      );
    }
    const name = o.japanese ? 'elasticsearch-ja' : 'elasticsearch';
    return new RenderedVectorStore(name, () =>
      new EnvSet()
        .plain(
          {
            VECTOR_STORE: name,
            ELASTICSEARCH_USE_CLOUD: 'false',
            ELASTICSEARCH_HOST: `${scheme}://${host}`,
            ELASTICSEARCH_PORT: port,
            ELASTICSEARCH_USERNAME: o.username ?? 'elastic',
            ELASTICSEARCH_VERIFY_CERTS: scheme === 'https' ? String(o.verifyCerts ?? true) : undefined,
            ELASTICSEARCH_CA_CERTS: o.caCertsPath,
          },
          p,
        )
        .file({ ELASTICSEARCH_CA_CERTS: o.caCerts })
        .secret({ ELASTICSEARCH_PASSWORD: o.password }),
    );
  }

  /** Elastic Cloud with an API key (VECTOR_STORE=elasticsearch or elasticsearch-ja, ELASTICSEARCH_USE_CLOUD=true). */
  public static elasticCloud(o: ElasticCloudOptions): VectorStore {
    const p = 'vectorStore.elasticCloud';
    guardProps('ElasticCloudOptions', o, p);
    validateUrl(`${p}.cloudUrl`, o.cloudUrl);
    if (!o.cloudUrl.startsWith('https://')) invalid(`${p}.cloudUrl`, o.cloudUrl, 'must be an https:// URL');
    validateSecretKeyRef(`${p}.apiKey`, o.apiKey, 'the Elastic Cloud API key');
    const name = o.japanese ? 'elasticsearch-ja' : 'elasticsearch';
    return new RenderedVectorStore(name, () =>
      new EnvSet()
        .plain({ VECTOR_STORE: name, ELASTICSEARCH_USE_CLOUD: 'true', ELASTICSEARCH_CLOUD_URL: o.cloudUrl }, p)
        .secret({ ELASTICSEARCH_API_KEY: o.apiKey }),
    );
  }

  /** OpenSearch or Amazon OpenSearch Service / Serverless (VECTOR_STORE=opensearch). */
  public static opensearch(o: OpenSearchOptions): VectorStore {
    const p = 'vectorStore.opensearch';
    guardProps('OpenSearchOptions', o, p);
    const { host, port } = validateHostAndPort({ prop: `${p}.host`, value: o.host }, { prop: `${p}.port`, value: o.port, default: 9200 });
    const secure = o.secure ?? true;
    const basic = o.user !== undefined || o.password !== undefined;
    if (o.awsManagedIam !== undefined && basic) {
      invalid(`${p}.awsManagedIam`, o.awsManagedIam, 'conflicts with user/password; use one or the other');
    }
    if (o.awsManagedIam !== undefined) {
      const { region, service } = o.awsManagedIam;
      validateRegion(`${p}.awsManagedIam.region`, region, 'eu-west-1');
      if (!['es', 'aoss'].includes(service)) invalid(`${p}.awsManagedIam.service`, service, 'must be "es" (OpenSearch Service) or "aoss" (Serverless)');
      if (!secure) invalid(`${p}.secure`, false, 'conflicts with awsManagedIam: AWS endpoints are https only');
    } else {
      validateName(`${p}.user`, o.user);
      if (o.user === undefined) invalid(`${p}.user`, undefined, 'user and password are both required unless awsManagedIam is set');
      validateSecretKeyRef(`${p}.password`, o.password, 'the OpenSearch password (user and password are both required unless awsManagedIam is set)');
    }
    if (!secure && o.verifyCerts !== undefined) invalid(`${p}.verifyCerts`, o.verifyCerts, 'only applies with secure: true');
    return new RenderedVectorStore('opensearch', () =>
      new EnvSet()
        .plain(
          {
            VECTOR_STORE: 'opensearch',
            OPENSEARCH_HOST: host,
            OPENSEARCH_PORT: port,
            OPENSEARCH_SECURE: secure ? 'true' : 'false',
            OPENSEARCH_VERIFY_CERTS: secure ? String(o.verifyCerts ?? true) : 'false',
            OPENSEARCH_AUTH_METHOD: o.awsManagedIam ? 'aws_managed_iam' : 'basic',
            OPENSEARCH_USER: o.user,
            OPENSEARCH_AWS_REGION: o.awsManagedIam?.region,
            OPENSEARCH_AWS_SERVICE: o.awsManagedIam?.service,
          },
          p,
        )
        .secret({ OPENSEARCH_PASSWORD: o.password }),
    );
  }

  /**
   * Any other store Dify supports ({@link CUSTOM_VECTOR_STORES}), configured
   * with its upstream variable names: `config` for settings (credentials are
   * rejected there), `secrets` for credentials. Every name must carry the
   * store's prefix, e.g. TIDB_VECTOR_ for `tidb_vector`.
   */
  public static custom(o: CustomVectorStoreOptions): VectorStore {
    const p = 'vectorStore.custom';
    guardProps('CustomVectorStoreOptions', o, p);
    const typed = TYPED[o.name];
    if (typed !== undefined) invalid(`${p}.name`, o.name, `has a typed factory; use ${typed}`);
    const prefixes = Object.hasOwn(CUSTOM_VECTOR_STORES, o.name) ? CUSTOM_VECTOR_STORES[o.name] : undefined;
    if (prefixes === undefined) {
      invalid(
        `${p}.name`,
        o.name,
        `must be a VECTOR_STORE value of Dify 1.16.1: ${Object.keys(CUSTOM_VECTOR_STORES).join(', ')} (typed factories: ${Object.keys(TYPED).join(', ')})`,
      );
    }
    const config = o.config ?? {};
    const secrets = o.secrets ?? {};
    const check = (group: 'config' | 'secrets', name: string) => {
      validateEnvName(`${p}.${group}.${name}`, name);
      if (!prefixes.some((x) => name.startsWith(x))) {
        invalid(`${p}.${group}.${name}`, name, `must be a setting of "${o.name}", starting with ${prefixes.join(' or ')}`);
      }
    };
    for (const [name, value] of Object.entries(config)) {
      check('config', name);
      if (typeof value !== 'string') invalid(`${p}.config.${name}`, value, 'must be a string');
    }
    for (const [name, ref] of Object.entries(secrets)) {
      check('secrets', name);
      validateSecretKeyRef(`${p}.secrets.${name}`, ref, `the value of ${name}`);
      if (Object.hasOwn(config, name)) invalid(`${p}.secrets.${name}`, name, 'is also in config; give each name once');
    }
    return new RenderedVectorStore(o.name, () => new EnvSet().plain({ VECTOR_STORE: o.name, ...config }, `${p}.config`).secret(secrets));
  }

  /** `VECTOR_STORE` value. */
  public abstract readonly name: string;
  /** api/worker environment for this store. */
  public abstract env(): EnvSet;
}

/** A store whose environment is rendered once at construction (validating it) and again per use. */
class RenderedVectorStore extends VectorStore {
  constructor(
    public readonly name: string,
    private readonly render: () => EnvSet,
  ) {
    super();
    render();
  }
  public env(): EnvSet {
    return this.render();
  }
}
