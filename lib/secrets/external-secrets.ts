import { createHash } from 'crypto';
import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetTemplateEngineVersion,
} from '../../imports/externalsecret-external-secrets.io';
import { ServiceEndpoint } from '../config/connections';
import { keepAnnotations } from '../core/lifecycle';
import { metadataLabels } from '../core/labels';
import { invalid, renderValue, validateDnsSubdomain } from '../core/validation';
import { registerAppCheck } from '../core/collisions';
import { secretKeyReaders } from './secret-readers';
import { CREDENTIALS, CREDENTIAL_KEYS, CREDENTIAL_NAMES, CredentialName, CredentialSpec, credentialsInSecret, DifyCredentials } from './credentials';
import { guardProps } from '../core/guard';

/** Where one credential lives in the external store. */
export interface RemoteSecretRef {
  /** Key (path or name) in the provider. */
  readonly key: string;
  /** Property inside a structured (JSON) value. @default - the whole value */
  readonly property?: string;
  /** Provider version to pin; changing it rolls every pod that reads the credential. @default - latest */
  readonly version?: string;
}

/**
 * Remote locations of the credentials, one optional entry per row of
 * {@link CREDENTIALS}; every credential the installation needs must be
 * located (checked at synth). The broker URL is derived from the Redis
 * password unless given (e.g. a Sentinel URL).
 */
export type RemoteCredentialRefs = { readonly [K in CredentialName]?: RemoteSecretRef };

/** Props of {@link DifyExternalSecret}. */
export interface DifyExternalSecretProps {
  readonly instance: string;
  /** The SecretStore or ClusterSecretStore to read from. */
  readonly store: { readonly name: string; readonly kind?: 'SecretStore' | 'ClusterSecretStore' };
  readonly remoteRefs: RemoteCredentialRefs;
  /** Further keys to materialise in the same Secret. @default {} */
  readonly extraKeys?: Record<string, RemoteSecretRef>;
  /** The embedded Redis Service the broker URL points at. @default - no derived broker URL */
  readonly redis?: ServiceEndpoint;
  /** Credentials the installation reads; each must be located. @default - all but the derived broker URL */
  readonly required?: ReadonlyArray<CredentialName>;
  /** Target Secret name. @default "<instance>-credentials" */
  readonly secretName?: string;
  /** How often ESO re-reads the store. @default "1h" */
  readonly refreshInterval?: string;
}

/**
 * An External Secrets Operator `ExternalSecret` that materialises every
 * credential into one Secret with the {@link CREDENTIAL_KEYS} layout. The
 * Celery broker URL is rendered by ESO's template engine from the Redis
 * password, URL-encoded, so passwords with `@ / :` work. The rendered spec's
 * hash is exposed as `version` for the pod rotation annotation.
 */
export class DifyExternalSecret extends Construct {
  public readonly secretName: string;
  public readonly credentials: DifyCredentials;
  /** Changes whenever the store, a remote key, property or pinned version changes. */
  public readonly version: string;

  constructor(scope: Construct, id: string, props: DifyExternalSecretProps) {
    super(scope, id);
    guardProps('DifyExternalSecretProps', props);
    this.secretName = validateDnsSubdomain('externalSecret.secretName', props.secretName ?? `${props.instance}-credentials`);
    validateDnsSubdomain('externalSecret.store.name', props.store.name);
    const refresh = props.refreshInterval ?? '1h';
    if (!/^([0-9]+(ns|us|ms|s|m|h))+$/.test(refresh)) invalid('externalSecret.refreshInterval', refresh, 'must be a Go duration such as "1h" or "15m"');
    const refs: Array<[string, RemoteSecretRef | undefined]> = [
      ...Object.entries(props.remoteRefs).map(
        ([credential, ref]) => [CREDENTIAL_KEYS[credential as keyof DifyCredentials], ref] as [string, RemoteSecretRef | undefined],
      ),
      ...Object.entries(props.extraKeys ?? {}),
    ];
    const data = refs
      .map(([secretKey, ref]) => {
        if (!secretKey) invalid('externalSecret.remoteRefs', Object.keys(props.remoteRefs).sort(), `may only name ${Object.keys(CREDENTIAL_KEYS).join(', ')}`);
        if (!/^[-._a-zA-Z0-9]+$/.test(secretKey)) invalid(`externalSecret.extraKeys.${secretKey}`, secretKey, 'must be a Secret data key');
        if (!ref?.key) invalid(`externalSecret.remoteRefs.${secretKey}.key`, ref?.key, 'must name the key of the credential in the provider');
        return { secretKey, remoteRef: { key: ref.key, property: ref.property, version: ref.version } };
      })
      .sort((a, b) => a.secretKey.localeCompare(b.secretKey));
    // Redis URLs (Celery broker, agent backend) are derived from the embedded Redis password unless located.
    const derived = CREDENTIAL_NAMES.filter(
      (k) => (CREDENTIALS[k] as CredentialSpec).derived !== undefined && props.redis !== undefined && props.remoteRefs[k] === undefined,
    );
    const required = (props.required ?? CREDENTIAL_NAMES).filter((k) => !derived.includes(k));
    const unlocated = required.filter((k) => props.remoteRefs[k] === undefined);

    const template: Record<string, string> = Object.fromEntries(data.map((d) => [d.secretKey, `{{ index . "${d.secretKey}" }}`]));
    const wanted = new Set(props.required ?? CREDENTIAL_NAMES);
    for (const k of derived.filter((d) => wanted.has(d))) {
      if (!props.remoteRefs.redisPassword) continue;
      // urlquery encodes a space as "+", which Celery's URL parser keeps; spell it %20.
      template[CREDENTIAL_KEYS[k]] =
        `redis://:{{ index . "${CREDENTIAL_KEYS.redisPassword}" | urlquery | replace "+" "%20" }}@${props.redis!.host}:${props.redis!.port}/${(CREDENTIALS[k] as CredentialSpec).derived!.redisDb}`;
    }
    const spec = {
      refreshInterval: refresh,
      secretStoreRef: {
        name: props.store.name,
        kind:
          props.store.kind === 'ClusterSecretStore'
            ? ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE
            : ExternalSecretSpecSecretStoreRefKind.SECRET_STORE,
      },
      target: {
        name: this.secretName,
        creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
        template: { engineVersion: ExternalSecretSpecTargetTemplateEngineVersion.V2, data: template },
      },
      data,
    };
    new ExternalSecret(this, 'Resource', {
      // The credentials outlive the workloads: deleting the ExternalSecret would delete the Secret it owns.
      metadata: { name: this.secretName, labels: metadataLabels({ instance: props.instance, component: 'credentials' }), annotations: keepAnnotations() },
      spec,
    });
    this.version = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
    this.credentials = credentialsInSecret(this.secretName);
    // ESO owns the Secret: it holds exactly the template's keys. Checked at synth, when every reader exists.
    const provided = new Set(Object.keys(template));
    registerAppCheck(this, `external-secret:${this.node.path}`, (root) => this.missingKeys(root, provided, unlocated, Object.keys(props.remoteRefs).sort()));
  }

  /** One message listing every key pods read from the Secret (or the installation requires) that it does not provide. */
  private missingKeys(root: IConstruct, provided: Set<string>, unlocated: readonly CredentialName[], given: string[]): string[] {
    let namespace: string | undefined;
    try {
      namespace = Chart.of(this).namespace;
    } catch {
      namespace = undefined;
    }
    const readers = secretKeyReaders(root, namespace, this.secretName);
    const missing = new Set([...unlocated.map((k) => CREDENTIAL_KEYS[k]), ...[...readers.keys()].filter((k) => !provided.has(k))]);
    if (missing.size === 0) return [];
    const byKey = new Map(CREDENTIAL_NAMES.map((n) => [CREDENTIAL_KEYS[n], n]));
    const parts = [...missing].sort().map((key) => {
      const who = readers.get(key) ?? [];
      const read = who.length ? `, read as ${who.slice(0, 3).join(', ')}${who.length > 3 ? ` and ${who.length - 3} more` : ''}` : '';
      const credential = byKey.get(key);
      return `${credential ?? `extraKeys["${key}"]`} (key ${key}${read})`;
    });
    return [
      `externalSecret.remoteRefs: got ${renderValue(given)}; must locate every key the installation reads from Secret "${this.secretName}"; missing ${parts.join(', ')}`,
    ];
  }
}
