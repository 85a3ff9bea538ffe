import { readFileSync } from 'fs';
import { join } from 'path';
import { isDeepStrictEqual } from 'util';
import { DifyProps, SecretKeyRef } from '../lib';
import {
  ENV_PARITY,
  EnvParity,
  PARITY_COMPONENT_LABELS,
  ParityComponent,
  ParityDelivery,
  PinnedParity,
  UNTYPED_CREDENTIALS,
  parityDeliveries,
  parityRoute,
} from '../lib/parity/env-parity';
import { renderParityMarkdown } from '../lib/parity/render';
import { PROBES, fixtureFor } from './parity-probes';
import { deliveredValue, envExampleKeys, matches, renderedComponent } from './parity-support';
import { difyDocs } from './util';

const KEYS = envExampleKeys();
const entries = (kind: EnvParity['kind']) => KEYS.filter((k) => ENV_PARITY[k]?.kind === kind);

/** The default installation. */
const DEFAULTS: Partial<DifyProps> = {};

/** Synthesizes once per distinct props object. */
const synthCache = new Map<unknown, Record<string, any>[]>();
function synth(props: Partial<DifyProps>): Record<string, any>[] {
  if (!synthCache.has(props)) synthCache.set(props, difyDocs(props).docs);
  return synthCache.get(props)!;
}

/** Fixture props (a component that is optional), overridden by `props`; the same object for the same inputs. */
const fixtureCache = new Map<string, Partial<DifyProps>>();
function withFixtures(key: string, props: Partial<DifyProps>, deliveries: ParityDelivery[]): Partial<DifyProps> {
  const fixtures = deliveries.map((d) => fixtureFor(key, d.component)).filter((f) => f !== undefined);
  if (!fixtures.length) return props;
  if (Object.keys(props).length) return Object.assign({}, ...fixtures, props);
  const id = JSON.stringify(fixtures);
  if (!fixtureCache.has(id)) fixtureCache.set(id, Object.assign({}, ...fixtures));
  return fixtureCache.get(id)!;
}

function expectedFor(expect: string | Partial<Record<ParityComponent, string>>, c: ParityComponent): string {
  const v = typeof expect === 'string' ? expect : expect[c];
  if (v === undefined) throw new Error(`no expected value for ${c}`);
  return v;
}

/** Checks one delivery in synthesized docs; returns a failure message or undefined. */
function check(key: string, d: ParityDelivery, docs: Record<string, any>[], expected: string): string | undefined {
  const where = `${key} -> ${d.component}${d.via === 'env' ? `:${d.name}` : `:${d.via}:${d.name}`}`;
  const rendered = renderedComponent(docs, d.component);
  const actual = rendered && deliveredValue(rendered, d, expected);
  if (matches(d, actual, expected)) return undefined;
  return `${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}${rendered ? '' : ' (component not deployed)'}`;
}

/**
 * `a` and `b` together, or undefined when they disagree: plain objects merge key by key; anything else
 * (values, arrays, class instances such as DifyStorage.s3()) must be equal where both set it.
 */
function mergeProps(a: Partial<DifyProps>, b: Partial<DifyProps>): Partial<DifyProps> | undefined {
  const plain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
  const merge = (x: unknown, y: unknown): { ok: boolean; value?: unknown } => {
    if (x === undefined) return { ok: true, value: y };
    if (y === undefined) return { ok: true, value: x };
    if (plain(x) && plain(y)) {
      const out: Record<string, unknown> = {};
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
        const m = merge(x[k], y[k]);
        if (!m.ok) return { ok: false };
        out[k] = m.value;
      }
      return { ok: true, value: out };
    }
    return isDeepStrictEqual(x, y) ? { ok: true, value: x } : { ok: false };
  };
  const m = merge(a, b);
  return m.ok ? (m.value as Partial<DifyProps>) : undefined;
}

describe('upstream env.example parity', () => {
  test("the vendored env.example is upstream's, with 255 distinct keys", () => {
    const vendored = readFileSync(join(__dirname, '..', 'vendor', 'dify-upstream', 'env.example'), 'utf8');
    expect(
      vendored.startsWith('# ------------------------------------------------------------------\n# Essential defaults for Docker Compose deployments.'),
    ).toBe(true);
    expect(KEYS).toHaveLength(255);
    expect(new Set(KEYS).size).toBe(255);
  });

  test('every key is classified, and nothing else is', () => {
    expect(KEYS.filter((k) => !(k in ENV_PARITY))).toEqual([]);
    expect(Object.keys(ENV_PARITY).filter((k) => !KEYS.includes(k))).toEqual([]);
    expect(Object.keys(ENV_PARITY)).toEqual(KEYS);
  });

  test('at most 10 keys are not applicable, each with a reason', () => {
    const na = entries('notApplicable');
    expect(na.length).toBeLessThanOrEqual(10);
    for (const k of na) expect((ENV_PARITY[k] as { reason: string }).reason.length).toBeGreaterThan(20);
  });

  test('every delivery names a known component and every typed key has a probe', () => {
    for (const k of KEYS) {
      const pinned = pinnedOf(ENV_PARITY[k]);
      for (const d of [...parityDeliveries(k, ENV_PARITY[k]), ...(pinned ? parityDeliveries(k, pinned) : [])])
        expect(PARITY_COMPONENT_LABELS).toHaveProperty(d.component);
    }
    expect(entries('typed').filter((k) => !PROBES[k])).toEqual([]);
    expect(Object.keys(PROBES).filter((k) => ENV_PARITY[k]?.kind !== 'typed')).toEqual([]);
  });

  test('typed keys: a non-default prop reaches every receiving component', () => {
    // Probes that set different props share one synthesis (halved until the combination is valid); a delivery
    // that fails there is checked again alone, so a probe is never judged by another's effect.
    type Probed = { key: string; deliveries: ParityDelivery[]; props: Partial<DifyProps> };
    const probed: Probed[] = entries('typed').map((key) => {
      const deliveries = parityDeliveries(key, ENV_PARITY[key]);
      return { key, deliveries, props: withFixtures(key, PROBES[key].props, deliveries) };
    });
    const batches: Array<{ props: Partial<DifyProps>; members: Probed[] }> = [];
    for (const p of probed) {
      const batch = batches.find((b) => mergeProps(b.props, p.props) !== undefined);
      if (batch) {
        batch.props = mergeProps(batch.props, p.props)!;
        batch.members.push(p);
      } else batches.push({ props: p.props, members: [p] });
    }
    expect(batches.length).toBeLessThan(probed.length / 4);
    const failures: string[] = [];
    const verify = (members: Probed[]): void => {
      let together: Record<string, any>[] | undefined;
      if (members.length > 1) {
        try {
          together = synth(members.map((m) => m.props).reduce((a, b) => mergeProps(a, b)!));
        } catch {
          // Props that are valid alone but not together: each half on its own.
          const half = Math.ceil(members.length / 2);
          verify(members.slice(0, half));
          verify(members.slice(half));
          return;
        }
      }
      for (const { key, deliveries, props } of members) {
        for (const d of deliveries) {
          const expected = expectedFor(PROBES[key].expect, d.component);
          const f = together && !check(key, d, together, expected) ? undefined : check(key, d, synth(props), expected);
          if (f) failures.push(f);
        }
      }
    };
    for (const b of batches) verify(b.members);
    expect(failures).toEqual([]);
  });

  test('typed keys: the probe value is not the default, so the prop is what sets it', () => {
    const same: string[] = [];
    for (const key of entries('typed')) {
      const probe = PROBES[key];
      for (const d of parityDeliveries(key, ENV_PARITY[key])) {
        const expected = expectedFor(probe.expect, d.component);
        const props = withFixtures(key, DEFAULTS, [d]);
        const r = renderedComponent(synth(props), d.component);
        if (r && matches(d, deliveredValue(r, d, expected), expected)) same.push(`${key}@${d.component}`);
      }
    }
    expect(same).toEqual([]);
  });

  test('fixed keys: rendered with the stated value in every receiving component', () => {
    const failures: string[] = [];
    for (const key of entries('fixed')) {
      const entry = ENV_PARITY[key] as { value: string };
      const deliveries = parityDeliveries(key, ENV_PARITY[key]);
      for (const d of deliveries) {
        const f = check(key, d, synth(withFixtures(key, DEFAULTS, [d])), entry.value);
        if (f) failures.push(f);
      }
    }
    expect(failures).toEqual([]);
  });

  test('extraEnv keys with a default: rendered with it in every receiving component until extraEnv sets them', () => {
    const failures: string[] = [];
    const defaulted = entries('extraEnv').filter((k) => (ENV_PARITY[k] as { default?: unknown }).default);
    expect(defaulted.length).toBeGreaterThan(20);
    for (const key of defaulted) {
      const entry = ENV_PARITY[key] as { default: { value: string; reason: string } };
      expect(entry.default.reason.length).toBeGreaterThan(20);
      for (const d of parityDeliveries(key, ENV_PARITY[key])) {
        const f = check(key, d, synth(withFixtures(key, DEFAULTS, [d])), entry.default.value);
        if (f) failures.push(f);
      }
    }
    expect(failures).toEqual([]);
  });

  test('fixed and not applicable keys together are at most 10', () => {
    expect([...entries('fixed'), ...entries('notApplicable')].length).toBeLessThanOrEqual(10);
  });

  test("extraEnv keys: the component's extraEnv route sets them", () => {
    // One installation per route, carrying every key of that route.
    const byRoute = new Map<string, Array<[string, ParityDelivery]>>();
    for (const key of entries('extraEnv')) {
      for (const d of parityDeliveries(key, ENV_PARITY[key])) {
        const route = parityRoute('extraEnv', d.component);
        byRoute.set(route, [...(byRoute.get(route) ?? []), [key, d]]);
      }
    }
    const failures: string[] = [];
    // A value each key accepts: a path the process writes must be writable (its runtime contract), so LOG_FILE goes under /tmp.
    // A path inside a volume (a default such as /app/storage/cwd, or OPENDAL_FS_ROOT's storage) stays under it.
    const valueFor = (key: string) => {
      if (key === 'LOG_FILE') return '/tmp/parity-log_file';
      const d = (ENV_PARITY[key] as { default?: { value: string } }).default?.value;
      if (d !== undefined && (d.startsWith('/') || key === 'OPENDAL_FS_ROOT')) return `${d}/parity-${key.toLowerCase()}`;
      return `parity-${key.toLowerCase()}`;
    };
    for (const [route, list] of byRoute) {
      // The variable is set under the name the component reads (GIN_MODE for SANDBOX_GIN_MODE).
      const props = routeProps(route, Object.fromEntries(list.map(([key, d]) => [d.name, valueFor(key)])));
      for (const [key, d] of list) {
        const f = check(key, d, synth(props), valueFor(key));
        if (f) failures.push(`${f} (via ${route})`);
      }
    }
    expect(failures).toEqual([]);
  });

  test('secretEnv keys and the untyped credentials: set by Secret reference on every component that reads them', () => {
    const failures: string[] = [];
    const targets: Record<string, readonly ParityComponent[]> = { ...UNTYPED_CREDENTIALS };
    for (const key of entries('secretEnv')) targets[key] = parityDeliveries(key, ENV_PARITY[key]).map((d) => d.component);
    // Every key of one route in one synthesis (distinct variable names cannot mask each other).
    const byRoute = new Map<string, Array<{ key: string; c: ParityComponent; ref: SecretKeyRef }>>();
    for (const [key, components] of Object.entries(targets)) {
      for (const c of components) {
        const route = parityRoute('secretEnv', c);
        const ref = SecretKeyRef.of('parity-integrations', key.toLowerCase().replace(/_/g, '-'));
        byRoute.set(route, [...(byRoute.get(route) ?? []), { key, c, ref }]);
      }
    }
    for (const [route, checks] of byRoute) {
      const docs = synth(routeProps(route, Object.fromEntries(checks.map(({ key, ref }) => [key, ref]))));
      for (const { key, c, ref } of checks) {
        const got = renderedComponent(docs, c)?.env.get(key);
        if (got !== `secret:${ref.secretName}/${ref.key}`) failures.push(`${key}@${c}: ${route} gives ${JSON.stringify(got)}`);
        const leaked = docs.filter((d) => d.kind === 'ConfigMap' && d.data && key in d.data).map((d) => d.metadata.name);
        if (leaked.length) failures.push(`${key} appears in ConfigMap(s) ${leaked.join(', ')}`);
      }
    }
    expect(byRoute.size).toBeLessThan(Object.keys(targets).length);
    expect(failures).toEqual([]);
  });

  test('the untyped credentials are refused as plain values on every extraEnv route', () => {
    const accepted: string[] = [];
    for (const [key, components] of Object.entries(UNTYPED_CREDENTIALS)) {
      for (const route of new Set([...components.map((c) => parityRoute('extraEnv', c)), ...components.map((c) => `components.${c}.extraEnv`)])) {
        try {
          difyDocs(routeProps(route, { [key]: 'plain-credential-value' }));
          accepted.push(`${key} via ${route}`);
        } catch (e) {
          expect(String(e)).not.toContain('plain-credential-value');
        }
      }
    }
    expect(accepted).toEqual([]);
  });

  test("pinned deliveries keep their stated value by default and whatever the key's route sets", () => {
    const failures: string[] = [];
    const pinnedKeys = KEYS.filter((k) => pinnedOf(ENV_PARITY[k]));
    for (const key of pinnedKeys) {
      const entry = ENV_PARITY[key];
      const p = pinnedOf(entry)!;
      // The route that sets the key for its other receivers: the probe, or every extraEnv route of the key.
      const routed =
        entry.kind === 'typed'
          ? [PROBES[key].props]
          : [...new Set(parityDeliveries(key, entry).map((d) => parityRoute('extraEnv', d.component)))].map((r) =>
              routeProps(r, { [key]: `parity-${key.toLowerCase()}` }),
            );
      for (const d of parityDeliveries(key, p)) {
        const atDefaults = check(key, d, synth(withFixtures(key, DEFAULTS, [d])), p.value);
        if (atDefaults) failures.push(`${atDefaults} (defaults)`);
        for (const props of routed) {
          const docs = synth(props);
          // A typed probe may leave the pinned component out (collaboration: false); the route must not change it where it runs.
          if (entry.kind === 'typed' && !renderedComponent(docs, d.component)) continue;
          const f = check(key, d, synth(props), p.value);
          if (f) failures.push(`${f} (with the key set through its route)`);
        }
      }
    }
    expect(pinnedKeys).toContain('REDIS_SOCKET_TIMEOUT');
    expect(failures).toEqual([]);
  });

  test('docs/parity.md is generated from the classification (npm run gen:parity)', () => {
    const committed = readFileSync(join(__dirname, '..', 'docs', 'parity.md'), 'utf8');
    expect(committed).toBe(renderParityMarkdown());
  });
});

/** The deliveries of a routed key that keep a value of their own. */
function pinnedOf(entry: EnvParity): PinnedParity | undefined {
  return entry.kind === 'typed' || entry.kind === 'extraEnv' ? entry.pinned : undefined;
}

/** Props that set `values` through `route` (`settings.extraEnv`, `settings.webExtraEnv` or `components.<c>.<extraEnv|secretEnv>`). */
function routeProps(route: string, values: Record<string, string | SecretKeyRef>): Partial<DifyProps> {
  const [head, a, b] = route.split('.');
  if (head === 'settings') return { settings: { [a]: values } };
  return { components: { [a]: { [b]: values } } } as Partial<DifyProps>;
}
