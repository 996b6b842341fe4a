import type { EventName, Events } from './contract';

type Listener = <E extends EventName>(event: E, payload: Events[E]) => void;

/** Main → renderer notifications; the shell forwards them over IPC, browser mode over its WebSocket. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.listeners) listener(event, payload);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
