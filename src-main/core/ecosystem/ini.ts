/**
 * The INI dialect shared by ~/.aws/{config,credentials}, rclone.conf and ~/.s3cfg: `[section]`, `key = value`,
 * `#`/`;` comments, and AWS's nested blocks (`s3 =` followed by indented `key = value` lines, read as
 * `s3.key`). Line numbers are kept so a file can be rewritten without chosen lines and nothing else changed.
 */

export interface IniValue {
  value: string;
  /** 0-based line index in the file. */
  line: number;
}

export interface IniSection {
  name: string;
  values: Map<string, IniValue>;
}

export function parseIni(text: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection | undefined;
  let nestedParent: string | undefined;
  text.split(/\r?\n/).forEach((raw, line) => {
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(trimmed);
    if (header) {
      current = { name: header[1].trim(), values: new Map() };
      sections.push(current);
      nestedParent = undefined;
      return;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!current || !pair) return;
    const key = pair[1].trim().toLowerCase();
    const value = pair[2].trim();
    const indented = /^\s/.test(raw);
    if (indented && nestedParent) {
      current.values.set(`${nestedParent}.${key}`, { value, line });
      return;
    }
    nestedParent = value === '' ? key : undefined;
    current.values.set(key, { value, line });
  });
  return sections;
}

/** The text without the given lines, each replaced by `note` once per section-run (or dropped if no note). */
export function withoutLines(text: string, lines: Set<number>, note?: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  let noted = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    if (!lines.has(index)) {
      out.push(raw);
      noted = false;
      return;
    }
    if (note && !noted) out.push(note);
    noted = true;
  });
  return out.join(eol);
}
