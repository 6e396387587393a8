/**
 * What instances tell each other on the invalidation channel. Messages carry keys and
 * categories, never values: a receiver drops its in-memory copy and, when it needs the key
 * again, reads the current value from Redis.
 *
 * - `s` a key was written (receivers drop their older copy),
 * - `i` a key was invalidated, `d` deleted,
 * - `ic` a category was invalidated, `cc` a category cleared,
 * - `c` everything was cleared.
 */
export type BusOperation = 's' | 'i' | 'd' | 'ic' | 'cc' | 'c';

export interface BusMessage {
  /** Format version. */
  v: 1;
  /** Id of the instance that sent it (it ignores its own messages). */
  src: string;
  op: BusOperation;
  /** The key (`s`, `i`, `d`) or the category (`ic`, `cc`). */
  arg?: string;
  /** For `s`: the written entry's timestamp (ms since the epoch). */
  t?: number;
}

const OPERATIONS = new Set<string>(['s', 'i', 'd', 'ic', 'cc', 'c']);

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
  if (message.op !== 'c' && (typeof message.arg !== 'string' || message.arg.length === 0)) {
    return 'no key or category';
  }
  if (message.t !== undefined && (typeof message.t !== 'number' || !Number.isFinite(message.t))) {
    return 'no valid timestamp';
  }
  return message as BusMessage;
}
