import { describe, expect, it } from 'vitest';
import { adapter } from '../../../src-main/core/providers/manual';

describe('manual key adapter', () => {
  const session = adapter.connect({
    accountId: 'manual',
    settings: { endpoint: 'https://s3.example.com/', region: 'eu-central-1', accessKeyId: 'AKIAEXAMPLE' },
    secrets: { secretAccessKey: 'secret' },
  });

  it('declares no management capabilities', () => {
    const { rotation, ...flags } = adapter.descriptor.capabilities;
    expect(rotation).toBe('none');
    expect(Object.values(flags).every((value) => value === false)).toBe(true);
  });

  it('refuses management calls with a clear UNSUPPORTED error', async () => {
    await expect(session.createKey({})).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining("provider's console") });
    await expect(session.listKeys({})).resolves.toEqual([]);
    expect(session.deleteKey).toBeUndefined();
    expect(session.regenerateSecret).toBeUndefined();
  });

  it('points S3 at the pasted endpoint, path style unless turned off', () => {
    expect(session.s3Location()).toEqual({ endpoint: 'https://s3.example.com', region: 'eu-central-1', forcePathStyle: true });
    const virtualHost = adapter.connect({ accountId: 'm', settings: { endpoint: 'https://s3.example.com', forcePathStyle: 'false' }, secrets: {} });
    expect(virtualHost.s3Location()).toEqual({ endpoint: 'https://s3.example.com', region: 'us-east-1', forcePathStyle: false });
    expect(() => adapter.connect({ accountId: 'm', settings: {}, secrets: {} }).s3Location()).toThrow(/S3 endpoint/);
  });
});
