/**
 * A small map bounded both in time and in count, least recently used out first. Unwrapped data keys
 * live here (the bound in time limits how long a key outlives a revocation in KMS), and so do the
 * short memories of sessions and department lists (loading-cache.ts).
 *
 * A read only stamps the entry (it is on the path of every field encryption, so it must be cheap);
 * the least recently used entry is found by a scan when an insert overflows, which happens at most
 * once per key per time-to-live.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number; usedAt: number }>();
  private uses = 0;

  /**
   * `onEvict` sees each value as it leaves, however it leaves (expired, pushed out, replaced, deleted,
   * cleared): the key caches zero their buffers there, so a key does not linger in freed memory.
   */
  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly onEvict?: (value: V) => void,
  ) {
    if (!(maxEntries >= 1) || !(ttlMs > 0)) throw new Error('a cache needs at least one entry and a positive time to live');
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.delete(key);
      return undefined;
    }
    entry.usedAt = ++this.uses;
    return entry.value;
  }

  set(key: string, value: V): void {
    const replaced = this.entries.get(key)?.value;
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs, usedAt: ++this.uses });
    if (replaced !== undefined && replaced !== value) this.onEvict?.(replaced);
    while (this.entries.size > this.maxEntries) this.evictOne();
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.onEvict?.(entry.value);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops an expired entry if there is one, otherwise the least recently used. */
  private evictOne(): void {
    const now = this.now();
    let victim: string | undefined;
    let oldest = Infinity;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        victim = key;
        break;
      }
      if (entry.usedAt < oldest) {
        oldest = entry.usedAt;
        victim = key;
      }
    }
    if (victim !== undefined) this.delete(victim);
  }
}
