// Writes docs/parity.md from the env.example classification (lib/parity/env-parity.ts).
// Run through `npm run gen:parity`, which compiles lib first.
const { writeFileSync, mkdirSync } = require('fs');
const { join } = require('path');
const { renderParityMarkdown } = require('../build/lib/parity/render');

const out = join(__dirname, '..', 'docs', 'parity.md');
mkdirSync(join(__dirname, '..', 'docs'), { recursive: true });
writeFileSync(out, renderParityMarkdown());
console.log(`wrote ${out}`);
