import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/content/load.js';
import type { Article } from '../../src/content/model.js';
import { DEFAULT_ARTICLE_ORDER } from '../../src/content/order.js';
import { type ArticleFilter, articlePredicate, queryArticles, sortArticles } from '../../src/content/query.js';
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
