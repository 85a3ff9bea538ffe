// Writes docs/parity.md from the env.example classification (lib/parity/env-parity.ts).
// Run through `npm run gen:parity`, which compiles lib first.
const { writeFileSync, mkdirSync } = require('fs');
const { join } = require('path');
require('tsx/cjs');
const { renderParityMarkdown } = require('../lib/parity/render');

const out = join(__dirname, '..', 'docs', 'parity.md');
mkdirSync(join(__dirname, '..', 'docs'), { recursive: true });
writeFileSync(out, renderParityMarkdown());
console.log(`wrote ${out}`);
