/**
 * What instances tell each other on the invalidation channel and in the bus history, and its
 * wire format. Messages carry keys, categories and tags, never values: a receiver drops (or, for
 * an expiry, marks STALE) its in-memory copy and, when it needs the key again, reads the current
 * value from Redis.
 *
 * Invariant: the format is what every deployed version reads and writes (instances of different
 * versions share a channel): JSON `{ v: 1, src, op, arg?, t? }` with the codes of
 * {@link BusOperation}, as {@link encodeBusMessage} writes it. A message heard on the channel
 * also carries `id`, its entry's id in the bus history, put first by the script that announced
 * it (readers of an earlier version ignore it). Change anything else only with a new `v`.
 *
 * Adding a kind of message is a row here (a code in `BusOperation`, its argument and whether it
 * is an expiry in `BUS_MESSAGE_KINDS`; the compiler asks for both), the script that applies it in
 * Redis (which announces it with the store's announce step) and its case in the store's `remove`,
 * and its case where the tier applies messages (the compiler asks for both cases too).
 */

/** The operations a message announces, by name; the values are the codes on the wire. */
export const BusOperation = {
  /** A key was written (receivers drop their older copy). */
  KeyWritten: 's',
  KeyInvalidated: 'i',
  KeyDeleted: 'd',
  CategoryInvalidated: 'ic',
  CategoryCleared: 'cc',
  /** Everything was cleared. */
  AllCleared: 'c',
  /** A key was expired early (`expire`): receivers mark their copy STALE, they do not drop it. */
  KeyExpired: 'e',
  CategoryExpired: 'ec',
  TagInvalidated: 'it',
  TagExpired: 'et',
} as const;

/** A wire code of {@link BusOperation}. */
export type BusOperation = (typeof BusOperation)[keyof typeof BusOperation];

/** What the argument of a kind of message names. */
export type BusArgument = 'key' | 'category' | 'tag' | 'none';

/**
 * Each kind of message, by wire code: what its argument names, and whether it is an expiry (the
 * entries it reaches turn STALE, they keep their data) rather than a write or a removal.
 */
export const BUS_MESSAGE_KINDS: {
  readonly [op in BusOperation]: { readonly argument: BusArgument; readonly expiry: boolean };
} = {
  s: { argument: 'key', expiry: false },
  i: { argument: 'key', expiry: false },
  d: { argument: 'key', expiry: false },
  ic: { argument: 'category', expiry: false },
  cc: { argument: 'category', expiry: false },
  c: { argument: 'none', expiry: false },
  e: { argument: 'key', expiry: true },
  ec: { argument: 'category', expiry: true },
  it: { argument: 'tag', expiry: false },
  et: { argument: 'tag', expiry: true },
};

/** Whether `op` reaches one key (its argument is a key), not a category, a tag or everything. */
export const isKeyOperation = (op: BusOperation): boolean =>
  BUS_MESSAGE_KINDS[op].argument === 'key';

/** Whether `op` is an expiry: what it reaches turns STALE, not gone. */
export const isExpiryOperation = (op: BusOperation): boolean => BUS_MESSAGE_KINDS[op].expiry;

export interface BusMessage {
  /** Format version. */
  v: 1;
  /** Id of the instance that sent it (it ignores its own messages). */
  src: string;
  op: BusOperation;
  /** The key, the category or the tag (as the kind says); none for `AllCleared`. */
  arg?: string;
  /** For `KeyWritten`: the written entry's timestamp (ms since the epoch). */
  t?: number;
  /**
   * The message's entry id in the bus history (`<ms>-<seq>`), when heard on the channel. Absent
   * from the history's own entries (the entry has the id) and from an earlier version's messages.
   */
  id?: string;
}

/** A Redis stream entry id: `<milliseconds>-<sequence>`. */
const STREAM_ID = /^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,19})$/;

/**
 * The stored form of a message, as the history keeps it and as the channel carries it but for
 * `id`. Starts with `{`: the announcing script inserts `"id":"…",` after it.
 */
export function encodeBusMessage(
  src: string,
  op: BusOperation,
  arg?: string,
  timestampMs?: number,
): string {
  const message: BusMessage = { v: 1, src, op };
  if (arg !== undefined) message.arg = arg;
  if (timestampMs !== undefined) message.t = timestampMs;
  return JSON.stringify(message);
}

/** The message in `raw`, or why it is not a valid one (a string). Never throws. */
export function decodeBusMessage(raw: string): BusMessage | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return 'not JSON';
  }
  if (parsed === null || typeof parsed !== 'object') return 'not an object';
  const message = parsed as Partial<BusMessage>;
  if (message.v !== 1) return `unknown format version ${JSON.stringify(message.v)}`;
  if (typeof message.src !== 'string') return 'no sender';
  if (typeof message.op !== 'string' || !Object.hasOwn(BUS_MESSAGE_KINDS, message.op)) {
    return 'unknown operation';
  }
  if (
    BUS_MESSAGE_KINDS[message.op].argument !== 'none' &&
    (typeof message.arg !== 'string' || message.arg.length === 0)
  ) {
    return 'no key, category or tag';
  }
  if (message.t !== undefined && (typeof message.t !== 'number' || !Number.isFinite(message.t))) {
    return 'no valid timestamp';
  }
  if (message.id !== undefined && (typeof message.id !== 'string' || !STREAM_ID.test(message.id))) {
    return 'no valid history id';
  }
  return message as BusMessage;
}

/**
 * Whether two messages announce the same change: how a reader recognises, in the history, the
 * entry it last applied (ids alone could be reused by a history made again after a flush).
 */
export const sameChange = (a: BusMessage, b: BusMessage): boolean =>
  a.src === b.src && a.op === b.op && a.arg === b.arg && a.t === b.t;
