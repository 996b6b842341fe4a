// The sandboxed preload must be one self-contained CommonJS file: no ESM syntax, no require of anything
// but `electron` (a sandboxed preload cannot load node_modules or other files).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const file = join(import.meta.dirname, '../out/preload/index.cjs');
const code = readFileSync(file, 'utf8');
const requires = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
const problems = [];
if (/^\s*(import|export)\s/m.test(code)) problems.push('contains ES module syntax');
const foreign = requires.filter((name) => name !== 'electron');
if (foreign.length) problems.push(`requires ${foreign.join(', ')}`);
if (!requires.includes('electron')) problems.push('does not require electron');
if (problems.length) {
  console.error(`out/preload/index.cjs ${problems.join('; ')}`);
  process.exit(1);
}
console.log(`out/preload/index.cjs: CommonJS, ${code.length} bytes, requires only electron.`);
