/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // jest-light-runner: each test process runs many test files with Node's own module system, so the library and
  // its dependencies load once per process, not once per test file (no per-file module registry).
  runner: 'jest-light-runner',
  // TypeScript through tsx, transpile-only (test/setup-loader.mjs); type checking is done once, by
  // scripts/typecheck.js in `npm test`.
  transform: {},
  setupFiles: ['<rootDir>/test/setup-loader.mjs'],
  // Two cores: two test processes (jest's default would be one, cores - 1).
  maxWorkers: 2,
  testTimeout: 60000,
};
