/**
 * Whether `stored` (an entry's stored form) takes more than `maxBytes` bytes in UTF-8, as Redis
 * counts it. O(1) for nearly every entry: a string of n UTF-16 units takes n to 3n bytes, so
 * the bytes are counted only when its length alone cannot tell.
 */
export function exceedsBytes(stored: string, maxBytes: number): boolean {
  if (stored.length * 3 <= maxBytes) return false;
  if (stored.length > maxBytes) return true;
  return Buffer.byteLength(stored, 'utf8') > maxBytes;
}
