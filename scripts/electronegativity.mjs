// Runs Electronegativity on the main process and renderer, and fails on any HIGH or MEDIUM finding that has
// not been reviewed (scripts/electronegativity-reviewed.json: checks that always ask for a manual review).
// Electronegativity itself exits 0 even with findings, so its CSV report is read here.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const electronVersion = createRequire(import.meta.url)('electron/package.json').version;
const reviewed = JSON.parse(readFileSync(join(root, 'scripts/electronegativity-reviewed.json'), 'utf8'));
const bin = join(root, 'node_modules/.bin/electronegativity');

/** RFC 4180-style rows: quoted fields may hold commas and line breaks (Electronegativity's do). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') cell += text[++i];
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell.trim());
      cell = '';
    } else if (char === '\n') {
      row.push(cell.trim());
      if (row.some((value) => value)) rows.push(row);
      row = [];
      cell = '';
    } else cell += char;
  }
  row.push(cell.trim());
  if (row.some((value) => value)) rows.push(row);
  return rows;
}

// One scan over main and renderer together: its global checks (navigation limits, permission handler,
// CSP) look across all files.
const scratch = mkdtempSync(join(tmpdir(), 'keydesk-en-'));
for (const dir of ['src-main', 'src-renderer/index.html', 'src-renderer/src']) cpSync(join(root, dir), join(scratch, 'app', dir), { recursive: true });
const findings = [];
{
  const report = join(scratch, 'report.csv');
  execFileSync(bin, ['-i', join(scratch, 'app'), '-e', electronVersion, '-x', 'AvailableSecurityFixesGlobalCheck', '-o', report, '-r', '-v', 'false'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (const [check, severity, confidence, file, location] of parseCsv(readFileSync(report, 'utf8')).slice(1)) {
    findings.push({ check, severity, confidence, file, key: `${check} ${file}`, location });
  }
}

let failed = 0;
for (const finding of findings) {
  const serious = finding.severity === 'HIGH' || finding.severity === 'MEDIUM';
  const note = reviewed[finding.key];
  const verdict = !serious ? 'ok (low)' : note ? 'reviewed' : 'FAIL';
  if (verdict === 'FAIL') failed++;
  console.log(`${verdict.padEnd(9)} ${finding.severity.padEnd(6)} ${finding.check} ${finding.file}:${finding.location}${note ? ` — ${note}` : ''}`);
}
console.log(`Electronegativity (Electron ${electronVersion}): ${findings.length} findings, ${failed} unreviewed HIGH/MEDIUM.`);
process.exit(failed ? 1 : 0);
