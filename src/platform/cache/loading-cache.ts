import { BoundedCache } from './bounded-cache.js';

/**
 * A bounded, short-lived memory in front of a load (a database read): a hit answers at once; a miss
 * loads, and the requests that miss meanwhile share that one load instead of each making their own.
 * `forget` also voids the loads under way, so a read that began before a change cannot put the old
 * answer back after it. Absent answers (null, undefined) are not remembered.
 *
 * Per instance: another instance sees a change within `ttlMs`, which is what callers promise.
 */
export function createLoadingCache<V>(options: { maxEntries: number; ttlMs: number; now?: () => number }) {
  const cache = new BoundedCache<V>(options.maxEntries, options.ttlMs, options.now);
  const loading = new Map<string, Promise<V | null | undefined>>();
  let generation = 0;

  return {
    get(key: string, load: () => Promise<V | null | undefined>): Promise<V | null | undefined> {
      const hit = cache.get(key);
      if (hit !== undefined) return Promise.resolve(hit);
      const pending = loading.get(key);
      if (pending) return pending;
      const startedIn = generation;
      const loaded = load()
        .then((value) => {
          if (value !== null && value !== undefined && startedIn === generation) cache.set(key, value);
          return value;
        })
        .finally(() => {
          if (loading.get(key) === loaded) loading.delete(key);
        });
      loading.set(key, loaded);
      return loaded;
    },

    /** One key now (others within the time to live), or everything. */
    forget(key?: string): void {
      generation++;
      if (key === undefined) {
        cache.clear();
        loading.clear();
      } else {
        cache.delete(key);
        loading.delete(key);
      }
    },
  };
}

export type LoadingCache<V> = ReturnType<typeof createLoadingCache<V>>;
