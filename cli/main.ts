#!/usr/bin/env node
import { spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { basename, dirname, join, relative, resolve, sep } from 'path';
import { FromEnvResult, PACKAGE_NAME, ReportLine, convertEnvFile } from './from-env';
import { blocks, formatFindings, loadManifests, plan, unnamedInNotes } from './plan';

const USAGE = `Usage: dify-cdk8s from-env <.env> --name <env> [--out <file.ts>] [--namespace <ns>] [--host <host>] [--force]
       dify-cdk8s plan <OLD> <NEW> [--json <file>] [--changelog <CHANGELOG.md>]

from-env: converts a docker-compose .env of Dify into a typed dify-cdk8s environment file
(default apps/<env>.ts, importing the 'dify-cdk8s' package) and <env>.secret.env
beside it holding the credentials (keep it out of git: the command says whether
git ignores it), then prints where every key went and how to create the Secret.

plan: what applying NEW does to an installation running OLD, before you apply it.
OLD and NEW are manifest folders (e.g. dist/prod of the running release and of the
new one, data/ included) or files; OLD may be a \`kubectl get -o yaml\` export.
Findings: apply-fails, data-at-risk, outage, action (with commands), info.
Exits 1 when an apply-fails or data-at-risk finding exists; with --changelog, only
when one is not named in that file's upgrade notes as \`<Kind> <namespace>/<name>\`.`;

/** Parsed command line of `plan`. */
export interface PlanArgs {
  readonly old: string;
  readonly next: string;
  readonly json?: string;
  readonly changelog?: string;
}

/** Parses `plan` arguments (after the sub-command). */
export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') throw new UsageError('');
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split(/=(.*)/s);
      const v = inline ?? argv[++i];
      if (!['json', 'changelog'].includes(k) || v === undefined) throw new UsageError(`unknown or incomplete option ${a}`);
      flags[k] = v;
    } else positional.push(a);
  }
  if (positional.length !== 2) throw new UsageError('plan expects OLD and NEW');
  return { old: positional[0], next: positional[1], json: flags.json, changelog: flags.changelog };
}

/** Runs `plan`: prints the findings, writes --json, returns the exit status. */
export function runPlan(args: PlanArgs, out: (s: string) => void = (s) => process.stdout.write(s)): number {
  const findings = plan(loadManifests(args.old), loadManifests(args.next));
  out(formatFindings(findings, args.old, args.next));
  if (args.json) writeFileSync(args.json, `${JSON.stringify({ old: args.old, new: args.next, findings }, null, 2)}\n`);
  if (args.changelog) {
    const unnamed = unnamedInNotes(findings, readFileSync(args.changelog, 'utf8'));
    for (const f of unnamed)
      out(`not in the upgrade notes of ${args.changelog}: \`${f.kind}${f.namespace ? ` ${f.namespace}/` : ' '}${f.name}\` (${f.level})\n`);
    return unnamed.length ? 1 : 0;
  }
  return findings.some(blocks) ? 1 : 0;
}

/** Parsed command line of `from-env`. */
export interface FromEnvArgs {
  readonly input: string;
  readonly name: string;
  readonly out: string;
  readonly namespace?: string;
  readonly host?: string;
  readonly force: boolean;
}

/** Parses `from-env` arguments (after the sub-command). */
export function parseArgs(argv: readonly string[]): FromEnvArgs {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') force = true;
    else if (a === '--help' || a === '-h') throw new UsageError('');
    else if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split(/=(.*)/s);
      const v = inline ?? argv[++i];
      if (!['name', 'out', 'namespace', 'host'].includes(k) || v === undefined) throw new UsageError(`unknown or incomplete option ${a}`);
      flags[k] = v;
    } else positional.push(a);
  }
  if (positional.length !== 1) throw new UsageError('expected exactly one .env file');
  if (!flags.name) throw new UsageError('--name is required');
  return { input: positional[0], name: flags.name, out: flags.out ?? join('apps', `${flags.name}.ts`), namespace: flags.namespace, host: flags.host, force };
}

class UsageError extends Error {}

/** An import specifier from `fromDir` to `target` (a path without extension). */
function importPath(fromDir: string, target: string): string {
  const r = relative(fromDir, target).split(sep).join('/');
  return r.startsWith('.') ? r : `./${r}`;
}

/**
 * True when `dir` is a checkout of this repository (its apps/ synthesize `Environment`s from ../lib); anywhere
 * else the generated file imports the installed package.
 */
function isThisRepository(dir: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
    return pkg.name === 'dify-cdk8s' && existsSync(join(dir, 'lib', 'index.ts')) && existsSync(join(dir, 'apps', 'environments.ts'));
  } catch {
    return false;
  }
}

/** Whether git keeps `file` out of version control, checked with `git check-ignore` where `file` lives. */
export type IgnoreStatus =
  | { readonly kind: 'ignored'; readonly rule: string }
  | { readonly kind: 'not-ignored' }
  | { readonly kind: 'no-git'; readonly why: string };

export function gitIgnoreStatus(file: string): IgnoreStatus {
  const r = spawnSync('git', ['check-ignore', '--verbose', '--', basename(file)], { cwd: dirname(file), encoding: 'utf8' });
  if (r.error) return { kind: 'no-git', why: `git is not available (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  if (r.status === 0) return { kind: 'ignored', rule: r.stdout.split('\t')[0].trim() };
  if (r.status === 1) return { kind: 'not-ignored' };
  return { kind: 'no-git', why: 'not inside a git repository' };
}

/** Runs `from-env`: writes the environment file and the secret file, returns the printed text. */
export function fromEnv(args: FromEnvArgs, cwd = process.cwd()): { result: FromEnvResult; output: string; secretFile: string; ignore: IgnoreStatus } {
  const input = resolve(cwd, args.input);
  const out = resolve(cwd, args.out);
  const outDir = dirname(out);
  const secretFile = join(outDir, `${args.name}.secret.env`);
  if (!args.force && existsSync(out)) throw new UsageError(`${args.out} exists; pass --force to overwrite it`);
  // In this repository the file sits beside apps/dev.ts and uses its Environment type; elsewhere it imports the package.
  const inRepo = isThisRepository(cwd);
  const result = convertEnvFile(readFileSync(input, 'utf8'), {
    name: args.name,
    namespace: args.namespace,
    host: args.host,
    sourceName: basename(input),
    libImport: inRepo ? importPath(outDir, join(cwd, 'lib')) : PACKAGE_NAME,
    environmentsImport: inRepo ? importPath(outDir, join(cwd, 'apps', 'environments')) : undefined,
  });
  const lines = Object.entries(result.secrets).map(([k, v]) => {
    if (/[\r\n]/.test(v))
      throw new Error(`from-env: the value of Secret key ${k} spans lines; kubectl --from-env-file cannot carry it: create that key by hand`);
    return `${k}=${v}`;
  });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(out, result.source);
  writeFileSync(secretFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(secretFile, 0o600);
  const ignore = gitIgnoreStatus(secretFile);
  return { result, output: summary(result, relative(cwd, out), relative(cwd, secretFile), args.namespace ?? 'dify', ignore), secretFile, ignore };
}

/** The printed report: every key, the Secret commands and an ExternalSecret sketch. */
export function summary(r: FromEnvResult, out: string, secretFile: string, namespace: string, ignore: IgnoreStatus): string {
  const width = Math.max(...r.report.map((l) => l.key.length), 3);
  const row = (l: ReportLine) =>
    `${l.flag ? '!' : ' '} ${l.key.padEnd(width)}  ${l.classification.padEnd(8)}  ${[l.target, l.reason].filter(Boolean).join(' — ')}`;
  const counts = (['typed', 'extraEnv', 'secret', 'dropped'] as const).map((c) => `${r.report.filter((l) => l.classification === c).length} ${c}`).join(', ');
  const dev = r.report.filter((l) => l.flag === 'development-default' && l.classification === 'secret').map((l) => l.key);
  const devDropped = r.report.filter((l) => l.flag === 'development-default' && l.classification === 'dropped').map((l) => l.key);
  const keys = Object.keys(r.secrets);
  return [
    `Report (${r.report.length} keys: ${counts}; "!" needs a look):`,
    ...r.report.map(row),
    '',
    ...r.notes,
    dev.length
      ? `Upstream development defaults replaced by fresh random values: ${dev.join(', ')}.`
      : 'No upstream development default carried into the Secret.',
    ...(devDropped.length ? [`Upstream development defaults dropped (nothing here reads them): ${devDropped.join(', ')}.`] : []),
    `Wrote ${out} (no credentials) and ${secretFile} (mode 0600; ${
      ignore.kind === 'ignored'
        ? `git-ignored by ${ignore.rule}; never commit it`
        : ignore.kind === 'not-ignored'
          ? 'NOT git-ignored: add "*.secret.env" to .gitignore before you commit anything'
          : `${ignore.why}: keep it out of version control`
    }).`,
    ...(r.source.includes(`from '${PACKAGE_NAME}'`)
      ? [
          `Use it: import { ${r.exportName} } from './${basename(out, '.ts')}'; then`,
          `  new Dify(new Chart(app, ${r.exportName}.name, { namespace: ${r.exportName}.namespace }), 'Dify', ${r.exportName}.dify);`,
        ]
      : []),
    '',
    'Create the Secret:',
    `  kubectl create namespace ${namespace} --dry-run=client -o yaml | kubectl apply -f -`,
    `  kubectl -n ${namespace} create secret generic ${r.secretName} --from-env-file=${secretFile}`,
    '',
    'Or keep the values in your secret manager and let External Secrets create it:',
    '  apiVersion: external-secrets.io/v1',
    '  kind: ExternalSecret',
    '  metadata:',
    `    name: ${r.secretName}`,
    `    namespace: ${namespace}`,
    '  spec:',
    '    refreshInterval: 1h',
    '    secretStoreRef:',
    '      kind: ClusterSecretStore',
    '      name: <your-store>',
    '    target:',
    `      name: ${r.secretName}`,
    '    data:',
    ...keys.flatMap((k) => [`      - secretKey: ${k}`, '        remoteRef:', `          key: dify/${r.environment.name}`, `          property: ${k}`]),
    '',
  ].join('\n');
}

/** `dify-cdk8s <command> …` */
export function main(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  try {
    if (command === 'plan') return runPlan(parsePlanArgs(rest));
    if (command !== 'from-env') throw new UsageError(command ? `unknown command ${command}` : '');
    process.stdout.write(fromEnv(parseArgs(rest)).output);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message ? `dify-cdk8s: ${e.message}\n\n` : ''}${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
