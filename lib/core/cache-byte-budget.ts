/*
 * The memory budget (`maxBytes`): the estimated size of each held entry and their sum.
 *
 * Invariant: `totalBytes` is the sum, over the slots charged, of `besideKey[slot]` (the entry's
 * estimate but its key's) and `keySizes[slot]` (its key's, measured once, the first time the
 * slot is charged after it got its key); `keySizes` is 0 in a free slot, and `besideKey` is read
 * only where it is not. The table charges a slot right after each write to it and releases it
 * when it frees the slot, so the sum never needs a scan. A cache without `maxBytes` has no budget
 * at all: its writes estimate nothing and its table skips every line here.
 */

import {
  ENTRY_OVERHEAD_BYTES,
  TAG_INDEX_ENTRY_BYTES,
  TAGGED_BYTES,
  arrayBytes,
  stringBytes,
} from './json-size.util.js';

/**
 * The estimated bytes of an entry but its key's string: its data and metadata (estimated by the
 * snapshot walk), its tags and the cache's own columns; the entry's size is this plus
 * `stringBytes(key)`, which the budget measures the first time the key's slot is charged (a test
 * of its characters costs some 15 ns) and reuses on every rewrite of the key. The category is not
 * counted: categories are a few strings shared by many entries. An entry without tags costs
 * nothing for them: the tags column is written only for tagged entries.
 */
export function bytesBesideKey(
  dataBytes: number,
  metadataBytes: number,
  tags: readonly string[],
): number {
  const bytes = ENTRY_OVERHEAD_BYTES + dataBytes + metadataBytes;
  return tags.length === 0 ? bytes : bytes + tagsBytes(tags);
}

/**
 * What an entry's tags cost: its place in the tags column, the frozen array, each tag's string
 * (counted per entry: a tag built per call, `user:${id}`, is a string of its own) and its place
 * in the tag index.
 */
function tagsBytes(tags: readonly string[]): number {
  let bytes = TAGGED_BYTES + arrayBytes(tags.length);
  for (const tag of tags) bytes += stringBytes(tag) + TAG_INDEX_ENTRY_BYTES;
  return bytes;
}

/** Slots of the size columns a new budget starts with; they double as the table grows. */
const INITIAL_SLOTS = 256;

export class CacheByteBudget {
  /** The estimated bytes of every entry held. */
  totalBytes = 0;
  /** The estimated bytes of the entry in each held slot, but its key's. */
  private besideKey = new Float64Array(INITIAL_SLOTS);
  /** The bytes of each held slot's key; 0 for a slot not charged since it was last freed. */
  private keySizes = new Float64Array(INITIAL_SLOTS);

  constructor(
    /** The budget: `totalBytes` stays at or below it. */
    readonly maxBytes: number,
    /** The largest entry the budget takes. */
    readonly maxEntryBytes: number,
  ) {}

  /** Whether the entries held pass the budget. */
  get exceeded(): boolean {
    return this.totalBytes > this.maxBytes;
  }

  /**
   * Records that the held `slot` now holds an entry of `bytes` beside its key, if the slot was
   * charged since it got its key (the common rewrite). @returns false, recording nothing, if not.
   */
  recharge(slot: number, bytes: number): boolean {
    // No key takes 0 bytes: a 0 says the slot got its key since it was last charged (or never was).
    if (slot >= this.keySizes.length || this.keySizes[slot] === 0) return false;
    this.totalBytes += bytes - this.besideKey[slot]!;
    this.besideKey[slot] = bytes;
    return true;
  }

  /**
   * Records that `slot`, holding `key` and not charged since it got it, holds an entry of `bytes`
   * beside the key, which is measured here, once for as long as the key keeps the slot.
   */
  charge(slot: number, key: string, bytes: number): void {
    if (slot >= this.besideKey.length) {
      // Slots are handed out one at a time: the slot after the last is the furthest a new one is.
      this.besideKey = doubled(this.besideKey);
      this.keySizes = doubled(this.keySizes);
    }
    const keyBytes = stringBytes(key);
    this.totalBytes += bytes + keyBytes;
    this.besideKey[slot] = bytes;
    this.keySizes[slot] = keyBytes;
  }

  /** Records that the charged `slot` was freed. */
  release(slot: number): void {
    this.totalBytes -= this.besideKey[slot]! + this.keySizes[slot]!;
    this.keySizes[slot] = 0;
  }

  /** Forgets every size (the table was cleared). */
  reset(): void {
    this.totalBytes = 0;
    this.besideKey = new Float64Array(INITIAL_SLOTS);
    this.keySizes = new Float64Array(INITIAL_SLOTS);
  }
}

/** `column` at twice its length, keeping its contents. */
function doubled(column: Float64Array): Float64Array<ArrayBuffer> {
  const next = new Float64Array(column.length * 2);
  next.set(column);
  return next;
}
