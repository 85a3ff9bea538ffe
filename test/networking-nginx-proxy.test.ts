import { Testing } from 'cdk8s';
import { DIFY_ROUTES, DifyNginxProxy, DifyNginxProxyProps, DifyUrls, IngressTls } from '../lib';
import { backendStubs, findDoc, manifestProblems, networkingChart } from './networking-fixtures';
import { checkPodSecurity } from './support/pss';

const WEB = 'dify.example.com';
const API = 'api.dify.example.com';
const UPSTREAM = {
  api: 'dify_api',
  web: 'dify_web',
  pluginDaemon: 'dify_plugin_daemon',
  apiWebsocket: 'dify_api_websocket',
  agentBackend: 'dify_agent_backend',
};

function proxy(props: Partial<DifyNginxProxyProps> = {}): { proxy: DifyNginxProxy; docs: Record<string, any>[] } {
  const chart = networkingChart();
  const backends = backendStubs(chart);
  const p = new DifyNginxProxy(chart, 'Proxy', { instance: 'dify', urls: DifyUrls.fromHost(WEB), backends, ...props });
  return { proxy: p, docs: Testing.synth(chart) };
}
const conf = (docs: Record<string, any>[]) => findDoc(docs, 'ConfigMap', 'dify-nginx-config').data;
const deployment = (docs: Record<string, any>[]) => findDoc(docs, 'Deployment', 'dify-nginx');
const publicService = (docs: Record<string, any>[]) => findDoc(docs, 'Service', 'dify-nginx-public');
/** The body of one `server { ... }` block, by server_name. */
const serverBlock = (nginxConf: string, name: string): string => {
  const blocks = nginxConf.split(/\n {4}server \{\n/).slice(1);
  const b = blocks.find((x) => x.includes(`server_name ${name};`));
  if (!b) throw new Error(`no server ${name}`);
  return b;
};
const locationsOf = (block: string) => [...block.matchAll(/location (\S+) \{\n\s+proxy_pass http:\/\/(\w+);/g)].map((m) => `${m[1]} ${m[2]}`);

describe('DifyNginxProxy configuration', () => {
  const { docs } = proxy();
  const { 'nginx.conf': nginx, 'proxy.conf': proxyConf } = conf(docs);

  test("every location of upstream's route table, to the right upstream, on one server", () => {
    expect(locationsOf(serverBlock(nginx, WEB))).toEqual(DIFY_ROUTES.map((r) => `${r.path} ${UPSTREAM[r.target]}`));
    expect(nginx).toContain('upstream dify_api {\n        server dify-api:5001;\n    }');
    expect(nginx).toContain('upstream dify_web {\n        server dify-web:3000;\n    }');
    expect(nginx).toContain('upstream dify_plugin_daemon {\n        server dify-plugin-daemon:5002;\n    }');
    expect(nginx).toMatch(/listen 8080 default_server;\n\s+server_name dify\.example\.com;/);
  });

  test("every location includes upstream's proxy.conf settings: unbuffered, 3600 s timeouts, HTTP/1.1 keep-alive headers", () => {
    expect(nginx.match(/include \/etc\/nginx\/dify\/proxy\.conf;/g)).toHaveLength(DIFY_ROUTES.length);
    for (const line of [
      'proxy_set_header Host $host;',
      'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      'proxy_set_header X-Forwarded-Proto $scheme;',
      'proxy_http_version 1.1;',
      'proxy_set_header Connection "";',
      'proxy_buffering off;',
      'proxy_read_timeout 3600s;',
      'proxy_send_timeout 3600s;',
    ])
      expect(proxyConf.split('\n')).toContain(line);
    expect(nginx).toContain('client_max_body_size 100M;');
  });

  test('/e/ alone passes Dify-Hook-Url to the plugin daemon', () => {
    expect(nginx).toMatch(/location \/e\/ \{\n\s+proxy_pass http:\/\/dify_plugin_daemon;\n\s+proxy_set_header Dify-Hook-Url \$scheme:\/\/\$host\$request_uri;/);
    expect(nginx.match(/Dify-Hook-Url/g)).toHaveLength(1);
  });

  test('non-root on a read-only filesystem: pid, temp files and logs stay off the image', () => {
    expect(nginx).toContain('pid /tmp/nginx.pid;');
    expect(nginx).toContain('error_log stderr notice;');
    expect(nginx).toContain('access_log /dev/stdout main;');
    for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) expect(nginx).toContain(`${t}_temp_path /tmp/`);
  });

  test('security headers: nosniff and X-Frame-Options where the app sent none, off the embeddable pages; no HSTS on http', () => {
    const server = serverBlock(nginx, WEB);
    expect(server).toContain('add_header X-Content-Type-Options nosniff always;');
    expect(server).toContain('add_header X-Frame-Options $dify_frame_options always;');
    expect(nginx).toContain('"~^(/chat|/workflow|/completion|/webapp-signin)" 1;');
    expect(nginx).toContain('map "$dify_embeddable:$upstream_http_x_frame_options" $dify_frame_options {');
    expect(nginx).not.toContain('Strict-Transport-Security');
  });

  test('one worker per CPU of the container limit, not per CPU of the node', () => {
    expect(nginx).toContain('worker_processes 1;');
    expect(conf(proxy({ options: { resources: { cpuLimit: '1500m' } } }).docs)['nginx.conf']).toContain('worker_processes 2;');
  });

  test('probes use a separate health server that no route shadows', () => {
    expect(nginx).toMatch(/server \{\n\s+listen 8081;\n\s+access_log off;\n\s+location = \/healthz \{/);
  });
});

describe('DifyNginxProxy workload', () => {
  const { docs, proxy: p } = proxy();
  const d = deployment(docs);
  const pod = d.spec.template.spec;
  const c = pod.containers[0];

  test('a pinned nginx-unprivileged image running the rendered config, not the image entrypoint', () => {
    expect(c.image).toBe(DifyNginxProxy.DEFAULT_IMAGE);
    expect(c.image).toMatch(/^nginxinc\/nginx-unprivileged:1\.\d+\.\d+-alpine$/);
    expect(c.command).toEqual(['nginx', '-e', 'stderr', '-c', '/etc/nginx/dify/nginx.conf']);
    expect(p.config['nginx.conf']).toBe(conf(docs)['nginx.conf']);
  });

  test('uid 101, read-only root filesystem, /tmp on an emptyDir, config read-only; meets Pod Security "restricted"', () => {
    expect(c.securityContext).toMatchObject({
      runAsUser: 101,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'config', mountPath: '/etc/nginx/dify', readOnly: true },
    ]);
    expect(pod.volumes[0]).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
    expect(checkPodSecurity(pod, 'restricted', d.spec.template.metadata)).toEqual([]);
  });

  test('readiness and liveness probes on /healthz, resources set', () => {
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.ports.map((x: any) => `${x.name}:${x.containerPort}`)).toEqual(['http:8080', 'health:8081']);
    expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi' } });
  });

  test('a LoadBalancer Service on port 80 by default', () => {
    const svc = publicService(docs);
    expect(svc.spec).toMatchObject({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Cluster',
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    });
    expect(svc.spec.selector).toEqual(d.spec.selector.matchLabels);
  });

  test('the pods roll when the configuration changes', () => {
    const a = d.spec.template.metadata.annotations['checksum/config'];
    const b = deployment(proxy({ maxBodySize: '200M' }).docs).spec.template.metadata.annotations['checksum/config'];
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
  });

  test('the manifests validate and every Service, ConfigMap and ServiceAccount reference resolves', () => {
    expect(manifestProblems(docs)).toEqual({ schema: '', references: [] });
  });
});

describe('DifyNginxProxy exposure and TLS', () => {
  test('NodePort with fixed ports, annotations and client-address preservation', () => {
    const { docs } = proxy({
      urls: DifyUrls.fromHost(WEB, { tls: true }),
      tls: IngressTls.existingSecret('dify-cert'),
      service: { type: 'NodePort', httpNodePort: 30080, httpsNodePort: 30443, externalTrafficPolicy: 'Local', annotations: { 'example.com/team': 'ai' } },
    });
    const svc = publicService(docs);
    expect(svc.metadata.annotations).toEqual({ 'example.com/team': 'ai' });
    expect(svc.spec).toMatchObject({
      type: 'NodePort',
      externalTrafficPolicy: 'Local',
      ports: [
        { name: 'http', port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 'https', nodePort: 30443, protocol: 'TCP' },
      ],
    });
    expect(manifestProblems(docs, [{ name: 'dify-cert', keys: ['tls.crt', 'tls.key'] }])).toEqual({ schema: '', references: [] });
  });

  test('cert-manager TLS on split hosts: one Certificate, 443 with http/2, a 308 redirect, HSTS, a server per host', () => {
    const urls = DifyUrls.split({ webHost: WEB, apiHost: API, tls: true });
    const { docs } = proxy({
      urls,
      tls: IngressTls.certManager({ issuer: 'letsencrypt-prod', kind: 'ClusterIssuer' }),
      service: { loadBalancerSourceRanges: ['203.0.113.0/24'] },
    });
    expect(findDoc(docs, 'Certificate', 'dify-tls').spec.dnsNames).toEqual([WEB, API]);
    const pod = deployment(docs).spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'dify-tls', defaultMode: 0o440 } });
    expect(pod.securityContext.fsGroup).toBe(101);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/nginx/tls', readOnly: true });
    const { 'nginx.conf': nginx, 'proxy.conf': proxyConf } = conf(docs);
    expect(nginx).toMatch(/listen 8080 default_server;\n\s+server_name _;\n\s+return 308 https:\/\/\$host\$request_uri;/);
    const web = serverBlock(nginx, WEB);
    const api = serverBlock(nginx, API);
    expect(web).toMatch(/listen 8443 ssl default_server;\n\s+http2 on;\n\s+ssl_certificate \/etc\/nginx\/tls\/tls\.crt;/);
    expect(api).toContain('listen 8443 ssl;');
    expect(web).toContain('add_header Strict-Transport-Security "max-age=31536000" always;');
    expect(locationsOf(web)).toEqual(['/socket.io/ dify_api_websocket', '/explore dify_web', '/ dify_web']);
    expect(locationsOf(api)).toEqual(
      DIFY_ROUTES.filter((r) => r.target !== 'web' && r.target !== 'apiWebsocket').map((r) => `${r.path} ${UPSTREAM[r.target]}`),
    );
    // The api host has no catch-all route: it answers 404 instead of the image's welcome page.
    expect(api).toMatch(/location \/ \{\n\s+return 404;/);
    expect(web).not.toContain('return 404;');
    expect(proxyConf).toContain('proxy_set_header X-Forwarded-Proto https;');
    expect(publicService(docs).spec).toMatchObject({
      loadBalancerSourceRanges: ['203.0.113.0/24'],
      ports: [
        { name: 'http', port: 80 },
        { name: 'https', port: 443 },
      ],
    });
    expect(manifestProblems(docs)).toEqual({ schema: '', references: [] });
  });

  test('TLS ending in front of nginx: forwarded scheme and Dify-Hook-Url say https', () => {
    const { docs } = proxy({ urls: DifyUrls.fromHost(WEB, { tls: true }) });
    const { 'nginx.conf': nginx, 'proxy.conf': proxyConf } = conf(docs);
    expect(nginx).toContain('proxy_set_header Dify-Hook-Url https://$host$request_uri;');
    expect(proxyConf).toContain('proxy_set_header X-Forwarded-Proto https;');
    expect(nginx).not.toContain('ssl');
  });

  test('security headers can be turned off', () => {
    const { docs } = proxy({ securityHeaders: false });
    expect(conf(docs)['nginx.conf']).not.toContain('add_header');
  });
});

const badInput: Array<[string, () => unknown, RegExp]> = [
  [
    'NodePort out of range',
    () => proxy({ service: { type: 'NodePort', httpNodePort: 80 } }),
    /^nginxProxy\.service\.httpNodePort: got 80; must be an integer from 30000 to 32767/,
  ],
  [
    'unknown Service type',
    () => proxy({ service: { type: 'ClusterIP' as any } }),
    /^nginxProxy\.service\.type: got "ClusterIP"; must be "LoadBalancer" or "NodePort"/,
  ],
  ['https node port without TLS', () => proxy({ service: { httpsNodePort: 30443 } }), /^nginxProxy\.service\.httpsNodePort: got 30443; needs tls/],
  [
    'the same node port twice',
    () => proxy({ urls: DifyUrls.fromHost(WEB, { tls: true }), tls: IngressTls.existingSecret('c'), service: { httpNodePort: 30080, httpsNodePort: 30080 } }),
    /^nginxProxy\.service\.httpsNodePort: got 30080; must differ from httpNodePort/,
  ],
  [
    'source ranges on a NodePort',
    () => proxy({ service: { type: 'NodePort', loadBalancerSourceRanges: ['10.0.0.0/8'] } }),
    /^nginxProxy\.service\.loadBalancerSourceRanges: got \["10\.0\.0\.0\/8"\]; only apply to type "LoadBalancer"/,
  ],
  [
    'source range that is not a CIDR',
    () => proxy({ service: { loadBalancerSourceRanges: ['office'] } }),
    /^nginxProxy\.service\.loadBalancerSourceRanges\[0\]: got "office"; must be a CIDR such as/,
  ],
  [
    'unknown traffic policy',
    () => proxy({ service: { externalTrafficPolicy: 'Nearest' as any } }),
    /^nginxProxy\.service\.externalTrafficPolicy: got "Nearest"; must be "Cluster" or "Local"/,
  ],
  ['TLS with http URLs', () => proxy({ tls: IngressTls.existingSecret('dify-cert') }), /^urls\.tls: got false; must be true when the proxy terminates TLS/],
  ['body size with a unit nginx does not know', () => proxy({ maxBodySize: '100MB' }), /^nginxProxy\.maxBodySize: got "100MB"; must be an nginx size/],
  ['zero proxy timeout', () => proxy({ proxyTimeoutSeconds: 0 }), /^nginxProxy\.proxyTimeoutSeconds: got 0; must be an integer from 1 to 86400/],
  [
    'backend host that would inject config',
    () =>
      proxy({
        backends: {
          api: { host: 'dify-api; include /etc/passwd', port: 5001 },
          web: { host: 'dify-web', port: 3000 },
          pluginDaemon: { host: 'dify-plugin-daemon', port: 5002 },
        },
      }),
    /^nginxProxy\.backends\.api\.host: got "dify-api; include \/etc\/passwd"; must be a DNS-1123 subdomain/,
  ],
  ['floating image tag', () => proxy({ image: 'nginx:latest' }), /^nginx\.image: got "nginx:latest"; must not use the floating tag "latest"/],
  [
    'request above limit',
    () => proxy({ options: { resources: { cpuRequest: '2' } }, optionsPath: 'components.nginxProxy' }),
    /^components\.nginxProxy\.resources\.cpuRequest: got "2"; must not exceed components\.nginxProxy\.resources\.cpuLimit \(1\)/,
  ],
];

describe('bad nginx proxy input fails at synth time naming property, value and what is allowed', () => {
  test.each(badInput)('%s', (_what, build, message) => {
    expect(build).toThrow(message);
  });
});
