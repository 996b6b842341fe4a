import { randomUUID } from 'node:crypto';
import { KeydeskError } from '../core/errors';
import type { ListingPage } from '../core/s3/listing';

export interface ListingStep {
  page: ListingPage;
  /** True once the last page was sent; the listing is closed then. */
  done: boolean;
}

interface OpenListing {
  pages: AsyncIterator<ListingPage>;
  controller: AbortController;
  close: () => void;
  lastUsed: number;
  /** Pulls run one after another even if the renderer asks twice. */
  tail: Promise<unknown>;
}

export interface ListingRegistryOptions {
  /** Listings kept open at once; the least recently used one is closed to make room. */
  max?: number;
  /** A listing nobody pulled from for this long is closed (its page was scrolled away, its window closed). */
  idleMs?: number;
}

/**
 * Large folders are listed as pull-pages: the S3 listing (an async generator) stays in main, and the
 * renderer asks for one page after another, so its first rows show while the rest is still being listed.
 */
export class ListingRegistry {
  private readonly open = new Map<string, OpenListing>();
  private readonly max: number;
  private readonly idleMs: number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(options: ListingRegistryOptions = {}) {
    this.max = options.max ?? 16;
    this.idleMs = options.idleMs ?? 120_000;
  }

  get size(): number {
    return this.open.size;
  }

  /** `list` receives the signal that listCancel and expiry abort; `close` releases the S3 client. */
  async start(list: (signal: AbortSignal) => AsyncIterable<ListingPage>, close: () => void): Promise<ListingStep & { listingId: string }> {
    while (this.open.size >= this.max) this.cancel(this.open.keys().next().value as string);
    const controller = new AbortController();
    const listingId = randomUUID();
    this.open.set(listingId, { pages: list(controller.signal)[Symbol.asyncIterator](), controller, close, lastUsed: Date.now(), tail: Promise.resolve() });
    this.startSweeper();
    return { listingId, ...(await this.next(listingId)) };
  }

  next(listingId: string): Promise<ListingStep> {
    const listing = this.open.get(listingId);
    if (!listing) {
      return Promise.reject(
        new KeydeskError({ code: 'NOT_FOUND', message: 'This listing was closed (it was idle or too many were open).', hint: 'Refresh the folder to list it again.' }),
      );
    }
    listing.lastUsed = Date.now();
    // Re-inserted: the Map's order is then least recently used first.
    this.open.delete(listingId);
    this.open.set(listingId, listing);
    const step = listing.tail.then(() => this.pull(listingId, listing));
    listing.tail = step.catch(() => undefined);
    return step;
  }

  cancel(listingId: string): boolean {
    const listing = this.open.get(listingId);
    if (!listing) return false;
    this.open.delete(listingId);
    listing.controller.abort();
    listing.close();
    if (this.open.size === 0) this.stopSweeper();
    return true;
  }

  closeAll(): void {
    for (const id of [...this.open.keys()]) this.cancel(id);
  }

  private async pull(listingId: string, listing: OpenListing): Promise<ListingStep> {
    try {
      // The core listing already requests page n+1 while page n travels to the renderer.
      const result = await listing.pages.next();
      listing.lastUsed = Date.now();
      if (result.done) {
        this.cancel(listingId);
        return { page: { folders: [], objects: [] }, done: true };
      }
      return { page: result.value, done: false };
    } catch (error) {
      this.cancel(listingId);
      throw error;
    }
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const cutoff = Date.now() - this.idleMs;
      for (const [id, listing] of this.open) if (listing.lastUsed < cutoff) this.cancel(id);
    }, Math.min(30_000, this.idleMs));
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
