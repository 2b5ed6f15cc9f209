/**
 * Sorted lists and their next versions. A version of a corpus shares what did not change with the
 * one before (update.ts); a list of every article of a view changes by a few items per update, and
 * copying it whole costs milliseconds at 100k articles (V8 copies a large array into fresh pages)
 * and ten times that at 1M. ChunkedList keeps such a list in chunks that its versions share, so a
 * version with a few items changed copies only the chunks they fall in.
 */

/** A list read by position: a plain array, a ChunkedList, or one being edited. */
interface Positional<T> {
  readonly length: number;
  at(index: number): T | undefined;
}

/** What a list page reads of a list (paginate): a plain array or a ChunkedList. */
export interface ListLike<T> extends Positional<T> {
  slice(start?: number, end?: number): T[];
}

/** A sorted list as the corpus keeps one: an array, or a view's whole list in chunks. */
export type SortedList<T> = readonly T[] | ChunkedList<T>;

/** The list as one array (a ChunkedList's made once). */
export function asArray<T>(list: SortedList<T>): readonly T[] {
  return list instanceof ChunkedList ? list.toArray() : list;
}

/** A change of at most this many items, or this share of a list's length, is spliced in; a larger one is merged in one pass. */
const SPLICE_UP_TO = { items: 4, share: 1 / 256 };

/** Items per chunk of a ChunkedList made in one pass; a chunk that grows to twice this is split. */
const CHUNK_ITEMS = 1024;

/**
 * `sorted` without the items in `drop`, merged with `adding` (sorted by the same order). A few
 * changes to a long list are found by binary search and spliced into a copy (a copy and a few
 * moves of memory); many are merged in one pass.
 */
export function mergeSorted<T>(sorted: readonly T[], drop: ReadonlySet<T>, adding: readonly T[], compare: (a: T, b: T) => number): T[] {
  if (drop.size + adding.length <= Math.max(SPLICE_UP_TO.items, sorted.length * SPLICE_UP_TO.share)) {
    return spliceSorted(sorted, drop, adding, compare);
  }
  return mergeAll(sorted, drop, adding, compare);
}

/** mergeSorted in one pass over `sorted`. */
function mergeAll<T>(sorted: Iterable<T>, drop: ReadonlySet<T>, adding: readonly T[], compare: (a: T, b: T) => number): T[] {
  const merged: T[] = [];
  let next = 0;
  for (const item of sorted) {
    if (drop.has(item)) continue;
    while (next < adding.length && compare(adding[next]!, item) < 0) merged.push(adding[next++]!);
    merged.push(item);
  }
  while (next < adding.length) merged.push(adding[next++]!);
  return merged;
}

/** mergeSorted for a few changes: each dropped item found by binary search, each added one put after its equals. */
function spliceSorted<T>(sorted: readonly T[], drop: ReadonlySet<T>, adding: readonly T[], compare: (a: T, b: T) => number): T[] {
  // Array.from, not slice: V8 copies a frozen array (as the lists are) element by element in slice, 10x slower.
  const result = Array.from(sorted);
  for (const item of drop) {
    const at = positionOf(result, item, compare);
    if (at !== -1) result.splice(at, 1);
  }
  for (const item of adding) result.splice(firstAfter(result, item, compare), 0, item);
  return result;
}

/** The position of `item` in `sorted`, found by binary search (its ties just before it), or by a pass when the order does not find it; -1 when absent. */
function positionOf<T>(sorted: Positional<T>, item: T, compare: (a: T, b: T) => number): number {
  let at = firstAfter(sorted, item, compare) - 1;
  // Items the order ties with this one (none for a total order) sit just before it.
  while (at >= 0 && sorted.at(at) !== item && compare(sorted.at(at)!, item) === 0) at--;
  if (at >= 0 && sorted.at(at) === item) return at;
  for (let index = 0; index < sorted.length; index++) if (sorted.at(index) === item) return index;
  return -1;
}

/** The position of the first item of `sorted` that `item` sorts strictly before (sorted.length when none). */
function firstAfter<T>(sorted: Positional<T>, item: T, compare: (a: T, b: T) => number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(item, sorted.at(middle)!) < 0) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * An immutable list kept in chunks (see the module comment): reads by position and slices as an
 * array does, iterates in order, and gives the whole list as one array when asked (made once).
 */
export class ChunkedList<T> implements ListLike<T>, Iterable<T> {
  readonly length: number;
  readonly #chunks: readonly (readonly T[])[];
  /** The position of each chunk's first item. */
  readonly #starts: Int32Array;
  #array: readonly T[] | undefined;

  private constructor(chunks: readonly (readonly T[])[]) {
    this.#chunks = chunks;
    ({ starts: this.#starts, length: this.length } = measure(chunks));
  }

  /** The list of these items (copied: the array is not kept). */
  static from<T>(items: readonly T[]): ChunkedList<T> {
    const chunks: T[][] = [];
    for (let start = 0; start < items.length; start += CHUNK_ITEMS) chunks.push(items.slice(start, start + CHUNK_ITEMS));
    return new ChunkedList(chunks);
  }

  /** The item at `index` (negative counts from the end), or undefined. */
  at(index: number): T | undefined {
    return itemAt(this.#chunks, this.#starts, this.length, index < 0 ? index + this.length : index);
  }

  /** The items from `start` up to `end`, as Array.prototype.slice takes them. */
  slice(start = 0, end = this.length): T[] {
    const from = Math.max(0, start < 0 ? start + this.length : Math.min(start, this.length));
    const to = Math.max(from, end < 0 ? end + this.length : Math.min(end, this.length));
    const items: T[] = [];
    if (from === to) return items;
    for (let chunk = chunkHolding(this.#starts, from); chunk < this.#chunks.length && this.#starts[chunk]! < to; chunk++) {
      const offset = this.#starts[chunk]!;
      items.push(...this.#chunks[chunk]!.slice(Math.max(0, from - offset), to - offset));
    }
    return items;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const chunk of this.#chunks) yield* chunk;
  }

  /** The whole list as one frozen array, made when first asked for and kept. */
  toArray(): readonly T[] {
    this.#array ??= Object.freeze(this.#chunks.flat() as T[]);
    return this.#array;
  }

  /**
   * The next version: without the items in `drop`, with `adding` (sorted by the list's order,
   * `compare`) put after their equals. A few changes copy only the chunks they touch; many make
   * the list again in one pass.
   */
  merged(drop: ReadonlySet<T>, adding: readonly T[], compare: (a: T, b: T) => number): ChunkedList<T> {
    if (drop.size === 0 && adding.length === 0) return this;
    if (drop.size + adding.length > Math.max(SPLICE_UP_TO.items, this.#chunks.length)) {
      return ChunkedList.from(mergeAll(this, drop, adding, compare));
    }
    const editor = new ChunkEditor(this.#chunks);
    for (const item of drop) {
      const at = positionOf(editor, item, compare);
      if (at !== -1) editor.remove(at);
    }
    for (const item of adding) editor.insert(firstAfter(editor, item, compare), item);
    return new ChunkedList(editor.chunks);
  }
}

/** The position of each chunk's first item in the list the chunks make, and that list's length. */
function measure(chunks: readonly (readonly unknown[])[]): { starts: Int32Array; length: number } {
  const starts = new Int32Array(chunks.length);
  let length = 0;
  for (const [index, chunk] of chunks.entries()) {
    starts[index] = length;
    length += chunk.length;
  }
  return { starts, length };
}

/** The item at `position` of the list these chunks make (`starts` and `length`: their measure), or undefined outside it. */
function itemAt<T>(chunks: readonly (readonly T[])[], starts: Int32Array, length: number, position: number): T | undefined {
  if (!(position >= 0 && position < length)) return undefined;
  const chunk = chunkHolding(starts, position);
  return chunks[chunk]![position - starts[chunk]!];
}

/** The last chunk whose first position is at most `position`, by binary search of the chunks' starts. */
function chunkHolding(starts: Int32Array, position: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (starts[middle]! <= position) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The chunks of a list being edited: a chunk is copied the first time it changes, and split when it grows to twice CHUNK_ITEMS. */
class ChunkEditor<T> implements Positional<T> {
  readonly chunks: (readonly T[])[];
  readonly #copied = new Set<readonly T[]>();
  #starts: Int32Array;
  length: number;

  constructor(chunks: readonly (readonly T[])[]) {
    this.chunks = [...chunks];
    ({ starts: this.#starts, length: this.length } = measure(this.chunks));
  }

  at(index: number): T | undefined {
    return itemAt(this.chunks, this.#starts, this.length, index);
  }

  remove(position: number): void {
    const chunk = chunkHolding(this.#starts, position);
    const items = this.#own(chunk);
    items.splice(position - this.#starts[chunk]!, 1);
    if (items.length === 0) this.chunks.splice(chunk, 1);
    this.#measure();
  }

  insert(position: number, item: T): void {
    if (this.chunks.length === 0) {
      const created = [item];
      this.#copied.add(created);
      this.chunks.push(created);
    } else {
      // At the end of the list: into the last chunk.
      const chunk = position === this.length ? this.chunks.length - 1 : chunkHolding(this.#starts, position);
      const items = this.#own(chunk);
      items.splice(position - this.#starts[chunk]!, 0, item);
      if (items.length >= 2 * CHUNK_ITEMS) {
        const second = items.splice(CHUNK_ITEMS);
        this.#copied.add(second);
        this.chunks.splice(chunk + 1, 0, second);
      }
    }
    this.#measure();
  }

  /** The chunk at `index`, copied first unless this edit made it. */
  #own(index: number): T[] {
    const chunk = this.chunks[index]!;
    if (this.#copied.has(chunk)) return chunk as T[];
    const copy = chunk.slice();
    this.#copied.add(copy);
    this.chunks[index] = copy;
    return copy;
  }

  #measure(): void {
    ({ starts: this.#starts, length: this.length } = measure(this.chunks));
  }
}
