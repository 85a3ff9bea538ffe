import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { ServiceEndpoint } from '../config/connections';
import { SecretKeyRef } from '../core/secret-ref';
import { validateDnsSubdomain } from '../core/validation';
import { DifyCredentials, credentialsInSecret } from './credentials';
import { DifyExternalSecret, RemoteCredentialRefs, RemoteSecretRef } from './external-secrets';
import { DifySecretGenerator } from './secret-generator';

/** What a credential source provides once bound into an installation. */
export interface BoundSecrets {
  readonly credentials: DifyCredentials;
  /** Changes whenever where credentials come from changes (pinned versions included); rolls the pods that read them. */
  readonly version: string;
  /** Names of the Secrets pods read. */
  readonly secretNames: string[];
  /** Whether an in-cluster generator Job exists (it needs Kubernetes API egress). */
  readonly generated: boolean;
}

/** Context a credential source is bound in. */
export interface SecretsBindContext {
  readonly instance: string;
  /** Image with Python 3, for the generator. */
  readonly image: string;
  /** The embedded Redis, when there is one (the broker URL is derived from it). @default - external Redis */
  readonly redis?: ServiceEndpoint;
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** Where an in-cluster generator reaches the Kubernetes API. @default - any address on TCP 443 and 6443 */
  readonly apiServer?: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  /** Credentials the installation reads (store credentials only for embedded stores). @default - all */
  readonly required?: ReadonlyArray<keyof DifyCredentials>;
}

/** Props of {@link DifySecrets.external}. */
export interface ExternalSecretsOptions {
  readonly store: { readonly name: string; readonly kind?: 'SecretStore' | 'ClusterSecretStore' };
  readonly remoteRefs: RemoteCredentialRefs;
  /** Further keys to materialise in the same Secret (e.g. a managed store's password). @default {} */
  readonly extraKeys?: Record<string, RemoteSecretRef>;
  /** @default "<instance>-credentials" */
  readonly secretName?: string;
  /** @default "1h" */
  readonly refreshInterval?: string;
}

/**
 * Where an installation's credentials come from, chosen with a factory:
 * generated in the cluster (dev), Secrets you manage, or External Secrets.
 */
export abstract class DifySecrets {
  /** A Job creates `<instance>-credentials` with random values once (the dev default). */
  public static generated(options: { readonly secretName?: string } = {}): DifySecrets {
    return new (class extends DifySecrets {
      public bind(scope: Construct, ctx: SecretsBindContext): BoundSecrets {
        const g = new DifySecretGenerator(scope, 'SecretGenerator', {
          instance: ctx.instance,
          image: ctx.image,
          redis: ctx.redis,
          secretName: options.secretName,
          imagePullSecrets: ctx.imagePullSecrets,
          keys: ctx.required,
          apiServer: ctx.apiServer,
        });
        return { credentials: g.credentials, version: hashOf(g.credentials), secretNames: [g.secretName], generated: true };
      }
    })();
  }

  /**
   * Secrets you create (sealed-secrets, SOPS, Vault agent, by hand). By default every
   * credential is a key of `secretName` named as in CREDENTIAL_KEYS; `overrides` point any
   * credential at another Secret or key. Bump `rotation` after changing a value to roll the pods.
   */
  public static existing(secretName: string, options: { readonly overrides?: Partial<DifyCredentials>; readonly rotation?: string } = {}): DifySecrets {
    validateDnsSubdomain('secrets.existing.secretName', secretName);
    const credentials: DifyCredentials = { ...credentialsInSecret(secretName), ...options.overrides };
    return new (class extends DifySecrets {
      public bind(): BoundSecrets {
        const names = [...new Set(Object.values(credentials).map((r: SecretKeyRef) => r.secretName))].sort();
        return { credentials, version: hashOf({ credentials, rotation: options.rotation ?? '' }), secretNames: names, generated: false };
      }
    })();
  }

  /** An External Secrets Operator ExternalSecret per installation. */
  public static external(options: ExternalSecretsOptions): DifySecrets {
    return new (class extends DifySecrets {
      public bind(scope: Construct, ctx: SecretsBindContext): BoundSecrets {
        const es = new DifyExternalSecret(scope, 'ExternalSecret', { instance: ctx.instance, redis: ctx.redis, required: ctx.required, ...options });
        return { credentials: es.credentials, version: es.version, secretNames: [es.secretName], generated: false };
      }
    })();
  }

  /** Creates whatever the source needs in `scope`. */
  public abstract bind(scope: Construct, ctx: SecretsBindContext): BoundSecrets;
}

function hashOf(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value, (_k, v) => (v instanceof SecretKeyRef ? v.toString() : v)))
    .digest('hex')
    .slice(0, 16);
}
