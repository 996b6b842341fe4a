import { afterEach, describe, expect, it, vi } from 'vitest';
import { SecretClipboard } from '../../src-main/core/secret-clipboard';

function memoryClipboard() {
  let text = '';
  return { text: () => text, readText: async () => text, writeText: async (value: string) => void (text = value) };
}

describe('SecretClipboard', () => {
  afterEach(() => vi.useRealTimers());

  it('clears a copied secret after 30 s if the clipboard still holds it', async () => {
    vi.useFakeTimers();
    const backing = memoryClipboard();
    await new SecretClipboard(backing).copySecret('s3cr3t-value');
    expect(backing.text()).toBe('s3cr3t-value');
    await vi.advanceTimersByTimeAsync(29_999);
    expect(backing.text()).toBe('s3cr3t-value');
    await vi.advanceTimersByTimeAsync(1);
    expect(backing.text()).toBe('');
  });

  it('leaves alone whatever the user copied since', async () => {
    vi.useFakeTimers();
    const backing = memoryClipboard();
    await new SecretClipboard(backing).copySecret('s3cr3t-value');
    await backing.writeText('a shopping list');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(backing.text()).toBe('a shopping list');
  });

  it('clears at once on quit', async () => {
    const backing = memoryClipboard();
    const clipboard = new SecretClipboard(backing);
    await clipboard.copySecret('s3cr3t-value');
    expect(clipboard.holdsSecrets).toBe(true);
    await clipboard.clearNow();
    expect(backing.text()).toBe('');
    expect(clipboard.holdsSecrets).toBe(false);
  });
});
