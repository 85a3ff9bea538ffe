import { Chart } from 'cdk8s';
import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { Certificate } from '../../imports/certificate-cert-manager.io';
import { metadataLabels } from '../core/labels';
import { invalid, validateDnsSubdomain, validateInt } from '../core/validation';
import { guardProps } from '../core/guard';

/** Kind of a cert-manager issuer. */
export type CertManagerIssuerKind = 'ClusterIssuer' | 'Issuer';

/** Props of {@link IngressTls.certManager}. */
export interface CertManagerTlsOptions {
  /** Name of the cert-manager issuer. */
  readonly issuer: string;
  /** Kind of the issuer. An `Issuer` must live in the installation's namespace. */
  readonly kind: CertManagerIssuerKind;
  /** Secret cert-manager writes the certificate to. @default "<instance>-tls" */
  readonly secretName?: string;
}

/** Where the TLS certificate of the public hosts comes from. */
export class IngressTls {
  /**
   * A cert-manager `Certificate` (cert-manager.io/v1) for every public host,
   * written to `secretName`.
   *
   * Why a Certificate object rather than the `cert-manager.io/cluster-issuer`
   * annotation (ingress-shim): it is reviewable in the manifests and checked
   * against the CRD schema; it also serves {@link DifyNginxProxy}, which has
   * no Ingress for the shim to watch; and a cluster without cert-manager fails
   * loudly at apply ("no matches for kind Certificate") instead of silently
   * serving the controller's fallback certificate. The CRD must be installed
   * before the manifests are applied.
   */
  public static certManager(options: CertManagerTlsOptions): IngressTls {
    guardProps('CertManagerTlsOptions', options, 'tls');
    validateDnsSubdomain('tls.issuer', options.issuer);
    if (options.kind !== 'ClusterIssuer' && options.kind !== 'Issuer') {
      invalid('tls.kind', options.kind, 'must be "ClusterIssuer" or "Issuer"');
    }
    if (options.secretName !== undefined) validateDnsSubdomain('tls.secretName', options.secretName);
    return new IngressTls(options.secretName, { name: options.issuer, kind: options.kind });
  }

  /** A `kubernetes.io/tls` Secret you manage (keys `tls.crt`, `tls.key`) covering every public host. */
  public static existingSecret(secretName: string): IngressTls {
    validateDnsSubdomain('tls.secretName', secretName);
    return new IngressTls(secretName, undefined);
  }

  private constructor(
    private readonly secretName: string | undefined,
    /** The cert-manager issuer, if cert-manager issues the certificate. */
    public readonly issuer: { readonly name: string; readonly kind: CertManagerIssuerKind } | undefined,
  ) {}

  /**
   * Returns the Secret holding the certificate for `hosts`, creating the
   * cert-manager Certificate under `scope` when cert-manager issues it. Bind
   * once per installation (one Ingress or one proxy), or the Certificate is
   * rendered twice.
   */
  public bind(scope: Construct, instance: string, hosts: string[]): string {
    const secretName = this.secretName ?? `${instance}-tls`;
    if (this.issuer) {
      new Certificate(scope, 'Certificate', {
        metadata: { name: secretName, labels: metadataLabels({ instance, component: 'tls' }) },
        spec: { secretName, dnsNames: hosts, issuerRef: { group: 'cert-manager.io', kind: this.issuer.kind, name: this.issuer.name } },
      });
    }
    return secretName;
  }
}

/**
 * Path prefixes of Dify's web app that are embedded into other sites by
 * design (the "embed on website" iframe). Dify's frontend leaves them without
 * X-Frame-Options and sends `DENY` on every other page; a proxy must not add
 * one to them.
 */
export const DIFY_EMBEDDABLE_PATH_PREFIXES: readonly string[] = ['/chat', '/workflow', '/completion', '/webapp-signin'];

/** Response security headers a proxy adds. */
export interface SecurityHeadersOptions {
  /** `X-Content-Type-Options: nosniff` on every response. @default true */
  readonly noSniff?: boolean;
  /**
   * `X-Frame-Options: SAMEORIGIN` on responses that carry none, never on
   * {@link DIFY_EMBEDDABLE_PATH_PREFIXES}, so website embedding keeps working.
   * @default true
   */
  readonly frameOptions?: boolean;
  /** `Strict-Transport-Security: max-age=<n>` when the URLs are https; 0 omits it. @default 31536000 (one year) */
  readonly hstsMaxAgeSeconds?: number;
}

/** {@link SecurityHeadersOptions} with defaults applied; `false` turns every header off. */
export interface ResolvedSecurityHeaders {
  readonly noSniff: boolean;
  readonly frameOptions: boolean;
  readonly hstsMaxAgeSeconds: number;
}

/** Applies defaults to and validates security header options. */
export function resolveSecurityHeaders(prop: string, o: SecurityHeadersOptions | false | undefined): ResolvedSecurityHeaders {
  if (o === false) return { noSniff: false, frameOptions: false, hstsMaxAgeSeconds: 0 };
  return {
    noSniff: o?.noSniff ?? true,
    frameOptions: o?.frameOptions ?? true,
    hstsMaxAgeSeconds: validateInt(`${prop}.hstsMaxAgeSeconds`, o?.hstsMaxAgeSeconds ?? 31536000, 0, 63072000),
  };
}

/** Props of {@link IngressSecurityHeaders.customHeaders}. */
export interface IngressCustomHeadersOptions {
  /**
   * Also send `X-Frame-Options: SAMEORIGIN`. ingress-nginx applies the
   * ConfigMap to every path of the Ingress and replaces the app's own value:
   * Dify's embeddable web-app pages would then refuse to load in other sites.
   * @default false
   */
  readonly frameOptions?: boolean;
}

/**
 * How {@link DifyIngress} gets response security headers from ingress-nginx.
 *
 * The default adds nothing to the Ingress, because no per-Ingress mechanism
 * works on a default ingress-nginx install: `configuration-snippet` is
 * disabled since v1.9 (`allow-snippet-annotations: false`) and rated Critical
 * (the admission webhook rejects the whole Ingress), and `custom-headers`
 * answers 503 on every path unless the cluster admin lists each header in the
 * controller's `global-allowed-response-headers`. HSTS needs no annotation:
 * ingress-nginx sends `Strict-Transport-Security` on every TLS host by default
 * (ConfigMap `hsts: "true"`), and Dify's frontend sends `X-Frame-Options: DENY`
 * itself on every page that is not meant to be embedded.
 */
export class IngressSecurityHeaders {
  /** Nothing on the Ingress: ingress-nginx's HSTS on TLS hosts and the frontend's own X-Frame-Options. */
  public static controllerDefaults(): IngressSecurityHeaders {
    return new IngressSecurityHeaders(undefined);
  }

  /**
   * A ConfigMap of response headers referenced by the
   * `nginx.ingress.kubernetes.io/custom-headers` annotation (ingress-nginx
   * v1.12+). The controller's ConfigMap must list them, e.g.
   * `global-allowed-response-headers: "X-Content-Type-Options,X-Frame-Options"`,
   * or ingress-nginx answers 503 on every path of the Ingress.
   */
  public static customHeaders(options: IngressCustomHeadersOptions = {}): IngressSecurityHeaders {
    guardProps('IngressCustomHeadersOptions', options, 'securityHeaders');
    const headers: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' };
    if (options.frameOptions) headers['X-Frame-Options'] = 'SAMEORIGIN';
    return new IngressSecurityHeaders(headers);
  }

  private constructor(
    /** The headers of the custom-headers ConfigMap, if any. */
    public readonly headers: Readonly<Record<string, string>> | undefined,
  ) {}

  /** Renders the ConfigMap under `scope` and returns the annotations to put on the Ingress. */
  public bind(scope: Construct, instance: string): Record<string, string> {
    if (!this.headers) return {};
    const namespace = Chart.of(scope).namespace;
    if (!namespace) {
      invalid(
        'ingress.securityHeaders',
        'customHeaders',
        'needs the chart\'s namespace: the custom-headers annotation names the ConfigMap as "<namespace>/<name>"',
      );
    }
    const name = `${instance}-security-headers`;
    new k8s.KubeConfigMap(scope, 'SecurityHeaders', {
      metadata: { name, labels: metadataLabels({ instance, component: 'ingress' }) },
      data: { ...this.headers },
    });
    return { 'nginx.ingress.kubernetes.io/custom-headers': `${namespace}/${name}` };
  }
}
