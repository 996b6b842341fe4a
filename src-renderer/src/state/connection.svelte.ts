import type { BridgeState } from '../../../src-main/ipc/contract';
import { api } from '../lib/api';

/** Whether main is there to answer; the page blocks while it is not (components/ConnectionNotice.svelte). */
export class ConnectionState {
  state = $state<BridgeState>({ status: 'connecting' });
  /** Counts recoveries, so screens built before the loss can be rebuilt from fresh data. */
  recoveries = $state(0);

  readonly lost = $derived(this.state.status === 'lost');

  /** Follows the bridge; `onRecovered` runs when main answers again after a loss. Returns the unsubscribe. */
  connect(onRecovered: () => void): () => void {
    let wasLost = false;
    return api.onConnection((state) => {
      this.state = state;
      if (state.status === 'lost') wasLost = true;
      else if (state.status === 'open' && wasLost) {
        wasLost = false;
        this.recoveries++;
        onRecovered();
      }
    });
  }
}
