import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServiceEndpoint } from '../config/connections';
import { metadataLabels } from '../core/labels';
import { validateDnsSubdomain, validateHostname } from '../core/validation';
import { DIFY_ROUTES, RouteTarget } from './routes';

/** Props of {@link DifyIngress}. */
export interface DifyIngressProps {
  readonly instance: string;
  /** The host every route is served on. */
  readonly host: string;
  /** The backends. */
  readonly backends: { readonly [K in RouteTarget]: ServiceEndpoint };
  /** IngressClass. @default "nginx" */
  readonly ingressClassName?: string;
  /** Request body limit (upstream client_max_body_size). @default "100m" */
  readonly maxBodySize?: string;
  /** Extra annotations, merged over the defaults. @default {} */
  readonly annotations?: Record<string, string>;
}

/**
 * One Ingress reproducing upstream's nginx route table, with the streaming
 * settings Dify relies on as ingress-nginx annotations: no proxy buffering
 * (server-sent events), 3600 s read and send timeouts, 100 MB bodies.
 */
export class DifyIngress extends Construct {
  /** ingress-nginx annotations mirroring upstream's proxy.conf and nginx.conf. */
  public static streamingAnnotations(maxBodySize: string): Record<string, string> {
    return {
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
      'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-body-size': maxBodySize,
      'nginx.ingress.kubernetes.io/proxy-http-version': '1.1',
    };
  }

  public readonly ingress: k8s.KubeIngress;
  public readonly ingressClassName: string;

  constructor(scope: Construct, id: string, props: DifyIngressProps) {
    super(scope, id);
    validateHostname('ingress.host', props.host);
    this.ingressClassName = validateDnsSubdomain('ingress.ingressClassName', props.ingressClassName ?? 'nginx');
    const maxBody = props.maxBodySize ?? '100m';
    if (!/^[0-9]+[kmg]?$/.test(maxBody)) throw new Error(`ingress.maxBodySize: got ${JSON.stringify(maxBody)}; must be an nginx size such as "100m"`);
    this.ingress = new k8s.KubeIngress(this, 'Resource', {
      metadata: {
        name: props.instance,
        labels: metadataLabels({ instance: props.instance, component: 'ingress' }),
        annotations: { ...DifyIngress.streamingAnnotations(maxBody), ...props.annotations },
      },
      spec: {
        ingressClassName: this.ingressClassName,
        rules: [{
          host: props.host,
          http: {
            paths: DIFY_ROUTES.map((r) => ({
              path: r.path,
              pathType: 'Prefix',
              backend: { service: { name: props.backends[r.target].host, port: { number: props.backends[r.target].port } } },
            })),
          },
        }],
      },
    });
  }
}
