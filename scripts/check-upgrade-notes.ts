// CI (`node scripts/app.js scripts/check-upgrade-notes.ts`, run by .ci/run from the repository root): `dify-cdk8s plan`
// for every environment of dist/ against the last release: the newest git tag reachable from HEAD, or, until one
// exists, the previous commit that changed dist/ (HEAD itself when dist/ has uncommitted changes); through a merge, the
// previous dist/ of each parent line, so each side's changes are planned. Fails when an apply-fails or data-at-risk
// finding is not named in CHANGELOG.md's upgrade notes as `<Kind> <namespace>/<name>` (cluster-scoped: `<Kind> <name>`).
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { LEVELS, Manifest, findingRef, loadManifests, plan, unnamedInNotes } from '../cli/plan';

const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const tree = (commit: string) => {
  try {
    return git('rev-parse', `${commit}:dist`);
  } catch {
    return '';
  }
};

/** The releases to compare with, empty when there is none. */
function bases(): Array<{ ref: string; why: string }> {
  try {
    const tag = git('describe', '--tags', '--abbrev=0', 'HEAD');
    return [{ ref: tag, why: `the last release, tag ${tag}` }];
  } catch {
    // no tag yet
  }
  if (git('status', '--porcelain', '--', 'dist') !== '') return [{ ref: 'HEAD', why: 'HEAD (dist/ has uncommitted changes)' }];
  const current = tree('HEAD');
  const found: Array<{ ref: string; why: string }> = [];
  const seen = new Set<string>();
  const walk = (commit: string) => {
    for (const parent of git('rev-list', '--parents', '-n', '1', commit).split(' ').slice(1)) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      // Several parents with the same dist/ are one comparison.
      if (tree(parent) !== current) {
        if (!found.some((f) => tree(f.ref) === tree(parent)))
          found.push({ ref: parent, why: `the previous commit that changed dist/, ${parent.slice(0, 12)}` });
      } else if (seen.size < 500) walk(parent);
    }
  };
  walk('HEAD');
  return found;
}

const found = bases();
if (!found.length) {
  console.log('upgrade notes: no earlier dist/ in this history; nothing to compare.');
  process.exit(0);
}
const changelog = readFileSync('CHANGELOG.md', 'utf8');
const envs = readdirSync('dist', { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);
const current = new Map<string, Manifest[]>(envs.map((env) => [env, loadManifests(join('dist', env))]));
let failed = false;
for (const b of found) {
  const work = mkdtempSync(join(tmpdir(), 'dify-plan-'));
  try {
    execFileSync('sh', ['-c', 'git archive "$1" dist | tar -x -C "$2"', 'sh', b.ref, work]);
    console.log(`upgrade notes: planning every environment against ${b.why}`);
    for (const env of envs) {
      const old = join(work, 'dist', env);
      if (!existsSync(old)) {
        console.log(`dist/${env}: new environment`);
        continue;
      }
      const findings = plan(loadManifests(old), current.get(env)!);
      console.log(`dist/${env}: ${LEVELS.map((l) => `${findings.filter((f) => f.level === l).length} ${l}`).join(', ')}`);
      for (const f of unnamedInNotes(findings, changelog)) {
        console.log(`  not in the upgrade notes: \`${findingRef(f)}\` (${f.level}): ${f.what}`);
        failed = true;
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
if (failed) {
  console.error(
    'upgrade notes: name every apply-fails and data-at-risk finding above in CHANGELOG.md (### Upgrade notes) as `<Kind> <namespace>/<name>`, with what to do.',
  );
  process.exit(1);
}
console.log('upgrade notes: every apply-fails and data-at-risk finding is named in CHANGELOG.md.');
