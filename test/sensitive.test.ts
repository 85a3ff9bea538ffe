import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { SENSITIVE_ENV_NAMES } from '../lib';

const SERVICES_JSON = join(__dirname, '..', 'vendor', 'dify-upstream', 'services.json');

/** Parses names out of services.json's curated entries such as "SERVER_KEY (plugin_daemon; = PLUGIN_DAEMON_KEY)". */
function upstreamNames(): Set<string> {
  const table = JSON.parse(readFileSync(SERVICES_JSON, 'utf8')).sensitive_env_names as Record<string, string[] | string>;
  const skip = new Set(['_note', 'low_sensitivity_or_public', 'hardcoded_in_compose', 'insecure_upstream_defaults_to_override']);
  const names = new Set<string>();
  for (const [category, entries] of Object.entries(table)) {
    if (skip.has(category) || !Array.isArray(entries)) continue;
    for (const entry of entries) {
      const head = entry.replace(/\(.*?\)/g, '');
      // "X_ID/SECRET" style shorthand expands to X_ID and X_SECRET.
      for (const part of head.split(/,|\s\/\s/)) {
        const tokens = part.trim().split('/');
        const first = tokens[0].trim();
        if (/^[A-Z][A-Z0-9_]+$/.test(first)) names.add(first);
        for (const t of tokens.slice(1)) {
          const s = t.trim();
          if (/^[A-Z][A-Z0-9_]+$/.test(s) && s.includes('_')) names.add(s);
          else if (/^[A-Z0-9_]+$/.test(s)) names.add(first.replace(/[A-Z0-9]+$/, s));
        }
      }
    }
  }
  return names;
}

describe('sensitive names', () => {
  test('the vendored upstream reference is present', () => expect(existsSync(SERVICES_JSON)).toBe(true));
  test('cover every credential name upstream lists', () => {
    const missing = [...upstreamNames()].filter((n) => !SENSITIVE_ENV_NAMES.has(n)).sort();
    expect(missing).toEqual([]);
  });
});

test('include the shared keys on both sides', () => {
  for (const n of [
    'SECRET_KEY',
    'CODE_EXECUTION_API_KEY',
    'API_KEY',
    'PLUGIN_DAEMON_KEY',
    'SERVER_KEY',
    'INNER_API_KEY_FOR_PLUGIN',
    'DIFY_INNER_API_KEY',
    'DB_PASSWORD',
    'POSTGRES_PASSWORD',
    'REDIS_PASSWORD',
    'CELERY_BROKER_URL',
  ]) {
    expect(SENSITIVE_ENV_NAMES.has(n)).toBe(true);
  }
});
