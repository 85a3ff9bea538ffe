import { createHash } from 'crypto';
import { k8s } from './k8s';
import { ConfigMapKeyRef, FileSource, SecretKeyRef } from './secret-ref';
import { hasUrlCredentials, isSensitiveEnvName, jsonCredentialKey } from './sensitive';
import { invalid, validateEnvName } from './validation';

/** Where a file source is mounted: `/etc/dify/files/secrets/<Secret>/<key>` or `/etc/dify/files/configmaps/<ConfigMap>/<key>`. */
export function mountedFilePath(ref: FileSource): string {
  return `${fileDir(ref)}/${ref.key}`;
}

function fileDir(ref: FileSource): string {
  return ref instanceof ConfigMapKeyRef ? `${FILES_DIR}/configmaps/${ref.configMapName}` : `${FILES_DIR}/secrets/${ref.secretName}`;
}

const FILES_DIR = '/etc/dify/files';

/** `name`, or `name` and the name it equals ignoring case (which Dify reads as one), for messages. */
export function sameName(name: string, existing: string): string {
  return name === existing ? name : `${name} is ${existing} in another letter case (Dify reads environment names case-insensitively), and ${existing}`;
}

/**
 * The environment of one component, split by where each value may live:
 * `plain` goes to the component's ConfigMap, `secrets` become `secretKeyRef`
 * env vars, `file` mounts a Secret or ConfigMap key read-only and puts its
 * path in a plain variable. Sensitive names can only be added as secrets.
 */
export class EnvSet {
  private readonly plainValues = new Map<string, string>();
  private readonly secretValues = new Map<string, SecretKeyRef>();
  private readonly fileValues = new Map<string, FileSource>();
  private readonly mountedRefs = new Map<string, FileSource>();
  /** Plain names holding the component's default, which `extraEnv` may replace. */
  private readonly defaultNames = new Set<string>();

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
      const jsonKey = typeof value === 'string' ? jsonCredentialKey(value) : undefined;
      if (jsonKey !== undefined) {
        invalid(
          `${source}.${name}`,
          value,
          `carries a credential in its JSON key "${jsonKey}"; pass the value as a SecretKeyRef (secretEnv), never as plain config`,
        );
      }
      if (typeof value === 'string' && hasUrlCredentials(value)) {
        invalid(
          `${source}.${name}`,
          value,
          'carries a credential in URL userinfo (scheme://user:password@host or scheme://token@host, alone, inside a longer value or in JSON); pass it as a SecretKeyRef (secretEnv), never as plain config',
        );
      }
      this.plainValues.set(name, String(value));
      this.fileValues.delete(name);
      this.defaultNames.delete(name);
    }
    return this;
  }

  /**
   * Adds plain values that are the component's defaults: an `extraEnv` of the same name replaces them
   * (where {@link plain} values are refused there). For settings upstream exposes that nothing else in the
   * installation depends on, such as a locale or a data path inside a volume.
   */
  public defaults(values: Record<string, string | number | boolean | undefined>, source = 'config'): this {
    this.plain(values, source);
    for (const [name, value] of Object.entries(values)) if (value !== undefined) this.defaultNames.add(name);
    return this;
  }

  /** Whether `name` holds a default that `extraEnv` may replace (see {@link defaults}). */
  public isDefault(name: string): boolean {
    return this.defaultNames.has(name);
  }

  /** Adds credential values by Secret reference. */
  public secret(values: Record<string, SecretKeyRef | undefined>): this {
    for (const [name, ref] of Object.entries(values)) {
      if (ref === undefined) continue;
      validateEnvName(`secretEnv.${name}`, name);
      this.secretValues.set(name, ref);
      this.defaultNames.delete(name);
    }
    return this;
  }

  /**
   * Adds variables that name a file: each Secret or ConfigMap key is mounted read-only at
   * {@link mountedFilePath} in the pods that use this environment, and the
   * variable holds that path (a path, not the content: it may be plain).
   */
  public file(values: Record<string, FileSource | undefined>): this {
    for (const [name, ref] of Object.entries(values)) {
      if (ref === undefined) continue;
      validateEnvName(`files.${name}`, name);
      this.plainValues.set(name, mountedFilePath(ref));
      this.fileValues.set(name, ref);
      this.defaultNames.delete(name);
    }
    return this;
  }

  /**
   * Mounts a Secret or ConfigMap key as a file (as {@link file} does) without a variable of its own, and returns its path,
   * for a value that embeds the path (e.g. `DB_EXTRAS=…&sslrootcert=<path>`).
   */
  public mountFile(ref: FileSource): string {
    this.mountedRefs.set(String(ref), ref);
    return mountedFilePath(ref);
  }

  /** Merges another set into this one (later values win). */
  public merge(other: EnvSet): this {
    for (const [k, v] of other.plainValues) {
      this.plainValues.set(k, v);
      this.fileValues.delete(k);
      if (other.defaultNames.has(k)) this.defaultNames.add(k);
      else this.defaultNames.delete(k);
    }
    for (const [k, v] of other.secretValues) {
      this.secretValues.set(k, v);
      this.defaultNames.delete(k);
    }
    for (const [k, v] of other.fileValues) this.fileValues.set(k, v);
    for (const [k, v] of other.mountedRefs) this.mountedRefs.set(k, v);
    return this;
  }

  /** The plain value of `name`, if set. */
  public plainValue(name: string): string | undefined {
    return this.plainValues.get(name);
  }

  /** The Secret or ConfigMap key mounted as the file `name` names (see {@link file}), if set. */
  public fileSource(name: string): FileSource | undefined {
    return this.fileValues.get(name);
  }

  /** The Secret reference of `name`, if set. */
  public secretRef(name: string): SecretKeyRef | undefined {
    return this.secretValues.get(name);
  }

  public has(name: string): boolean {
    return this.plainValues.has(name) || this.secretValues.has(name);
  }

  /**
   * The name this set holds that equals `name` ignoring letter case, if any:
   * Dify's settings (pydantic-settings, case_sensitive off: api/configs/app_config.py)
   * and proxies' `http_proxy`/`HTTP_PROXY` read names case-insensitively, so
   * `db_host` beside `DB_HOST` is the same setting twice.
   */
  public nameLike(name: string): string | undefined {
    if (this.has(name)) return name;
    const upper = name.toUpperCase();
    for (const n of [...this.plainValues.keys(), ...this.secretValues.keys()]) if (n.toUpperCase() === upper) return n;
    return undefined;
  }

  /** Plain values sorted by name, for a ConfigMap. */
  public plainData(): Record<string, string> {
    return Object.fromEntries([...this.plainValues.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Secret-backed env vars sorted by name. */
  public secretEnv(): k8s.EnvVar[] {
    return [...this.secretValues.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, ref]) => ({ name, valueFrom: ref.toEnvSource() }));
  }

  /** The Secrets (name -> keys) this environment reads, as env vars and as files. */
  public secretRefs(): SecretKeyRef[] {
    const files = [...this.fileValues.values(), ...this.mountedRefs.values()].filter((r): r is SecretKeyRef => r instanceof SecretKeyRef);
    return [...this.secretValues.values(), ...files];
  }

  /** The Secret and ConfigMap keys read as files, sorted. */
  public fileRefs(): FileSource[] {
    const refs = [...this.fileValues.values(), ...this.mountedRefs.values()];
    return [...new Map(refs.map((r) => [String(r), r])).values()].sort((a, b) => String(a).localeCompare(String(b)));
  }

  /**
   * A read-only volume per Secret or ConfigMap read as files (only the keys read; Secret files 0440, readable
   * through the pod's fsGroup, ConfigMap files 0444) and the mounts of the containers using this environment.
   */
  public fileVolumes(): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
    const bySource = new Map<string, FileSource[]>();
    for (const r of this.fileRefs()) bySource.set(fileDir(r), [...(bySource.get(fileDir(r)) ?? []), r]);
    const volumes: k8s.Volume[] = [];
    const mounts: k8s.VolumeMount[] = [];
    for (const [dir, refs] of bySource) {
      // A volume name is a DNS label; an object name may be a longer subdomain.
      const name = `files-${createHash('sha256').update(dir).digest('hex').slice(0, 10)}`;
      const items = refs.map((r) => ({ key: r.key, path: r.key }));
      const first = refs[0];
      volumes.push(
        first instanceof ConfigMapKeyRef
          ? { name, configMap: { name: first.configMapName, items, defaultMode: 0o444 } }
          : { name, secret: { secretName: first.secretName, items, defaultMode: 0o440 } },
      );
      mounts.push({ name, mountPath: dir, readOnly: true });
    }
    return { volumes, mounts };
  }
}
