import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/content/load.js';
import {
  type ArticleOrder,
  articleComparator,
  compareCountThenKey,
  compareNewestFirst,
  comparePositions,
  compareStrings,
  DEFAULT_ARTICLE_ORDER,
  isDefaultOrder,
  orderValue,
} from '../../src/content/order.js';
import { FIXTURES } from '../support.js';

const ASC: ArticleOrder = { field: 'QUALITY', direction: 'ASC' };
const DESC: ArticleOrder = { field: 'QUALITY', direction: 'DESC' };
const TITLE: ArticleOrder = { field: 'TITLE', direction: 'ASC' };

describe('compareStrings', () => {
  it.each([
    ['a', 'b', -1],
    ['b', 'a', 1],
    ['a', 'a', 0],
    ['B', 'a', -1],
    ['a-b', 'a/b', -1],
    ['é', 'z', 1],
    ['a10', 'a9', -1],
  ])('should compare %j with %j as %d, by UTF-16 code units', (a, b, expected) => {
    expect(compareStrings(a, b)).toBe(expected);
  });
});

describe('compareCountThenKey', () => {
  it('should put the larger count first, then the smaller key', () => {
    expect(compareCountThenKey(3, 'b', 1, 'a')).toBeLessThan(0);
    expect(compareCountThenKey(1, 'a', 3, 'b')).toBeGreaterThan(0);
    expect(compareCountThenKey(2, 'a', 2, 'b')).toBe(-1);
    expect(compareCountThenKey(2, 'b', 2, 'a')).toBe(1);
    expect(compareCountThenKey(2, 'a', 2, 'a')).toBe(0);
  });
});

describe('comparePositions', () => {
  it.each([
    ['ASC', ASC, 1, 2, -1],
    ['DESC', DESC, 1, 2, 1],
  ] as const)('should order numbers %s', (_name, order, a, b, sign) => {
    expect(Math.sign(comparePositions(order, a, 'x', b, 'y'))).toBe(sign);
  });

  it.each([
    ['ASC', ASC],
    ['DESC', DESC],
  ] as const)('should put nulls last in %s order', (_name, order) => {
    expect(comparePositions(order, null, 'a', 5, 'b')).toBe(1);
    expect(comparePositions(order, 5, 'b', null, 'a')).toBe(-1);
  });

  it.each([
    ['equal values', ASC, 7, 7],
    ['equal values descending', DESC, 7, 7],
    ['two nulls', DESC, null, null],
    ['titles equal but for case and accents', TITLE, 'Café', 'cafe'],
  ] as const)('should break ties between %s by slug ascending', (_name, order, a, b) => {
    expect(comparePositions(order, a, 'slug-a', b, 'slug-b')).toBe(-1);
    expect(comparePositions(order, b, 'slug-b', a, 'slug-a')).toBe(1);
    expect(comparePositions(order, a, 'slug-a', a, 'slug-a')).toBe(0);
  });

  it('should collate titles case- and accent-insensitively, with numbers in numeric order', () => {
    const titles = ['item 10', 'Item 9', 'éclair', 'Zebra', 'apple'];
    const sorted = [...titles].sort((a, b) => comparePositions(TITLE, a, a, b, b));
    expect(sorted).toEqual(['apple', 'éclair', 'Item 9', 'item 10', 'Zebra']);
    const descending = [...titles].sort((a, b) => comparePositions({ field: 'TITLE', direction: 'DESC' }, a, a, b, b));
    expect(descending).toEqual(['Zebra', 'item 10', 'Item 9', 'éclair', 'apple']);
  });
});

describe('article orders', () => {
  it('should read each field of an article as its order value', async () => {
    const { corpus } = await loadCorpus(path.join(FIXTURES, 'views'));
    const a = corpus.preview.articleBySlug('a')!;
    expect(orderValue(a, 'PUBLISHED_DATE_TIME')).toBe(Date.parse('2024-01-03T00:00:00Z'));
    expect(orderValue(a, 'QUALITY')).toBe(80);
    expect(orderValue(a, 'HEAT')).toBe(10);
    expect(orderValue(a, 'TITLE')).toBe('Alpha one');
    expect(orderValue(corpus.preview.articleBySlug('d')!, 'PUBLISHED_DATE_TIME')).toBeNull();
  });

  it('should sort articles newest first, undated last, and by any order with articleComparator', async () => {
    const { corpus } = await loadCorpus(path.join(FIXTURES, 'views'));
    const articles = [...corpus.preview.articles].reverse();
    expect([...articles].sort(compareNewestFirst).map((article) => article.slug)).toEqual(['c', 'a', 'b', 'e', 'd']);
    // Quality: c 90, a 80, e 80 (tie: by slug), b 50, d none (last).
    expect([...articles].sort(articleComparator(DESC)).map((article) => article.slug)).toEqual(['c', 'a', 'e', 'b', 'd']);
    expect([...articles].sort(articleComparator(ASC)).map((article) => article.slug)).toEqual(['b', 'a', 'e', 'c', 'd']);
    expect([...articles].sort(articleComparator(TITLE)).map((article) => article.title)).toEqual([
      'Alpha one',
      'beta two',
      'Draft three',
      'undated 9',
      'Undated 10',
    ]);
  });

  it('should recognize the default order, newest first, by value', () => {
    expect(DEFAULT_ARTICLE_ORDER).toEqual({ field: 'PUBLISHED_DATE_TIME', direction: 'DESC' });
    expect(Object.isFrozen(DEFAULT_ARTICLE_ORDER)).toBe(true);
    expect(isDefaultOrder({ field: 'PUBLISHED_DATE_TIME', direction: 'DESC' })).toBe(true);
    expect(isDefaultOrder({ field: 'PUBLISHED_DATE_TIME', direction: 'ASC' })).toBe(false);
    expect(isDefaultOrder({ field: 'QUALITY', direction: 'DESC' })).toBe(false);
  });
});
