import { NON_PUBLIC_IPV4_RANGES } from '../core/connections';
import { dnsNameProblem, invalid } from '../core/validation';
import { validateCidr } from '../core/k8s-rules';

/** Destination ranges squid refuses (upstream's `to_private_networks`): the IPv4 ranges no pod may reach as internet, and IPv6's. */
export const SQUID_PRIVATE_DESTINATIONS = [...NON_PUBLIC_IPV4_RANGES, '::/128', '::1/128', '::ffff:0:0/96', '::/96', 'fc00::/7', 'fe80::/10'];

/** Client ranges squid serves (upstream's `client_localnet`). */
export const SQUID_CLIENT_NETWORKS = [
  '0.0.0.1-0.255.255.255',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  'fc00::/7',
  'fe80::/10',
];

const SAFE_PORTS = ['80', '21', '443', '70', '210', '1025-65535', '280', '488', '591', '777'];

/** Allow-lists of the SSRF proxy. */
export interface SquidAllowLists {
  /** CIDRs reachable even though private (SSRF_PROXY_ALLOW_PRIVATE_IPS). @default [] */
  readonly allowPrivateIps?: string[];
  /** Domains reachable even when they resolve to private addresses (SSRF_PROXY_ALLOW_PRIVATE_DOMAINS). @default [] */
  readonly allowPrivateDomains?: string[];
}

const DOMAIN = /^\.?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Validates the allow-lists, naming the offending entry. */
export function validateAllowLists(prop: string, a: SquidAllowLists): void {
  (a.allowPrivateIps ?? []).forEach((cidr, i) => validateCidr(`${prop}.allowPrivateIps[${i}]`, cidr));
  (a.allowPrivateDomains ?? []).forEach((domain, i) => {
    const allowed = 'must be a lowercase domain such as "internal.example.com" or ".corp.example.com" (a leading dot takes its subdomains)';
    if (typeof domain !== 'string') return invalid(`${prop}.allowPrivateDomains[${i}]`, domain, allowed);
    // A URL or host:port is the usual mix-up: squid's dstdomain takes names only.
    const problem = /[:/]/.test(domain) ? 'it is a URL or has a port: give the name only' : dnsNameProblem(domain.replace(/^\./, ''));
    if (!DOMAIN.test(domain) || problem)
      invalid(`${prop}.allowPrivateDomains[${i}]`, domain, problem ? `${allowed}; ${problem.replace(/^(?!it )/, 'it ')}` : allowed);
  });
}

/**
 * Renders squid.conf with upstream's access rules (ssrf_proxy/squid.conf.template
 * and squid-common.conf.template of Dify 1.16.1), fully resolved at synth time:
 * no entrypoint templating, logs to stdout/stderr, no pid file, so squid runs
 * as a non-root user on a read-only root filesystem. Upstream's reverse proxy
 * to the sandbox is omitted: in Kubernetes, api reaches the sandbox Service directly.
 */
export function renderSquidConfig(port: number, a: SquidAllowLists): string {
  const lines = squidPreamble(port, 'ssrf_proxy templates');
  lines.push('http_access deny !Safe_ports', 'http_access deny CONNECT !SSL_ports', 'http_access allow localhost manager', 'http_access deny manager');
  if (a.allowPrivateIps?.length) {
    lines.push(`acl allowed_private_ips dst ${a.allowPrivateIps.join(' ')}`, 'http_access allow allowed_private_ips');
  }
  if (a.allowPrivateDomains?.length) {
    lines.push(`acl allowed_private_domains dstdomain ${a.allowPrivateDomains.join(' ')}`, 'http_access allow allowed_private_domains');
  }
  lines.push(
    'http_access deny to_private_networks',
    'http_access allow allowed_domains',
    'http_access allow client_localnet',
    'http_access allow localhost',
    'http_access deny all',
    '',
  );
  return squidTail(lines);
}

/** In-cluster destinations the agent SSRF proxy forwards besides the public internet. */
export interface AgentSquidTargets {
  /** Service name of the agent backend (its `/agent-stub/` API). */
  readonly agentBackendHost: string;
  /** Service name of the api (its `/files/` data plane). */
  readonly apiHost: string;
}

/**
 * Renders the agent SSRF proxy's squid.conf from Dify 1.16.1's
 * ssrf_proxy/squid-agent.conf.template: the local sandbox reaches the public
 * internet, plus exactly `/agent-stub/` on the agent backend and `/files/` on
 * the api (path ACLs; NetworkPolicy cannot see paths). Ours adds
 * `dns_defnames on` (Service names are single labels, resolved through the pod's
 * search domains, as Docker's DNS resolved compose names) and refuses `..` in
 * paths so the two allowed prefixes cannot be escaped.
 */
export function renderAgentSquidConfig(port: number, t: AgentSquidTargets): string {
  const lines = squidPreamble(port, 'ssrf_proxy/squid-agent.conf.template');
  lines.splice(
    lines.indexOf(`http_port ${port}`),
    0,
    `acl dst_agent_backend dstdomain ${t.agentBackendHost}`,
    `acl dst_dify_api dstdomain ${t.apiHost}`,
    'acl path_files urlpath_regex -i ^/files/',
    'acl path_agent_stub urlpath_regex -i ^/agent-stub/',
    'acl path_dotdot urlpath_regex -i (\\.\\.|%2e%2e)',
    '',
  );
  lines.push(
    'http_access deny !Safe_ports',
    'http_access deny CONNECT !SSL_ports',
    'http_access deny path_dotdot',
    'http_access allow dst_agent_backend path_agent_stub',
    'http_access allow dst_dify_api path_files',
    'http_access deny to_private_networks',
    // Upstream's: its only client is the local sandbox, which the NetworkPolicy admits alone.
    'http_access allow all',
    'dns_defnames on',
    '',
  );
  return squidTail(lines);
}

function squidPreamble(port: number, source: string): string[] {
  const lines: string[] = [`# Rendered by dify-cdk8s from Dify 1.16.1 ${source}.`, ''];
  for (const src of SQUID_CLIENT_NETWORKS) lines.push(`acl client_localnet src ${src}`);
  for (const dst of SQUID_PRIVATE_DESTINATIONS) lines.push(`acl to_private_networks dst ${dst}`);
  lines.push('acl SSL_ports port 443');
  for (const p of SAFE_PORTS) lines.push(`acl Safe_ports port ${p}`);
  lines.push('acl CONNECT method CONNECT', 'acl allowed_domains dstdomain .marketplace.dify.ai', '');
  lines.push(`http_port ${port}`, '');
  return lines;
}

function squidTail(lines: string[]): string {
  lines.push(
    'tcp_outgoing_address 0.0.0.0',
    'pid_filename none',
    'coredump_dir /var/spool/squid',
    'refresh_pattern ^ftp: 1440 20% 10080',
    'refresh_pattern ^gopher: 1440 0% 1440',
    'refresh_pattern -i (/cgi-bin/|\\?) 0 0% 0',
    'refresh_pattern . 0 20% 4320',
    'client_request_buffer_max_size 100 MB',
    'max_filedescriptors 65536',
    'connect_timeout 30 seconds',
    'request_timeout 2 minutes',
    'read_timeout 2 minutes',
    'client_lifetime 5 minutes',
    'shutdown_lifetime 30 seconds',
    'server_persistent_connections on',
    'client_persistent_connections on',
    'persistent_request_timeout 30 seconds',
    'pconn_timeout 1 minute',
    'client_db on',
    'server_idle_pconn_timeout 2 minutes',
    'client_idle_pconn_timeout 2 minutes',
    'quick_abort_min 16 KB',
    'quick_abort_max 16 MB',
    'quick_abort_pct 95',
    'memory_cache_mode disk',
    'cache_mem 256 MB',
    'maximum_object_size_in_memory 512 KB',
    'dns_timeout 30 seconds',
    'dns_retransmit_interval 5 seconds',
    'logformat dify_log %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt',
    'access_log stdio:/dev/stdout dify_log',
    'cache_log stdio:/dev/stderr',
    '',
  );
  return lines.join('\n');
}
