/**
 * A file as lines of bytes, so a rewrite changes only the lines it means to: every other byte (invalid
 * UTF-8 such as zsh's metafied history, a BOM, CRLF or a missing final newline) comes back exactly as read.
 * Matching works on the UTF-8 text; `text.split('\n')` and the byte lines agree line for line, because a
 * newline byte is never part of a multi-byte character.
 */

export interface FileLines {
  /** Each line's bytes, without its line ending. */
  lines: Buffer[];
  /** Each line's ending: '\n', '\r\n', or '' for a last line without one. */
  endings: string[];
  /** What new lines end with: the file's own first ending, '\n' for a file without one. */
  eol: string;
}

export function splitLines(bytes: Buffer): FileLines {
  const lines: Buffer[] = [];
  const endings: string[] = [];
  let start = 0;
  for (;;) {
    const newline = bytes.indexOf(0x0a, start);
    if (newline === -1) break;
    const crlf = newline > start && bytes[newline - 1] === 0x0d;
    lines.push(bytes.subarray(start, crlf ? newline - 1 : newline));
    endings.push(crlf ? '\r\n' : '\n');
    start = newline + 1;
  }
  // "a\n" is one line; "a\nb" two; "" none.
  if (start < bytes.length) {
    lines.push(bytes.subarray(start));
    endings.push('');
  }
  return { lines, endings, eol: endings.find((e) => e !== '') ?? '\n' };
}

/** The lines as UTF-8 text, one string per line (for matching and display, never for writing back). */
export function textLines(file: FileLines): string[] {
  return file.lines.map((line) => line.toString('utf8'));
}

/** What replaces a line in a rewrite: nothing (removed) or new lines of text. */
export type LineEdit = { remove: true } | { replaceWith: string[] };

/**
 * The file with the edits applied (by 0-based line). New lines take the file's line ending; a replaced
 * last line without an ending keeps having none.
 */
export function applyEdits(file: FileLines, edits: Map<number, LineEdit>): Buffer {
  const parts: Buffer[] = [];
  file.lines.forEach((line, index) => {
    const edit = edits.get(index);
    if (!edit) {
      parts.push(line, Buffer.from(file.endings[index]));
      return;
    }
    if ('remove' in edit) return;
    edit.replaceWith.forEach((text, i) => {
      const last = i === edit.replaceWith.length - 1;
      parts.push(Buffer.from(text, 'utf8'), Buffer.from(last ? file.endings[index] || '' : file.eol));
    });
  });
  const out = Buffer.concat(parts);
  // Removing the last line must not leave the line before it without the ending it had.
  return out;
}

/** Every occurrence of each value replaced by `placeholder`, byte for byte elsewhere. */
export function replaceAll(bytes: Buffer, values: string[], placeholder: string): Buffer {
  let out = bytes;
  const with_ = Buffer.from(placeholder, 'utf8');
  for (const value of values) {
    if (!value) continue;
    const needle = Buffer.from(value, 'utf8');
    const parts: Buffer[] = [];
    let start = 0;
    for (let at = out.indexOf(needle); at !== -1; at = out.indexOf(needle, start)) {
      parts.push(out.subarray(start, at), with_);
      start = at + needle.length;
    }
    if (!parts.length) continue;
    parts.push(out.subarray(start));
    out = Buffer.concat(parts);
  }
  return out;
}
