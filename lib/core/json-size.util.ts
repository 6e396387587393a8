/*
 * The memory model behind `maxBytes`: what V8 (64-bit, without pointer compression, as Node
 * ships it) allocates for a JSON value, estimated while the snapshot walk copies it. It is an
 * estimate, not a measurement: docs/memory-budget.md writes the model down, and
 * `npm run bench:memory` compares it with the measured heap.
 */

/** One tagged field: a pointer, or a small integer stored in place. */
export const TAGGED_BYTES = 8;

/** A string's header (map, hash, length); its characters follow, rounded up to 8 bytes. */
export const STRING_HEADER_BYTES = 16;

/** A boxed number (a double, or an integer outside the 32-bit small-integer range). */
export const HEAP_NUMBER_BYTES = 16;

/** A plain object's header (map, properties, elements). */
export const OBJECT_HEADER_BYTES = 24;

/** Property slots a `{}` gets inside the object itself before it needs a separate array. */
export const IN_OBJECT_SLOTS = 4;

/** A separate property or element array's header (map, length). */
export const BACKING_ARRAY_HEADER_BYTES = 16;

/** A property array grows this many slots at a time. */
const PROPERTY_ARRAY_STEP = 3;

/** Above this many properties V8 keeps an object as a hash table (dictionary mode). */
export const MAX_FAST_PROPERTIES = 128;

/** An array's header (map, properties, elements, length). */
export const ARRAY_HEADER_BYTES = 32;

/**
 * What the cache's own columns cost per entry: the typed-array columns (times, TTL, links, flags:
 * 69 bytes), the five array columns (key, data, metadata, category, entry object: 40 bytes),
 * the key map's entry with its share of buckets (about 40 bytes) and the size column (8 bytes).
 */
export const ENTRY_OVERHEAD_BYTES = 160;

/**
 * What one tag of an entry costs beyond its string: the entry's place in the tag's set of slots
 * in the tag index (a key and a chain link in V8's ordered hash table, with its share of
 * buckets and of the room the table keeps free as it doubles).
 */
export const TAG_INDEX_ENTRY_BYTES = 32;

/** Any character above U+00FF makes V8 store the whole string with two bytes per character. */
const TWO_BYTE = /[^\0-\xff]/;

const align8 = (bytes: number): number => (bytes + 7) & ~7;

/**
 * Strings up to this many characters are counted as 24 bytes (header and one 8-byte word of
 * characters) without looking at their characters: exact for one byte a character, and for two
 * up to 4 characters; a two-byte string of 5 to 8 characters takes 32 bytes, 8 more than counted.
 * The test of the characters (a regular expression call, some 20 ns) would cost more than all
 * the rest of a small value's estimate: short strings (flags, codes, tags, names) are most strings.
 */
export const UNTESTED_MAX_LENGTH = 8;

/** What a string of 1 to {@link UNTESTED_MAX_LENGTH} characters is counted as. */
export const SHORT_STRING_BYTES = STRING_HEADER_BYTES + 8;

/** A flat string of `value.length` characters, one or two bytes each. */
export function stringBytes(value: string): number {
  const length = value.length;
  // The empty string is one V8 constant, shared like true, false and null.
  if (length === 0) return 0;
  if (length <= UNTESTED_MAX_LENGTH) return SHORT_STRING_BYTES;
  return align8(STRING_HEADER_BYTES + (TWO_BYTE.test(value) ? 2 * length : length));
}

/**
 * The most a string of `length` (at least 1) characters can take: two bytes a character. What
 * {@link stringBytes} gives is at most this, without reading a character.
 */
export function maxStringBytes(length: number): number {
  return length <= UNTESTED_MAX_LENGTH
    ? SHORT_STRING_BYTES
    : align8(STRING_HEADER_BYTES + 2 * length);
}

/** A plain object holding `count` properties (their values are counted on their own). */
export function objectBytes(count: number): number {
  if (count <= IN_OBJECT_SLOTS) return OBJECT_HEADER_BYTES + IN_OBJECT_SLOTS * TAGGED_BYTES;
  if (count > MAX_FAST_PROPERTIES) {
    // A hash table: key, value and details per entry, at most half full.
    return OBJECT_HEADER_BYTES + BACKING_ARRAY_HEADER_BYTES + 6 * TAGGED_BYTES * count;
  }
  const outside = Math.ceil((count - IN_OBJECT_SLOTS) / PROPERTY_ARRAY_STEP) * PROPERTY_ARRAY_STEP;
  return (
    OBJECT_HEADER_BYTES +
    IN_OBJECT_SLOTS * TAGGED_BYTES +
    BACKING_ARRAY_HEADER_BYTES +
    outside * TAGGED_BYTES
  );
}

/** An array of `length` elements, one tagged slot (or one unboxed double) each. */
export function arrayBytes(length: number): number {
  return (
    ARRAY_HEADER_BYTES + (length === 0 ? 0 : BACKING_ARRAY_HEADER_BYTES + length * TAGGED_BYTES)
  );
}
