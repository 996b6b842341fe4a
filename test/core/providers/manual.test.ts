import { describe, expect, it } from 'vitest';
import { adapter } from '../../../src-main/core/providers/manual';

describe('manual key adapter', () => {
  it('declares no management capabilities and sends the user to Add credentials', async () => {
    const { rotation, ...flags } = adapter.descriptor.capabilities;
    expect(rotation).toBe('none');
    expect(Object.values(flags).every((value) => value === false)).toBe(true);
    expect(adapter.descriptor.pastedKeyOnly).toBe(true);
    const session = adapter.connect({ accountId: 'manual', settings: {}, secrets: {} });
    await expect(session.verify()).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('Add credentials') });
    await expect(session.createKey({})).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(() => session.s3Location()).toThrow(/Add credentials/);
  });
});
