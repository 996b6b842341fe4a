import type { CredentialRecord } from '../vault/metadata-store';

const DAY_MS = 86_400_000;

export interface KeyAge {
  /** Whole days since the key was rotated, or added when it never was. */
  days: number;
  since: 'rotated' | 'added';
  maxAgeDays: number;
  /** Days until due; 0 or less means due (negative: overdue by that many days). */
  dueInDays: number;
  due: boolean;
}

export function keyAge(record: CredentialRecord, now = new Date()): KeyAge {
  const since = record.rotatedAt ? 'rotated' : 'added';
  const days = Math.max(0, Math.floor((now.getTime() - Date.parse(record.rotatedAt ?? record.createdAt)) / DAY_MS));
  const dueInDays = record.rotationMaxAgeDays - days;
  return { days, since, maxAgeDays: record.rotationMaxAgeDays, dueInDays, due: dueInDays <= 0 };
}

/** "rotated 12 days ago", "added today". */
export function describeAge(age: KeyAge): string {
  const when = age.days === 0 ? 'today' : age.days === 1 ? 'yesterday' : `${age.days} days ago`;
  return `${age.since} ${when}`;
}

/** "due in 12 days", "due today", "overdue by 3 days". */
export function describeDue(age: KeyAge): string {
  const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  if (age.dueInDays > 0) return `due in ${days(age.dueInDays)}`;
  return age.dueInDays === 0 ? 'due today' : `overdue by ${days(-age.dueInDays)}`;
}

export interface DueRotation {
  credentialId: string;
  label: string;
  accessKeyId: string;
  accountId?: string;
  age: KeyAge;
}

/** Saved keys older than their policy allows (rotationMaxAgeDays, default 90), most overdue first. */
export function dueRotations(credentials: CredentialRecord[], now = new Date()): DueRotation[] {
  return credentials
    .map((c) => ({ credentialId: c.id, label: c.label, accessKeyId: c.accessKeyId, accountId: c.accountId, age: keyAge(c, now) }))
    .filter((d) => d.age.due)
    .sort((a, b) => a.age.dueInDays - b.age.dueInDays);
}
