/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is done once, by `tsc -p tsconfig.json` in `npm test`; swc only strips types.
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  // Two cores: two workers (jest's default would be one, cores - 1).
  maxWorkers: 2,
  testTimeout: 60000,
};
