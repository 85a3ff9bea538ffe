import { ServiceEndpoint } from '../config/connections';
import { DifyUrls } from '../config/urls';
import { OptionalTarget, RouteTarget, serves } from './routes';
import { DIFY_EMBEDDABLE_PATH_PREFIXES, ResolvedSecurityHeaders } from './tls';

/** Everything {@link renderNginxConfig} needs. */
export interface NginxConfigInput {
  readonly urls: DifyUrls;
  /** Backends; without `apiWebsocket` there is no `/socket.io/` location. */
  readonly backends: { readonly [K in Exclude<RouteTarget, OptionalTarget>]: ServiceEndpoint } & { readonly [K in OptionalTarget]?: ServiceEndpoint };
  /** Plain-http port. */
  readonly httpPort: number;
  /** TLS port; set when nginx terminates TLS. */
  readonly httpsPort?: number;
  /** Directory holding the certificate chain and key files. */
  readonly tlsDir?: string;
  /** File names of the certificate chain and the private key in `tlsDir`. @default tls.crt, tls.key */
  readonly tlsFiles?: { readonly certificate: string; readonly privateKey: string };
  /** ssl_protocols. @default TLSv1.2 TLSv1.3 */
  readonly tlsProtocols?: readonly string[];
  /** keepalive_timeout in seconds. @default 65 */
  readonly keepaliveTimeoutSeconds?: number;
  /** With TLS, answer plain http with a redirect to https. */
  readonly httpsRedirect: boolean;
  /** Port of the `/healthz` server the probes use. */
  readonly healthPort: number;
  /** Directory the rendered files are mounted in. */
  readonly configDir: string;
  /** client_max_body_size, e.g. `100M`. */
  readonly maxBodySize: string;
  /** proxy_read_timeout and proxy_send_timeout in seconds. */
  readonly proxyTimeoutSeconds: number;
  /** worker_processes. */
  readonly workerProcesses: number;
  readonly securityHeaders: ResolvedSecurityHeaders;
}

const UPSTREAM: { readonly [K in RouteTarget]: string } = {
  api: 'dify_api',
  web: 'dify_web',
  pluginDaemon: 'dify_plugin_daemon',
  apiWebsocket: 'dify_api_websocket',
  agentBackend: 'dify_agent_backend',
};

/**
 * Renders `nginx.conf` and `proxy.conf` from Dify 1.16.1's nginx templates
 * (nginx.conf.template, proxy.conf.template, conf.d/default.conf.template,
 * https.conf.template), resolved at synth time: the same locations, proxy
 * headers, unbuffered responses, timeouts and body limit, and `Dify-Hook-Url`
 * on `/e/`, the WebSocket upgrade on `/socket.io/`. Differences: pid and temp files under /tmp and logs to
 * stdout/stderr (non-root, read-only root filesystem); upstreams are Service
 * names resolved at start instead of Docker's embedded DNS; request bodies are
 * streamed (as the Ingress does) so no body lands on disk; one worker per CPU
 * of the container's limit (`auto` counts the node's CPUs); http/2 and TLS 1.2+
 * only when terminating TLS; `server_tokens off`; the forwarded scheme and port
 * are the public ones when TLS ends in front of nginx.
 */
export function renderNginxConfig(i: NginxConfigInput): { readonly 'nginx.conf': string; readonly 'proxy.conf': string } {
  const publicScheme = i.urls.tls ? 'https' : '$scheme';
  const proxyConf = [
    '# Rendered by dify-cdk8s from Dify 1.16.1 nginx/proxy.conf.template.',
    'proxy_set_header Host $host;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    `proxy_set_header X-Forwarded-Proto ${publicScheme};`,
    `proxy_set_header X-Forwarded-Port ${i.urls.tls ? 443 : 80};`,
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
    'proxy_buffering off;',
    'proxy_request_buffering off;',
    `proxy_read_timeout ${i.proxyTimeoutSeconds}s;`,
    `proxy_send_timeout ${i.proxyTimeoutSeconds}s;`,
    '',
  ].join('\n');

  const h = i.securityHeaders;
  const lines: string[] = [
    '# Rendered by dify-cdk8s from Dify 1.16.1 nginx templates (nginx.conf, conf.d/default.conf, https.conf).',
    `worker_processes ${i.workerProcesses};`,
    'pid /tmp/nginx.pid;',
    'daemon off;',
    'error_log stderr notice;',
    '',
    'events {',
    '    worker_connections 1024;',
    '}',
    '',
    'http {',
    '    include /etc/nginx/mime.types;',
    '    default_type application/octet-stream;',
    '    log_format main \'$remote_addr - $remote_user [$time_local] "$request" \'',
    '                    \'$status $body_bytes_sent "$http_referer" \'',
    '                    \'"$http_user_agent" "$http_x_forwarded_for"\';',
    '    access_log /dev/stdout main;',
    '    sendfile on;',
    `    keepalive_timeout ${i.keepaliveTimeoutSeconds ?? 65};`,
    `    client_max_body_size ${i.maxBodySize};`,
    '    server_tokens off;',
    '    client_body_temp_path /tmp/client_temp;',
    '    proxy_temp_path /tmp/proxy_temp;',
    '    fastcgi_temp_path /tmp/fastcgi_temp;',
    '    uwsgi_temp_path /tmp/uwsgi_temp;',
    '    scgi_temp_path /tmp/scgi_temp;',
    '',
  ];
  const available = serves(i.backends);
  for (const target of (Object.keys(UPSTREAM) as RouteTarget[]).filter(available)) {
    const b = i.backends[target]!;
    lines.push(`    upstream ${UPSTREAM[target]} {`, `        server ${b.host}:${b.port};`, '    }');
  }
  if (available('apiWebsocket')) {
    lines.push(
      '',
      '    # WebSocket upgrade for /socket.io/ (nginx\'s documented form of upstream\'s Connection "upgrade").',
      '    map $http_upgrade $connection_upgrade {',
      '        default upgrade;',
      "        '' close;",
      '    }',
    );
  }
  if (h.frameOptions) {
    const embeddable = DIFY_EMBEDDABLE_PATH_PREFIXES.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    lines.push(
      '',
      '    # X-Frame-Options only where the app sent none, and never on the embeddable web-app pages.',
      '    map $uri $dify_embeddable {',
      '        default 0;',
      `        "~^(${embeddable})" 1;`,
      '    }',
      '    map "$dify_embeddable:$upstream_http_x_frame_options" $dify_frame_options {',
      '        default "";',
      '        "0:" SAMEORIGIN;',
      '    }',
    );
  }
  lines.push(
    '',
    '    server {',
    `        listen ${i.healthPort};`,
    '        access_log off;',
    '        location = /healthz {',
    '            return 200 "ok\\n";',
    '        }',
    '        location / {',
    '            return 404;',
    '        }',
    '    }',
  );

  const tls = i.httpsPort !== undefined;
  if (tls && i.httpsRedirect) {
    lines.push(
      '',
      '    server {',
      `        listen ${i.httpPort} default_server;`,
      '        server_name _;',
      '        return 308 https://$host$request_uri;',
      '    }',
    );
  }
  i.urls.routesByHost(available).forEach(({ host, routes }, n) => {
    const dflt = n === 0 ? ' default_server' : '';
    lines.push('', '    server {');
    if (!tls || !i.httpsRedirect) lines.push(`        listen ${i.httpPort}${dflt};`);
    if (tls) {
      lines.push(
        `        listen ${i.httpsPort} ssl${dflt};`,
        '        http2 on;',
        `        ssl_certificate ${i.tlsDir}/${i.tlsFiles?.certificate ?? 'tls.crt'};`,
        `        ssl_certificate_key ${i.tlsDir}/${i.tlsFiles?.privateKey ?? 'tls.key'};`,
        `        ssl_protocols ${(i.tlsProtocols ?? ['TLSv1.2', 'TLSv1.3']).join(' ')};`,
        '        ssl_prefer_server_ciphers on;',
        '        ssl_session_cache shared:SSL:10m;',
        '        ssl_session_timeout 10m;',
      );
    }
    lines.push(`        server_name ${host};`);
    if (h.noSniff) lines.push('        add_header X-Content-Type-Options nosniff always;');
    if (h.frameOptions) lines.push('        add_header X-Frame-Options $dify_frame_options always;');
    if (i.urls.tls && h.hstsMaxAgeSeconds > 0) lines.push(`        add_header Strict-Transport-Security "max-age=${h.hstsMaxAgeSeconds}" always;`);
    for (const r of routes) {
      lines.push('', `        location ${r.path} {`, `            proxy_pass http://${UPSTREAM[r.target]};`);
      if (r.target === 'pluginDaemon') lines.push(`            proxy_set_header Dify-Hook-Url ${publicScheme}://$host$request_uri;`);
      lines.push(`            include ${i.configDir}/proxy.conf;`);
      // After proxy.conf: its empty Connection header is not sent, this one is.
      if (r.target === 'apiWebsocket') {
        lines.push(
          '            proxy_set_header Upgrade $http_upgrade;',
          '            proxy_set_header Connection $connection_upgrade;',
          '            proxy_cache_bypass $http_upgrade;',
        );
      }
      lines.push('        }');
    }
    // A host without the frontend's catch-all would otherwise serve the image's welcome page.
    if (!routes.some((r) => r.path === '/')) lines.push('', '        location / {', '            return 404;', '        }');
    lines.push('    }');
  });
  lines.push('}', '');
  return { 'nginx.conf': lines.join('\n'), 'proxy.conf': proxyConf };
}
