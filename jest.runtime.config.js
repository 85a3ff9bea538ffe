/**
 * `npm run test:runtime`: drills that run the rendered configurations on real
 * servers (squid, nginx, PostgreSQL, Redis) on loopback. Not part of `npm test`,
 * whose config only matches *.test.ts. See docs/runtime-drills.md.
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('./jest.config'),
  roots: ['<rootDir>/test/runtime'],
  testMatch: ['**/*.drill.ts'],
  testTimeout: 120000,
  // One drill file at a time: the servers share a 2-core machine.
  maxWorkers: 1,
};
