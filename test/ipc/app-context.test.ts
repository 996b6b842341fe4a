import { describe, expect, it } from 'vitest';
import type { RecoveryResult } from '../../src-main/core/rotation/engine';
import { NoticeLog } from '../../src-main/core/rotation/notice-log';
import type { RevocationNotice } from '../../src-main/core/rotation/revocations';
import { startRotationWork, type AppContext } from '../../src-main/ipc/app-context';
import { EventBus } from '../../src-main/ipc/events';

describe('startRotationWork', () => {
  it('tells the user (a notice, kept for windows that connect later and sent to the tray) what recovery at start could not finish, and a key it saved on its own; quiet outcomes stay quiet', async () => {
    const results: RecoveryResult[] = [
      { rotationId: 'r1', credentialId: 'c1', outcome: 'finished', settled: { oldKey: 'deleted' } },
      { rotationId: 'r2', credentialId: '', outcome: 'rolled-back', keyAction: 'create' },
      { rotationId: 'r3', credentialId: 'c3', outcome: 'failed', keyAction: 'regenerate', error: { code: 'NOT_FOUND', message: 'The new secret is lost.', hint: 'Regenerate it again.' } },
      { rotationId: 'r4', credentialId: 'c4', outcome: 'finished', keyAction: 'regenerate', savedAs: { id: 'c4', label: 'rgw: alice (regenerated when Keydesk stopped)' } },
      { rotationId: 'r5', credentialId: 'c5', outcome: 'failed', error: { code: 'NETWORK', message: 'RGW could not be reached.' } },
    ];
    const events = new EventBus();
    const notices: RevocationNotice[] = [];
    events.subscribe((event, payload) => {
      if (event === 'rotation:notice') notices.push(payload as RevocationNotice);
    });
    let started = false;
    const kept = new NoticeLog();
    const ctx = { events, notices: kept, rotation: { recoverRotations: async () => results }, revocations: { start: async () => void (started = true) } } as unknown as AppContext;
    await startRotationWork(ctx);
    const logged = { noticeId: expect.any(String), at: expect.any(String) };
    expect(notices).toEqual([
      { id: 'r3', kind: 'failed', title: 'Regenerating a key did not finish', body: 'The new secret is lost. Regenerate it again.', ...logged },
      { id: 'r4', kind: 'recovered', title: 'A regenerated key was saved', body: expect.stringContaining('saved as "rgw: alice (regenerated when Keydesk stopped)"'), ...logged },
      { id: 'r5', kind: 'failed', title: 'A key rotation did not finish', body: 'RGW could not be reached.', ...logged },
    ]);
    // No window was connected yet: the same notices wait in the list for the first one.
    expect(kept.list()).toEqual(notices);
    expect(started).toBe(true);
  });
});
