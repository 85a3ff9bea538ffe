import { readFileSync } from 'fs';
import { join } from 'path';
import { DifyProps, DifySettings, SecretKeyRef } from '../lib';
import {
  AWAITING_WIRING, ENV_PARITY, EnvParity, PARITY_COMPONENT_LABELS, ParityComponent, ParityDelivery, UNTYPED_CREDENTIALS, parityDeliveries, parityRoute,
} from '../lib/parity/env-parity';
import { renderParityMarkdown } from '../lib/parity/render';
import { PROBES, fixtureFor } from './parity-probes';
import { Rendered, deliveredValue, envExampleKeys, matches, renderedArgs, renderedComponent, renderedEnvSet } from './parity-support';
import { difyDocs } from './util';

const KEYS = envExampleKeys();
const entries = (kind: EnvParity['kind']) => KEYS.filter((k) => ENV_PARITY[k]?.kind === kind);

/** The settings renderer of each component with deliveries in AWAITING_WIRING. */
const RENDERERS: Partial<Record<ParityComponent, (s: DifySettings) => Rendered>> = {
  web: (s) => renderedEnvSet(s.webEnv()),
  sandbox: (s) => renderedEnvSet(s.sandboxEnv()),
  pluginDaemon: (s) => renderedEnvSet(s.pluginDaemonEnv()),
  postgres: (s) => renderedArgs(s.postgresArgs()),
  weaviate: (s) => renderedEnvSet(s.weaviateEnv()),
  apiWebsocket: (s) => renderedEnvSet(s.processEnv('apiWebsocket')),
};

/** The renderer standing in for a delivery that awaits wiring. */
function awaiting(id: string, c: ParityComponent): ((s: DifySettings) => Rendered) | undefined {
  if (!AWAITING_WIRING.includes(id)) return undefined;
  const r = RENDERERS[c];
  if (!r) throw new Error(`${id} awaits wiring but ${c} has no settings renderer`);
  return r;
}

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

/** Checks one delivery; returns a failure message or undefined. */
function check(key: string, d: ParityDelivery, props: Partial<DifyProps>, expected: string): string | undefined {
  const where = `${key} -> ${d.component}${d.via === 'env' ? `:${d.name}` : `:${d.via}:${d.name}`}`;
  const id = `${key}@${d.component}`;
  const rendered = renderedComponent(synth(props), d.component);
  const actual = rendered && deliveredValue(rendered, d, expected);
  const fallback = awaiting(id, d.component);
  if (matches(d, actual, expected)) {
    return fallback ? `${where}: now rendered by the component; remove ${id} from AWAITING_WIRING` : undefined;
  }
  if (!fallback) return `${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}${rendered ? '' : ' (component not deployed)'}`;
  const viaRenderer = deliveredValue(fallback(new DifySettings(props.settings)), d, expected);
  return matches(d, viaRenderer, expected) ? undefined : `${where}: the settings renderer gives ${JSON.stringify(viaRenderer)}, expected ${JSON.stringify(expected)}`;
}

describe('upstream env.example parity', () => {
  test('the vendored env.example is upstream\'s, with 255 distinct keys', () => {
    const vendored = readFileSync(join(__dirname, '..', 'vendor', 'dify-upstream', 'env.example'), 'utf8');
    expect(vendored.startsWith('# ------------------------------------------------------------------\n# Essential defaults for Docker Compose deployments.')).toBe(true);
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
      for (const d of parityDeliveries(k, ENV_PARITY[k])) expect(PARITY_COMPONENT_LABELS).toHaveProperty(d.component);
    }
    expect(entries('typed').filter((k) => !PROBES[k])).toEqual([]);
    expect(Object.keys(PROBES).filter((k) => ENV_PARITY[k]?.kind !== 'typed')).toEqual([]);
  });

  test('typed keys: a non-default prop reaches every receiving component', () => {
    const failures: string[] = [];
    for (const key of entries('typed')) {
      const probe = PROBES[key];
      const deliveries = parityDeliveries(key, ENV_PARITY[key]);
      const props = withFixtures(key, probe.props, deliveries);
      for (const d of deliveries) {
        const f = check(key, d, props, expectedFor(probe.expect, d.component));
        if (f) failures.push(f);
      }
    }
    expect(failures).toEqual([]);
  });

  test('typed keys: the probe value is not the default, so the prop is what sets it', () => {
    const same: string[] = [];
    for (const key of entries('typed')) {
      const probe = PROBES[key];
      for (const d of parityDeliveries(key, ENV_PARITY[key])) {
        const expected = expectedFor(probe.expect, d.component);
        const props = withFixtures(key, DEFAULTS, [d]);
        const rendered = renderedComponent(synth(props), d.component);
        const fallback = awaiting(`${key}@${d.component}`, d.component);
        const r = rendered && !fallback ? rendered : fallback?.(new DifySettings());
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
        const f = check(key, d, withFixtures(key, DEFAULTS, [d]), entry.value);
        if (f) failures.push(f);
      }
    }
    expect(failures).toEqual([]);
  });

  test('extraEnv keys: the component\'s extraEnv route sets them', () => {
    // One installation per route, carrying every key of that route.
    const byRoute = new Map<string, Array<[string, ParityDelivery]>>();
    for (const key of entries('extraEnv')) {
      for (const d of parityDeliveries(key, ENV_PARITY[key])) {
        const route = parityRoute('extraEnv', d.component);
        byRoute.set(route, [...byRoute.get(route) ?? [], [key, d]]);
      }
    }
    const failures: string[] = [];
    for (const [route, list] of byRoute) {
      const props = routeProps(route, Object.fromEntries(list.map(([key]) => [key, `parity-${key.toLowerCase()}`])));
      for (const [key, d] of list) {
        const f = check(key, d, props, `parity-${key.toLowerCase()}`);
        if (f) failures.push(`${f} (via ${route})`);
      }
    }
    expect(failures).toEqual([]);
  });

  test('secretEnv keys and the untyped credentials: set by Secret reference on every component that reads them', () => {
    const failures: string[] = [];
    const targets: Record<string, readonly ParityComponent[]> = { ...UNTYPED_CREDENTIALS };
    for (const key of entries('secretEnv')) targets[key] = parityDeliveries(key, ENV_PARITY[key]).map((d) => d.component);
    for (const [key, components] of Object.entries(targets)) {
      for (const c of components) {
        const route = parityRoute('secretEnv', c);
        const ref = SecretKeyRef.of('parity-integrations', key.toLowerCase().replace(/_/g, '-'));
        const docs = synth(routeProps(route, { [key]: ref }));
        const got = renderedComponent(docs, c)?.env.get(key);
        if (got !== `secret:${ref.secretName}/${ref.key}`) failures.push(`${key}@${c}: ${route} gives ${JSON.stringify(got)}`);
        const leaked = docs.filter((d) => d.kind === 'ConfigMap' && d.data && key in d.data).map((d) => d.metadata.name);
        if (leaked.length) failures.push(`${key} appears in ConfigMap(s) ${leaked.join(', ')}`);
      }
    }
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

  test('AWAITING_WIRING names only typed deliveries', () => {
    const typedIds = entries('typed').flatMap((k) => parityDeliveries(k, ENV_PARITY[k]).map((d) => `${k}@${d.component}`));
    expect(AWAITING_WIRING.filter((id) => !typedIds.includes(id))).toEqual([]);
  });

  test('pending keys await a component that is not deployed yet', () => {
    const docs = synth(DEFAULTS);
    const deployed = entries('pending').filter((k) => renderedComponent(docs, (ENV_PARITY[k] as { awaits: ParityComponent }).awaits));
    expect(deployed).toEqual([]);
  });

  test('docs/parity.md is generated from the classification (npm run gen:parity)', () => {
    const committed = readFileSync(join(__dirname, '..', 'docs', 'parity.md'), 'utf8');
    expect(committed).toBe(renderParityMarkdown());
  });
});

/** Props that set `values` through `route` (`settings.extraEnv`, `settings.webExtraEnv` or `components.<c>.<extraEnv|secretEnv>`). */
function routeProps(route: string, values: Record<string, string | SecretKeyRef>): Partial<DifyProps> {
  const [head, a, b] = route.split('.');
  if (head === 'settings') return { settings: { [a]: values } };
  return { components: { [a]: { [b]: values } } } as Partial<DifyProps>;
}
