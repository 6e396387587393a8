/*
 * The memory budget (`maxBytes`): the estimated size of each held entry and their sum.
 *
 * Invariant: `totalBytes` is the sum of `sizes[slot]` over the held slots, and a free slot's size
 * is 0; `keySizes[slot]` is the part of a held slot's size that its key takes (measured once, when
 * the key got the slot). The table records a slot's size when it writes the slot and releases it
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
 * `stringBytes(key)`, which the budget measures once, when the key gets its slot (a test of its
 * characters costs some 15 ns), and reuses on every rewrite of the key. The category is not
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

/** Slots of the size column a new budget starts with; it doubles as the table grows. */
const INITIAL_SLOTS = 256;

export class CacheByteBudget {
  /** The estimated bytes of every entry held. */
  totalBytes = 0;
  /** The estimated bytes of the entry in each slot; 0 for a free slot. */
  private sizes = new Float64Array(INITIAL_SLOTS);
  /** The bytes of each held slot's key, part of its size. */
  private keySizes = new Float64Array(INITIAL_SLOTS);

  constructor(
    /** The budget: `totalBytes` stays at or below it. */
    readonly maxBytes: number,
    /** The largest entry the budget takes. */
    readonly maxEntryBytes: number,
  ) {}

  /** The estimated bytes of the entry in `slot` (0 when none was recorded). */
  sizeOf(slot: number): number {
    return slot < this.sizes.length ? this.sizes[slot]! : 0;
  }

  /** The bytes of the key of the held `slot`. */
  keyBytesOf(slot: number): number {
    return this.keySizes[slot]!;
  }

  /** Whether `bytes` more would pass the budget. */
  exceededBy(bytes: number): boolean {
    return this.totalBytes + bytes > this.maxBytes;
  }

  /**
   * Records that `slot` now holds an entry of `bytes`, `keyBytes` of them its key's (replacing
   * what it held).
   */
  record(slot: number, bytes: number, keyBytes: number): void {
    let sizes = this.sizes;
    if (slot >= sizes.length) {
      let length = sizes.length * 2;
      while (slot >= length) length *= 2;
      this.sizes = sizes = grown(sizes, length);
      this.keySizes = grown(this.keySizes, length);
    }
    this.totalBytes += bytes - sizes[slot]!;
    sizes[slot] = bytes;
    this.keySizes[slot] = keyBytes;
  }

  /** Records that `slot` was freed. */
  release(slot: number): void {
    if (slot >= this.sizes.length) return;
    this.totalBytes -= this.sizes[slot]!;
    this.sizes[slot] = 0;
    this.keySizes[slot] = 0;
  }

  /** Forgets every size (the table was cleared). */
  reset(): void {
    this.totalBytes = 0;
    this.sizes = new Float64Array(INITIAL_SLOTS);
    this.keySizes = new Float64Array(INITIAL_SLOTS);
  }
}

/** `column` with room for `length` slots, keeping its contents. */
function grown(column: Float64Array, length: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(length);
  next.set(column);
  return next;
}
