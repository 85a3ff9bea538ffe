import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import {
  loadPolarisChecks, loadPolarisConfig, parsePolarisCheck, parseQuantity, POLARIS_FIXTURES, PolarisConfig, PolarisResult,
  renderGoTemplate, runPolaris, unsupportedPolarisChecks,
} from './polaris';

type Obj = Record<string, any>;

const CHECKS = loadPolarisChecks();
const CONFORMANCE = path.join(POLARIS_FIXTURES, 'conformance');

/**
 * Built-in checks this runner cannot evaluate faithfully. Every check Polaris ships is supported
 * today (the schema checks, the Go-template and multi-resource ones, and the Go-implemented
 * pdbMinAvailableGreaterThanHPAMinReplicas); a check added to `checks/` that is not would have to be
 * listed here, and would report `unsupported` results instead of passing.
 */
const UNSUPPORTED: readonly string[] = [];

const onlyCheck = (id: string, severity: 'danger' | 'warning' = 'danger', extra: Partial<PolarisConfig> = {}): PolarisConfig => ({
  checks: { [id]: severity },
  ...extra,
});

const docsOf = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJSON() as Obj).filter((d) => d);

const pod = (spec: Obj, meta: Obj = {}): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', ...meta }, spec });
const deployment = (name: string, podSpec: Obj, extra: Obj = {}): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'ns', labels: { app: name }, ...(extra.metadata ?? {}) },
  spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec } },
});

describe('loading Polaris data', () => {
  test('every built-in check file parses, with Polaris\'s default severity for each', () => {
    const config = loadPolarisConfig();
    expect(Object.keys(CHECKS).length).toBe(44);
    expect(Object.keys(config.checks).sort()).toEqual(Object.keys(CHECKS).sort());
    for (const c of Object.values(CHECKS)) {
      expect(c.successMessage).not.toBe('');
      expect(c.failureMessage).not.toBe('');
      expect(c.target).not.toBe('');
    }
  });

  test('field names are matched like Go\'s encoding/json (linuxHardening spells it FailureMessage)', () => {
    expect(CHECKS.linuxHardening.failureMessage).toMatch(/^Use one of AppArmor/);
  });

  test('the unsupported checks are exactly the listed ones', () => {
    expect(Object.keys(unsupportedPolarisChecks(CHECKS)).sort()).toEqual([...UNSUPPORTED].sort());
  });

  test('a check without a schema or Go implementation is reported unsupported, never passed', () => {
    const custom = { successMessage: 'ok', failureMessage: 'bad', target: 'Controller' };
    expect(parsePolarisCheck('noSchema', custom).unsupported).toMatch(/no schema/);
    const res = runPolaris([deployment('d', { containers: [{ name: 'c', image: 'i:1' }] })], {
      config: onlyCheck('noSchema', 'warning', { customChecks: { noSchema: custom } }),
    });
    expect(res).toEqual([expect.objectContaining({ check: 'noSchema', passed: false, unsupported: true })]);
  });

  test('a template outside the supported subset makes the check unsupported', () => {
    const c = parsePolarisCheck('tpl', { successMessage: 'ok', failureMessage: 'bad', target: 'Controller', schemaString: '{{ template "x" . }}' });
    expect(c.unsupported).toMatch(/template not supported/);
  });
});

describe('Go text/template subset', () => {
  const data = { metadata: { name: 'web', labels: { b: '2', a: '1' }, annotations: null }, spec: { n: 3 } };

  test('fields, missing keys (<no value>) and nil', () => {
    expect(renderGoTemplate('{{ .metadata.name }}/{{ .spec.n }}', data)).toBe('web/3');
    expect(renderGoTemplate('[{{ .nope }}][{{ .nope.deeper.still }}]', data)).toBe('[<no value>][<no value>]');
    expect(renderGoTemplate('[{{ .metadata.annotations }}]', data)).toBe('[<no value>]');
    expect(() => renderGoTemplate('{{ .metadata.annotations.x }}', data)).toThrow(/nil pointer evaluating/);
    expect(() => renderGoTemplate('{{ .metadata.name.x }}', data)).toThrow(/can't evaluate field x in type string/);
  });

  test('if / else if / else, not, and, or, eq, ne on present and missing values', () => {
    const t = '{{ if eq .metadata.name "api" }}A{{ else if (ne .metadata.name "web") }}B{{ else }}C{{ end }}';
    expect(renderGoTemplate(t, data)).toBe('C');
    expect(renderGoTemplate('{{ if not .missing }}yes{{ end }}', data)).toBe('yes');
    expect(renderGoTemplate('{{ if eq .missing false }}eq{{ else }}ne{{ end }}', data)).toBe('ne');
    expect(renderGoTemplate('{{ or .missing "dflt" }}|{{ and .metadata.name .spec.n }}', data)).toBe('dflt|3');
    expect(() => renderGoTemplate('{{ eq .spec.n "3" }}', data)).toThrow(/incompatible types/);
    expect(renderGoTemplate('{{ if and (hasPrefix .metadata.name "w") (hasSuffix .metadata.name "b") }}ok{{ end }}', data)).toBe('ok');
    expect(() => renderGoTemplate('{{ hasPrefix .missing "w" }}', data)).toThrow(/expected string/);
  });

  test('variables, assignment inside a block, range over a map in key order, trim markers, comments', () => {
    const t = [
      '{{ $seen := false }}',
      '{{- if .metadata.labels }}{{ $seen = true }}{{ end -}}',
      '{{/* a comment */}}',
      '{{ range $k, $v := .metadata.labels }}{{ $k }}={{ $v }};{{ end }}',
      '{{- range .missing }}x{{ else }} none{{ end }} {{ $seen }}',
    ].join('');
    expect(renderGoTemplate(t, data)).toBe('a=1;b=2; none true');
    expect(renderGoTemplate('x \n {{- 1 -}} \n y', {})).toBe('x1y');
  });

  test('index and print behave like Go\'s', () => {
    expect(renderGoTemplate('{{ index .metadata "labels" "a" }}|{{ index .metadata "labels" "zz" }}', data)).toBe('1|<no value>');
    expect(() => renderGoTemplate('{{ index .metadata "nope" "x" }}', data)).toThrow(/index of nil pointer/);
    expect(renderGoTemplate('{{ print "a/" .metadata.name }}|{{ print 1 2 }}|{{ print .missing }}', data)).toBe('a/web|1 2|<nil>');
  });
});

describe('runner semantics', () => {
  const hardened = { name: 'c', image: 'nginx:1.27', securityContext: { runAsNonRoot: true } };

  test('container checks see each container, init containers included unless excluded', () => {
    const res = runPolaris([pod({ initContainers: [{ name: 'init', image: 'x:1' }], containers: [hardened] })], {
      config: { checks: { runAsRootAllowed: 'danger', cpuLimitsMissing: 'warning' } },
    });
    expect(res.map((r) => [r.check, r.container, r.passed])).toEqual([
      ['cpuLimitsMissing', 'c', false],
      ['runAsRootAllowed', 'c', true],
      ['runAsRootAllowed', 'init', false],
    ]);
    expect(res[0]).toMatchObject({ object: 'Pod/ns/p', severity: 'warning', message: 'CPU limits should be set' });
  });

  test('numeric resource quantities are strings after Polaris\'s typed round trip', () => {
    const res = runPolaris([pod({ containers: [{ ...hardened, resources: { limits: { cpu: 1, memory: 1073741824 } } }] })], {
      config: { checks: { cpuLimitsMissing: 'danger', memoryLimitsMissing: 'danger' } },
    });
    expect(res.every((r) => r.passed)).toBe(true);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('lots')).toBeUndefined();
  });

  test('severity ignore and checks missing from the config do not run', () => {
    const docs = [pod({ containers: [hardened] })];
    expect(runPolaris(docs, { config: { checks: { cpuLimitsMissing: 'ignore' } } })).toEqual([]);
    expect(runPolaris(docs, { config: { checks: {} } })).toEqual([]);
    expect(() => runPolaris(docs, { config: { checks: { noSuchCheck: 'danger' } } })).toThrow(/Check noSuchCheck not found/);
  });

  test('exemption annotations: per check and for every check', () => {
    const mk = (annotations: Obj): Obj[] => [pod({ containers: [{ name: 'c', image: 'i:1' }] }, { annotations })];
    const config = { checks: { cpuLimitsMissing: 'warning', memoryLimitsMissing: 'warning' } } as const;
    expect(runPolaris(mk({ 'polaris.fairwinds.com/cpuLimitsMissing-exempt': 'true' }), { config }).map((r) => r.check)).toEqual(['memoryLimitsMissing']);
    expect(runPolaris(mk({ 'polaris.fairwinds.com/exempt': 'TRUE' }), { config })).toEqual([]);
    expect(runPolaris(mk({ 'polaris.fairwinds.com/exempt': 'false' }), { config })).toHaveLength(2);
    expect(runPolaris(mk({ 'polaris.fairwinds.com/exempt': 'true' }), { config: { ...config, disallowAnnotationExemptions: true } })).toHaveLength(2);
  });

  test('config exemptions: namespace, controller-name prefixes, container names, rules', () => {
    const docs = [deployment('cert-manager-webhook', { containers: [{ name: 'a', image: 'i:1' }, { name: 'b', image: 'i:1' }] })];
    const run = (ex: Obj): PolarisResult[] => runPolaris(docs, { config: { checks: { cpuLimitsMissing: 'warning', priorityClassNotSet: 'warning' }, exemptions: [ex] } });
    expect(run({ controllerNames: ['cert-manager'], rules: ['cpuLimitsMissing'] }).map((r) => r.check)).toEqual(['priorityClassNotSet']);
    expect(run({ controllerNames: ['cert-manager'] })).toEqual([]);
    expect(run({ namespace: 'other', controllerNames: ['cert-manager'] })).toHaveLength(3);
    expect(run({ controllerNames: ['cert-manager'], containerNames: ['a'], rules: ['cpuLimitsMissing'] }).map((r) => `${r.check}:${r.container ?? ''}`))
      .toEqual(['cpuLimitsMissing:b', 'priorityClassNotSet:']);
  });

  test('Polaris\'s default exemptions apply by controller-name prefix', () => {
    const docs = [deployment('metrics-server', { containers: [{ name: 'm', image: 'i:1' }] })];
    const ids = runPolaris(docs).map((r) => r.check);
    expect(ids).not.toContain('automountServiceAccountToken');
    expect(ids).toContain('cpuLimitsMissing');
  });

  test('multi-resource checks only consider objects of the same namespace (or cluster-scoped ones)', () => {
    const pdb = (ns: string): Obj => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'd', namespace: ns }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'd' } } } });
    const d = deployment('d', { containers: [{ name: 'c', image: 'i:1' }] });
    const passed = (docs: Obj[]): boolean[] => runPolaris(docs, { config: onlyCheck('missingPodDisruptionBudget') }).map((r) => r.passed);
    expect(passed([d, pdb('ns')])).toEqual([true]);
    expect(passed([d, pdb('elsewhere')])).toEqual([false]);
    expect(passed([d])).toEqual([false]);
  });
});

// ------------------------------------------------------------------------------------------------
// Polaris's own conformance fixtures
// ------------------------------------------------------------------------------------------------

interface Case { readonly check: string; readonly file: string; readonly failure: boolean }

const checkDirs = fs.readdirSync(CONFORMANCE).filter((d) => fs.statSync(path.join(CONFORMANCE, d)).isDirectory()).sort();
const cases: Case[] = checkDirs.flatMap((check) => fs.readdirSync(path.join(CONFORMANCE, check))
  .filter((f) => /\.ya?ml$/.test(f) && f !== 'check.yaml' && !f.startsWith('mutated'))
  .sort()
  .map((file) => ({ check, file, failure: file.includes('failure') })));

const customCheckOf = (check: string): Obj | undefined => {
  const file = path.join(CONFORMANCE, check, 'check.yaml');
  return fs.existsSync(file) ? (parseYaml(fs.readFileSync(file, 'utf8')) as Obj) : undefined;
};

describe('Polaris conformance fixtures', () => {
  test('every built-in check has conformance fixtures (custom-check directories carry a check.yaml)', () => {
    const builtIn = Object.keys(CHECKS).sort();
    expect(builtIn.filter((c) => !checkDirs.includes(c))).toEqual([]);
    expect(checkDirs.filter((d) => !builtIn.includes(d)).sort()).toEqual(['nakedPod', 'oneController', 'resourceRange']);
    expect(checkDirs.filter((d) => !builtIn.includes(d)).every((d) => customCheckOf(d) !== undefined)).toBe(true);
    expect(cases.length).toBeGreaterThan(290);
  });

  test.each(cases.filter((c) => !UNSUPPORTED.includes(c.check)).map((c) => [c.check, c.file, c] as const))('%s / %s', (_check, _file, c) => {
    const custom = customCheckOf(c.check);
    const docs = docsOf(fs.readFileSync(path.join(CONFORMANCE, c.check, c.file), 'utf8'));
    const results = runPolaris(docs, {
      checks: CHECKS,
      config: onlyCheck(c.check, 'danger', custom ? { customChecks: { [c.check]: custom } } : {}),
    });
    expect(results.length).toBeGreaterThan(0);
    expect(results.some((r) => r.unsupported)).toBe(false);
    if (c.failure) expect(results.some((r) => !r.passed)).toBe(true);
    else expect(results.filter((r) => !r.passed)).toEqual([]);
  });
});
