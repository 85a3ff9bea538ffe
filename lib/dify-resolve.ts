import { DifySettings } from './config/settings';
import { DifyUrls } from './config/urls';
import { ExternalNetworks } from './config/reach';
import { validateCidr, validateDns1035Label } from './core/k8s-rules';
import { resolveImage } from './core/image';
import { invalid, validateDistinctHosts, validateDnsSubdomain, validatePort } from './core/validation';
import { DifyProps } from './dify-props';
import { DEFAULT_IMAGES, DifyImages } from './versions';

/** What {@link Dify} resolves from its props before creating anything. */
export interface ResolvedInstallation {
  readonly instance: string;
  readonly images: DifyImages;
  readonly pullSecrets: string[];
  readonly urls: DifyUrls;
  readonly settings: DifySettings;
  readonly embedded: { readonly postgres: boolean; readonly redis: boolean; readonly weaviate: boolean };
  readonly externalNetworks: ExternalNetworks;
}

/** Validates the installation-wide props and resolves their defaults, once. */
export function resolveInstallation(props: DifyProps): ResolvedInstallation {
  if (typeof props !== 'object' || props === null) invalid('props', props, 'must be an object with at least { host }');
  // Service names start with the instance and must be DNS-1035 labels: a letter first.
  const instance = validateDns1035Label('instance', props.instance ?? 'dify', 30);
  const requested: DifyImages = { ...DEFAULT_IMAGES, ...props.images };
  for (const k of Object.keys(props.images ?? {})) {
    if (!(k in DEFAULT_IMAGES))
      invalid(`images.${k}`, (props.images as Record<string, unknown>)[k], `must be one of ${Object.keys(DEFAULT_IMAGES).join(', ')}`);
  }
  for (const k of Object.keys(props.imageDigests ?? {})) {
    if (!(k in DEFAULT_IMAGES)) invalid(`imageDigests.${k}`, k, `must be one of ${Object.keys(DEFAULT_IMAGES).join(', ')}`);
  }
  const images = Object.fromEntries(
    Object.entries(requested).map(([k, image]) => [
      k,
      resolveImage(`images.${k}`, image, { registry: props.imageRegistry, digest: props.imageDigests?.[k as keyof DifyImages] }),
    ]),
  ) as unknown as DifyImages;
  if (props.imagePullSecrets !== undefined && !Array.isArray(props.imagePullSecrets))
    invalid('imagePullSecrets', props.imagePullSecrets, 'must be a list of Secret names');
  const pullSecrets = (props.imagePullSecrets ?? []).map((n, i) => validateDnsSubdomain(`imagePullSecrets[${i}]`, n));

  const exposures = [props.gateway && 'gateway', props.nginxProxy && 'nginxProxy', props.ingress && 'ingress'].filter(Boolean) as string[];
  if (exposures.length > 1) invalid(exposures[1], 'set', `conflicts with ${exposures[0]}: expose Dify through one of ingress, gateway and nginxProxy`);
  // biome-ignore lint/complexity/useOptionalChain: ingress may be `false`, which `?.` does not skip
  const tlsConfigured = Boolean((props.ingress && props.ingress.tls) || props.nginxProxy?.tls);
  if (props.tls === false && tlsConfigured) invalid('tls', false, 'contradicts the TLS configured on the ingress or nginx proxy; omit it or set true');
  const tls = props.tls ?? tlsConfigured;
  if (props.splitHosts && !props.apiHost) invalid('splitHosts', props.splitHosts, 'only applies with apiHost');
  validateDistinctHosts([
    { prop: 'host', host: props.host },
    { prop: 'apiHost', host: props.apiHost },
  ]);
  const urls = props.apiHost
    ? DifyUrls.split({ webHost: props.host, apiHost: props.apiHost, tls, ...props.splitHosts }, { webHost: 'host', apiHost: 'apiHost', prefix: 'splitHosts.' })
    : DifyUrls.fromHost(props.host, { tls });

  // An external service replaces the embedded one.
  const c = props.components ?? {};
  const conflicts: Array<[string, unknown, string, unknown]> = [
    ['externalDatabase', props.externalDatabase, 'postgres', props.postgres ?? c.postgres],
    ['externalRedis', props.externalRedis, 'redis', props.redis ?? c.redis],
    ['vectorStore', props.vectorStore, 'weaviate', props.weaviate ?? c.weaviate],
  ];
  for (const [external, set, embedded, embeddedOptions] of conflicts) {
    if (set && embeddedOptions) invalid(embedded, embeddedOptions, `configures the embedded ${embedded}, which ${external} replaces; remove one of the two`);
  }
  const np = props.networkPolicy || {};
  const external = np.externalServices ?? [];
  external.forEach((e, i) => {
    validateCidr(`networkPolicy.externalServices[${i}].cidr`, e.cidr);
    if (!Array.isArray(e.ports) || e.ports.length === 0) invalid(`networkPolicy.externalServices[${i}].ports`, e.ports, 'must list at least one port');
    e.ports.forEach((p, j) => validatePort(`networkPolicy.externalServices[${i}].ports[${j}]`, p));
  });
  for (const [name, ports] of [
    ['apiServer', np.apiServer?.ports],
    ['telemetry', np.telemetry?.ports],
  ] as const) {
    if (ports === undefined) continue;
    if (!Array.isArray(ports) || ports.length === 0) invalid(`networkPolicy.${name}.ports`, ports, 'must list at least one port');
    ports.forEach((p, j) => validatePort(`networkPolicy.${name}.ports[${j}]`, p));
  }
  (np.apiServer?.cidrs ?? []).forEach((c, i) => validateCidr(`networkPolicy.apiServer.cidrs[${i}]`, c));
  const externalNetworks = ExternalNetworks.byPort(external);

  return {
    instance,
    images,
    pullSecrets,
    urls,
    settings: new DifySettings(props.settings),
    embedded: { postgres: !props.externalDatabase, redis: !props.externalRedis, weaviate: !props.vectorStore },
    externalNetworks,
  };
}
