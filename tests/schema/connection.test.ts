import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  type ConnectionArgs,
  type ConnectionPage,
  countThenKeyOrder,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  paginate,
} from '../../src/schema/connection.js';

interface Item {
  readonly key: string;
  readonly count: number;
}

const ORDER = countThenKeyOrder<Item>(
  'topics',
  (item) => item.count,
  (item) => item.key,
);
const OTHER_ORDER = countThenKeyOrder<Item>(
  'providers',
  (item) => item.count,
  (item) => item.key,
);

/** 25 items already in ORDER: counts 30, 30, 29, 29, ... (most first), ties by key ascending. */
const ITEMS: readonly Item[] = Array.from({ length: 25 }, (_, index) => ({
  key: `k${String(index).padStart(2, '0')}`,
  count: 30 - Math.floor(index / 2),
}));

function page(args: ConnectionArgs, items: readonly Item[] = ITEMS): ConnectionPage<Item> {
  return paginate(items, args, ORDER);
}

/** The keys of a page's items, in order. */
function keys(result: ConnectionPage<Item>): string[] {
  return result.edges.map((edge) => edge.node.key);
}

/** The keys of ITEMS from `start` up to (not including) `end`. */
function range(start: number, end: number): string[] {
  return ITEMS.slice(start, end).map((item) => item.key);
}

/** The cursor of ITEMS[index], as a page hands it out. */
function cursorOf(index: number): string {
  return page({ first: 1, after: index === 0 ? null : page({ first: index }).pageInfo.endCursor }).pageInfo.startCursor!;
}

/** The message and extensions of the error paginate throws; fails the test when nothing is thrown. */
function refusal(args: ConnectionArgs, order = ORDER): { message: string; extensions: unknown } {
  try {
    paginate(ITEMS, args, order);
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return { message: (error as GraphQLError).message, extensions: (error as GraphQLError).extensions };
  }
  throw new Error(`expected paginate to refuse ${JSON.stringify(args)}`);
}

describe('paginate', () => {
  it('should give the first 20 items by default, with the size of the whole list', () => {
    const result = page({});
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    expect(keys(result)).toEqual(range(0, 20));
    expect(result.totalCount).toBe(25);
    expect(result.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: result.edges[0]!.cursor,
      endCursor: result.edges[19]!.cursor,
    });
    expect(result.edges[3]!.node).toBe(ITEMS[3]);
  });

  it.each([
    ['first: 5', { first: 5 }, [0, 5], true, false],
    ['last: 5', { last: 5 }, [20, 25], false, true],
    ['first: 100', { first: 100 }, [0, 25], false, false],
    ['last: 100', { last: 100 }, [0, 25], false, false],
    ['first: 10, last: 3', { first: 10, last: 3 }, [7, 10], true, true],
  ] as const)('should keep the head or the tail with %s', (_name, args, [start, end], hasNextPage, hasPreviousPage) => {
    const result = page(args);
    expect(keys(result)).toEqual(range(start, end));
    expect([result.pageInfo.hasNextPage, result.pageInfo.hasPreviousPage]).toEqual([hasNextPage, hasPreviousPage]);
    expect(result.totalCount).toBe(25);
  });

  it.each([
    ['after item 4, first 3', () => ({ after: cursorOf(4), first: 3 }), [5, 8], true, true],
    ['after item 4', () => ({ after: cursorOf(4) }), [5, 25], false, true],
    ['before item 10, last 3', () => ({ before: cursorOf(10), last: 3 }), [7, 10], true, true],
    ['before item 3', () => ({ before: cursorOf(3) }), [0, 3], true, false],
    ['after item 4 and before item 10', () => ({ after: cursorOf(4), before: cursorOf(10) }), [5, 10], true, true],
    ['after the last item', () => ({ after: cursorOf(24) }), [25, 25], false, true],
    ['before the first item', () => ({ before: cursorOf(0) }), [0, 0], true, false],
    ['after item 10 and before item 5', () => ({ after: cursorOf(10), before: cursorOf(5) }), [11, 11], true, true],
  ] as const)('should bound the list %s', (_name, args, [start, end], hasNextPage, hasPreviousPage) => {
    const result = page(args());
    expect(keys(result)).toEqual(range(start, end));
    expect([result.pageInfo.hasNextPage, result.pageInfo.hasPreviousPage]).toEqual([hasNextPage, hasPreviousPage]);
  });

  it('should give an empty page no cursors', () => {
    expect(page({ first: 0 })).toEqual({
      edges: [],
      pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null },
      totalCount: 25,
    });
    expect(page({}, [])).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      totalCount: 0,
    });
  });

  it('should page through the whole list forward with endCursor and backward with startCursor', () => {
    const forward: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result = page({ first: 7, after });
      forward.push(...keys(result));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const result = page({ last: 7, before });
      backward.unshift(...keys(result));
      if (!result.pageInfo.hasPreviousPage) break;
      before = result.pageInfo.startCursor;
    }
    expect(forward).toEqual(range(0, 25));
    expect(backward).toEqual(range(0, 25));
  });

  it('should keep a cursor valid when its item leaves the list: it names a position, not an offset', () => {
    const cursor = cursorOf(4);
    const without = ITEMS.filter((_, index) => index !== 4 && index !== 1);
    const result = page({ after: cursor, first: 2 }, without);
    expect(keys(result)).toEqual(['k05', 'k06']);
    expect(result.totalCount).toBe(23);
  });

  it.each([
    ['first', { first: MAX_PAGE_SIZE + 1 }, '`first` must be from 0 to 100, found 101'],
    ['first', { first: -1 }, '`first` must be from 0 to 100, found -1'],
    ['last', { last: 500 }, '`last` must be from 0 to 100, found 500'],
    ['last', { last: -3 }, '`last` must be from 0 to 100, found -3'],
  ])('should refuse a page size out of range with BAD_USER_INPUT naming %s', (argumentName, args, said) => {
    expect(refusal(args)).toEqual({
      message: `${said}; page through longer lists with \`after\`/\`before\` cursors.`,
      extensions: { code: 'BAD_USER_INPUT', argumentName },
    });
  });

  it.each([
    ['after', 'not-a-cursor'],
    ['before', '%%%'],
    ['after', Buffer.from('["topics"]').toString('base64url')],
    ['after', Buffer.from('{"order":"topics"}').toString('base64url')],
    ['before', Buffer.from('["topics",{"count":3}]').toString('base64url')],
    ['after', 'x'.repeat(100)],
  ])('should refuse a malformed %s cursor %j with BAD_USER_INPUT', (argumentName, cursor) => {
    expect(refusal({ [argumentName]: cursor })).toEqual({
      message:
        `The ${argumentName} cursor "${cursor.slice(0, 60)}" is malformed: ` +
        "pass a cursor exactly as an edge's `cursor` or `pageInfo` returned it.",
      extensions: { code: 'BAD_USER_INPUT', argumentName },
    });
  });

  it.each(['after', 'before'])('should refuse an %s cursor of another order with BAD_USER_INPUT', (argumentName) => {
    const foreign = paginate(ITEMS, { first: 3 }, OTHER_ORDER).pageInfo.endCursor!;
    expect(refusal({ [argumentName]: foreign })).toEqual({
      message: `The ${argumentName} cursor belongs to another order or list; request the first page again with this orderBy.`,
      extensions: { code: 'BAD_USER_INPUT', argumentName },
    });
    // The same cursor is valid in the order that issued it.
    expect(refusal({ [argumentName]: cursorOf(2) }, OTHER_ORDER).extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName });
    expect(paginate(ITEMS, { after: foreign, first: 1 }, OTHER_ORDER).edges[0]!.node).toBe(ITEMS[3]);
  });
});

describe('countThenKeyOrder', () => {
  it('should position an item by its count and key, most first, ties by key ascending', () => {
    expect(ORDER.name).toBe('topics');
    expect(ORDER.positionOf({ key: 'ai', count: 7 })).toEqual([7, 'ai']);
    expect(ORDER.compare([7, 'ai'], [3, 'ai'])).toBeLessThan(0);
    expect(ORDER.compare([3, 'ai'], [7, 'ai'])).toBeGreaterThan(0);
    expect(ORDER.compare([3, 'ai'], [3, 'ml'])).toBe(-1);
    expect(ORDER.compare([3, 'ai'], [3, 'ai'])).toBe(0);
    expect([...ITEMS].reverse().sort((a, b) => ORDER.compare(ORDER.positionOf(a), ORDER.positionOf(b)))).toEqual(ITEMS);
  });
});
