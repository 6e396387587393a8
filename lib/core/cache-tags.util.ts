import { INVALID_TAG, INVALID_TAGS } from './cache.messages.js';
import { describeValue } from './describe-value.util.js';

/*
 * What the cache accepts as an entry's tags, and the one form it keeps them in: a frozen array of
 * distinct non-empty strings, in the order first given, at most MAX_TAGS_PER_ENTRY long; the
 * shared NO_TAGS when there are none, so an entry without tags costs no allocation.
 */

/**
 * The most distinct tags one entry carries. A tag operation costs the entries carrying the tag,
 * and a write costs its tags: the bound keeps a write's cost bounded too.
 */
export const MAX_TAGS_PER_ENTRY = 32;

/** The tags of an entry given none, shared by all of them. */
export const NO_TAGS: readonly string[] = Object.freeze([]);

/** The arrays `snapshotTags` made: given back as they are, so a reused snapshot costs nothing. */
const snapshots = new WeakSet<object>();

/**
 * The snapshot of an entry's tags: `NO_TAGS` for none (undefined or an empty array), else a new
 * frozen array of the distinct tags in the order first given (duplicates collapsed).
 * @throws RangeError when `tags` is not an array of non-empty strings, holds more than
 *   {@link MAX_TAGS_PER_ENTRY} distinct ones, or cannot be read (a Proxy, a getter that throws).
 */
export function snapshotTags(tags: unknown): readonly string[] {
  if (tags === undefined) return NO_TAGS;
  // A WeakSet answers false for anything not in it, primitives and null included.
  if (snapshots.has(tags as object)) return tags as readonly string[];
  const fail = (reason: string, cause?: { cause: unknown }) =>
    new RangeError(INVALID_TAGS(MAX_TAGS_PER_ENTRY, reason), cause);
  const distinct: string[] = [];
  let refusal: string | undefined;
  try {
    if (!Array.isArray(tags)) refusal = `got ${describeValue(tags)}, not an array`;
    else {
      const length = tags.length;
      for (let i = 0; i < length && refusal === undefined; i++) {
        const tag: unknown = tags[i];
        if (typeof tag !== 'string') {
          refusal = `tags[${i}] is ${describeValue(tag)}, not a string`;
        } else if (tag.length === 0) {
          refusal = `tags[${i}] is an empty string`;
        } else if (!distinct.includes(tag)) {
          if (distinct.length === MAX_TAGS_PER_ENTRY) {
            refusal = `got more than ${MAX_TAGS_PER_ENTRY} distinct tags (${length} given)`;
          } else distinct.push(tag);
        }
      }
    }
  } catch (error) {
    throw fail('reading them threw', { cause: error });
  }
  if (refusal !== undefined) throw fail(refusal);
  if (distinct.length === 0) return NO_TAGS;
  Object.freeze(distinct);
  snapshots.add(distinct);
  return distinct;
}

/** Whether `tag` is a tag the cache accepts: a non-empty string. */
export function isValidTag(tag: unknown): tag is string {
  return typeof tag === 'string' && tag.length > 0;
}

/** Throws the `RangeError` of `invalidateTag` and `expireTag` for a tag that is not valid. */
export function assertTag(tag: unknown): asserts tag is string {
  if (!isValidTag(tag)) throw new RangeError(INVALID_TAG(tag));
}
