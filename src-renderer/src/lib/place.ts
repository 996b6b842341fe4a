import type { Place } from '../../../src-main/ipc/contract';
import { placeSchema } from '../../../src-main/ipc/shared';

/**
 * The place (screen, credential, bucket, folder) in the URL fragment, after browser mode's access token:
 * `#token=…&view=browse&cred=ID&bucket=B&prefix=P`. The token is carried over untouched and nothing else
 * is kept, so a link names a place and nothing more. Fragments never reach a server or its logs.
 */

const PARAMS: Record<keyof Place, string> = { view: 'view', credentialId: 'cred', bucket: 'bucket', prefix: 'prefix', accountId: 'account' };

export type FragmentPlace = { kind: 'none' } | { kind: 'place'; place: Place } | { kind: 'invalid' };

export function placeFromFragment(hash: string): FragmentPlace {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  if (!params.has(PARAMS.view)) return { kind: 'none' };
  const raw: Record<string, string> = {};
  for (const [field, param] of Object.entries(PARAMS)) {
    const value = params.get(param);
    if (value !== null) raw[field] = value;
  }
  const parsed = placeSchema.safeParse(raw);
  return parsed.success ? { kind: 'place', place: parsed.data } : { kind: 'invalid' };
}

export function fragmentWithPlace(hash: string, place: Place): string {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  const params = new URLSearchParams();
  if (token !== null) params.set('token', token);
  for (const [field, param] of Object.entries(PARAMS)) {
    const value = place[field as keyof Place];
    if (value !== undefined && value !== '') params.set(param, value);
  }
  return `#${params.toString()}`;
}

/** A place read from anywhere (history state, settings), or undefined when it is not one. */
export function parsePlace(value: unknown): Place | undefined {
  return placeSchema.safeParse(value).data;
}

export function samePlace(a: Place | undefined, b: Place | undefined): boolean {
  if (!a || !b) return a === b;
  return (Object.keys(PARAMS) as (keyof Place)[]).every((field) => (a[field] ?? '') === (b[field] ?? ''));
}
