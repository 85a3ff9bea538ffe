#!/usr/bin/env node
// The one type-check pass of `npm test` (tsconfig.json: lib, apps, imports, examples, cli, test, scripts; no emit,
// incremental), and the check that lib/generated/ holds what the props types generate (scripts/gen-schemas.js):
// free while the inputs recorded with the generated files are unchanged, else generated from the same program.
// Prints diagnostics as tsc does (file:line:column); exits 1 on any diagnostic or a stale schema file.
const path = require('path');
const ts = require('typescript');
const { build, recorded, staleness } = require('./gen-schemas');

const ROOT = path.resolve(__dirname, '..');
const configFile = path.join(ROOT, 'tsconfig.json');
const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => report([d]) };
const config = ts.getParsedCommandLineOfConfigFile(configFile, {}, host);
const builder = ts.createIncrementalProgram({
  rootNames: config.fileNames,
  options: config.options,
  projectReferences: config.projectReferences,
  configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(config),
});
const diagnostics = [
  ...builder.getConfigFileParsingDiagnostics(),
  ...builder.getOptionsDiagnostics(),
  ...builder.getGlobalDiagnostics(),
  ...builder.getSyntacticDiagnostics(),
  ...builder.getSemanticDiagnostics(),
];
builder.emit(); // noEmit: writes only the incremental state (tsBuildInfoFile)

function report(list) {
  const formatHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' };
  process.stderr.write(ts.formatDiagnostics(list, formatHost));
  process.exitCode = 1;
}

if (diagnostics.length) report(diagnostics);
// Generation (seconds) only when the inputs recorded with the generated files changed.
else if (!recorded()) {
  const diff = staleness(build(builder.getProgram()));
  if (diff) process.stderr.write(`${diff.message}\n`);
  if (diff?.stale) process.exitCode = 1;
}
