#!/usr/bin/env node
// CI: `dify-cdk8s plan` for every environment of dist/ against the last release: the newest git tag reachable from
// HEAD, or, until one exists, the previous commit that changed dist/ (HEAD itself when dist/ has uncommitted changes).
// Through a merge, that is the previous dist/ of each parent line (each side's changes are planned). Fails when an apply-fails or data-at-risk finding is not named in CHANGELOG.md's upgrade
// notes as `<Kind> <namespace>/<name>` (cluster-scoped: `<Kind> <name>`). Run from the repository root.
const { execFileSync, spawnSync } = require('child_process');
const { existsSync, mkdtempSync, readdirSync, rmSync } = require('fs');
const { tmpdir } = require('os');
const { join } = require('path');

const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const tree = (commit) => {
  try {
    return git('rev-parse', `${commit}:dist`);
  } catch {
    return '';
  }
};

/** The releases to compare with: [{ ref, why }], empty when there is none. */
function bases() {
  try {
    const tag = git('describe', '--tags', '--abbrev=0', 'HEAD');
    return [{ ref: tag, why: `the last release, tag ${tag}` }];
  } catch {
    // no tag yet
  }
  if (git('status', '--porcelain', '--', 'dist') !== '') return [{ ref: 'HEAD', why: 'HEAD (dist/ has uncommitted changes)' }];
  const current = tree('HEAD');
  const found = [];
  const seen = new Set();
  const walk = (commit) => {
    for (const parent of git('rev-list', '--parents', '-n', '1', commit).split(' ').slice(1)) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      if (tree(parent) !== current) found.push({ ref: parent, why: `the previous commit that changed dist/, ${parent.slice(0, 12)}` });
      else if (seen.size < 500) walk(parent);
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
let failed = false;
for (const b of found) {
  const work = mkdtempSync(join(tmpdir(), 'dify-plan-'));
  try {
    execFileSync('sh', ['-c', `git archive "$1" dist | tar -x -C "$2"`, 'sh', b.ref, work]);
    console.log(`upgrade notes: planning every environment against ${b.why}`);
    for (const env of readdirSync('dist', { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)) {
      const old = join(work, 'dist', env);
      if (!existsSync(old)) {
        console.log(`dist/${env}: new environment`);
        continue;
      }
      const r = spawnSync(
        process.execPath,
        [join(__dirname, 'app.js'), join(__dirname, '..', 'cli', 'main.ts'), 'plan', old, join('dist', env), '--changelog', 'CHANGELOG.md'],
        { encoding: 'utf8' },
      );
      const lines = r.stdout.split('\n');
      const blocking = lines.filter((l) => /^(apply-fails|data-at-risk)\s/.test(l) || l.startsWith('not in the upgrade notes'));
      console.log(`dist/${env}: ${lines[0].replace(/^plan .* -> \S+: /, '')}`);
      for (const l of blocking) console.log(`  ${l}`);
      if (r.status !== 0) {
        failed = true;
        if (r.stderr) process.stderr.write(r.stderr);
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
