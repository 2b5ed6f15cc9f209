import { compareCountThenKey } from '../content/order.js';
import type { ListLike } from '../content/sorted-list.js';
import { badUserInput } from '../errors.js';

/** Items per page when a request gives neither `first` nor `last`. */
export const DEFAULT_PAGE_SIZE = 20;
/** The largest `first` or `last` a request may ask for. */
export const MAX_PAGE_SIZE = 100;

/** The most articles one `articleChanges` event lists in each of `added`, `updated` and `removed`; a larger change comes as several events. */
export const MAX_CHANGES_PER_EVENT = 100;

/** The standard Relay connection arguments. */
export interface ConnectionArgs {
  readonly first?: number | null;
  readonly last?: number | null;
  readonly after?: string | null;
  readonly before?: string | null;
}

/** A position in an ordered list: the values the list is sorted by, ending with a unique key. */
export type Position = readonly (string | number | null)[];

/** How a list is ordered: a name (cursors carry it) and a total order on positions. */
export interface ListOrder<T> {
  /** Identifies the order; a cursor from another order is refused. */
  readonly name: string;
  readonly positionOf: (item: T) => Position;
  readonly compare: (a: Position, b: Position) => number;
}

/** Most items first, ties by key ascending: the order of the provider and topic lists. */
export function countThenKeyOrder<T>(name: string, countOf: (item: T) => number, keyOf: (item: T) => string): ListOrder<T> {
  return {
    name,
    positionOf: (item) => [countOf(item), keyOf(item)],
    compare: (a, b) => compareCountThenKey(a[0] as number, a[1] as string, b[0] as number, b[1] as string),
  };
}

/** A page of a connection, in the shape the relay plugin resolves. */
export interface ConnectionPage<T> {
  readonly edges: { readonly cursor: string; readonly node: T }[];
  readonly pageInfo: {
    readonly hasNextPage: boolean;
    readonly hasPreviousPage: boolean;
    readonly startCursor: string | null;
    readonly endCursor: string | null;
  };
  /** Items in the whole list, not only in this page. */
  readonly totalCount: number;
}

function encodeCursor(order: string, position: Position): string {
  return Buffer.from(JSON.stringify([order, ...position])).toString('base64url');
}

function decodeCursor(cursor: string, order: string, argumentName: string): Position {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  if (!isCursorPayload(decoded)) {
    throw badUserInput(
      `The ${argumentName} cursor "${cursor.slice(0, 60)}" is malformed: ` +
        `pass a cursor exactly as an edge's \`cursor\` or \`pageInfo\` returned it.`,
      argumentName,
    );
  }
  if (decoded[0] !== order) {
    throw badUserInput(
      `The ${argumentName} cursor belongs to another order or list; request the first page again with this orderBy.`,
      argumentName,
    );
  }
  return decoded.slice(1);
}

function isCursorPayload(value: unknown): value is [string, ...Position] {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((part) => part === null || typeof part === 'string' || typeof part === 'number')
  );
}

function checkPageSize(value: number | null | undefined, argumentName: 'first' | 'last'): void {
  if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
    throw badUserInput(
      `\`${argumentName}\` must be from 0 to ${MAX_PAGE_SIZE}, found ${value}; ` +
        `page through longer lists with \`after\`/\`before\` cursors.`,
      argumentName,
    );
  }
}

/** How many items a plain list field lists: its `first` (`fallback` when absent). Throws BAD_USER_INPUT outside 0-100. */
export function listLength(first: number | null | undefined, fallback: number): number {
  const length = first ?? fallback;
  if (length < 0 || length > MAX_PAGE_SIZE) throw badUserInput(`\`first\` must be from 0 to ${MAX_PAGE_SIZE}, found ${length}.`, 'first');
  return length;
}

/** An edge whose cursor is encoded only when a query asks for it. */
class Edge<T> {
  constructor(
    readonly node: T,
    private readonly order: ListOrder<T>,
  ) {}

  get cursor(): string {
    return encodeCursor(this.order.name, this.order.positionOf(this.node));
  }
}

/** The index of the first item whose position is after `position` (all items when none). */
function indexAfter<T>(items: ListLike<T>, order: ListOrder<T>, position: Position, inclusive: boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const comparison = order.compare(order.positionOf(items.at(middle)!), position);
    if (comparison < 0 || (!inclusive && comparison === 0)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * One page of `items` (already in `order`) by the Relay cursor connection rules: `after`/`before`
 * bound the list, then `first` keeps the head and `last` the tail. Cursors name positions, not
 * offsets, so a cursor stays valid while items come and go around it. Throws BAD_USER_INPUT for a
 * page size outside 0-100 or a malformed or foreign cursor.
 */
export function paginate<T>(items: ListLike<T>, args: ConnectionArgs, order: ListOrder<T>): ConnectionPage<T> {
  checkPageSize(args.first, 'first');
  checkPageSize(args.last, 'last');
  let start = args.after != null ? indexAfter(items, order, decodeCursor(args.after, order.name, 'after'), false) : 0;
  let end = args.before != null ? indexAfter(items, order, decodeCursor(args.before, order.name, 'before'), true) : items.length;
  end = Math.max(start, end);
  const first = args.first ?? (args.last == null ? DEFAULT_PAGE_SIZE : null);
  if (first != null && end - start > first) end = start + first;
  if (args.last != null && end - start > args.last) start = end - args.last;

  const edges = items.slice(start, end).map((node) => new Edge(node, order));
  return {
    edges,
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: items.length,
  };
}
