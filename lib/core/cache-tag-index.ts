/*
 * The tag index: for each tag, the slots of the entries that carry it, so that a tag operation
 * (`invalidateTag`, `expireTag`) costs the number of entries carrying the tag, never a scan.
 *
 * Invariant: `slot` is in the set of `tag` exactly when the slot is held and its tags (the
 * storage engine's `tags` column) include `tag`; a tag no held entry carries has no set, and
 * `taggedEntries` is the number of held slots with at least one tag. The table (cache-table.ts)
 * keeps it so: it calls `replace` whenever it writes a slot's tags, and again with no tags before
 * it frees a tagged slot, on every path (set, rewrite, restore, delete, eviction, every cleanup,
 * clear by category), and `clear` when it forgets every slot.
 *
 * A cache that never uses tags never calls it: the table's checks stop at `taggedEntries === 0`.
 */
export class CacheTagIndex {
  /** Held slots carrying at least one tag. */
  taggedEntries = 0;
  readonly #slotsByTag = new Map<string, Set<number>>();

  /** The held `slot` now carries `next` instead of `previous` (both snapshots, maybe empty). */
  replace(slot: number, previous: readonly string[], next: readonly string[]): void {
    const slotsByTag = this.#slotsByTag;
    for (const tag of previous) {
      const carriers = slotsByTag.get(tag)!;
      carriers.delete(slot);
      if (carriers.size === 0) slotsByTag.delete(tag);
    }
    for (const tag of next) {
      let carriers = slotsByTag.get(tag);
      if (carriers === undefined) slotsByTag.set(tag, (carriers = new Set()));
      carriers.add(slot);
    }
    this.taggedEntries += (next.length > 0 ? 1 : 0) - (previous.length > 0 ? 1 : 0);
  }

  /** The held slots carrying `tag` (undefined when none does). Do not keep it. */
  slotsOf(tag: string): ReadonlySet<number> | undefined {
    return this.#slotsByTag.get(tag);
  }

  /** Whether the held `slot` carries `tag`. */
  carries(slot: number, tag: string): boolean {
    return this.#slotsByTag.get(tag)?.has(slot) === true;
  }

  /** Forgets every slot (the table was cleared). */
  clear(): void {
    this.#slotsByTag.clear();
    this.taggedEntries = 0;
  }
}
