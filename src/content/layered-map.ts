/**
 * An immutable map that a new corpus version derives from the last one in time proportional to
 * what changed, not to its size: a shared base map plus a small top layer of the changes since.
 * Copying a Map of a million entries takes most of a second; a layer of a few thousand, well
 * under a millisecond. When the top layer grows past a bound that rises with the square root of
 * the size, the two are merged into a new base, so lookups stay at most two Map lookups deep.
 */

/** What the top layer holds for a key the base has and the map no longer has. */
const REMOVED: unique symbol = Symbol('removed');

/** The smallest bound on the top layer before it is merged into the base. */
const MIN_TOP_ENTRIES = 1_024;

/** A read-only map made of a base and a layer of changes; see the module comment. */
export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  readonly size: number;

  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly top: ReadonlyMap<K, V | typeof REMOVED>,
    size: number,
  ) {
    this.size = size;
    Object.freeze(this);
  }

  /** A layered map holding what `map` holds now; the caller must not change `map` afterwards. */
  static of<K, V>(map: ReadonlyMap<K, V>): LayeredMap<K, V> {
    return map instanceof LayeredMap ? map : new LayeredMap(map, new Map(), map.size);
  }

  get(key: K): V | undefined {
    const value = this.top.get(key);
    if (value === REMOVED) return undefined;
    return value !== undefined ? value : this.base.get(key);
  }

  has(key: K): boolean {
    const value = this.top.get(key);
    if (value === REMOVED) return false;
    return value !== undefined || this.base.has(key);
  }

  /**
   * A new map with these changes applied (undefined removes a key); this one is unchanged.
   * Costs the size of the top layer, or once in a while the size of the whole map.
   */
  with(changes: ReadonlyMap<K, V | undefined>): LayeredMap<K, V> {
    if (changes.size === 0) return this;
    const top = new Map(this.top);
    let size = this.size;
    for (const [key, value] of changes) {
      const had = this.has(key);
      if (value === undefined) {
        if (!had) continue;
        if (this.base.has(key)) top.set(key, REMOVED);
        else top.delete(key);
        size--;
      } else {
        top.set(key, value);
        if (!had) size++;
      }
    }
    if (top.size <= Math.max(MIN_TOP_ENTRIES, 8 * Math.sqrt(size))) return new LayeredMap(this.base, top, size);
    const merged = new Map(this.base);
    for (const [key, value] of top) {
      if (value === REMOVED) merged.delete(key);
      else merged.set(key, value);
    }
    return new LayeredMap(merged, new Map(), merged.size);
  }

  *entries(): MapIterator<[K, V]> {
    for (const [key, value] of this.base) {
      const changed = this.top.get(key);
      if (changed === undefined) yield [key, value];
      else if (changed !== REMOVED) yield [key, changed];
    }
    for (const [key, value] of this.top) {
      if (value !== REMOVED && !this.base.has(key)) yield [key, value];
    }
  }

  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
}
