/**
 * The reference of the size estimate (docs/memory-budget.md): a plain recursive walk over a JSON
 * value, written apart from the snapshot walk that the cache measures with, from the same
 * per-value sizes (json-size.util.ts, unit-tested on their own). The model adds up entries with
 * it; the cache must arrive at the same totals.
 */
import {
  ENTRY_OVERHEAD_BYTES,
  HEAP_NUMBER_BYTES,
  TAG_INDEX_ENTRY_BYTES,
  TAGGED_BYTES,
  arrayBytes,
  objectBytes,
  stringBytes,
} from '../../lib/core/json-size.util.js';

const boxed = (n: number): boolean =>
  !(Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 && !Object.is(n, -0));

export function valueBytes(value: unknown): number {
  if (typeof value === 'string') return stringBytes(value);
  if (typeof value === 'number') return boxed(value) ? HEAP_NUMBER_BYTES : 0;
  if (value === null || typeof value !== 'object') return 0;
  if (Array.isArray(value)) {
    const numbersOnly = value.every((v) => typeof v === 'number');
    const elements = value.reduce<number>((sum, v) => sum + (numbersOnly ? 0 : valueBytes(v)), 0);
    return arrayBytes(value.length) + elements;
  }
  const keys = Object.keys(value);
  return (
    objectBytes(keys.length) +
    keys.reduce((sum, k) => sum + valueBytes((value as Record<string, unknown>)[k]), 0)
  );
}

/**
 * An entry's estimate: the cache's own columns, the key, the data, metadata if given, and tags if
 * any (a tags column slot, the array, and per tag its string and its place in the tag index).
 */
export function entryBytesOf(
  key: string,
  data: unknown,
  metadata: unknown,
  tags: readonly string[],
): number {
  const tagBytes =
    tags.length === 0
      ? 0
      : TAGGED_BYTES +
        arrayBytes(tags.length) +
        tags.reduce((sum, tag) => sum + stringBytes(tag) + TAG_INDEX_ENTRY_BYTES, 0);
  return (
    ENTRY_OVERHEAD_BYTES +
    stringBytes(key) +
    valueBytes(data) +
    (metadata === undefined ? 0 : valueBytes(metadata)) +
    tagBytes
  );
}
