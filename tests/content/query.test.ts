import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/content/load.js';
import type { Article } from '../../src/content/model.js';
import { DEFAULT_ARTICLE_ORDER } from '../../src/content/order.js';
import {
  type ArticleFilter,
  articlePredicate,
  parseDuration,
  queryArticles,
  sortArticles,
  subtractDuration,
} from '../../src/content/query.js';
import { FIXTURES } from '../support.js';

/** The preview articles of tests/fixtures/views, newest first: c (draft), a, b, e, d (undated). */
let articles: readonly Article[];
beforeAll(async () => {
  articles = (await loadCorpus(path.join(FIXTURES, 'views'))).corpus.preview.articles;
});

const slugs = (list: readonly Article[]) => list.map((article) => article.slug);

describe('articlePredicate', () => {
  it.each([
    ['no filter', undefined],
    ['null', null],
    ['an empty filter', {}],
    ['only null conditions', { topics: null, category: null, minQuality: null }],
    ['a blank search', { search: '   ' }],
  ])('should be null for %s', (_name, filter) => {
    expect(articlePredicate(filter as ArticleFilter | null | undefined)).toBeNull();
  });

  it.each<[string, ArticleFilter, string[]]>([
    ['topics by name', { topics: ['AI'] }, ['a', 'b', 'd']],
    ['topics by slug, any of', { topics: ['robotics', 'secret-topic'] }, ['c', 'a']],
    ['providers, www., case and scheme ignored', { providers: ['https://WWW.Beta.example/'] }, ['b']],
    ['providers, any of', { providers: ['alpha.example', 'nowhere.example'] }, ['c', 'a', 'd']],
    ['category, case-insensitive', { category: ' NEWS ' }, ['a', 'b']],
    ['type, case-insensitive', { type: 'blog' }, ['b']],
    ['publishedAfter, strictly', { publishedAfter: new Date('2024-01-02T00:00:00Z') }, ['c', 'a']],
    ['publishedBefore, strictly', { publishedBefore: new Date('2024-01-02T00:00:00Z') }, ['e']],
    ['minQuality, inclusive', { minQuality: 80 }, ['c', 'a', 'e']],
    ['minHeat, inclusive', { minHeat: 10 }, ['a', 'd']],
    ['hasImages: true', { hasImages: true }, ['a', 'e']],
    ['hasImages: false', { hasImages: false }, ['c', 'b', 'd']],
    ['search in title or excerpt, case- and accent-insensitive', { search: 'ZURICH' }, ['a', 'e']],
    ['search, every word', { search: 'notes zürich' }, ['e']],
    ['several conditions at once', { topics: ['ai'], category: 'news', minQuality: 60 }, ['a']],
  ])('should select by %s', (_name, filter, expected) => {
    const predicate = articlePredicate(filter)!;
    expect(slugs(articles.filter(predicate))).toEqual(expected);
  });
});

describe('articlePredicate with publishedWithin', () => {
  // a 2024-01-03, b 2024-01-02, c (draft) 2024-01-04, e 2023-12-31, d undated: all at midnight UTC.
  it.each<[string, string, string, string[]]>([
    ['P1D, the bound included', 'P1D', '2024-01-04T00:00:00Z', ['c', 'a']],
    ['PT24H', 'PT24H', '2024-01-04T00:00:00Z', ['c', 'a']],
    ['one second less', 'PT23H59M59S', '2024-01-04T00:00:00Z', ['c']],
    ['P1W, the undated article excluded', 'P1W', '2024-01-04T00:00:00Z', ['c', 'a', 'b', 'e']],
    ['P1M, a calendar month: since December 31', 'P1M', '2024-01-31T00:00:00Z', ['c', 'a', 'b', 'e']],
    ['P30D, thirty days: since January 1', 'P30D', '2024-01-31T00:00:00Z', ['c', 'a', 'b']],
    ['P1Y', 'P1Y', '2024-12-31T00:00:00Z', ['c', 'a', 'b', 'e']],
    ['a fraction of a day', 'P0.5D', '2024-01-03T12:00:00Z', ['c', 'a']],
    ['a comma for the decimal point', 'PT0,5S', '2024-01-04T00:00:00.500Z', ['c']],
    ['a negative duration: from a day after now', '-P1D', '2024-01-03T00:00:00Z', ['c']],
    ['PT0S: at or after now', 'PT0S', '2024-01-03T00:00:00Z', ['c', 'a']],
  ])('should select by %s', (_name, duration, now, expected) => {
    const predicate = articlePredicate({ publishedWithin: duration }, Date.parse(now))!;
    expect(slugs(articles.filter(predicate))).toEqual(expected);
  });

  it('should count back from the time the predicate is built by default', () => {
    expect(slugs(articles.filter(articlePredicate({ publishedWithin: 'P100Y' })!))).toEqual(['c', 'a', 'b', 'e']);
    expect(slugs(articles.filter(articlePredicate({ publishedWithin: 'PT1S' })!))).toEqual([]);
    // Back to an hour before c (2024-01-04), whenever this runs.
    const elapsedSeconds = Math.round((Date.now() - Date.parse('2024-01-04T00:00:00Z')) / 1000);
    const predicate = articlePredicate({ publishedWithin: `PT${elapsedSeconds + 3600}S` })!;
    expect(slugs(articles.filter(predicate))).toEqual(['c']);
  });

  it('should throw a RangeError naming the field for a duration it cannot read', () => {
    expect(() => articlePredicate({ publishedWithin: 'P1.5M' })).toThrow(RangeError);
    expect(() => articlePredicate({ publishedWithin: 'seven days' })).toThrow(/^publishedWithin: expected an ISO-8601 duration/);
  });
});

describe('parseDuration', () => {
  const DAY = 86_400_000;
  it.each<[string, { years: number; months: number; milliseconds: number }]>([
    ['P7D', { years: 0, months: 0, milliseconds: 7 * DAY }],
    ['PT12H', { years: 0, months: 0, milliseconds: 12 * 3_600_000 }],
    ['P1M', { years: 0, months: 1, milliseconds: 0 }],
    ['P2W', { years: 0, months: 0, milliseconds: 14 * DAY }],
    ['P1Y2M3DT4H', { years: 1, months: 2, milliseconds: 3 * DAY + 4 * 3_600_000 }],
    ['PT1H30M15.5S', { years: 0, months: 0, milliseconds: 5_415_500 }],
    ['PT1,5H', { years: 0, months: 0, milliseconds: 5_400_000 }],
    ['-P1Y1D', { years: -1, months: 0, milliseconds: -DAY }],
    ['P1Y-2M', { years: 1, months: -2, milliseconds: 0 }],
    ['+P1.0Y', { years: 1, months: 0, milliseconds: 0 }],
  ])('should read %s', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each(['', 'P', 'PT', 'P1', '7D', 'P1.5Y', 'P0.5M', 'P1H', 'PT1D', 'P1DT', 'p1d', 'P1D ', 'seven days'])('should refuse %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('subtractDuration', () => {
  const minus = (instant: string, duration: string) =>
    new Date(subtractDuration(Date.parse(instant), parseDuration(duration)!)).toISOString();

  it.each([
    ['2021-05-10T12:00:00.000Z', 'P1Y2M3DT4H', '2020-03-07T08:00:00.000Z'],
    ['2024-03-31T10:00:00.000Z', 'P1M', '2024-02-29T10:00:00.000Z'],
    ['2023-03-31T10:00:00.000Z', 'P1M', '2023-02-28T10:00:00.000Z'],
    ['2024-02-29T00:00:00.000Z', 'P1Y', '2023-02-28T00:00:00.000Z'],
    ['2024-01-15T00:00:00.000Z', 'P13M', '2022-12-15T00:00:00.000Z'],
    ['2024-01-31T00:00:00.000Z', 'P1MT1H', '2023-12-30T23:00:00.000Z'],
    ['2024-01-15T00:00:00.000Z', '-P1M', '2024-02-15T00:00:00.000Z'],
    ['0100-03-01T00:00:00.000Z', 'P1D', '0100-02-28T00:00:00.000Z'],
  ])('should take %s minus %s to %s, calendar-aware in UTC', (instant, duration, expected) => {
    expect(minus(instant, duration)).toBe(expected);
  });

  it('should answer -Infinity or Infinity beyond the dates a Date holds', () => {
    expect(subtractDuration(Date.parse('2024-01-01T00:00:00Z'), parseDuration('P999999999Y')!)).toBe(-Infinity);
    expect(subtractDuration(Date.parse('2024-01-01T00:00:00Z'), parseDuration('-P999999999Y')!)).toBe(Infinity);
  });
});

describe('sortArticles', () => {
  it('should return the list itself for the default order', () => {
    expect(sortArticles(articles, DEFAULT_ARTICLE_ORDER)).toBe(articles);
  });

  it('should sort once per order and list, and return the same frozen array after', () => {
    const byQuality = sortArticles(articles, { field: 'QUALITY', direction: 'DESC' });
    expect(slugs(byQuality)).toEqual(['c', 'a', 'e', 'b', 'd']);
    expect(Object.isFrozen(byQuality)).toBe(true);
    expect(sortArticles(articles, { field: 'QUALITY', direction: 'DESC' })).toBe(byQuality);
    const ascending = sortArticles(articles, { field: 'QUALITY', direction: 'ASC' });
    expect(ascending).not.toBe(byQuality);
    expect(slugs(ascending)).toEqual(['b', 'a', 'e', 'c', 'd']);
    // Another list with the same articles has its own cache entry.
    const copy = [...articles];
    const sortedCopy = sortArticles(copy, { field: 'QUALITY', direction: 'DESC' });
    expect(sortedCopy).not.toBe(byQuality);
    expect(sortedCopy).toEqual(byQuality);
  });
});

describe('queryArticles', () => {
  it('should filter in the given order, newest first by default', () => {
    expect(slugs(queryArticles(articles, { hasImages: false }))).toEqual(['c', 'b', 'd']);
    expect(slugs(queryArticles(articles, { hasImages: false }, { field: 'TITLE', direction: 'ASC' }))).toEqual(['b', 'c', 'd']);
    expect(slugs(queryArticles(articles, { minHeat: 0 }, { field: 'HEAT', direction: 'DESC' }))).toEqual(['d', 'a', 'c']);
  });

  it('should return the sorted list itself when no filter applies', () => {
    const order = { field: 'HEAT', direction: 'ASC' } as const;
    expect(queryArticles(articles, null, order)).toBe(sortArticles(articles, order));
    expect(queryArticles(articles, {})).toBe(articles);
  });
});
