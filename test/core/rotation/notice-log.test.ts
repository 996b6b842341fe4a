import { describe, expect, it } from 'vitest';
import { NoticeLog, NOTICES_KEPT } from '../../../src-main/core/rotation/notice-log';
import { forgetSecret, registerSecret } from '../../../src-main/core/redact';

const notice = (n: number) => ({ id: `pending-${n}`, kind: 'revoked' as const, title: `Old key revoked ${n}`, body: `AKOLD${n} was deleted.` });

describe('NoticeLog', () => {
  it('keeps notices in the order they came, each with its own id and the time it came by Keydesk’s clock', () => {
    let now = Date.parse('2031-03-04T05:06:07Z');
    const log = new NoticeLog({ now: () => now });
    const first = log.add(notice(1));
    now += 60_000;
    // The same pending revocation may notice twice (failed, then revoked): two notices, dismissed one by one.
    const again = log.add({ ...notice(1), kind: 'failed' });
    expect(first).toMatchObject({ id: 'pending-1', kind: 'revoked', at: '2031-03-04T05:06:07.000Z' });
    expect(again.at).toBe('2031-03-04T05:07:07.000Z');
    expect(again.noticeId).not.toBe(first.noticeId);
    expect(log.list()).toEqual([first, again]);
    expect(log.dismiss(first.noticeId)).toBe(true);
    expect(log.dismiss(first.noticeId)).toBe(false);
    expect(log.list()).toEqual([again]);
  });

  it(`keeps only the last ${NOTICES_KEPT}, so a scheduler failing for weeks cannot grow it without end`, () => {
    const log = new NoticeLog();
    for (let n = 1; n <= NOTICES_KEPT + 5; n++) log.add(notice(n));
    const titles = log.list().map((n) => n.title);
    expect(titles).toHaveLength(NOTICES_KEPT);
    expect(titles[0]).toBe('Old key revoked 6');
    expect(titles.at(-1)).toBe(`Old key revoked ${NOTICES_KEPT + 5}`);
  });

  it('never keeps a secret a provider’s error quoted, and cuts a runaway message', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYNOTICESECRET';
    registerSecret(secret);
    try {
      const log = new NoticeLog();
      const kept = log.add({ id: 'p', kind: 'failed', title: 'Old key not revoked yet', body: `AKOLD (Backups): the gateway answered "${secret}" secret_key=abc123 ${'x'.repeat(5_000)}` });
      expect(JSON.stringify(log.list())).not.toContain(secret);
      expect(kept.body).not.toContain('abc123');
      expect(kept.body.length).toBeLessThanOrEqual(1_000);
      expect(kept.body.startsWith('AKOLD (Backups): the gateway answered "[redacted]"')).toBe(true);
    } finally {
      forgetSecret(secret);
    }
  });

  it('hands out copies: a caller changing its list changes nothing kept', () => {
    const log = new NoticeLog();
    log.add(notice(1));
    log.list().pop();
    expect(log.list()).toHaveLength(1);
  });
});
