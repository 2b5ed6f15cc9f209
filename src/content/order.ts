/**
 * Every order of the content layer, in one place: the corpus sorts its lists with these, and the
 * schema's cursors compare positions with the same functions, so a page boundary always falls
 * where the sort put it.
 */
import type { Article } from './model.js';

/** Compares strings by UTF-16 code units: the order of `<`, for keys such as slugs, domains and paths. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Most first, ties by key ascending: the order of providers and topics (count = their articles). */
export function compareCountThenKey(aCount: number, aKey: string, bCount: number, bKey: string): number {
  return bCount - aCount || compareStrings(aKey, bKey);
}

/** The fields articles can be ordered by. */
export type ArticleOrderField = 'PUBLISHED_DATE_TIME' | 'QUALITY' | 'HEAT' | 'TITLE';

/** An order: a field and a direction. */
export interface ArticleOrder {
  readonly field: ArticleOrderField;
  readonly direction: 'ASC' | 'DESC';
}

/** Newest first: the order of every article list unless a request asks for another. */
export const DEFAULT_ARTICLE_ORDER: ArticleOrder = Object.freeze({ field: 'PUBLISHED_DATE_TIME', direction: 'DESC' });

/** A value an article is ordered by; null sorts last in both directions. */
export type OrderValue = number | string | null;

/** The value an article is ordered by in `field`. */
export function orderValue(article: Article, field: ArticleOrderField): OrderValue {
  switch (field) {
    case 'PUBLISHED_DATE_TIME':
      return article.publishedDateTime;
    case 'QUALITY':
      return article.quality;
    case 'HEAT':
      return article.heat;
    case 'TITLE':
      return article.title;
  }
}

const titleCollator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/**
 * Compares two positions (value, slug) in `order`: nulls last in both directions, strings by a
 * case- and accent-insensitive collation with numbers in numeric order, ties by slug ascending, so
 * the order is total and a cursor always names one position.
 */
export function comparePositions(order: ArticleOrder, aValue: OrderValue, aSlug: string, bValue: OrderValue, bSlug: string): number {
  if (aValue !== bValue) {
    if (aValue === null) return 1;
    if (bValue === null) return -1;
    const base = typeof aValue === 'string' ? titleCollator.compare(aValue, bValue as string) : aValue - (bValue as number);
    if (base !== 0) return order.direction === 'ASC' ? base : -base;
  }
  return compareStrings(aSlug, bSlug);
}

/** A comparator of articles in `order`. */
export function articleComparator(order: ArticleOrder): (a: Article, b: Article) => number {
  const { field } = order;
  return (a, b) => comparePositions(order, orderValue(a, field), a.slug, orderValue(b, field), b.slug);
}

/** Newest first, undated last, ties by slug: DEFAULT_ARTICLE_ORDER as a comparator. */
export const compareNewestFirst: (a: Article, b: Article) => number = articleComparator(DEFAULT_ARTICLE_ORDER);

/** True when `order` is DEFAULT_ARTICLE_ORDER, the order every list of the corpus is kept in. */
export function isDefaultOrder(order: ArticleOrder): boolean {
  return order.field === DEFAULT_ARTICLE_ORDER.field && order.direction === DEFAULT_ARTICLE_ORDER.direction;
}
