#!/usr/bin/env node
/**
 * Generates lib/generated/prop-schemas.ts: JSON Schemas of every exported
 * `*Props` and `*Options` interface (and what they reference), derived from
 * the TypeScript types with ts-json-schema-generator, so the runtime guard for
 * untyped (JavaScript/JSON) callers never drifts from the types.
 *
 * Classes (DifyStorage, SecretKeyRef, IngressTls, …) are not JSON: they are
 * emitted as `{ instanceOf: "<Name>" }` and the module imports their
 * constructors so the guard checks them with `instanceof`.
 *
 * Usage: `npm run gen:schemas` (writes the file) or `node scripts/gen-schemas.js --check`
 * (exits 1 when the committed file is stale). Re-run after changing any props type.
 */

const fs = require('fs');
const path = require('path');
const ts = require('typescript');
const tsj = require('ts-json-schema-generator');

const ROOT = path.resolve(__dirname, '..');
const ENTRY = path.join(ROOT, 'lib', 'index.ts');
const OUT = path.join(ROOT, 'lib', 'generated', 'prop-schemas.ts');

/** `` `a${X}` `` in a value position (e.g. DEFAULT_IMAGES): a string. */
class TemplateExpressionParser {
  supportsNode(node) {
    return node.kind === ts.SyntaxKind.TemplateExpression;
  }
  createType() {
    return new tsj.StringType();
  }
}

function build() {
  const config = {
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
  const program = tsj.createProgram(config);
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(ENTRY);
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(entry));

  // Root types: exported interfaces / type aliases named *Props or *Options.
  const roots = [];
  for (const sym of exports) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    for (const decl of target.declarations ?? []) {
      if (
        (ts.isInterfaceDeclaration(decl) || ts.isTypeAliasDeclaration(decl)) &&
        /(Props|Options)$/.test(target.name) &&
        !(decl.typeParameters && decl.typeParameters.length)
      ) {
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
  const body = [
    '// GENERATED by `npm run gen:schemas` from the exported *Props / *Options types. Do not edit.',
    '/* eslint-disable */',
    ...importLines,
    '',
    '/** Names of the root types (exported `*Props` and `*Options`). */',
    `export const PROP_TYPES = ${JSON.stringify(roots, null, 2).replace(/"/g, "'")} as const;`,
    '',
    '/**',
    ' * Constructors of the class-typed props, checked with `instanceof`. A function, not a constant:',
    ' * these modules import the guard, so the constructors exist only once every module has loaded.',
    ' */',
    '// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type',
    `export function propClasses(): Record<string, Function> {`,
    '  return {',
    ...Object.entries(instanceOf)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `    '${k}': ${v},`),
    '  };',
    '}',
    '',
    '/** JSON Schema (draft-07 subset) of every type above, keyed by definition name. */',
    `export const PROP_SCHEMAS: Record<string, unknown> = ${JSON.stringify(sortedDefs, null, 2)};`,
    '',
  ].join('\n');
  return body;
}

const text = build();
if (process.argv.includes('--check')) {
  const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (current !== text) {
    process.stderr.write('lib/generated/prop-schemas.ts is stale: run `npm run gen:schemas`\n');
    process.exit(1);
  }
} else if (process.argv.includes('--stdout')) {
  process.stdout.write(text);
} else {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, text);
}
