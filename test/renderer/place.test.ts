import { describe, expect, it } from 'vitest';
import { fragmentWithPlace, placeFromFragment, samePlace } from '../../src-renderer/src/lib/place';

const cred = '3f2b8c1e-5d4a-4f6b-9c7d-0e1f2a3b4c5d';
const token = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

describe('the place in the URL fragment', () => {
  it('keeps the token first and untouched, and writes the place after it', () => {
    const hash = fragmentWithPlace(`#token=${token}`, { view: 'browse', credentialId: cred, bucket: 'photos', prefix: 'reports/2024 Q1/' });
    expect(hash).toBe(`#token=${token}&view=browse&cred=${cred}&bucket=photos&prefix=reports%2F2024+Q1%2F`);
    expect(placeFromFragment(hash)).toEqual({ kind: 'place', place: { view: 'browse', credentialId: cred, bucket: 'photos', prefix: 'reports/2024 Q1/' } });
    // A new place replaces the old one, and nothing else rides along.
    expect(fragmentWithPlace(`${hash}&evil=1`, { view: 'accounts' })).toBe(`#token=${token}&view=accounts`);
    // The desktop app has no token.
    expect(fragmentWithPlace('', { view: 'credentials' })).toBe('#view=credentials');
  });

  it('reads no place from a fragment without one, and an invalid one as invalid', () => {
    expect(placeFromFragment(`#token=${token}`)).toEqual({ kind: 'none' });
    expect(placeFromFragment('')).toEqual({ kind: 'none' });
    for (const bad of [
      'view=settings',
      'view=browse&cred=not-a-uuid',
      `view=browse&cred=${cred}&bucket=a/b`,
      `view=browse&cred=${cred}&bucket=b&prefix=no-trailing-slash`,
      `view=browse&cred=${cred}&bucket=b&prefix=${encodeURIComponent('a\u0000/')}`,
      `view=browse&cred=${cred}&bucket=${'b'.repeat(256)}`,
      `view=browse&cred=${cred}&bucket=b&prefix=${'p/'.repeat(513)}`,
      'view=keys&account=../../etc',
    ]) {
      expect(placeFromFragment(`#token=${token}&${bad}`), bad).toEqual({ kind: 'invalid' });
    }
  });

  it('compares places field by field, an empty folder being no folder', () => {
    expect(samePlace({ view: 'browse', credentialId: cred, bucket: 'b', prefix: '' }, { view: 'browse', credentialId: cred, bucket: 'b' })).toBe(true);
    expect(samePlace({ view: 'browse', credentialId: cred, bucket: 'b', prefix: 'x/' }, { view: 'browse', credentialId: cred, bucket: 'b' })).toBe(false);
    expect(samePlace(undefined, { view: 'accounts' })).toBe(false);
  });
});
