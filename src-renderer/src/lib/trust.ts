import type { TrustChoice, TrustEntry } from '../../../src-main/ipc/contract';

/** What the renderer sends back for entries already stored: main keeps the certificates themselves. */
export function choicesOf(entries: readonly TrustEntry[] | undefined): TrustChoice[] {
  return (entries ?? []).map(({ kind, host, sha256 }) => ({ kind, host, sha256 }));
}

/**
 * A new choice among the existing ones. A pin replaces everything for its host (a pin is exact; the old
 * certificate is gone); a CA replaces that host's pins, which would otherwise still win over it.
 */
export function withChoice(choices: readonly TrustChoice[], choice: TrustChoice): TrustChoice[] {
  const kept = choices.filter((c) => c.host !== choice.host || (choice.kind === 'ca' && c.kind === 'ca' && c.sha256 !== choice.sha256));
  return [...kept, choice];
}

/** "CN=Keydesk test CA, O=…" → "Keydesk test CA". */
export function commonName(subject: string): string {
  return /(?:^|, )CN=([^,]+)/.exec(subject)?.[1] ?? subject;
}
