/**
 * Makes finished parts durable in groups: one commit (a datasync, then the journal) covers every part
 * finished before it started, while the next parts keep downloading. Before, each of the eight ranged GETs
 * waited for its own datasync of the same file before asking for its next range: the syncs queued on one
 * another, and on this machine's disk (~100 MB/s synced) ranges sat idle for most of a 1 GiB download.
 * A crash loses at most the parts not yet committed, as before; a part is never listed before it is synced.
 */
export class GroupCommit {
  private waiting: number[] = [];
  private running: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(private readonly commit: (parts: number[]) => Promise<void>) {}

  /** Queues a finished part; throws the failure of an earlier commit (a full disk), which stops the download. */
  add(part: number): void {
    if (this.failure) throw this.failure.error;
    this.waiting.push(part);
    this.running ??= this.drain();
  }

  /** Resolves once every queued part is committed, or rejects with the first commit's failure. */
  async flush(): Promise<void> {
    await this.running;
    if (this.failure) throw this.failure.error;
  }

  /**
   * Waits for the commits under way to end, whatever their outcome, before the temp file is closed or
   * removed. `keep`: the parts still waiting are committed too (a shutdown, where they are resumed from);
   * otherwise they are dropped (a cancel or a failure, where the file goes).
   */
  async settle(keep: boolean): Promise<void> {
    if (!keep) this.waiting = [];
    await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0 && !this.failure) await this.commit(this.waiting.splice(0));
    } catch (error) {
      this.failure = { error };
    } finally {
      this.running = undefined;
    }
  }
}
