import { describe, expect, it } from 'vitest';
import { createLoadingCache } from '../../src/platform/cache/loading-cache.js';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

describe('loading cache', () => {
  it('answers a hit at once and shares one load among the misses that overlap it', async () => {
    let now = 0;
    const cache = createLoadingCache<string>({ maxEntries: 10, ttlMs: 1000, now: () => now });
    const gate = deferred<string>();
    let loads = 0;
    const load = () => (loads++, gate.promise);
    const misses = [cache.get('a', load), cache.get('a', load), cache.get('a', load)];
    gate.resolve('first');
    expect(await Promise.all(misses)).toEqual(['first', 'first', 'first']);
    expect(await cache.get('a', async () => 'second')).toBe('first');
    expect(loads).toBe(1);
    now = 1000; // expired
    expect(await cache.get('a', async () => 'second')).toBe('second');
  });

  it('does not remember absent answers', async () => {
    const cache = createLoadingCache<string>({ maxEntries: 10, ttlMs: 1000 });
    expect(await cache.get('a', async () => null)).toBeNull();
    expect(await cache.get('a', async () => 'there now')).toBe('there now');
  });

  it('forget voids a load under way: the answer it brings back is not kept', async () => {
    const cache = createLoadingCache<string>({ maxEntries: 10, ttlMs: 60_000 });
    const gate = deferred<string>();
    const stale = cache.get('a', () => gate.promise);
    cache.forget('a');
    gate.resolve('before the change');
    expect(await stale).toBe('before the change'); // its own caller still gets it
    expect(await cache.get('a', async () => 'after the change')).toBe('after the change');
    cache.forget();
    expect(await cache.get('a', async () => 'after forgetting all')).toBe('after forgetting all');
  });
});
