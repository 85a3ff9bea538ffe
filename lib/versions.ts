/** The Dify release these constructs deploy and test against. */
export const DIFY_VERSION = '1.16.1';

/**
 * Default images, pinned. Dify's own images follow upstream's 1.16.1 compose
 * file; the stores pin a patch release of the major upstream names
 * (`postgres:15-alpine`, `redis:6-alpine`); the SSRF proxy replaces upstream's
 * floating `ubuntu/squid:latest` with a fixed tag (the agent SSRF proxy runs
 * the same squid image).
 */
export const DEFAULT_IMAGES = {
  api: `langgenius/dify-api:${DIFY_VERSION}`,
  web: `langgenius/dify-web:${DIFY_VERSION}`,
  sandbox: 'langgenius/dify-sandbox:0.2.15',
  pluginDaemon: 'langgenius/dify-plugin-daemon:0.6.10-local',
  ssrfProxy: 'ubuntu/squid:6.6-24.04_beta',
  postgres: 'postgres:15.14-alpine',
  redis: 'redis:6.2.18-alpine',
  weaviate: 'semitechnologies/weaviate:1.27.0',
  postgresExporter: 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0',
  redisExporter: 'oliver006/redis_exporter:v1.62.0',
  awsCli: 'amazon/aws-cli:2.17.0',
  nginx: 'nginxinc/nginx-unprivileged:1.28.0-alpine',
  agentBackend: `langgenius/dify-agent-backend:${DIFY_VERSION}`,
  localSandbox: `langgenius/dify-agent-local-sandbox:${DIFY_VERSION}`,
} as const;

/** Which image each component runs. */
export type DifyImages = { readonly [K in keyof typeof DEFAULT_IMAGES]: string };
