/**
 * Bounds on what a request may look like, checked before anything walks it recursively (JSON.stringify,
 * String(), zod): a 100,000-deep array is a few hundred kilobytes and would otherwise blow the stack.
 * No channel needs more than a handful of levels; every count is far above what the contract allows.
 */
export const MAX_DEPTH = 32;
export const MAX_VALUES = 100_000;

/** Keys per delete request: keeps one message well under browser mode's 1 MiB WebSocket limit. */
export const MAX_DELETE_KEYS = 2000;

/** Nesting depth of JSON text, counted without parsing it; undefined when within `maxDepth`. */
export function jsonDepthProblem(text: string, maxDepth = MAX_DEPTH): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

/**
 * The first problem with a value's shape (too deep, too many values), walked without recursion; undefined
 * when it is within bounds. IPC payloads arrive as structured clones, so this also holds Maps, Sets and
 * typed arrays to the same bounds (zod refuses them afterwards).
 */
export function shapeProblem(value: unknown, limits = { maxDepth: MAX_DEPTH, maxValues: MAX_VALUES }): string | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  let count = 0;
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (++count > limits.maxValues) return `more than ${limits.maxValues} values`;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels`;
    const children = current instanceof Map ? [...current.keys(), ...current.values()] : current instanceof Set ? [...current] : ArrayBuffer.isView(current) ? [] : Object.values(current);
    if (children.length > limits.maxValues) return `more than ${limits.maxValues} values`;
    for (const child of children) stack.push([child, depth + 1]);
  }
  return undefined;
}

/** A value named in an error message without calling anything on it (toString, valueOf, getters). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'undefined') return 'nothing';
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${JSON.stringify(value)}`;
  return `a ${typeof value}`;
}
