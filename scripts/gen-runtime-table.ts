import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { runtimeContractTable } from '../lib/runtime/table';

// Rewrites README's "Will it run?" table from the runtime contracts (lib/runtime/contracts.ts).
// `npm run gen:runtime-table`; test/runtime-contracts.test.ts fails when the README differs.

export const BEGIN = '<!-- runtime-contracts:begin (npm run gen:runtime-table) -->';
export const END = '<!-- runtime-contracts:end -->';

/** The README with its generated section replaced by `table`. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${BEGIN} … ${END} section`);
  return `${readme.slice(0, start + BEGIN.length)}\n${table}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const path = join(__dirname, '..', 'README.md');
  writeFileSync(path, withTable(readFileSync(path, 'utf8'), runtimeContractTable()));
}
