import type { Article } from './model.js';
import { type ArticleOrder, articleComparator, DEFAULT_ARTICLE_ORDER, isDefaultOrder } from './order.js';
import { slugify } from './slug.js';
import { StoredArticle } from './stored-article.js';
import { foldForSearch, searchTextOf } from './summary.js';
import { normalizeDomain } from './urls.js';

/** Conditions on articles; every given condition must hold, an absent one always holds. */
export interface ArticleFilter {
  /** Any of these topics, by slug or by name. */
  readonly topics?: readonly string[] | null;
  /** Any of these provider domains (`www.`, case and scheme ignored). */
  readonly providers?: readonly string[] | null;
  /** Category, case-insensitive. */
  readonly category?: string | null;
  /** Type, case-insensitive. */
  readonly type?: string | null;
  /** Published strictly after this instant. */
  readonly publishedAfter?: Date | null;
  /** Published strictly before this instant. */
  readonly publishedBefore?: Date | null;
  /**
   * Published at or after now minus this ISO-8601 duration (`P7D`, `PT12H`, `P1M`, `P1Y2M3DT4H`;
   * see parseDuration), "now" being when the predicate is built.
   */
  readonly publishedWithin?: string | null;
  readonly minQuality?: number | null;
  readonly minHeat?: number | null;
  /** True: only articles with at least one image; false: only those without. */
  readonly hasImages?: boolean | null;
  /** Every word appears in the title or excerpt, case- and accent-insensitive. */
  readonly search?: string | null;
}

const sortedCache = new WeakMap<readonly Article[], Map<string, readonly Article[]>>();

/**
 * `articles` (given newest first) in `order`. Each order of a given list is sorted once and kept
 * for as long as the list lives, so requests never sort.
 */
export function sortArticles(articles: readonly Article[], order: ArticleOrder): readonly Article[] {
  if (isDefaultOrder(order)) return articles;
  let byOrder = sortedCache.get(articles);
  if (byOrder === undefined) {
    byOrder = new Map();
    sortedCache.set(articles, byOrder);
  }
  const key = `${order.field}:${order.direction}`;
  let sorted = byOrder.get(key);
  if (sorted === undefined) {
    sorted = Object.freeze([...articles].sort(articleComparator(order)));
    byOrder.set(key, sorted);
  }
  return sorted;
}

/**
 * A predicate for `filter`, or null when the filter holds for every article; `now` (epoch
 * milliseconds, default the current time) is what `publishedWithin` counts back from. Throws a
 * RangeError for a `publishedWithin` that parseDuration refuses.
 */
export function articlePredicate(filter: ArticleFilter | null | undefined, now = Date.now()): ((article: Article) => boolean) | null {
  if (!filter) return null;
  const tests: ((article: Article) => boolean)[] = [];
  if (filter.topics != null) {
    const slugs = new Set(filter.topics.map(slugify));
    tests.push((article) => article.topics.some((topic) => slugs.has(topic.slug)));
  }
  if (filter.providers != null) {
    const domains = new Set(filter.providers.map((domain) => normalizeDomain(domain) ?? domain.trim().toLowerCase()));
    tests.push((article) => article.provider !== null && domains.has(article.provider.domain));
  }
  if (filter.category != null) {
    const category = filter.category.trim().toLowerCase();
    tests.push((article) => article.category?.toLowerCase() === category);
  }
  if (filter.type != null) {
    const type = filter.type.trim().toLowerCase();
    tests.push((article) => article.type?.toLowerCase() === type);
  }
  if (filter.publishedAfter != null) {
    const after = filter.publishedAfter.getTime();
    tests.push((article) => article.publishedDateTime !== null && article.publishedDateTime > after);
  }
  if (filter.publishedBefore != null) {
    const before = filter.publishedBefore.getTime();
    tests.push((article) => article.publishedDateTime !== null && article.publishedDateTime < before);
  }
  if (filter.publishedWithin != null) {
    const since = durationStart(filter.publishedWithin, now);
    tests.push((article) => article.publishedDateTime !== null && article.publishedDateTime >= since);
  }
  if (filter.minQuality != null) {
    const min = filter.minQuality;
    tests.push((article) => article.quality !== null && article.quality >= min);
  }
  if (filter.minHeat != null) {
    const min = filter.minHeat;
    tests.push((article) => article.heat !== null && article.heat >= min);
  }
  if (filter.hasImages != null) {
    const wanted = filter.hasImages;
    tests.push((article) => imageCount(article) > 0 === wanted);
  }
  if (filter.search != null) {
    const matchesText = searchTest(filter.search);
    if (matchesText !== null) tests.push(matchesText);
  }
  if (tests.length === 0) return null;
  return (article) => tests.every((test) => test(article));
}

/**
 * The instant `publishedWithin` counts back to from `now` (epoch milliseconds). Throws a
 * RangeError for a duration that parseDuration refuses.
 */
export function durationStart(publishedWithin: string, now: number): number {
  const duration = parseDuration(publishedWithin);
  if (duration === null) throw new RangeError(`publishedWithin: ${DURATION_EXPECTED}, found "${publishedWithin}"`);
  return subtractDuration(now, duration);
}

/** The test of `filter.search` (every word in the title or excerpt), or null when it names no word. */
export function searchTest(search: string): ((article: Article) => boolean) | null {
  const words = foldForSearch(search).split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  return (article) => {
    const haystack = searchText(article);
    return words.every((word) => haystack.includes(word));
  };
}

const searchTexts = new WeakMap<Article, string>();

/** What `filter.search` matches in: kept by a corpus article, computed once for any other record. */
function searchText(article: Article): string {
  if (article instanceof StoredArticle) return article.searchText;
  let text = searchTexts.get(article);
  if (text === undefined) {
    text = searchTextOf(article.title, article.excerpt);
    searchTexts.set(article, text);
  }
  return text;
}

/** How many images an article has, without reading a corpus article's record. */
export function imageCount(article: Article): number {
  return article instanceof StoredArticle ? article.imageCount : article.images.length;
}

/** The articles of `articles` (newest first) that pass `filter`, in `order`. */
export function queryArticles(
  articles: readonly Article[],
  filter: ArticleFilter | null | undefined,
  order: ArticleOrder = DEFAULT_ARTICLE_ORDER,
): readonly Article[] {
  const sorted = sortArticles(articles, order);
  const predicate = articlePredicate(filter);
  return predicate === null ? sorted : sorted.filter(predicate);
}

/**
 * An ISO-8601 duration as parseDuration reads it: whole calendar years and months, and everything
 * else (weeks, days, hours, minutes, seconds) as exact milliseconds; each part signed.
 */
export interface Duration {
  readonly years: number;
  readonly months: number;
  readonly milliseconds: number;
}

/** What parseDuration accepts, for messages. */
export const DURATION_EXPECTED =
  'expected an ISO-8601 duration such as P7D, PT12H, P1M or P1Y2M3DT4H (whole years and months; a fraction such as PT1.5H elsewhere)';

const DURATION_PART = '([+-]?\\d+(?:[.,]\\d+)?)';
const DURATION = new RegExp(
  `^([+-])?P(?!$)(?:${DURATION_PART}Y)?(?:${DURATION_PART}M)?(?:${DURATION_PART}W)?(?:${DURATION_PART}D)?` +
    `(?:T(?=[+-]?\\d)(?:${DURATION_PART}H)?(?:${DURATION_PART}M)?(?:${DURATION_PART}S)?)?$`,
);
const PART_MILLISECONDS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000];

/**
 * Reads an ISO-8601 duration (`P7D`, `PT12H`, `P1M`, `P2W`, `P1Y2M3DT4H`, `-P1D`, `PT0,5S`): the
 * syntax of graphql-scalars' Duration, with years and months whole numbers (a day is 24 hours,
 * UTC knowing no daylight saving). Returns null for anything else.
 */
export function parseDuration(text: string): Duration | null {
  const match = DURATION.exec(text);
  if (match === null) return null;
  const sign = match[1] === '-' ? -1 : 1;
  const [years, months, ...rest] = match.slice(2).map((part) => (part === undefined ? 0 : Number(part.replace(',', '.'))));
  if (!Number.isInteger(years) || !Number.isInteger(months)) return null;
  const milliseconds = rest.reduce((sum, value, at) => sum + value! * PART_MILLISECONDS[at]!, 0);
  // `+ 0` turns -0 into 0.
  return { years: sign * years! + 0, months: sign * months! + 0, milliseconds: sign * milliseconds + 0 };
}

/**
 * The instant `duration` before `instant` (epoch milliseconds), calendar-aware in UTC: years and
 * months move the calendar date, a day past the end of the month landing on its last day
 * (2024-03-31 minus P1M is 2024-02-29), then the rest is subtracted exactly. Beyond the dates a
 * Date can hold, -Infinity or Infinity.
 */
export function subtractDuration(instant: number, duration: Duration): number {
  const date = new Date(instant);
  const monthIndex = date.getUTCFullYear() * 12 + date.getUTCMonth() - (duration.years * 12 + duration.months);
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month + 1, 0);
  date.setUTCFullYear(year, month, Math.min(date.getUTCDate(), lastDay.getUTCDate()));
  const shifted = date.getTime();
  if (Number.isNaN(shifted)) return duration.years * 12 + duration.months > 0 ? -Infinity : Infinity;
  return shifted - duration.milliseconds;
}
