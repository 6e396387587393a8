/**
 * The data every implementation sees: keys, values and access sequences, all precomputed and
 * deterministic (seeded), so no implementation pays for building them inside a timed loop.
 */

/** What a set stores: the small command result of the issue, `{ id, name, tags: [3], n }`. */
export interface SmallValue {
  id: number;
  name: string;
  tags: string[];
  n: number;
}

const NAMES = Array.from({ length: 64 }, (_, i) => `user-${i}`);

/**
 * A new object each call, as a command result would be. Built inside the timed function for every
 * implementation alike, so a cache that keeps (or freezes) the caller's object gains nothing.
 */
export function makeValue(i: number): SmallValue {
  return { id: i, name: NAMES[i & 63]!, tags: ['alpha', 'beta', 'gamma'], n: i };
}

/** mulberry32: a small, fast, seeded PRNG with good enough spread for key sequences. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeKeys(count: number, prefix = 'key'): string[] {
  // Flattened strings (not cons strings), like keys read from a request.
  return Array.from({ length: count }, (_, i) => `${prefix}:${i}:${(i * 2654435761) >>> 0}`);
}

/** The same keys in a seeded random order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = prng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * `length` draws of ranks 0..n-1 with Zipf(s) popularity (rank r has weight 1/(r+1)^s), by
 * binary search in the cumulative distribution. Ranks are mapped to keys through a seeded
 * permutation, so hot keys are not neighbours in insertion order.
 */
export function zipfSequence(n: number, s: number, length: number, seed: number): Uint32Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cdf[r] = sum += 1 / Math.pow(r + 1, s);
  for (let r = 0; r < n; r++) cdf[r]! /= sum;
  const permutation = new Uint32Array(n);
  for (let r = 0; r < n; r++) permutation[r] = r;
  const random = prng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = permutation[i]!;
    permutation[i] = permutation[j]!;
    permutation[j] = t;
  }
  const out = new Uint32Array(length);
  for (let i = 0; i < length; i++) {
    const u = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = permutation[lo]!;
  }
  return out;
}

/** The mix: which draws are sets (1) and which are gets (0), `setShare` of them sets. */
export function setFlags(length: number, setShare: number, seed: number): Uint8Array {
  const random = prng(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = random() < setShare ? 1 : 0;
  return out;
}
