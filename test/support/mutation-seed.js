// `npm run test:mutation` only (jest.mutation.config.js): property tests draw the same cases on every run, so a
// mutant's verdict does not depend on the random seed. FC_SEED overrides the seed.
require('fast-check').configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261206) });
