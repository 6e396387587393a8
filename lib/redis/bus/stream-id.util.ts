/**
 * The order of Redis stream ids (`<milliseconds>-<sequence>`, two decimal numbers without
 * leading zeros, as Redis writes them): by milliseconds, then by sequence. Compared as digit
 * strings, so a 64-bit part is exact.
 */

const compareDigits = (a: string, b: string): number =>
  a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;

/** Negative when `a` comes before `b` in a stream, 0 when they are the same id, else positive. */
export function compareStreamIds(a: string, b: string): number {
  const dashA = a.indexOf('-');
  const dashB = b.indexOf('-');
  return (
    compareDigits(a.slice(0, dashA), b.slice(0, dashB)) ||
    compareDigits(a.slice(dashA + 1), b.slice(dashB + 1))
  );
}
