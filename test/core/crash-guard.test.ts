import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { keepRunningOnUnexpectedErrors } from '../../src-main/core/crash-guard';
import { forgetSecret, registerSecret } from '../../src-main/core/redact';

describe('last line of defence', () => {
  it('logs an escaped error with secrets redacted and keeps the process running', () => {
    const fakeProcess = new EventEmitter();
    keepRunningOnUnexpectedErrors(fakeProcess as unknown as NodeJS.Process);
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((line) => {
      lines.push(String(line));
      return true;
    });
    registerSecret('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    try {
      fakeProcess.emit('uncaughtException', new Error('request failed: secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'), 'uncaughtException');
      fakeProcess.emit('unhandledRejection', { Authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/…' }, Promise.resolve());
      const deep: unknown[] = [];
      let inner = deep;
      for (let i = 0; i < 100_000; i++) inner = (inner[0] = []) as unknown[];
      fakeProcess.emit('unhandledRejection', deep, Promise.resolve());
    } finally {
      write.mockRestore();
      forgetSecret('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    }
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Keydesk kept running after an unexpected error \(uncaughtException\); please report it: Error: request failed: secret \[redacted\]/);
    expect(lines.join('')).not.toContain('wJalrXUtnFEMI');
    expect(lines[1]).toContain('"Authorization":"[redacted]');
    expect(lines[2]).toContain('please report it: object');
  });
});
