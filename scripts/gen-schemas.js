#!/usr/bin/env node
/**
 * Generates lib/generated/prop-schemas.json: JSON Schemas of every exported
 * `*Props` and `*Options` interface (and what they reference), derived from
 * the TypeScript types with ts-json-schema-generator, so the runtime guard for
 * untyped (JavaScript/JSON) callers never drifts from the types.
 *
 * Classes (DifyStorage, SecretKeyRef, IngressTls, …) are not JSON: they are
 * emitted as `{ instanceOf: "<Name>" }` and lib/generated/prop-classes.ts imports
 * their constructors so the guard checks them with `instanceof`.
 *
 * Usage: `npm run gen:schemas` (writes the files) or `node scripts/gen-schemas.js --check`
 * (exits 1 when the committed files are stale). `npm test` checks them (scripts/typecheck.js).
 */

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const ts = require('typescript');
const tsj = require('ts-json-schema-generator');

const ROOT = path.resolve(__dirname, '..');
const ENTRY = path.join(ROOT, 'lib', 'index.ts');
const OUT = path.join(ROOT, 'lib', 'generated', 'prop-schemas.json');
const CLASSES = path.join(ROOT, 'lib', 'generated', 'prop-classes.ts');

/** `` `a${X}` `` in a value position (e.g. DEFAULT_IMAGES): a string. */
class TemplateExpressionParser {
  supportsNode(node) {
    return node.kind === ts.SyntaxKind.TemplateExpression;
  }
  createType() {
    return new tsj.StringType();
  }
}

const CONFIG = {
  ...tsj.DEFAULT_CONFIG,
  path: ENTRY,
  tsconfig: path.join(ROOT, 'tsconfig.json'),
  skipTypeCheck: true,
  expose: 'export',
  topRef: true,
  jsDoc: 'none',
  sortProps: true,
  additionalProperties: false,
  functions: 'hide',
};

/** The generated schemas and class table, from `program` (any program that contains lib/index.ts). */
function build(program = tsj.createProgram(CONFIG)) {
  const config = CONFIG;
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(ENTRY);
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(entry));

  // Root types: exported interfaces / type aliases named *Props or *Options.
  const roots = [];
  for (const sym of exports) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    for (const decl of target.declarations ?? []) {
      if ((ts.isInterfaceDeclaration(decl) || ts.isTypeAliasDeclaration(decl)) && /(Props|Options)$/.test(target.name) && !decl.typeParameters?.length) {
        roots.push(target.name);
      }
    }
  }
  // The declaration behind every named type reachable from the roots, by name (as the generator names definitions).
  const libDir = path.join(ROOT, 'lib') + path.sep;
  const declared = new Map();
  const seen = new Set();
  const collect = (type) => {
    if (!type || seen.has(type)) return;
    seen.add(type);
    if (type.isUnionOrIntersection()) {
      type.types.forEach(collect);
      return;
    }
    for (const arg of type.aliasTypeArguments ?? []) collect(arg);
    const sym = type.getSymbol();
    const decl = sym?.declarations?.find((d) => ts.isClassDeclaration(d) || ts.isInterfaceDeclaration(d));
    if (decl && !declared.has(sym.name)) {
      declared.set(sym.name, { file: decl.getSourceFile().fileName, isClass: ts.isClassDeclaration(decl) });
    }
    if (decl && ts.isClassDeclaration(decl)) return;
    if (type.flags & ts.TypeFlags.Object && type.objectFlags & ts.ObjectFlags.Reference) {
      for (const arg of checker.getTypeArguments(type)) collect(arg);
    }
    for (const info of checker.getIndexInfosOfType(type)) collect(info.type);
    for (const prop of type.getProperties()) {
      const d = prop.valueDeclaration ?? prop.declarations?.[0];
      collect(d ? checker.getTypeOfSymbolAtLocation(prop, d) : checker.getTypeOfSymbol(prop));
    }
  };
  for (const sym of exports) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    if (roots.includes(target.name)) collect(checker.getDeclaredTypeOfSymbol(target));
  }
  roots.sort();

  const parser = tsj.createParser(program, config, (p) => p.addNodeParser(new TemplateExpressionParser()));
  const formatter = tsj.createFormatter(config);
  const generator = new tsj.SchemaGenerator(program, parser, formatter, config);

  const definitions = {};
  for (const root of roots) {
    const schema = generator.createSchema(root);
    Object.assign(definitions, schema.definitions);
  }
  // Definitions the walk above did not reach (e.g. behind generic parameters): the first class or interface of that name.
  const missing = new Set(Object.keys(definitions).filter((n) => !declared.has(n)));
  const visit = (node, file) => {
    if ((ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) && node.name && missing.has(node.name.text)) {
      missing.delete(node.name.text);
      declared.set(node.name.text, { file, isClass: ts.isClassDeclaration(node) });
    }
    if (ts.isModuleDeclaration(node) && node.body && ts.isModuleBlock(node.body)) node.body.statements.forEach((st) => visit(st, file));
  };
  const files = [...program.getSourceFiles()].sort((x, y) => Number(!x.fileName.startsWith(libDir)) - Number(!y.fileName.startsWith(libDir)));
  for (const sf of files) sf.statements.forEach((st) => visit(st, sf.fileName));
  const instanceOf = {};
  const imports = new Map();
  for (const name of Object.keys(definitions).sort()) {
    const d = declared.get(name);
    if (!d) continue;
    const inLib = d.file.startsWith(libDir);
    if (d.isClass && inLib) {
      // A class of this library: checked with instanceof against the real constructor.
      definitions[name] = { instanceOf: name };
      const rel = path
        .relative(path.join(ROOT, 'lib', 'generated'), d.file)
        .replace(/\\/g, '/')
        .replace(/\.ts$/, '');
      if (!imports.has(rel)) imports.set(rel, new Set());
      imports.get(rel).add(name);
      instanceOf[name] = name;
    } else if (d.isClass) {
      // A class of a dependency (Chart, Quantity, …): checked by constructor name along the prototype chain.
      definitions[name] = { instanceOf: name };
    }
  }
  const sortedDefs = Object.fromEntries(
    Object.keys(definitions)
      .sort()
      .map((k) => [k, definitions[k]]),
  );

  const importLines = [...imports.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rel, names]) => `import { ${[...names].sort().join(', ')} } from '${rel}';`);
  const classes = [
    '// GENERATED by `npm run gen:schemas` from the exported *Props / *Options types. Do not edit.',
    ...importLines,
    '',
    '/**',
    ' * Constructors of the class-typed props, checked with `instanceof`. A function, not a constant:',
    ' * these modules import the guard, so the constructors exist only once every module has loaded.',
    ' */',
    `export function propClasses(): Record<string, Function> {`,
    '  return {',
    ...Object.entries(instanceOf)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `    '${k}': ${v},`),
    '  };',
    '}',
    '',
  ].join('\n');
  // Data, not code: JSON.parse is far cheaper to load than a module of the same literal.
  const data = { types: roots, schemas: sortedDefs };
  return { classes, data };
}

/**
 * Hash of what the generated files are derived from: the library's sources (not the generated files), this
 * script, the compiler settings and the locked dependency versions. Recorded with the output (with the output
 * itself, so a hand edit shows too); while it matches, the output is current without running the generator.
 */
function inputsHash() {
  const hash = crypto.createHash('sha256');
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (p !== path.dirname(OUT)) walk(p);
      } else if (e.name.endsWith('.ts')) files.push(p);
    }
  };
  walk(path.join(ROOT, 'lib'));
  for (const f of [...files.sort(), __filename, path.join(ROOT, 'tsconfig.json'), path.join(ROOT, 'package-lock.json')]) {
    hash
      .update(`${path.relative(ROOT, f)}\0`)
      .update(fs.readFileSync(f))
      .update('\0');
  }
  return hash.digest('hex');
}

/** The two files' texts for `output`, with the record of inputs and output. */
function render({ classes, data }, inputs = inputsHash()) {
  const record = crypto.createHash('sha256').update(inputs).update(JSON.stringify(data)).update(classes).digest('hex');
  return { classes, json: `${JSON.stringify({ generated: 'npm run gen:schemas; do not edit', record, ...data }, null, 1)}\n` };
}

const read = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '');

/** True when the committed files were generated from today's inputs and not edited since (no generation needed). */
function recorded() {
  let committed;
  try {
    committed = JSON.parse(read(OUT));
  } catch {
    return false;
  }
  const { generated, record, ...data } = committed;
  return render({ classes: read(CLASSES), data }).json === read(OUT) && typeof generated === 'string' && typeof record === 'string';
}

/**
 * What differs between the committed files and `output`: null when nothing; `{ stale: false }` when only the
 * recorded inputs differ (the schemas are current; regenerating refreshes the record so later checks skip
 * generation); `{ stale: true }` when the schemas or classes differ. With a message saying what to run.
 */
function staleness(output) {
  const texts = render(output);
  if (texts.json === read(OUT) && texts.classes === read(CLASSES)) return null;
  const { record: _now, ...now } = JSON.parse(texts.json);
  let committed = {};
  try {
    const { record: _then, ...then } = JSON.parse(read(OUT));
    committed = then;
  } catch {}
  return JSON.stringify(now) === JSON.stringify(committed) && texts.classes === read(CLASSES)
    ? {
        stale: false,
        message: 'lib/generated/prop-schemas.json: schemas current; `npm run gen:schemas` records the new inputs (later checks then skip generation)',
      }
    : { stale: true, message: 'lib/generated/prop-schemas.json is stale: run `npm run gen:schemas`' };
}

function write(output) {
  const texts = render(output);
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, texts.json);
  fs.writeFileSync(CLASSES, texts.classes);
}

module.exports = { build, recorded, staleness };

if (require.main === module) {
  const output = build();
  if (process.argv.includes('--check')) {
    const diff = staleness(output);
    if (diff) process.stderr.write(`${diff.message}\n`);
    if (diff?.stale) process.exit(1);
  } else write(output);
}
