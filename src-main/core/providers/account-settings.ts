import { KeydeskError } from '../errors';
import type { AccountContext, AccountField } from './adapter';

/** Reading an account's fields the same way in every adapter: trimmed, and empty counts as unset. */

export function setting(account: AccountContext, name: string): string | undefined {
  return account.settings[name]?.trim() || undefined;
}

/** A field the adapter cannot work without; the error names the provider and the field's label. */
export function requireField(account: AccountContext, provider: string, name: string, label: string, from: 'settings' | 'secrets' = 'settings'): string {
  const value = account[from][name]?.trim();
  if (!value) throw new KeydeskError({ code: 'INVALID_INPUT', message: `${provider}: the ${label} is missing in this account's settings.` });
  return value;
}

const MAX_ROWS = 16;

/**
 * The rows of a 'rows' field (a JSON array of objects keyed by column name): values trimmed, blank rows
 * dropped, required columns and URLs checked. Used when an account is added and when an adapter reads it.
 */
export function parseRows(field: AccountField, raw: string | undefined): Record<string, string>[] {
  const columns = field.columns ?? [];
  const invalid = (detail: string) => new KeydeskError({ code: 'INVALID_INPUT', message: `${field.label}: ${detail}` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw?.trim() || '[]');
  } catch {
    throw invalid('not a list of rows.');
  }
  if (!Array.isArray(parsed)) throw invalid('not a list of rows.');
  if (parsed.length > MAX_ROWS) throw invalid(`at most ${MAX_ROWS} rows.`);
  const rows: Record<string, string>[] = [];
  parsed.forEach((item: unknown, index) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw invalid(`row ${index + 1} is not a row.`);
    const entries = Object.entries(item as Record<string, unknown>);
    const unknown = entries.map(([name]) => name).filter((name) => !columns.some((column) => column.name === name));
    if (unknown.length) throw invalid(`row ${index + 1} has unknown column(s) ${unknown.join(', ')}.`);
    const row: Record<string, string> = {};
    for (const [name, value] of entries) {
      if (typeof value !== 'string') throw invalid(`row ${index + 1}: ${name} is not text.`);
      if (value.trim()) row[name] = value.trim();
    }
    if (Object.keys(row).length === 0) return;
    for (const column of columns) {
      const value = row[column.name];
      if (!value) {
        if (column.required) throw invalid(`enter the ${column.label} in row ${index + 1}.`);
        continue;
      }
      if (column.kind === 'url' && !URL.canParse(value)) throw invalid(`the ${column.label} "${value}" in row ${index + 1} is not a valid URL.`);
    }
    rows.push(row);
  });
  if (field.required && rows.length === 0) throw invalid('add at least one row.');
  return rows;
}
