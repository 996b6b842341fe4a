import { log } from '../core/redact';
import type { EventName, Events } from './contract';

type Listener = <E extends EventName>(event: E, payload: Events[E]) => void;

/** Main → renderer notifications; the shell forwards them over IPC, browser mode over its WebSocket. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  /** One failing listener (a window or connection going away) neither stops the others nor throws into the emitter. */
  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch (error) {
        log.warn(`Delivering ${event} failed: ${error instanceof Error ? error.message : 'unknown error'}`);
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
