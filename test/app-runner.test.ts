/**
 * scripts/app.js, the app command's runner: a cached esbuild bundle must never run stale code, and the bundled
 * app must see what it would see unbundled (__dirname, __filename, require.main, its arguments). How a failed
 * build or app run is reported is scripts/check-failed-synth.js's (CI).
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const RUNNER = join(__dirname, '..', 'scripts', 'app.js');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dify-app-runner-'));
  mkdirSync(join(dir, 'src'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (entry: string, ...args: string[]) =>
  spawnSync(process.execPath, [RUNNER, entry, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, DIFY_CDK8S_CACHE: join(dir, 'cache') },
    timeout: 30_000,
  });
/** The cached bundle of `entry` (the runner records each bundle's entry beside it). */
const bundleOf = (entry: string) => {
  const cache = join(dir, 'cache', 'app');
  const record = readdirSync(cache).find((f) => f.endsWith('.inputs.json') && JSON.parse(readFileSync(join(cache, f), 'utf8')).entry === join(dir, entry));
  if (!record) throw new Error(`no cached bundle of ${entry}`);
  return join(cache, record.replace(/\.inputs\.json$/, '.js'));
};

test('runs TypeScript as if unbundled, from a bundle reused while its inputs are unchanged and rebuilt when one changes', () => {
  writeFileSync(join(dir, 'src', 'helper.ts'), 'export const where: string = __dirname;\nexport const version = 1;\n');
  writeFileSync(
    join(dir, 'src', 'main.ts'),
    [
      "import { version, where } from './helper';",
      'const answer: number = 42;',
      'console.log(JSON.stringify({ answer, version, where, file: __filename, main: require.main === module, args: process.argv.slice(2) }));',
      '',
    ].join('\n'),
  );
  const first = run('src/main.ts', 'a', '--b');
  expect(first.stderr).toBe('');
  // __dirname and __filename name the source files, require.main is the app, the arguments follow the entry.
  expect(JSON.parse(first.stdout)).toEqual({
    answer: 42,
    version: 1,
    where: join(dir, 'src'),
    file: join(dir, 'src', 'main.ts'),
    main: true,
    args: ['a', '--b'],
  });
  const bundle = bundleOf('src/main.ts');
  const built = statSync(bundle).mtimeMs;
  expect(JSON.parse(run('src/main.ts').stdout).version).toBe(1);
  expect(statSync(bundle).mtimeMs).toBe(built);
  // A change to an imported file is seen, even one of the same size (the runner compares modification times too).
  writeFileSync(join(dir, 'src', 'helper.ts'), 'export const where: string = __dirname;\nexport const version = 2;\n');
  const later = new Date(Date.now() + 5_000);
  utimesSync(join(dir, 'src', 'helper.ts'), later, later);
  expect(JSON.parse(run('src/main.ts').stdout).version).toBe(2);
  expect(statSync(bundle).mtimeMs).not.toBe(built);
});
