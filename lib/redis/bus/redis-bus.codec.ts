/**
 * What instances tell each other on the invalidation channel, and its wire format. Messages carry
 * keys and categories, never values: a receiver drops its in-memory copy and, when it needs the
 * key again, reads the current value from Redis.
 *
 * Invariant: the format is what every deployed version reads and writes (instances of different
 * versions share a channel): JSON `{ v: 1, src, op, arg?, t? }` with the two-letter codes below.
 * Change it only with a new `v`.
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
} as const;

/** A wire code of {@link BusOperation}. */
export type BusOperation = (typeof BusOperation)[keyof typeof BusOperation];

/** Whether `op` names a category (its argument is a category, not a key). */
export const isCategoryOperation = (op: BusOperation): boolean =>
  op === BusOperation.CategoryInvalidated || op === BusOperation.CategoryCleared;

export interface BusMessage {
  /** Format version. */
  v: 1;
  /** Id of the instance that sent it (it ignores its own messages). */
  src: string;
  op: BusOperation;
  /** The key (for a key's operation) or the category (for a category's); none for `AllCleared`. */
  arg?: string;
  /** For `KeyWritten`: the written entry's timestamp (ms since the epoch). */
  t?: number;
}

const OPERATIONS = new Set<string>(Object.values(BusOperation));

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
  if (typeof message.op !== 'string' || !OPERATIONS.has(message.op)) return 'unknown operation';
  if (
    message.op !== BusOperation.AllCleared &&
    (typeof message.arg !== 'string' || message.arg.length === 0)
  ) {
    return 'no key or category';
  }
  if (message.t !== undefined && (typeof message.t !== 'number' || !Number.isFinite(message.t))) {
    return 'no valid timestamp';
  }
  return message as BusMessage;
}
