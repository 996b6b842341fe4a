import type { ErrorInfo, RevealableSnippet, Snippets } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';

export type SnippetTab = 'aws' | RevealableSnippet;

/**
 * "Use in…" for one saved key: snippets without the secret, plus, per tab and only after the user asked,
 * the same snippet with the secret written out. The revealed text lives only here, never in logs.
 */
export class UseInState {
  snippets = $state<Snippets>();
  tab = $state<SnippetTab>('aws');
  revealed = $state<Partial<Record<RevealableSnippet, string>>>({});
  error = $state<ErrorInfo>();

  readonly text = $derived(
    this.tab === 'aws' ? this.snippets?.awsConfig : (this.revealed[this.tab] ?? (this.tab === 'rclone' ? this.snippets?.rclone : this.snippets?.env)),
  );

  constructor(readonly credentialId: string) {}

  async load(): Promise<void> {
    try {
      this.snippets = await api.credentials.snippets({ id: this.credentialId });
    } catch (error) {
      this.error = errorInfo(error);
    }
  }

  async reveal(kind: RevealableSnippet): Promise<void> {
    this.error = undefined;
    try {
      this.revealed = { ...this.revealed, [kind]: await api.credentials.revealForSnippet({ id: this.credentialId, kind }) };
    } catch (error) {
      this.error = errorInfo(error);
    }
  }

  hide(kind: RevealableSnippet): void {
    this.revealed = { ...this.revealed, [kind]: undefined };
  }
}
