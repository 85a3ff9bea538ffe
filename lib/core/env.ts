import { k8s } from './k8s';
import { SecretKeyRef } from './secret-ref';
import { hasUrlCredentials, isSensitiveEnvName } from './sensitive';
import { invalid, validateEnvName } from './validation';

/**
 * The environment of one component, split by where each value may live:
 * `plain` goes to the component's ConfigMap, `secrets` become `secretKeyRef`
 * env vars. Sensitive names can only be added as secrets.
 */
export class EnvSet {
  private readonly plainValues = new Map<string, string>();
  private readonly secretValues = new Map<string, SecretKeyRef>();

  /** Adds plain (non-credential) values. `undefined` values are skipped. */
  public plain(values: Record<string, string | number | boolean | undefined>, source = 'config'): this {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) continue;
      validateEnvName(`${source}.${name}`, name);
      if (isSensitiveEnvName(name)) {
        invalid(
          `${source}.${name}`,
          '<redacted>',
          `${name} is a credential (by upstream's list or by its name); pass it as a SecretKeyRef (secretEnv), never as plain config`,
        );
      }
      if (typeof value === 'string' && hasUrlCredentials(value)) {
        invalid(
          `${source}.${name}`,
          '<redacted>',
          'carries a password in its URL userinfo (scheme://user:password@host); pass it as a SecretKeyRef (secretEnv), never as plain config',
        );
      }
      this.plainValues.set(name, String(value));
    }
    return this;
  }

  /** Adds credential values by Secret reference. */
  public secret(values: Record<string, SecretKeyRef | undefined>): this {
    for (const [name, ref] of Object.entries(values)) {
      if (ref === undefined) continue;
      validateEnvName(`secretEnv.${name}`, name);
      this.secretValues.set(name, ref);
    }
    return this;
  }

  /** Merges another set into this one (later values win). */
  public merge(other: EnvSet): this {
    for (const [k, v] of other.plainValues) this.plainValues.set(k, v);
    for (const [k, v] of other.secretValues) this.secretValues.set(k, v);
    return this;
  }

  /** The plain value of `name`, if set. */
  public plainValue(name: string): string | undefined {
    return this.plainValues.get(name);
  }

  /** The Secret reference of `name`, if set. */
  public secretRef(name: string): SecretKeyRef | undefined {
    return this.secretValues.get(name);
  }

  public has(name: string): boolean {
    return this.plainValues.has(name) || this.secretValues.has(name);
  }

  /** Plain values sorted by name, for a ConfigMap. */
  public plainData(): Record<string, string> {
    return Object.fromEntries([...this.plainValues.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Secret-backed env vars sorted by name. */
  public secretEnv(): k8s.EnvVar[] {
    return [...this.secretValues.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, ref]) => ({ name, valueFrom: ref.toEnvSource() }));
  }

  /** The Secrets (name -> keys) this environment reads. */
  public secretRefs(): SecretKeyRef[] {
    return [...this.secretValues.values()];
  }
}
