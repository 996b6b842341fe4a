import { describe, expect, it } from 'vitest';
import { describeDue, keyAge } from '../../../src-main/core/rotation/policy';
import type { CredentialRecord } from '../../../src-main/core/vault/metadata-store';

const now = new Date('2025-06-01T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

function record(change: Partial<CredentialRecord>): CredentialRecord {
  return {
    id: 'c1',
    label: 'c1',
    endpoint: 'https://s3.example.com',
    region: 'us-east-1',
    accessKeyId: 'AK1',
    forcePathStyle: true,
    checksums: 'when-required',
    createdAt: daysAgo(0),
    rotationMaxAgeDays: 90,
    transfer: { partSizeMiB: 16, concurrency: 8 },
    ...change,
  };
}

describe('describeDue', () => {
  it('counts down to the policy age, then up as overdue', () => {
    expect(describeDue(keyAge(record({ createdAt: daysAgo(78) }), now))).toBe('due in 12 days');
    expect(describeDue(keyAge(record({ createdAt: daysAgo(89) }), now))).toBe('due in 1 day');
    expect(describeDue(keyAge(record({ createdAt: daysAgo(90) }), now))).toBe('due today');
    expect(describeDue(keyAge(record({ createdAt: daysAgo(93) }), now))).toBe('overdue by 3 days');
  });

  it('counts from the last rotation and follows the per-key maximum age', () => {
    const age = keyAge(record({ createdAt: daysAgo(400), rotatedAt: daysAgo(10), rotationMaxAgeDays: 30 }), now);
    expect(describeDue(age)).toBe('due in 20 days');
    expect(describeDue(keyAge(record({ createdAt: daysAgo(31), rotationMaxAgeDays: 30 }), now))).toBe('overdue by 1 day');
  });
});
