import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../src/platform/cache/bounded-cache.js';

describe('the bounded key cache', () => {
  it('holds at most maxEntries, dropping the least recently used', () => {
    const cache = new BoundedCache<number>(2, 60_000);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now more recent than b
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('forgets entries after the time to live', () => {
    let now = 1_000;
    const cache = new BoundedCache<string>(10, 500, () => now);
    cache.set('k', 'v');
    now += 499;
    expect(cache.get('k')).toBe('v');
    now += 1;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('refuses a bound of nothing', () => {
    expect(() => new BoundedCache(0, 1000)).toThrow();
    expect(() => new BoundedCache(1, 0)).toThrow();
  });
});
