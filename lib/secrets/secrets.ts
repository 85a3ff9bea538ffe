import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { ServiceEndpoint } from '../config/connections';
import { SecretKeyRef } from '../core/secret-ref';
import { invalid, validateDnsSubdomain } from '../core/validation';
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
  /** The sandbox's key in its own namespace, when the context has `sandbox`. */
  readonly sandbox?: SandboxSecrets;
}

/** The Secret of a sandbox namespace: only the sandbox API key. */
export interface SandboxSecrets {
  /** API_KEY of the sandbox: the same value as the installation's `sandboxApiKey`. */
  readonly apiKey: SecretKeyRef;
  readonly secretNames: string[];
  /** Changes whenever where the key comes from changes. */
  readonly version: string;
}

/** Name of the Secret in the sandbox namespace. */
export function sandboxSecretName(instance: string): string {
  return `${instance}-sandbox-credentials`;
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
  /**
   * The sandbox runs in a namespace of its own: `scope` is in a chart of that
   * namespace, where its Secret (`<instance>-sandbox-credentials`, only the
   * sandbox key) is created or expected. @default - the sandbox reads the installation's Secret
   */
  readonly sandbox?: { readonly scope: Construct };
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
  /**
   * With `sandboxNamespace`: the store the sandbox namespace's ExternalSecret reads
   * the sandbox key from (a SecretStore must exist in that namespace).
   * @default - `store`, which must then be a ClusterSecretStore
   */
  readonly sandboxStore?: { readonly name: string; readonly kind?: 'SecretStore' | 'ClusterSecretStore' };
}

/** Options of {@link DifySecrets.existing}. */
export interface ExistingSecretsOptions {
  /** Point any credential at another Secret or key. @default - every key in `secretName` */
  readonly overrides?: Partial<DifyCredentials>;
  /** Bump after changing a value to roll the pods that read it. @default "" */
  readonly rotation?: string;
  /**
   * With `sandboxNamespace`: the Secret there holding the sandbox key (under the key
   * the installation's `sandboxApiKey` uses, `sandbox-api-key` by default), same value. @default "<instance>-sandbox-credentials"
   */
  readonly sandboxSecretName?: string;
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
        const mirror = ctx.sandbox && { scope: ctx.sandbox.scope, secretName: sandboxSecretName(ctx.instance), keys: ['sandboxApiKey' as const] };
        const g = new DifySecretGenerator(scope, 'SecretGenerator', {
          instance: ctx.instance,
          image: ctx.image,
          redis: ctx.redis,
          secretName: options.secretName,
          imagePullSecrets: ctx.imagePullSecrets,
          keys: ctx.required,
          apiServer: ctx.apiServer,
          mirror,
        });
        const sandbox = mirror && {
          apiKey: SecretKeyRef.of(mirror.secretName, g.credentials.sandboxApiKey.key),
          secretNames: [mirror.secretName],
          version: hashOf({ generated: mirror.secretName }),
        };
        return { credentials: g.credentials, version: hashOf(g.credentials), secretNames: [g.secretName], generated: true, sandbox };
      }
    })();
  }

  /**
   * Secrets you create (sealed-secrets, SOPS, Vault agent, by hand). By default every
   * credential is a key of `secretName` named as in CREDENTIAL_KEYS; `overrides` point any
   * credential at another Secret or key. Bump `rotation` after changing a value to roll the pods.
   * With `sandboxNamespace`, also create `sandboxSecretName` in that namespace holding only the sandbox key.
   */
  public static existing(secretName: string, options: ExistingSecretsOptions = {}): DifySecrets {
    validateDnsSubdomain('secrets.existing.secretName', secretName);
    if (options.sandboxSecretName !== undefined) validateDnsSubdomain('secrets.existing.sandboxSecretName', options.sandboxSecretName);
    const credentials: DifyCredentials = { ...credentialsInSecret(secretName), ...options.overrides };
    return new (class extends DifySecrets {
      public bind(_scope: Construct, ctx: SecretsBindContext): BoundSecrets {
        const names = [...new Set(Object.values(credentials).map((r: SecretKeyRef) => r.secretName))].sort();
        const rotation = options.rotation ?? '';
        const sandboxName = options.sandboxSecretName ?? sandboxSecretName(ctx.instance);
        const sandbox = ctx.sandbox && {
          apiKey: SecretKeyRef.of(sandboxName, credentials.sandboxApiKey.key),
          secretNames: [sandboxName],
          version: hashOf({ secret: sandboxName, key: credentials.sandboxApiKey.key, rotation }),
        };
        return { credentials, version: hashOf({ credentials, rotation }), secretNames: names, generated: false, sandbox };
      }
    })();
  }

  /** An External Secrets Operator ExternalSecret per installation. */
  public static external(options: ExternalSecretsOptions): DifySecrets {
    return new (class extends DifySecrets {
      public bind(scope: Construct, ctx: SecretsBindContext): BoundSecrets {
        const { sandboxStore, ...main } = options;
        const es = new DifyExternalSecret(scope, 'ExternalSecret', { instance: ctx.instance, redis: ctx.redis, required: ctx.required, ...main });
        let sandbox: SandboxSecrets | undefined;
        if (ctx.sandbox) {
          const store = sandboxStore ?? options.store;
          if (!sandboxStore && store.kind !== 'ClusterSecretStore') {
            invalid(
              'secrets.external.store.kind',
              store.kind ?? 'SecretStore',
              'serves only its own namespace, and the sandbox namespace needs the sandbox key too: use a ClusterSecretStore, or give sandboxStore (a store that exists in the sandbox namespace)',
            );
          }
          const sandboxEs = new DifyExternalSecret(ctx.sandbox.scope, 'SandboxExternalSecret', {
            instance: ctx.instance,
            store,
            remoteRefs: { sandboxApiKey: options.remoteRefs.sandboxApiKey },
            required: ['sandboxApiKey'],
            secretName: sandboxSecretName(ctx.instance),
            refreshInterval: options.refreshInterval,
          });
          sandbox = { apiKey: sandboxEs.credentials.sandboxApiKey, secretNames: [sandboxEs.secretName], version: sandboxEs.version };
        }
        return { credentials: es.credentials, version: es.version, secretNames: [es.secretName], generated: false, sandbox };
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
