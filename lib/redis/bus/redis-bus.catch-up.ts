import type { CacheLogger } from '../../core/logger.interface.js';
import { EARLIER_VERSION_HEARD, GAP_REASON } from '../redis.messages.js';
import type { HistoryEntry } from './redis-bus-history.codec.js';
import { sameChange, type BusMessage } from './redis-bus.codec.js';
import { compareStreamIds } from './stream-id.util.js';

/**
 * Where this instance is in the bus history, and how it catches up after a gap: it reads the
 * history from the last entry it applied, applies exactly what the other instances announced
 * meanwhile, and keeps the rest of its memory. Only when the history cannot show every missed
 * change (it no longer holds that last entry: trimmed, or lost by Redis) is L1 cleared instead.
 *
 * Invariant: every change announced up to `position` was applied to L1, or came before the
 * last clear. `position` moves only forward, and only past entries applied in history order: a
 * message heard while the bus was lost (or before its catch-up ended) is applied at once but
 * moves nothing until every entry before it has been applied. The history holds what it holds
 * from its oldest entry on (it is trimmed from the front only), so finding the entry at
 * `position` still there proves that nothing after it is missing.
 *
 * Applying a change again, or out of order, is safe: every change heard from another instance
 * only drops, invalidates or expires (marks STALE) L1 entries. Order matters for `position` only.
 */

/** What the catch-up reads: the bus history (the store). */
export interface BusHistoryReader {
  /**
   * Up to `count` entries from `start` (an id, included, or `(` and an id, after it), oldest
   * first; maybe fewer (a reply is bounded in bytes too), none past the end.
   */
  readHistory(start: string, count: number): Promise<HistoryEntry[]>;
  lastInHistory(): Promise<HistoryEntry | undefined>;
}

/** What the catch-up does to L1 (the tier). */
export interface CatchUpTarget {
  /** Applies another instance's change to L1. */
  apply(message: BusMessage): void;
  /** Clears L1: the missed changes cannot be known (`reason` says why). */
  clear(reason: string): void;
  /** The gap was caught up: `applied` missed changes were applied. */
  caughtUp(applied: number): void;
}

/**
 * Entries read from the history per command, at most: a long gap is read (and applied) in
 * slices, the event loop free between two.
 */
export const HISTORY_BATCH = 200;
/**
 * How long a catch-up waits for the command connection when the bus came back first (both were
 * lost together): after that, L1 is cleared, as a gap longer than the history would.
 */
export const CATCH_UP_WAIT_MS = 1000;

interface Position {
  readonly id: string;
  /** The entry's message, to recognise the entry (undefined when it was not a valid one). */
  readonly message: BusMessage | undefined;
}

export class BusCatchUp {
  /** Gaps caught up from the history (without a clear). */
  catchUps = 0;
  /** Missed changes of other instances applied from the history. */
  changesCaughtUp = 0;
  /** The last entry of the history applied in order; undefined until one is known. */
  private position: Position | undefined;
  /** Counts the losses of the bus: work for an earlier subscription stops when it changes. */
  private generation = 0;
  /** From a loss of the bus until its catch-up ended: heard messages do not move `position`. */
  private inGap = false;
  /** The first and the last message heard since the bus came back (during `inGap`). */
  private firstHeard: string | undefined;
  private lastHeard: Position | undefined;
  /** An instance that does not write the history shares the channel: gaps clear. */
  private earlierVersionHeard = false;
  private waitingForCommands: { resolve: (ready: boolean) => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    private readonly history: BusHistoryReader,
    private readonly instanceId: string,
    private readonly commandsConnected: () => boolean,
    private readonly logger: CacheLogger,
    private readonly target: CatchUpTarget,
  ) {}

  /** A valid message heard on the channel (this instance's own too). */
  heard(message: BusMessage): void {
    const { id } = message;
    if (id === undefined) {
      if (message.src === this.instanceId || this.earlierVersionHeard) return;
      this.earlierVersionHeard = true;
      this.logger.warn(EARLIER_VERSION_HEARD(message.src));
      return;
    }
    const heard = { id, message };
    if (this.inGap) {
      this.firstHeard ??= id;
      this.lastHeard = heard;
    } else {
      this.advance(heard);
    }
  }

  /** The bus was lost: messages are missed until the catch-up of the next subscription. */
  lost(): void {
    this.generation++;
    this.inGap = true;
    this.firstHeard = undefined;
    this.lastHeard = undefined;
  }

  /** Subscribed (again): finds this instance's position, or catches up on a gap. Never rejects. */
  async subscribed(afterGap: boolean): Promise<void> {
    const generation = this.generation;
    if (!afterGap) return this.locate(generation);
    const reason = await this.catchUp(generation);
    if (generation !== this.generation || reason === undefined) return;
    this.target.clear(reason);
    this.endGap();
    return this.locate(generation);
  }

  /** The command connection is ready: a catch-up waiting for it goes on. */
  commandsReady(): void {
    for (const waiter of this.waitingForCommands.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(true);
    }
  }

  close(): void {
    this.generation++;
    for (const waiter of this.waitingForCommands.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
  }

  /**
   * Applies the history's entries after `position` made by other instances, in slices of at
   * most `HISTORY_BATCH`, until the history has none left or up to the first message heard
   * since the bus came back (from there on, every message was heard). Resolves undefined when
   * caught up (or when the bus was lost again: the next subscription goes on from `position`),
   * or why L1 must be cleared instead.
   */
  private async catchUp(generation: number): Promise<string | undefined> {
    const from = this.position;
    if (from === undefined) return GAP_REASON.noPosition;
    if (this.earlierVersionHeard) return GAP_REASON.earlierVersion;
    if (!(await this.commandConnection())) return GAP_REASON.unreadable;
    let applied = 0;
    let start = from.id;
    try {
      for (let first = true; ; first = false) {
        const entries = await this.history.readHistory(start, HISTORY_BATCH);
        if (generation !== this.generation) return undefined;
        if (first) {
          // The entry at `position` must still be there: then nothing after it is missing.
          const head = entries.shift();
          if (head === undefined || head.id !== from.id) return GAP_REASON.tooLong;
          const { message } = from;
          if (typeof head.message !== 'string' && message && !sameChange(head.message, message)) {
            return GAP_REASON.tooLong;
          }
        } else if (entries.length === 0) {
          // A slice may be short for its size in bytes: only an empty one ends the history.
          return this.caughtUp(applied);
        }
        for (const entry of entries) {
          const { firstHeard } = this;
          if (firstHeard !== undefined && compareStreamIds(entry.id, firstHeard) >= 0) {
            return this.caughtUp(applied);
          }
          const { message } = entry;
          if (typeof message === 'string') return GAP_REASON.badEntry;
          if (message.src !== this.instanceId) {
            this.target.apply(message);
            applied++;
          }
          this.position = { id: entry.id, message };
        }
        start = `(${this.position!.id}`;
      }
    } catch {
      return generation === this.generation ? GAP_REASON.unreadable : undefined;
    }
  }

  private caughtUp(applied: number): undefined {
    this.endGap();
    this.catchUps++;
    this.changesCaughtUp += applied;
    this.target.caughtUp(applied);
    return undefined;
  }

  /** Ends the gap: what was heard since the bus came back is applied, and in order from here. */
  private endGap(): void {
    const last = this.lastHeard;
    this.inGap = false;
    this.firstHeard = undefined;
    this.lastHeard = undefined;
    if (last !== undefined) this.advance(last);
  }

  /**
   * Takes the history's newest entry as the position, unless a later one was heard: every
   * change after it will be heard (the bus is subscribed). Without an answer, the position
   * stays what the messages heard make it.
   */
  private async locate(generation: number): Promise<void> {
    let newest: HistoryEntry | undefined;
    try {
      newest = await this.history.lastInHistory();
    } catch {
      return;
    }
    if (generation !== this.generation || newest === undefined) return;
    const { message } = newest;
    this.advance({ id: newest.id, message: typeof message === 'string' ? undefined : message });
  }

  private advance(to: Position): void {
    if (this.position === undefined || compareStreamIds(to.id, this.position.id) > 0) {
      this.position = to;
    }
  }

  /** Whether the command connection is up, waiting for it up to `CATCH_UP_WAIT_MS`. */
  private commandConnection(): Promise<boolean> {
    if (this.commandsConnected()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        resolve,
        timer: setTimeout(() => {
          this.waitingForCommands = this.waitingForCommands.filter((one) => one !== waiter);
          resolve(false);
        }, CATCH_UP_WAIT_MS),
      };
      waiter.timer.unref();
      this.waitingForCommands.push(waiter);
    });
  }
}
