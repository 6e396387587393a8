import { decodeBusMessage, type BusMessage } from './redis-bus.codec.js';

/**
 * The bus history as Redis answers it: a stream whose entries each hold one announced message,
 * in the field `m`, in its stored form (the message codec's, without `id`: the entry has it).
 *
 * Invariant: a reply is read whole or not at all, never thrown on: an entry that is not one of
 * ours is still returned, with why (a string), because a reader that skipped it would not know
 * what it missed.
 */

/** One entry of the bus history: its id, and its message or why it is not a valid one. */
export interface HistoryEntry {
  readonly id: string;
  readonly message: BusMessage | string;
}

/** The field of a history entry that holds the message. */
export const HISTORY_FIELD = 'm';

/** The entries in an XRANGE (or XREVRANGE) reply, or why the reply is not one (a string). */
export function decodeHistory(reply: unknown): HistoryEntry[] | string {
  if (!Array.isArray(reply)) return 'not a list of entries';
  const entries: HistoryEntry[] = [];
  for (const item of reply) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || !Array.isArray(item[1])) {
      return 'not a stream entry';
    }
    const [id, fields] = item as [string, unknown[]];
    const at = fields.indexOf(HISTORY_FIELD);
    const raw = at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined;
    entries.push({
      id,
      message: typeof raw === 'string' ? decodeBusMessage(raw) : 'no message field',
    });
  }
  return entries;
}
