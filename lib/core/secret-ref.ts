import { k8s } from './k8s';
import { validateDnsSubdomain, invalid } from './validation';

const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/** A key of a Secret's or ConfigMap's data: letters, digits, '-', '_' and '.'. */
export function validateDataKey(prop: string, key: unknown, kind: 'Secret' | 'ConfigMap'): string {
  if (typeof key !== 'string' || !DATA_KEY.test(key) || key.length > 253) invalid(prop, key, `must be a ${kind} data key: letters, digits, '-', '_' and '.'`);
  return key;
}

/** A key of a Secret's or ConfigMap's data, and the name of the object (a DNS subdomain), for a `<Kind>KeyRef`. */
function validateKeyRef(kind: 'Secret' | 'ConfigMap', name: string, key: string): void {
  const ref = `${kind}KeyRef`;
  validateDnsSubdomain(`${ref}.${kind === 'Secret' ? 'secretName' : 'configMapName'}`, name);
  validateDataKey(`${ref}.key`, key, kind);
}

/**
 * A strong reference to one key of a Kubernetes Secret. Components receive
 * credentials only through these: the value never enters a manifest.
 */
export class SecretKeyRef {
  /** Reference `key` in the Secret named `secretName`. */
  public static of(secretName: string, key: string): SecretKeyRef {
    return new SecretKeyRef(secretName, key);
  }

  private constructor(
    public readonly secretName: string,
    public readonly key: string,
  ) {
    validateKeyRef('Secret', secretName, key);
  }

  /** The `valueFrom` source for a container env var. */
  public toEnvSource(): k8s.EnvVarSource {
    return { secretKeyRef: { name: this.secretName, key: this.key } };
  }

  public toString(): string {
    return `${this.secretName}/${this.key}`;
  }
}

/**
 * A strong reference to one key of a Kubernetes ConfigMap: public data a component reads as a file, such as a
 * CA bundle distributed by trust-manager.
 */
export class ConfigMapKeyRef {
  /** Reference `key` in the ConfigMap named `configMapName`. */
  public static of(configMapName: string, key: string): ConfigMapKeyRef {
    return new ConfigMapKeyRef(configMapName, key);
  }

  private constructor(
    public readonly configMapName: string,
    public readonly key: string,
  ) {
    validateKeyRef('ConfigMap', configMapName, key);
  }

  public toString(): string {
    return `configmap:${this.configMapName}/${this.key}`;
  }
}

/** A file a component reads: a Secret key (credentials, private keys) or a ConfigMap key (public data such as CA bundles). */
export type FileSource = SecretKeyRef | ConfigMapKeyRef;
