import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asArray, ChunkedList, mergeSorted } from '../../src/content/sorted-list.js';

/** An item of a test list: `key` orders it, with ties, and each item is its own object. */
interface Item {
  readonly key: number;
  readonly id: number;
}

const byKey = (a: Item, b: Item) => a.key - b.key;

let nextId = 0;
/** Items with these keys, sorted by key (ties keep their order). */
function itemsOf(keys: readonly number[]): Item[] {
  return keys.map((key) => ({ key, id: nextId++ })).sort(byKey);
}

/** Every read a page or a pass makes of `list` agrees with `expected`. */
function expectSameList(list: ChunkedList<Item>, expected: readonly Item[]): void {
  expect(list.length).toBe(expected.length);
  expect(list.toArray()).toEqual(expected);
  expect([...list]).toEqual(expected);
  for (let index = -expected.length - 1; index <= expected.length; index += Math.max(1, Math.floor(expected.length / 97))) {
    expect(list.at(index)).toBe(expected.at(index));
  }
  for (const [start, end] of [
    [0, expected.length],
    [0, 20],
    [1000, 1030],
    [1020, 2100],
    [-30, -1],
    [-5, undefined],
    [expected.length - 3, expected.length + 10],
    [7, 3],
  ] as const) {
    expect(list.slice(start, end)).toEqual(expected.slice(start, end));
  }
}

describe('ChunkedList', () => {
  it('reads, slices and iterates as the array it was made from, across chunk boundaries', () => {
    for (const length of [0, 1, 1023, 1024, 1025, 5000]) {
      const items = itemsOf(Array.from({ length }, (_, at) => at));
      expectSameList(ChunkedList.from(items), items);
    }
  });

  it('gives its array frozen, and the same array each time', () => {
    const list = ChunkedList.from(itemsOf([3, 1, 2]));
    expect(Object.isFrozen(list.toArray())).toBe(true);
    expect(list.toArray()).toBe(list.toArray());
    expect(asArray(list)).toBe(list.toArray());
    const plain = itemsOf([1]);
    expect(asArray(plain)).toBe(plain);
  });

  it('merges a change as mergeSorted does: dropped items by identity, added ones after their equals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 4000 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        (keys, addedKeys, dropAt) => {
          const items = itemsOf(keys);
          const drop = new Set(items.length === 0 ? [] : dropAt.map((at) => items[at % items.length]!));
          // An item that is not in the list is ignored.
          drop.add({ key: 5, id: -1 });
          const adding = itemsOf(addedKeys);
          const merged = ChunkedList.from(items).merged(drop, adding, byKey);
          expectSameList(merged, mergeSorted(items, drop, adding, byKey));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('stays the same list through many small versions, as chunks grow, split and empty', () => {
    let expected = itemsOf(Array.from({ length: 3000 }, (_, at) => at % 700));
    let list = ChunkedList.from(expected);
    const versions: [ChunkedList<Item>, readonly Item[]][] = [];
    for (let step = 0; step < 2600; step++) {
      // Most additions land in one place, so that chunk splits; the removals empty the list's head.
      const adding = itemsOf(step % 5 === 4 ? [step % 700] : [350]);
      const drop = new Set(step % 2 === 0 ? [expected[0]!] : []);
      list = list.merged(drop, adding, byKey);
      expected = mergeSorted(expected, drop, adding, byKey);
      if (step % 400 === 0) versions.push([list, expected]);
    }
    expectSameList(list, expected);
    // Earlier versions are untouched by the later ones.
    for (const [version, itsItems] of versions) expectSameList(version, itsItems);
  });

  it('is itself when nothing changes', () => {
    const list = ChunkedList.from(itemsOf([1, 2, 3]));
    expect(list.merged(new Set(), [], byKey)).toBe(list);
  });
});
