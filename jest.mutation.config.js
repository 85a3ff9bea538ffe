/**
 * `npm run test:mutation` (scripts/mutation.js): the jest configuration StrykerJS drives. Stryker's jest runner
 * needs jest's own test environments (it records which test covers which mutant through them), so this uses
 * jest's default runner and compiles TypeScript with @swc/jest instead of jest-light-runner + tsx.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // scripts/mutation.js names the test files that exercise the module under mutation.
  testMatch: process.env.MUTATION_TESTS ? process.env.MUTATION_TESTS.split(',').map((f) => `<rootDir>/${f}`) : ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  testTimeout: 60000,
  // One fast-check seed for every run, so a mutant is killed or survives the same way each time.
  setupFiles: ['<rootDir>/test/support/mutation-seed.js'],
};
