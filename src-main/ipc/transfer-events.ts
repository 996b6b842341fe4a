import type { TransferQueue } from '../core/transfers/queue';
import type { TransferItemSnapshot } from '../core/transfers/types';
import type { TransfersEvent } from './channels/transfers';
import type { EventBus } from './events';

/**
 * Forwards queue events as `transfers:event`, batched: adding a folder of 10,000 files would otherwise be
 * 10,000 IPC messages. Item changes are coalesced per id (latest state wins) and flushed with progress.
 */
export function forwardTransferEvents(queue: TransferQueue, events: EventBus, intervalMs = 150): () => void {
  let items = new Map<string, TransferItemSnapshot>();
  let removed: string[] = [];
  let progress: TransfersEvent['progress'];
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    timer = undefined;
    const event: TransfersEvent = { items: [...items.values()], removed, progress };
    items = new Map();
    removed = [];
    progress = undefined;
    events.emit('transfers:event', event);
  };

  const unsubscribe = queue.subscribe((event) => {
    if (event.type === 'item') items.set(event.item.id, event.item);
    else if (event.type === 'removed') {
      for (const id of event.ids) items.delete(id);
      removed.push(...event.ids);
    } else progress = { items: event.items, total: event.total };
    timer ??= setTimeout(flush, intervalMs);
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}
