import { afterEach, describe, expect, it, jest } from '@jest/globals';

import {
  BusCatchUp,
  CATCH_UP_WAIT_MS,
  HISTORY_BATCH,
  type BusHistoryReader,
} from '../../lib/redis/bus/redis-bus.catch-up.js';
import type { HistoryEntry } from '../../lib/redis/bus/redis-bus-history.codec.js';
import type { BusMessage } from '../../lib/redis/bus/redis-bus.codec.js';
import { EARLIER_VERSION_HEARD, GAP_REASON } from '../../lib/redis/redis.messages.js';
import { spyLogger } from '../support/test-loggers.js';

const ME = 'me';

/** An invalidation of `arg` by `src`. */
const change = (arg: string, src = 'other'): BusMessage => ({ v: 1, src, op: 'i', arg });

/**
 * A bus history in memory, read as XRANGE reads a stream (`start` included, or after it with
 * `(`), whose reads a test can fail or hold.
 */
class FakeHistory implements BusHistoryReader {
  entries: HistoryEntry[] = [];
  /** The `start` of every read, in order. */
  readonly starts: string[] = [];
  fail = false;
  /** When set, the next read answers only once it is open. */
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  append(id: string, message: BusMessage | string): void {
    this.entries.push({ id, message });
  }

  /** The next read answers only after `release()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
  }

  async readHistory(start: string, count: number): Promise<HistoryEntry[]> {
    this.starts.push(start);
    const gate = this.gate;
    this.gate = undefined;
    await gate;
    if (this.fail) throw new Error('not sent');
    const after = start.startsWith('(');
    const from = after ? start.slice(1) : start;
    const at = (id: string) => Number(id.split('-')[0]) * 1000 + Number(id.split('-')[1]);
    return this.entries
      .filter((entry) => (after ? at(entry.id) > at(from) : at(entry.id) >= at(from)))
      .slice(0, count);
  }

  async lastInHistory(): Promise<HistoryEntry | undefined> {
    if (this.fail) throw new Error('not sent');
    return this.entries.at(-1);
  }
}

function setUp({ connected = true } = {}) {
  const history = new FakeHistory();
  const logger = spyLogger();
  const applied: BusMessage[] = [];
  const clears: string[] = [];
  const caughtUp: number[] = [];
  let commandsConnected = connected;
  const catchUp = new BusCatchUp(history, ME, () => commandsConnected, logger, {
    apply: (message) => applied.push(message),
    clear: (reason) => clears.push(reason),
    caughtUp: (count) => caughtUp.push(count),
  });
  const connect = () => {
    commandsConnected = true;
    catchUp.commandsReady();
  };
  /** Hears a change on the channel, with its history id, and puts it in the history. */
  const announce = (id: string, message: BusMessage, { heard = true } = {}) => {
    history.append(id, message);
    if (heard) catchUp.heard({ ...message, id });
  };
  return { history, logger, applied, clears, caughtUp, catchUp, connect, announce };
}

describe('BusCatchUp: where this instance is in the bus history', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('starts from the newest entry, moves with what it hears, and applies only what it missed', async () => {
    const { history, applied, clears, caughtUp, catchUp, announce } = setUp();
    history.append('1-0', change('before start'));
    await catchUp.subscribed(false);
    announce('2-0', change('heard'));

    catchUp.lost();
    announce('3-0', change('missed 1'), { heard: false });
    announce('4-0', change('missed 2', 'third'), { heard: false });
    await catchUp.subscribed(true);

    // From its position (that entry included, to prove nothing before it is missing), then
    // after the last entry applied, until the history has none left.
    expect(history.starts).toEqual(['2-0', '(4-0']);
    expect(applied).toEqual([change('missed 1'), change('missed 2', 'third')]);
    expect(caughtUp).toEqual([2]);
    expect(clears).toEqual([]);
    expect(catchUp).toMatchObject({ catchUps: 1, changesCaughtUp: 2 });
  });

  it('skips its own entries, and moves past them', async () => {
    const { history, applied, catchUp, announce } = setUp();
    await catchUp.subscribed(false);
    announce('1-0', change('heard'));
    catchUp.lost();
    announce('2-0', change('mine', ME), { heard: false });
    announce('3-0', change('theirs'), { heard: false });
    await catchUp.subscribed(true);
    expect(applied).toEqual([change('theirs')]);

    catchUp.lost();
    await catchUp.subscribed(true);
    expect(history.starts).toEqual(['1-0', '(3-0', '3-0', '(3-0']);
  });

  it('reads a long gap in slices of HISTORY_BATCH, and a short slice does not end it', async () => {
    const { history, applied, catchUp, announce } = setUp();
    announce('1-0', change('heard'));
    catchUp.lost();
    for (let i = 1; i <= HISTORY_BATCH + 10; i++) {
      announce(`2-${i}`, change(`missed ${i}`), { heard: false });
    }
    await catchUp.subscribed(true);
    expect(applied).toHaveLength(HISTORY_BATCH + 10);
    expect(history.starts).toEqual(['1-0', `(2-${HISTORY_BATCH - 1}`, `(2-${HISTORY_BATCH + 10}`]);
  });

  it('stops where the messages heard since the bus came back begin, and goes on from the last of them', async () => {
    const { history, applied, caughtUp, catchUp, announce } = setUp();
    announce('1-0', change('heard'));
    catchUp.lost();
    announce('2-0', change('missed'), { heard: false });
    // Heard after the subscription, before its catch-up: the tier applied it already.
    announce('3-0', change('heard during the catch-up 1'));
    announce('4-0', change('heard during the catch-up 2'));
    await catchUp.subscribed(true);
    expect(applied).toEqual([change('missed')]);
    expect(caughtUp).toEqual([1]);

    catchUp.lost();
    await catchUp.subscribed(true);
    expect(history.starts.slice(-2)).toEqual(['4-0', '(4-0']);
  });

  it('stops when the bus is lost again during the catch-up, and the next one goes on from there', async () => {
    const { history, applied, clears, caughtUp, catchUp, announce } = setUp();
    announce('1-0', change('heard'));
    catchUp.lost();
    announce('2-0', change('missed'), { heard: false });
    history.hold();
    const first = catchUp.subscribed(true);
    catchUp.lost();
    history.release();
    await first;
    expect({ applied, clears, caughtUp }).toEqual({ applied: [], clears: [], caughtUp: [] });

    await catchUp.subscribed(true);
    expect(history.starts).toEqual(['1-0', '1-0', '(2-0']);
    expect(applied).toEqual([change('missed')]);
  });

  it.each([
    ['trimmed past its position', (history: FakeHistory) => history.entries.shift()],
    ['lost whole by Redis', (history: FakeHistory) => history.entries.splice(0)],
    [
      'made again, an entry reusing its position’s id',
      (history: FakeHistory) => (history.entries[0] = { id: '1-0', message: change('another') }),
    ],
  ])(
    'clears when the history was %s, then takes the newest entry as its position',
    async (_, tamper) => {
      const { history, applied, clears, catchUp, announce } = setUp();
      announce('1-0', change('heard'));
      catchUp.lost();
      announce('2-0', change('missed'), { heard: false });
      tamper(history);
      await catchUp.subscribed(true);
      expect(applied).toEqual([]);
      expect(clears).toEqual([GAP_REASON.tooLong]);

      catchUp.lost();
      await catchUp.subscribed(true);
      expect(history.starts.at(-2)).toBe(history.entries.at(-1)?.id ?? '1-0');
    },
  );

  it('clears when the history holds an entry it cannot read', async () => {
    const { history, applied, clears, catchUp, announce } = setUp();
    announce('1-0', change('heard'));
    catchUp.lost();
    history.append('2-0', 'not JSON');
    announce('3-0', change('missed'), { heard: false });
    await catchUp.subscribed(true);
    expect(applied).toEqual([]);
    expect(clears).toEqual([GAP_REASON.badEntry]);
  });

  it('clears when it had no position yet (the bus was lost before it was ever heard)', async () => {
    const { history, clears, catchUp } = setUp();
    catchUp.lost();
    history.append('1-0', change('missed'));
    await catchUp.subscribed(true);
    expect(clears).toEqual([GAP_REASON.noPosition]);
    expect(history.starts).toEqual([]);
  });

  it('clears when the history cannot be read, and keeps the position the messages heard give', async () => {
    const { history, clears, catchUp, announce } = setUp();
    announce('1-0', change('heard'));
    catchUp.lost();
    history.fail = true;
    announce('2-0', change('heard after the subscription'));
    await catchUp.subscribed(true);
    expect(clears).toEqual([GAP_REASON.unreadable]);

    history.fail = false;
    catchUp.lost();
    await catchUp.subscribed(true);
    expect(history.starts.slice(-2)).toEqual(['2-0', '(2-0']);
  });

  it('waits for the command connection when the bus came back first', async () => {
    const { applied, clears, catchUp, connect, announce } = setUp({ connected: false });
    announce('1-0', change('heard'));
    catchUp.lost();
    announce('2-0', change('missed'), { heard: false });
    const caughtUp = catchUp.subscribed(true);
    await Promise.resolve();
    expect(applied).toEqual([]);

    connect();
    await caughtUp;
    expect(applied).toEqual([change('missed')]);
    expect(clears).toEqual([]);
  });

  it(`clears when the command connection is not back within ${CATCH_UP_WAIT_MS} ms`, async () => {
    jest.useFakeTimers();
    const { clears, catchUp, announce } = setUp({ connected: false });
    announce('1-0', change('heard'));
    catchUp.lost();
    const caughtUp = catchUp.subscribed(true);
    await jest.advanceTimersByTimeAsync(CATCH_UP_WAIT_MS - 1);
    expect(clears).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    await caughtUp;
    expect(clears).toEqual([GAP_REASON.unreadable]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops waiting, and does nothing more, when the tier closes', async () => {
    const { applied, clears, catchUp, announce } = setUp({ connected: false });
    announce('1-0', change('heard'));
    catchUp.lost();
    const caughtUp = catchUp.subscribed(true);
    catchUp.close();
    await caughtUp;
    expect({ applied, clears }).toEqual({ applied: [], clears: [] });
  });

  it('clears on every gap once it heard an instance that writes no history (an earlier version)', async () => {
    const { logger, clears, catchUp, announce } = setUp();
    announce('1-0', change('heard'));
    catchUp.heard(change('own, without id', ME));
    expect(logger.warn).not.toHaveBeenCalled();
    catchUp.heard(change('old', 'old-version'));
    catchUp.heard(change('old again', 'old-version'));
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(EARLIER_VERSION_HEARD('old-version'));

    catchUp.lost();
    await catchUp.subscribed(true);
    expect(clears).toEqual([GAP_REASON.earlierVersion]);
  });
});
