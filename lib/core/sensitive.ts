/**
 * Environment variable names that carry credentials, carried over from the
 * `sensitive_env_names` table of Dify 1.16.1's docker deployment
 * (reference/dify-upstream/services.json). A name in this set may only reach a
 * container through a Secret reference; rendering it as plain config is a
 * synth-time error.
 */
export const SENSITIVE_ENV_NAMES: ReadonlySet<string> = new Set([
  // core app secrets
  'SECRET_KEY',
  'INIT_PASSWORD',
  'KNOWLEDGE_FS_JWT_SECRET',
  'TURNSTILE_SECRET_KEY',
  // internal service auth
  'PLUGIN_DAEMON_KEY',
  'SERVER_KEY',
  'PLUGIN_DIFY_INNER_API_KEY',
  'INNER_API_KEY_FOR_PLUGIN',
  'DIFY_INNER_API_KEY',
  'SANDBOX_API_KEY',
  'API_KEY',
  'CODE_EXECUTION_API_KEY',
  'DIFY_AGENT_API_TOKEN',
  'AGENT_BACKEND_API_TOKEN',
  'DIFY_AGENT_SERVER_SECRET_KEY',
  'DIFY_AGENT_INNER_API_KEY',
  'DIFY_AGENT_PLUGIN_DAEMON_API_KEY',
  'DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN',
  'SHELLCTL_AUTH_TOKEN',
  'DIFY_AGENT_E2B_SHELLCTL_AUTH_TOKEN',
  'DIFY_AGENT_SHELLCTL_AUTH_TOKEN',
  'DIFY_AGENT_E2B_API_KEY',
  'E2B_API_KEY',
  'E2B_API_TOKEN',
  // database and cache
  'DB_PASSWORD',
  'POSTGRES_PASSWORD',
  'MYSQL_ROOT_PASSWORD',
  'REDIS_PASSWORD',
  'REDISCLI_AUTH',
  'REDIS_SENTINEL_PASSWORD',
  'REDIS_CLUSTERS_PASSWORD',
  'CELERY_SENTINEL_PASSWORD',
  'CELERY_BROKER_URL',
  'DIFY_AGENT_REDIS_URL',
  'EVENT_BUS_REDIS_URL',
  // object storage (api/worker)
  'S3_ACCESS_KEY',
  'S3_SECRET_KEY',
  'ARCHIVE_STORAGE_ACCESS_KEY',
  'ARCHIVE_STORAGE_SECRET_KEY',
  'AZURE_BLOB_ACCOUNT_KEY',
  'GOOGLE_STORAGE_SERVICE_ACCOUNT_JSON_BASE64',
  'ALIYUN_OSS_ACCESS_KEY',
  'ALIYUN_OSS_SECRET_KEY',
  'TENCENT_COS_SECRET_ID',
  'TENCENT_COS_SECRET_KEY',
  'OCI_ACCESS_KEY',
  'OCI_SECRET_KEY',
  'HUAWEI_OBS_ACCESS_KEY',
  'HUAWEI_OBS_SECRET_KEY',
  'VOLCENGINE_TOS_ACCESS_KEY',
  'VOLCENGINE_TOS_SECRET_KEY',
  'BAIDU_OBS_ACCESS_KEY',
  'BAIDU_OBS_SECRET_KEY',
  'SUPABASE_API_KEY',
  'CLICKZETTA_PASSWORD',
  // object storage (plugin daemon, both the PLUGIN_* and the daemon-side names)
  'PLUGIN_AWS_ACCESS_KEY',
  'PLUGIN_AWS_SECRET_KEY',
  'PLUGIN_AZURE_BLOB_STORAGE_CONNECTION_STRING',
  'PLUGIN_TENCENT_COS_SECRET_ID',
  'PLUGIN_TENCENT_COS_SECRET_KEY',
  'PLUGIN_ALIYUN_OSS_ACCESS_KEY_ID',
  'PLUGIN_ALIYUN_OSS_ACCESS_KEY_SECRET',
  'PLUGIN_VOLCENGINE_TOS_ACCESS_KEY',
  'PLUGIN_VOLCENGINE_TOS_SECRET_KEY',
  'AWS_ACCESS_KEY',
  'AWS_SECRET_KEY',
  'AZURE_BLOB_STORAGE_CONNECTION_STRING',
  'ALIYUN_OSS_ACCESS_KEY_ID',
  'ALIYUN_OSS_ACCESS_KEY_SECRET',
  // vector stores
  'WEAVIATE_API_KEY',
  'WEAVIATE_AUTHENTICATION_APIKEY_ALLOWED_KEYS',
  'AUTHENTICATION_APIKEY_ALLOWED_KEYS',
  'QDRANT_API_KEY',
  'MILVUS_TOKEN',
  'MILVUS_PASSWORD',
  'MINIO_ACCESS_KEY',
  'MINIO_SECRET_KEY',
  'MYSCALE_PASSWORD',
  'COUCHBASE_PASSWORD',
  'COUCHBASE_ADMINISTRATOR_PASSWORD',
  'PGVECTOR_PASSWORD',
  'PGVECTOR_POSTGRES_PASSWORD',
  'PGVECTO_RS_PASSWORD',
  'VASTBASE_PASSWORD',
  'ANALYTICDB_KEY_ID',
  'ANALYTICDB_KEY_SECRET',
  'ANALYTICDB_PASSWORD',
  'ANALYTICDB_NAMESPACE_PASSWORD',
  'TIDB_VECTOR_PASSWORD',
  'TIDB_PUBLIC_KEY',
  'TIDB_PRIVATE_KEY',
  'TIDB_ON_QDRANT_API_KEY',
  'MATRIXONE_PASSWORD',
  'CHROMA_AUTH_CREDENTIALS',
  'CHROMA_SERVER_AUTHN_CREDENTIALS',
  'ORACLE_PASSWORD',
  'ORACLE_PWD',
  'ORACLE_WALLET_PASSWORD',
  'ALIBABACLOUD_MYSQL_PASSWORD',
  'RELYT_PASSWORD',
  'OPENSEARCH_PASSWORD',
  'OPENSEARCH_INITIAL_ADMIN_PASSWORD',
  'TENCENT_VECTOR_DB_API_KEY',
  'ELASTICSEARCH_PASSWORD',
  'ELASTIC_PASSWORD',
  'ELASTICSEARCH_API_KEY',
  'BAIDU_VECTOR_DB_API_KEY',
  'VIKINGDB_ACCESS_KEY',
  'VIKINGDB_SECRET_KEY',
  'LINDORM_PASSWORD',
  'OPENGAUSS_PASSWORD',
  'GS_PASSWORD',
  'HUAWEI_CLOUD_PASSWORD',
  'UPSTASH_VECTOR_TOKEN',
  'TABLESTORE_ACCESS_KEY_ID',
  'TABLESTORE_ACCESS_KEY_SECRET',
  'IRIS_PASSWORD',
  'HOLOGRES_ACCESS_KEY_ID',
  'HOLOGRES_ACCESS_KEY_SECRET',
  'OCEANBASE_VECTOR_PASSWORD',
  'OB_SYS_PASSWORD',
  'OB_TENANT_PASSWORD',
  'ROOT_PASSWORD',
  // mail and integrations
  'RESEND_API_KEY',
  'SMTP_PASSWORD',
  'SENDGRID_API_KEY',
  'NOTION_CLIENT_SECRET',
  'NOTION_INTERNAL_SECRET',
  'UNSTRUCTURED_API_KEY',
  'OTLP_API_KEY',
  'ALIYUN_SLS_ACCESS_KEY_ID',
  'ALIYUN_SLS_ACCESS_KEY_SECRET',
]);

/** Name parts that mark a credential wherever they stand (`SMTP_PASSWORD`, `GITHUB_TOKEN`, `SENTRY_DSN`, `FOO_API_KEY`). */
const SECRET_WORDS = new Set([
  'PASSWORD',
  'PASSWD',
  'PWD',
  'PASS',
  'PASSPHRASE',
  'SECRET',
  'TOKEN',
  'KEY',
  'APIKEY',
  'ACCESSKEY',
  'SECRETKEY',
  'PRIVATEKEY',
  'DSN',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
]);

/** Adjacent parts that mark a credential together. */
const SECRET_PAIRS = [
  // (`PRIVATE KEY` needs no pair: `KEY` marks it alone.)
  ['CONNECTION', 'STRING'],
  ['SERVICE', 'ACCOUNT', 'JSON'],
];

/**
 * A last name part that makes the name describe a credential rather than hold
 * one: its lifetime, size, location, name or format (`ACCESS_TOKEN_EXPIRE_MINUTES`,
 * `REDIS_KEY_PREFIX`, `TLS_KEY_FILE`, `API_KEY_HEADER`, `OAUTH_TOKEN_URL`).
 * Names in {@link SENSITIVE_ENV_NAMES} are sensitive regardless.
 */
const DESCRIPTIVE_SUFFIXES = new Set([
  'EXPIRE',
  'EXPIRES',
  'EXPIRY',
  'EXPIRATION',
  'TTL',
  'MINUTES',
  'HOURS',
  'DAYS',
  'SECONDS',
  'TIMEOUT',
  'INTERVAL',
  'LENGTH',
  'LEN',
  'SIZE',
  'MIN',
  'MAX',
  'LIMIT',
  'COUNT',
  'ENABLED',
  'ENABLE',
  'DISABLED',
  'PREFIX',
  'SUFFIX',
  'TYPE',
  'NAME',
  'FILENAME',
  'FILE',
  'PATH',
  'USER',
  'USERS',
  'USERNAME',
  'DIR',
  'HEADER',
  'FIELD',
  'VERSION',
  'METHOD',
  'ALGORITHM',
  'MODE',
  'FORMAT',
  'URL',
  'URI',
  'ENDPOINT',
  'HOST',
  'PORT',
  'REGION',
  'ROTATION',
  'PROVIDER',
  'SOURCE',
  'STRATEGY',
  'POLICY',
  'LOCATION',
]);

/**
 * Names that look like credentials but are public by design: values the
 * browser receives (upstream lists them as "low sensitivity or public").
 */
const PUBLIC_ENV_NAMES: ReadonlySet<string> = new Set(['AMPLITUDE_API_KEY', 'TURNSTILE_SITE_KEY', 'COOKIEYES_SITE_KEY']);

/** Splits `FOO_BAR`, `foo-bar.baz` and `fooBarBaz` into upper-case parts. */
function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]/)
    .filter(Boolean);
}

/**
 * True when a name (an env var, a prop key) looks like it holds a credential,
 * by its parts, in any letter case: `password`, `secret`, `token`, `key`
 * (`*_KEY`, `*_API_KEY`, `apiKey`), `dsn`, `credentials`, `private key`,
 * `connection string`, unless its last part says it only describes one.
 */
export function looksSensitive(name: string): boolean {
  const parts = nameParts(name);
  if (PUBLIC_ENV_NAMES.has(parts.join('_'))) return false;
  // No descriptive word is a credential word, so a name that is one alone stays unmarked either way.
  if (DESCRIPTIVE_SUFFIXES.has(parts[parts.length - 1])) return false;
  if (parts.some((p) => SECRET_WORDS.has(p))) return true;
  return SECRET_PAIRS.some((pair) => parts.some((_, i) => pair.every((w, j) => parts[i + j] === w)));
}

/**
 * True when `name` is a credential-bearing environment variable: one of
 * upstream's names in any letter case, or a name that {@link looksSensitive}.
 */
export function isSensitiveEnvName(name: string): boolean {
  return SENSITIVE_ENV_NAMES.has(name.toUpperCase()) || looksSensitive(name);
}

/**
 * Schemes whose user name alone is an account, not a credential
 * (`redis://default@host`, `ssh://git@host`, `postgres://dify@db`). Under any
 * other scheme (http, https, git+https, ws, …) a user name without a password
 * is how a token is sent (`https://TOKEN@host`: pip, git and browsers send it
 * as basic auth).
 */
const ACCOUNT_SCHEMES = new Set([
  'redis',
  'rediss',
  'redis+sentinel',
  'sentinel',
  'postgres',
  'postgresql',
  'mysql',
  'mysql+pymysql',
  'mongodb',
  'mongodb+srv',
  'amqp',
  'amqps',
  'ssh',
  'git+ssh',
  'sftp',
  'ldap',
  'ldaps',
  'smtp',
  'smtps',
  'mailto',
]);

/** A user name that is a token whatever the scheme: long and mixing letters and digits, or a known token prefix. */
function looksLikeToken(user: string): boolean {
  if (/^(gh[pousr]_|github_pat_|glpat-|sk-|xox[abpr]-|AKIA|ASIA|hf_|npm_|pypi-)/.test(user)) return true;
  return user.length >= 20 && /[A-Za-z]/.test(user) && /[0-9]/.test(user);
}

/**
 * Every `scheme://userinfo@` in a text, wherever it stands: alone, inside a
 * longer value (`--index-url https://u:p@host/simple`, `a,b` lists), inside
 * JSON (also with `\/` escapes) or quoted. `index` and `length` span the userinfo.
 */
function* urlUserinfos(text: string): Generator<{ scheme: string; userinfo: string; index: number; length: number }> {
  // Up to the last '@' of the authority, as URL parsers read it (a password may hold an unescaped '@'). URL parsers
  // drop tabs and line breaks anywhere in a URL, so those do not end the userinfo either.
  const re = /([A-Za-z][A-Za-z0-9+.-]*):(?:\\?\/){2}((?:[^\s/\\?#"'<>`[\]{}]|[\t\n\r])+)@/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    yield { scheme: m[1].toLowerCase(), userinfo: m[2], index: m.index + m[0].length - m[2].length - 1, length: m[2].length };
  }
}

/** True when a URL's userinfo carries a credential: a password, or a user name that is a token (see {@link ACCOUNT_SCHEMES}). */
function isCredentialUserinfo(scheme: string, userinfo: string): boolean {
  const colon = userinfo.indexOf(':');
  if (colon >= 0) return colon < userinfo.length - 1;
  return !ACCOUNT_SCHEMES.has(scheme) || looksLikeToken(decodeURIComponentSafe(userinfo));
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * True when `value` carries a credential in URL userinfo anywhere in it:
 * `scheme://user:password@host` (`redis://:pw@host`, `postgres://u:pw@db/x`),
 * a token as the user name (`https://TOKEN@host`, as pip and git send it), in
 * a URL alone, inside a longer value or inside JSON.
 */
export function hasUrlCredentials(value: string): boolean {
  if (typeof value !== 'string') return false;
  for (const u of urlUserinfos(value)) if (isCredentialUserinfo(u.scheme, u.userinfo)) return true;
  return false;
}

/** `"key": "value"` pairs of JSON (also inside a longer value), for credential-named keys. */
const JSON_STRING_PAIR = /"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/**
 * The credential-named key of a JSON object inside `value` that holds a
 * non-empty string (`{"api_key": "sk-…"}`, `{"auth": {"password": "…"}}`), or
 * undefined: such a value is a credential however its variable is named.
 */
export function jsonCredentialKey(value: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  for (const m of value.matchAll(JSON_STRING_PAIR)) {
    if (m[2] !== '' && m[1] !== 'key' && looksSensitive(m[1])) return m[1];
  }
  return undefined;
}

/** Query parameters whose name says they hold a credential (`?password=…`, `&access_token=…`, `sig=`). */
const CREDENTIAL_PARAM = /([?&;])([A-Za-z0-9_.-]+)=([^&#\s"'<>]*)/g;

/**
 * `text` with every credential a message could leak replaced by `<redacted>`:
 * URL userinfo that carries one (the whole userinfo: `redis://<redacted>@host`)
 * and query parameters with credential names (`?token=<redacted>`). The rest
 * of the text stays, so an error still shows what was given.
 */
export function redactCredentials(text: string): string {
  if (typeof text !== 'string') return text;
  let out = '';
  let last = 0;
  for (const u of urlUserinfos(text)) {
    if (!isCredentialUserinfo(u.scheme, u.userinfo)) continue;
    out += `${text.slice(last, u.index)}<redacted>`;
    last = u.index + u.length;
  }
  out += text.slice(last);
  out = out.replace(JSON_STRING_PAIR, (all, key: string, v: string) => (v !== '' && key !== 'key' && looksSensitive(key) ? `"${key}":"<redacted>"` : all));
  return out.replace(CREDENTIAL_PARAM, (all, sep: string, name: string, value: string) =>
    value && (looksSensitive(name) || /^(sig|signature|x-amz-signature|x-amz-credential|auth)$/i.test(name)) ? `${sep}${name}=<redacted>` : all,
  );
}
