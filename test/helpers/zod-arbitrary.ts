import fc from 'fast-check';
import type { z } from 'zod';

/**
 * Payloads for property-based tests of the IPC contract, derived from each channel's zod schema: values of
 * the right shape (so handlers are reached, not only validation), the same with one field broken, and
 * anything at all. Refinements (bucket-name rules, absolute paths) cannot be read back from a schema, so
 * field names steer strings towards what handlers look up: real ids, granted paths, the test endpoint.
 */

export interface PayloadHints {
  /** Ids that exist in the throw-away store, mixed with random UUIDs: by the field that names them. */
  credentialIds: string[];
  accountIds: string[];
  /** Notices main keeps (rotation:dismissNotice). */
  noticeIds?: string[];
  /** Local paths the test granted, plus a few that must be refused. */
  localPaths: string[];
  /** An endpoint that answers quickly (a local stub), for fields that take URLs. */
  endpoint: string;
  providerIds: string[];
  /** Complete account fields for some provider, for "add account". */
  accountFields: Record<string, string>[];
}

interface Def {
  type: string;
  format?: string;
  checks?: { _zod: { def: { check: string; format?: string; minimum?: number; maximum?: number; value?: number; pattern?: RegExp } } }[];
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string>;
  values?: unknown[];
  in?: z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

const check = (def: Def, name: string) => def.checks?.map((c) => c._zod.def).find((c) => c.check === name);

/** Strings that have broken parsers, paths and URLs elsewhere. */
export const hostileString = fc.constantFrom(
  '',
  ' ',
  '..',
  '../../../../etc/passwd',
  '/etc/shadow',
  'C:\\Windows\\System32\\config\\SAM',
  '\\\\server\\share',
  'a\u0000b',
  '%ff%2e%2e%2f',
  '__proto__',
  'constructor',
  'toString',
  '\ud800',
  '\u202egnp.exe',
  '😀'.repeat(300),
  'x'.repeat(5000),
  'http://169.254.169.254/latest/meta-data/',
  'file:///etc/passwd',
  'javascript:alert(1)',
  '<img src=x onerror=alert(1)>',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  'app:info',
);
const hostileNumber = fc.constantFrom(0, -1, -0, 0.5, 2 ** 31, 2 ** 53, Number.MAX_VALUE, -Number.MAX_VALUE);

/** JSON-representable junk: what a WebSocket peer can send. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(null, true, [], {}));

function deepArray(depth: number): unknown[] {
  const root: unknown[] = [];
  let inner = root;
  for (let i = 0; i < depth; i++) inner = (inner[0] = []) as unknown[];
  return root;
}

/** What only a structured clone (Electron IPC) can carry, on top of the JSON junk. */
export const hostileClone: fc.Arbitrary<unknown> = fc.oneof(
  hostileJson,
  fc.constantFrom(NaN, Infinity, -Infinity, 10n ** 30n, new Date(Number.NaN), new Map([['id', 'x']]), new Set(['x']), new Uint8Array(4), Object.create(null), [, 1], deepArray(200)),
  fc.anything({ maxDepth: 3, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true }),
);

function stringFor(def: Def, key: string, hints: PayloadHints): fc.Arbitrary<string> {
  if (def.format === 'uuid') {
    const byKey = new Map([
      ['credentialId', hints.credentialIds],
      ['accountId', hints.accountIds],
      ['noticeId', hints.noticeIds ?? []],
      ['id', [...hints.credentialIds, ...hints.accountIds]],
    ]);
    const known = byKey.get(key) ?? [];
    return known.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: fc.uuid() }) : fc.uuid();
  }
  if (key === 'providerId') return fc.oneof(fc.constantFrom(...hints.providerIds), fc.string());
  if (key === 'name' || key === 'bucket') return fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,20}$/), fc.string({ minLength: 1, maxLength: 20 }));
  if (key === 'folders') return fc.string({ minLength: 1, maxLength: 20 }).map((name) => `${name.replace(/\/+$/, '')}/`);
  if (/endpoint|url/i.test(key)) return fc.constantFrom(hints.endpoint, `${hints.endpoint}/some/path`, 'http://127.0.0.1:1', 'https://s3.example.invalid');
  if (/path|dir/i.test(key)) return fc.constantFrom(...hints.localPaths);
  const min = check(def, 'min_length')?.minimum ?? 0;
  const max = Math.min(check(def, 'max_length')?.maximum ?? 40, 40);
  const pattern = check(def, 'string_format')?.pattern;
  // Lower case matches a case-insensitive pattern too; fast-check refuses the flag. Not filtered by length:
  // for a pattern with a fixed length (a SHA-256 fingerprint) almost no generated string would pass, and the
  // filter would retry for ever; one that misses the length is a broken payload, which the properties cover.
  if (pattern) return fc.stringMatching(new RegExp(pattern.source, pattern.flags.replace('i', '')));
  return fc.oneof(fc.string({ minLength: min, maxLength: Math.max(max, min) }), fc.string({ minLength: min, maxLength: Math.max(max, min), unit: 'binary' }));
}

/** Values of the schema's shape; most pass validation. */
export function shapedLike(schema: z.ZodType, hints: PayloadHints, key = ''): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return stringFor(def, key, hints);
    case 'number': {
      const min = check(def, 'greater_than')?.value ?? -1_000;
      const max = check(def, 'less_than')?.value ?? 1_000_000;
      return def.format === 'safeint' ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries!));
    case 'literal':
      return fc.constantFrom(...def.values!);
    case 'undefined':
      return fc.constant(undefined);
    case 'optional':
      return fc.option(shapedLike(def.innerType!, hints, key), { nil: undefined, freq: 3 });
    case 'nullable':
      return fc.option(shapedLike(def.innerType!, hints, key), { nil: null, freq: 3 });
    case 'default':
      return shapedLike(def.innerType!, hints, key);
    case 'pipe':
      return shapedLike(def.in!, hints, key);
    case 'union':
      return fc.oneof(...def.options!.map((option) => shapedLike(option, hints, key)));
    case 'array': {
      const min = check(def, 'min_length')?.minimum ?? 0;
      return fc.array(shapedLike(def.element!, hints, key), { minLength: min, maxLength: Math.max(min, 3) });
    }
    case 'record':
      if (key === 'fields') return fc.oneof(fc.constantFrom(...hints.accountFields), fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string(), { maxKeys: 4 }));
      return fc.dictionary(shapedLike(def.keyType!, hints) as fc.Arbitrary<string>, shapedLike(def.valueType!, hints), { maxKeys: 4 });
    case 'object': {
      const shape = Object.fromEntries(Object.entries(def.shape!).map(([name, field]) => [name, shapedLike(field, hints, name)]));
      const requiredKeys = Object.entries(def.shape!)
        .filter(([, field]) => defOf(field).type !== 'optional')
        .map(([name]) => name);
      return fc.record(shape, { requiredKeys });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** One field replaced, removed, or added (as an own property, `__proto__` included, as JSON.parse makes it). */
function broken(value: unknown, junk: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  if (typeof value !== 'object' || value === null) return junk;
  if (Array.isArray(value)) return fc.tuple(fc.nat(value.length), junk).map(([at, item]) => Object.assign([...value], { [at]: item }));
  const keys = [...Object.keys(value), '__proto__', 'constructor', 'extra'];
  return fc.tuple(fc.constantFrom(...keys), fc.option(junk, { nil: undefined })).map(([key, replacement]) => {
    const copy = { ...(value as Record<string, unknown>) };
    if (replacement === undefined) delete copy[key];
    else Object.defineProperty(copy, key, { value: replacement, enumerable: true, writable: true, configurable: true });
    return copy;
  });
}

/** Shaped, shaped with one field broken, or junk — the mix the contract fuzz sends to every channel. */
export function payloadFor(schema: z.ZodType, hints: PayloadHints, junk: fc.Arbitrary<unknown> = hostileJson): fc.Arbitrary<unknown> {
  const shaped = shapedLike(schema, hints);
  return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 3, arbitrary: shaped.chain((value) => broken(value, junk)) }, { weight: 1, arbitrary: junk });
}
