// jest setupFiles: the test files and everything they import load through tsx (transpile only; the type check
// is scripts/typecheck.js). Registered once per test process: jest-light-runner runs many test files per process,
// sharing loaded modules between them.
import { createRequire } from 'node:module';
import { register } from 'tsx/esm/api';

if (!globalThis.__difyCdk8sTsx) {
  globalThis.__difyCdk8sTsx = true;
  register();
  createRequire(import.meta.url)('tsx/cjs/api').register();
}
