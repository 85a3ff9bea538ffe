import { SENSITIVE_ENV_NAMES } from '../lib';
import { ENVIRONMENTS, parseDocs, podSpecs, synthFiles } from './util';

// Upstream's insecure defaults (services.json insecure_upstream_defaults_to_override
// and the compose files): none of them may ever reach a manifest.
const UPSTREAM_DEFAULT_CREDENTIALS = [
  'difyai123456',
  'WVF5YThaHlkYwhGUSmCRgsX3tD5ngdN8pkih',
  'lYkiYYT6owG',
  'QaHbTe77CtuXmsfyhR7',
  'dify-agent-run-token-for-dev-only',
  'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY',
  'Difyai123456',
];
// Upstream's default sandbox key is also our sandbox's resource name, so it is checked as a value only.
const UPSTREAM_DEFAULT_SANDBOX_KEY = 'dify-sandbox';

/** A long token mixing letters and digits, as generated keys and passwords are. */
function looksLikeCredential(v: string): boolean {
  return /^[A-Za-z0-9+/=_-]{32,}$/.test(v) && /[0-9]/.test(v) && /[A-Za-z]/.test(v);
}

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('credentials in %s', (_name, env) => {
  const files = synthFiles(env);
  const docs = parseDocs(files);

  test('no ConfigMap holds a sensitive env name', () => {
    for (const cm of docs.filter((d) => d.kind === 'ConfigMap')) {
      for (const key of Object.keys(cm.data ?? {})) expect(SENSITIVE_ENV_NAMES.has(key)).toBe(false);
    }
  });

  test('no upstream default credential appears anywhere in the manifests', () => {
    const text = Object.values(files).join('\n');
    for (const value of UPSTREAM_DEFAULT_CREDENTIALS) expect(text).not.toContain(value);
    const values = [
      ...docs.filter((d) => d.kind === 'ConfigMap').flatMap((d) => Object.values(d.data ?? {})),
      ...podSpecs(docs).flatMap(({ spec }) => [...(spec.initContainers ?? []), ...spec.containers].flatMap((c: any) => (c.env ?? []).map((e: any) => e.value))),
    ];
    expect(values).not.toContain(UPSTREAM_DEFAULT_SANDBOX_KEY);
  });

  test('the manifests contain no Secret with data', () => {
    for (const s of docs.filter((d) => d.kind === 'Secret')) {
      expect(s.data ?? {}).toEqual({});
      expect(s.stringData ?? {}).toEqual({});
    }
  });

  test('no label or annotation value looks like a credential', () => {
    for (const d of docs) {
      const meta = [d.metadata, ...podSpecs([d]).map((p) => p.metadata)];
      for (const m of meta) {
        for (const [k, v] of Object.entries({ ...m.labels, ...m.annotations })) {
          expect(SENSITIVE_ENV_NAMES.has(k)).toBe(false);
          // Only the config checksum may be a long opaque string, and it is a sha256 of non-secret data.
          if (k !== 'checksum/config') expect({ k, v, credentialLike: looksLikeCredential(String(v)) }).toEqual({ k, v, credentialLike: false });
        }
      }
    }
  });

  test('every sensitive env var of every container comes from a secretKeyRef', () => {
    for (const { id, spec } of podSpecs(docs)) {
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        for (const e of c.env ?? []) {
          if (SENSITIVE_ENV_NAMES.has(e.name)) {
            expect({ id, name: e.name, value: e.value, from: Object.keys(e.valueFrom ?? {}) }).toEqual({
              id,
              name: e.name,
              value: undefined,
              from: ['secretKeyRef'],
            });
          }
        }
      }
    }
  });
});
