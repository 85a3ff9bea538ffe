// StrykerJS configuration for `npm run test:mutation` (scripts/mutation.js runs it once per guarded module, with
// that module as `mutate` and the test files that exercise it as the jest test set).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: false },
  coverageAnalysis: 'perTest',
  checkers: [],
  concurrency: 2,
  reporters: ['clear-text', 'json'],
  jsonReporter: { fileName: process.env.STRYKER_JSON_REPORT ?? 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', 'build', 'reports', '.cdk8s-out', '.stryker-tmp'],
  timeoutMS: 10000,
};
