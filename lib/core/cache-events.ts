import type {
  CacheEventListener,
  CacheEventMap,
  CacheEventName,
} from './cache-events.interface.js';
import { LISTENER_THREW } from './cache.messages.js';
import { errorStack } from './error-text.util.js';
import type { CacheLogger } from './logger.interface.js';

/** Each event's listeners; an event nobody listens to has none (undefined), not an empty list. */
export type CacheListeners = { [E in CacheEventName]?: CacheEventListener<E>[] };

/**
 * A cache's event listeners. Emitting costs nothing for an event nobody listens to: the cache
 * checks `listeners[event] !== undefined` before building a payload. A listener that throws is
 * logged and the others still run.
 */
export class CacheEvents {
  readonly listeners: CacheListeners = {};

  constructor(private readonly logger: CacheLogger) {}

  /** Adds `listener`; @returns a function that removes it. */
  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void {
    const listeners = this.listeners;
    const current = (listeners[event] ?? []) as CacheEventListener<E>[];
    listeners[event] = [...current, listener] as CacheListeners[E];
    return () => {
      const remaining = (listeners[event] ?? []).filter((l) => l !== listener);
      listeners[event] = (remaining.length > 0 ? remaining : undefined) as CacheListeners[E];
    };
  }

  /** Calls every listener of `event`; only call it when `listeners[event]` is defined. */
  emit<E extends CacheEventName>(event: E, payload: CacheEventMap[E]): void {
    for (const listener of this.listeners[event] as CacheEventListener<E>[]) {
      try {
        listener(payload);
      } catch (error) {
        this.logger.error(LISTENER_THREW(event), errorStack(error));
      }
    }
  }
}
