import { k8s } from './k8s';
import { validateDnsSubdomain, invalid } from './validation';

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

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
    validateDnsSubdomain('SecretKeyRef.secretName', secretName);
    if (!SECRET_KEY.test(key) || key.length > 253) {
      invalid('SecretKeyRef.key', key, "must be a Secret data key: letters, digits, '-', '_' and '.'");
    }
  }

  /** The `valueFrom` source for a container env var. */
  public toEnvSource(): k8s.EnvVarSource {
    return { secretKeyRef: { name: this.secretName, key: this.key } };
  }

  public toString(): string {
    return `${this.secretName}/${this.key}`;
  }
}
