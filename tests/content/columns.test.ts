import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { calendarKey, queryViewArticles, TermColumn, termsOf, viewColumns } from '../../src/content/columns.js';
import type { Corpus } from '../../src/content/corpus.js';
import { DEFAULT_ARTICLE_ORDER } from '../../src/content/order.js';
import { type ArticleFilter, articlePredicate, queryArticles } from '../../src/content/query.js';
import { corpusOf, requireSharedCorpus, SAMPLE_CORPUS } from '../support.js';

describe('calendarKey', () => {
  it('should give the UTC year and month of any instant, as Date does', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (instant) => {
        const iso = new Date(instant).toISOString();
        expect(calendarKey(instant, 'years')).toBe(iso.slice(0, 4));
        expect(calendarKey(instant, 'months')).toBe(iso.slice(0, 7));
      }),
    );
  });

  it('should put the last millisecond of a month in that month and the next one in the next', () => {
    expect(calendarKey(Date.UTC(2024, 1, 29, 23, 59, 59, 999), 'months')).toBe('2024-02');
    expect(calendarKey(Date.UTC(2024, 2, 1), 'months')).toBe('2024-03');
    expect(calendarKey(Date.UTC(1969, 11, 31, 23, 59, 59, 999), 'years')).toBe('1969');
  });
});

/** Every condition of ArticleFilter. */
const FILTER_KEYS: Record<keyof ArticleFilter, true> = {
  topics: true,
  providers: true,
  type: true,
  category: true,
  publishedAfter: true,
  publishedBefore: true,
  publishedWithin: true,
  minQuality: true,
  minHeat: true,
  hasImages: true,
  search: true,
};

describe.skipIf(!requireSharedCorpus())('view columns over the real sample', () => {
  let corpus: Corpus;
  beforeAll(async () => {
    corpus = await corpusOf(SAMPLE_CORPUS);
  });

  /** Filters drawn from the sample's own values (in other spellings too), plus values no article has. */
  function filters(): fc.Arbitrary<ArticleFilter> {
    const articles = corpus.preview.articles;
    const topics = [...new Set(articles.flatMap((article) => article.topics.map((topic) => topic.name)))];
    const domains = [...new Set(articles.flatMap((article) => (article.provider === null ? [] : [article.provider.domain])))];
    const types = [...new Set(articles.flatMap((article) => (article.type === null ? [] : [article.type])))];
    const categories = [...new Set(articles.flatMap((article) => (article.category === null ? [] : [article.category])))];
    const dates = articles.flatMap((article) => (article.publishedDateTime === null ? [] : [article.publishedDateTime]));
    const qualities = articles.flatMap((article) => (article.quality === null ? [] : [article.quality]));
    const heats = articles.flatMap((article) => (article.heat === null ? [] : [article.heat]));
    const respell = (values: string[]) =>
      fc
        .tuple(fc.constantFrom(...values, 'no-such-value'), fc.boolean())
        .map(([value, upper]) => (upper ? ` ${value.toUpperCase()}` : value));
    const words = articles.flatMap((article) => article.title.split(/\s+/).slice(0, 3));
    const instant = fc.constantFrom(...dates).map((date) => new Date(date));
    const conditions = fc.record({
      topics: fc.array(respell(topics), { maxLength: 3 }),
      providers: fc.array(respell(domains.map((domain) => `https://www.${domain}/`)), { maxLength: 3 }),
      type: respell(types),
      category: respell(categories),
      publishedAfter: instant,
      publishedBefore: instant,
      publishedWithin: fc.constantFrom('P30D', 'P1Y', 'P10Y', 'PT1H'),
      minQuality: fc.constantFrom(...qualities),
      minHeat: fc.constantFrom(...heats),
      hasImages: fc.boolean(),
      search: fc.constantFrom(...words, 'no-such-word', ' '),
    });
    // One to three conditions at a time, so that most filters pass some articles.
    return fc
      .tuple(conditions, fc.shuffledSubarray(Object.keys(FILTER_KEYS) as (keyof ArticleFilter)[], { minLength: 1, maxLength: 3 }))
      .map(([all, keys]) => Object.fromEntries(keys.map((key) => [key, all[key]])) as ArticleFilter);
  }

  it('should pass exactly the articles articlePredicate passes, newest first, in both views', () => {
    const now = Date.UTC(2025, 0, 1);
    let selective = 0;
    fc.assert(
      fc.property(filters(), fc.boolean(), (filter, preview) => {
        const view = preview ? corpus.preview : corpus.public;
        const predicate = articlePredicate(filter, now);
        const positions = viewColumns(view).matching(filter, now);
        if (predicate === null) {
          expect(positions).toBeNull();
          return;
        }
        const expected = view.articles.flatMap((article, position) => (predicate(article) ? [position] : []));
        expect([...positions!]).toEqual(expected);
        if (expected.length > 0 && expected.length < view.articles.length) selective++;
      }),
      { numRuns: 400 },
    );
    // Most filters keep some articles and drop others: the comparison above is not of empty lists.
    expect(selective).toBeGreaterThan(100);
  });

  it('should answer queryViewArticles as queryArticles does, for the whole list in every order', () => {
    const orders = [DEFAULT_ARTICLE_ORDER, { field: 'TITLE', direction: 'ASC' }, { field: 'QUALITY', direction: 'DESC' }] as const;
    fc.assert(
      fc.property(filters(), fc.constantFrom(...orders), (filter, order) => {
        if (filter.publishedWithin !== undefined) return;
        const view = corpus.public;
        expect(queryViewArticles(view, view.articleList, filter, order).slice()).toEqual(queryArticles(view.articles, filter, order));
        const topic = view.topics[0]!;
        expect(queryViewArticles(view, topic.articles, filter, order).slice()).toEqual(
          queryArticles(topic.articles.toArray(), filter, order),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('should keep the terms of each facet and the articles that have each term', () => {
    const view = corpus.preview;
    for (const facet of ['topics', 'providers', 'types', 'categories', 'years', 'months'] as const) {
      const column = new TermColumn(facet, view.articles);
      for (const [position, article] of view.articles.entries()) {
        const ids = [...column.ids.subarray(column.starts[position], column.starts[position + 1])];
        expect(ids.map((id) => column.terms[id])).toEqual(termsOf(facet, article));
      }
      for (const [id, term] of column.terms.entries()) {
        const holders = view.articles.flatMap((article, position) => (termsOf(facet, article).includes(term) ? [position] : []));
        expect([...column.positionsOf(id)]).toEqual(holders);
        expect(column.count(null)[id]).toBe(holders.length);
      }
    }
  });

  it('should throw the RangeError of articlePredicate for a duration it cannot read', () => {
    expect(() => viewColumns(corpus.public).matching({ publishedWithin: 'soon' })).toThrow(RangeError);
    expect(() => viewColumns(corpus.public).matching({ publishedWithin: 'soon' })).toThrow(
      /publishedWithin: expected an ISO-8601 duration/,
    );
  });
});
