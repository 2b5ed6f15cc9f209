import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import {
  CONTENT_DIR,
  execute,
  GENEROUS_LIMITS,
  type RawArticle,
  readRawArticles,
  requireSharedCorpus,
  SAMPLE_CORPUS,
  serverOf,
} from '../support.js';

const FACETS_SELECTION = `facets {
  topics(first: 100) { value label count }
  providers(first: 100) { value label count }
  types(first: 100) { value label count }
  categories(first: 100) { value label count }
  years(first: 100) { value label count }
  months(first: 100) { value label count }
}`;

/** A filter as the tests give it, over the disjunctive facets and one other condition. */
interface TestFilter {
  topics?: string[];
  providers?: string[];
  type?: string;
  category?: string;
  minQuality?: number;
}

/** The topic slug of a name, as the API's topic identity rule says (independent of src/). */
function topicSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Values counted most first, ties by value. */
function ranked(counts: Map<string, number>, label: (value: string) => string) {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([value, count]) => ({ value, label: label(value), count }));
}

function tally(articles: RawArticle[], valuesOf: (article: RawArticle) => string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const article of articles) for (const value of valuesOf(article)) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** The most frequent spelling of each value among these articles (ties: code-unit order). */
function spellings(articles: RawArticle[], spellingsOf: (article: RawArticle) => string[], key: (spelling: string) => string) {
  const counts = tally(articles, spellingsOf);
  const best = new Map<string, [string, number]>();
  for (const [spelling, count] of counts) {
    const current = best.get(key(spelling));
    if (current === undefined || count > current[1] || (count === current[1] && spelling < current[0]))
      best.set(key(spelling), [spelling, count]);
  }
  return (value: string) => best.get(value)?.[0] ?? value;
}

/** Facets of the public articles under a filter, counted from the raw files: each disjunctive facet without its own condition. */
function expectedFacets(all: RawArticle[], filter: TestFilter, providerName: (domain: string) => string) {
  const published = all.filter((article) => article.published);
  const passes = (article: RawArticle, skip: keyof TestFilter | null) =>
    (skip === 'topics' || filter.topics === undefined || article.topics.some((name) => filter.topics!.includes(topicSlug(name)))) &&
    (skip === 'providers' || filter.providers === undefined || filter.providers.includes(article.domain ?? '')) &&
    (skip === 'type' || filter.type === undefined || article.type?.toLowerCase() === filter.type) &&
    (skip === 'category' || filter.category === undefined || article.category?.toLowerCase() === filter.category) &&
    (filter.minQuality === undefined || (article.quality !== null && article.quality >= filter.minQuality));
  const without = (skip: keyof TestFilter | null) => published.filter((article) => passes(article, skip));
  const topicLabel = spellings(published, (article) => article.topics, topicSlug);
  const dated = (article: RawArticle) => (article.publishedTime === null ? [] : [new Date(article.publishedTime).toISOString()]);
  const lower = (value: string | null) => (value === null ? [] : [value.toLowerCase()]);
  return {
    topics: ranked(
      tally(without('topics'), (article) => [...new Set(article.topics.map(topicSlug))]),
      topicLabel,
    ),
    providers: ranked(
      tally(without('providers'), (article) => (article.domain === null ? [] : [article.domain])),
      providerName,
    ),
    types: ranked(
      tally(without('type'), (article) => lower(article.type)),
      spellings(
        without('type'),
        (article) => (article.type === null ? [] : [article.type]),
        (value) => value.toLowerCase(),
      ),
    ),
    categories: ranked(
      tally(without('category'), (article) => lower(article.category)),
      spellings(
        without('category'),
        (article) => (article.category === null ? [] : [article.category]),
        (value) => value.toLowerCase(),
      ),
    ),
    years: ranked(
      tally(without(null), (article) => dated(article).map((iso) => iso.slice(0, 4))),
      (value) => value,
    ),
    months: ranked(
      tally(without(null), (article) => dated(article).map((iso) => iso.slice(0, 7))),
      (value) => new Date(`${value}-01T00:00:00Z`).toLocaleString('en', { month: 'long', year: 'numeric', timeZone: 'UTC' }),
    ),
  };
}

/** The names the API gives providers, for the provider facet's labels (names have tests of their own). */
async function providerNames(yoga: NewsgraphServer): Promise<(domain: string) => string> {
  const { body } = await execute(yoga, '{ providers(first: 100) { nodes { domain name } } }');
  const names = new Map<string, string>(body.data.providers.nodes.map((node: any) => [node.domain, node.name]));
  return (domain) => names.get(domain) ?? domain;
}

/** Checks `articles(filter:) { facets }` against the raw files for each filter. */
function describeFacets(directory: string, filters: (raw: RawArticle[]) => TestFilter[]) {
  const raw = readRawArticles(directory);
  let yoga: NewsgraphServer;
  beforeAll(async () => {
    yoga = await serverOf(directory, { limits: GENEROUS_LIMITS });
  });

  it('should count every facet over the filtered list, each ignoring only its own filter', async () => {
    const names = await providerNames(yoga);
    for (const filter of filters(raw)) {
      const { body } = await execute(
        yoga,
        `query($filter: ArticleFilter) { articles(filter: $filter) { totalCount ${FACETS_SELECTION} } }`,
        {
          filter,
        },
      );
      expect(body.errors, JSON.stringify(filter)).toBeUndefined();
      expect(body.data.articles.facets, JSON.stringify(filter)).toEqual(expectedFacets(raw, filter, names));
    }
  });
}

/** Filters that exercise each facet's own condition, picked from the data. */
function filtersFrom(raw: RawArticle[]): TestFilter[] {
  const published = raw.filter((article) => article.published);
  const firstTopic = topicSlug(published.find((article) => article.topics.length > 0)!.topics[0]!);
  const someDomain = published.find((article) => article.domain !== null)!.domain!;
  const someType = published.find((article) => article.type !== null)!.type!.toLowerCase();
  return [
    {},
    { topics: [firstTopic] },
    { providers: [someDomain] },
    { topics: [firstTopic], providers: [someDomain] },
    { type: someType, minQuality: 1 },
    { category: 'news', topics: [firstTopic] },
  ];
}

describe('facets over content/', () => {
  describeFacets(CONTENT_DIR, filtersFrom);

  let yoga: NewsgraphServer;
  beforeAll(async () => {
    yoga = await serverOf(CONTENT_DIR);
  });

  it('should list at most `first` values, and refuse a `first` out of range', async () => {
    const { body } = await execute(yoga, '{ articles { facets { topics(first: 2) { value } years(first: 0) { value } } } }');
    expect(body.data.articles.facets.topics).toHaveLength(2);
    expect(body.data.articles.facets.years).toEqual([]);
    const refused = await execute(yoga, '{ articles { facets { topics(first: 101) { value } } } }');
    expect(refused.body.errors?.map((error) => [error.message, error.extensions?.code])).toEqual([
      ['`first` must be from 0 to 100, found 101.', 'BAD_USER_INPUT'],
    ]);
  });

  it('should count a topic page and a provider page over their own articles', async () => {
    const raw = readRawArticles(CONTENT_DIR).filter((article) => article.published);
    const topic = topicSlug(raw.find((article) => article.topics.length > 0)!.topics[0]!);
    const { body } = await execute(
      yoga,
      `query($topic: String!) { topic(slug: $topic) { articles(first: 1) { facets { topics(first: 100) { value count } } } } }`,
      {
        topic,
      },
    );
    const withTopic = raw.filter((article) => article.topics.some((name) => topicSlug(name) === topic));
    const expected = ranked(
      tally(withTopic, (article) => [...new Set(article.topics.map(topicSlug))]),
      (value) => value,
    ).map(({ value, count }) => ({ value, count }));
    expect(body.data.topic.articles.facets.topics).toEqual(expected);
  });

  it('should count drafts only with the preview token', async () => {
    const raw = readRawArticles(CONTENT_DIR);
    const years = (articles: RawArticle[]) =>
      ranked(
        tally(articles, (article) => (article.publishedTime === null ? [] : [new Date(article.publishedTime).toISOString().slice(0, 4)])),
        (value) => value,
      );
    const query = '{ articles { facets { years(first: 100) { value label count } } } }';
    const publicBody = (await execute(yoga, query)).body;
    const previewBody = (await execute(yoga, query, {}, { preview: true })).body;
    expect(publicBody.data.articles.facets.years).toEqual(years(raw.filter((article) => article.published)));
    expect(previewBody.data.articles.facets.years).toEqual(years(raw));
    expect(raw.some((article) => !article.published)).toBe(true);
  });
});

describe.skipIf(!requireSharedCorpus())('facets over the shared real sample', () => {
  describeFacets(SAMPLE_CORPUS, filtersFrom);
});
