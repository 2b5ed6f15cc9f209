import { beforeAll, describe, expect, it } from 'vitest';
import { SearchIndex } from '../../src/content/search.js';
import type { NewsgraphServer } from '../../src/http/server.js';
import {
  CONTENT_DIR,
  corpusOf,
  execute,
  GENEROUS_LIMITS,
  type GraphQLResponse,
  readRawFiles,
  requireSharedCorpus,
  SAMPLE_CORPUS,
  serverOf,
  tiedScoresCorpus,
} from '../support.js';

/** Whether a text has this word, accents and case ignored. */
function hasWord(text: unknown, word: string): boolean {
  return (
    String(text ?? '')
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? ([] as string[])
  ).includes(word);
}

describe('search over content/', () => {
  const raw = readRawFiles(CONTENT_DIR).filter((file) => file.data.published !== false);
  let yoga: NewsgraphServer;
  beforeAll(async () => {
    yoga = await serverOf(CONTENT_DIR, { limits: GENEROUS_LIMITS });
  });

  it('should rank the articles with the words, filter them, and page through them with cursors', async () => {
    const query = 'ai ';
    const withWord = raw.filter((file) =>
      [file.data.title, file.data.excerpt, file.body, (file.data.topics ?? []).join(' '), file.data.provider?.name].some((text) =>
        hasWord(text, 'ai'),
      ),
    );
    const all = await execute(
      yoga,
      'query($q: String!) { search(query: $q, first: 100) { totalCount nodes { score article { slug } } } }',
      { q: query },
    );
    const nodes = all.body.data.search.nodes;
    expect(nodes.map((node: any) => node.article.slug).sort()).toEqual(withWord.map((file) => file.slug).sort());
    expect(all.body.data.search.totalCount).toBe(withWord.length);
    const scores = nodes.map((node: any) => node.score);
    expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));

    const pages: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { body }: GraphQLResponse = await execute(
        yoga,
        'query($q: String!, $after: String) { search(query: $q, first: 4, after: $after) { nodes { article { slug } } pageInfo { hasNextPage endCursor } } }',
        { q: query, after },
      );
      pages.push(...body.data.search.nodes.map((node: any) => node.article.slug));
      if (!body.data.search.pageInfo.hasNextPage) break;
      after = body.data.search.pageInfo.endCursor;
    }
    expect(pages).toEqual(nodes.map((node: any) => node.article.slug));

    const filtered = await execute(
      yoga,
      'query($q: String!) { search(query: $q, filter: { minQuality: 3 }, first: 100) { totalCount nodes { article { slug quality } } } }',
      {
        q: query,
      },
    );
    const expected = nodes.filter((node: any) => (raw.find((file) => file.slug === node.article.slug)!.data.quality ?? -1) >= 3);
    expect(filtered.body.data.search.nodes.map((node: any) => node.article.slug)).toEqual(expected.map((node: any) => node.article.slug));
  });

  it('should highlight the matched words of each field, escaped', async () => {
    const { body } = await execute(
      yoga,
      '{ search(query: "sepsis trial", first: 1) { nodes { article { title } highlights { field snippet } } } }',
    );
    const [hit] = body.data.search.nodes;
    const title = hit.highlights.find((highlight: any) => highlight.field === 'TITLE');
    expect(title.snippet.replaceAll('<mark>', '').replaceAll('</mark>', '')).toBe(hit.article.title.replaceAll('&', '&amp;'));
    expect(title.snippet).toMatch(/<mark>sepsis<\/mark>/i);
    for (const highlight of hit.highlights) expect(highlight.snippet).toMatch(/<mark>(sepsis|trial)\w*<\/mark>/i);
  });

  it('should count facets over the matches, each ignoring its own filter', async () => {
    const { body } = await execute(
      yoga,
      `{ all: search(query: "ai", first: 100) { nodes { article { topics { slug } } } }
         filtered: search(query: "ai", first: 1, filter: { topics: ["healthcare"] }) { totalCount facets { topics(first: 100) { value count } } } }`,
    );
    const counts = new Map<string, number>();
    for (const node of body.data.all.nodes)
      for (const topic of node.article.topics) counts.set(topic.slug, (counts.get(topic.slug) ?? 0) + 1);
    const expected = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([value, count]) => ({ value, count }));
    expect(body.data.filtered.facets.topics).toEqual(expected);
  });

  it('should refuse a query with nothing to search for', async () => {
    const { body } = await execute(yoga, '{ search(query: "-sepsis") { totalCount } }');
    expect(body.errors?.map((error) => [error.message, error.extensions?.code])).toEqual([
      ['A search needs at least one word that is not excluded (`-word` only leaves words out).', 'BAD_USER_INPUT'],
    ]);
  });

  it('should list similar articles: never the article itself, best first, at most `first`', async () => {
    const { body } = await execute(yoga, '{ articles(first: 100) { nodes { slug similar(first: 3) { slug } } } }');
    for (const node of body.data.articles.nodes) {
      expect(node.similar.length).toBeLessThanOrEqual(3);
      expect(node.similar.map((other: any) => other.slug)).not.toContain(node.slug);
    }
    const sepsis = body.data.articles.nodes.find(
      (node: any) => node.slug === '2023-06-21-hospital-ai-spots-sepsis-hours-before-doctors-trial-finds',
    );
    // The other two reports of the same trial share its rarest words.
    expect(
      sepsis.similar
        .slice(0, 2)
        .map((other: any) => other.slug)
        .sort(),
    ).toEqual([
      '2023-06-21-ai-early-warning-system-cut-sepsis-deaths-by-a-fifth-in-multi-hospital-trial',
      '2023-06-22-veritas-clinical-shares-jump-18-after-sepsis-ai-trial-results',
    ]);
  });
});

describe.skipIf(!requireSharedCorpus())('similar over the shared real sample', () => {
  it('should never list another file with one of the article’s URLs', async () => {
    const yoga = await serverOf(SAMPLE_CORPUS, { limits: GENEROUS_LIMITS });
    const { body } = await execute(
      yoga,
      '{ article(slug: "2019-12-24-google-cloud-team-releases-automl-natural-language") { similar(first: 100) { slug } } }',
      {},
      { preview: true },
    );
    expect(body.data.article.similar.length).toBeGreaterThan(0);
    expect(body.data.article.similar.map((other: any) => other.slug)).not.toContain(
      '2019-12-25-google-cloud-team-releases-automl-natural-language',
    );
  });
});

/** The slugs of a search's hits read page by page forwards, `first` at a time, checking `totalCount` on every page. */
async function pageForwards(yoga: NewsgraphServer, document: string, first: number, totalCount: number): Promise<string[]> {
  const slugs: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 20; pages++) {
    const { body }: GraphQLResponse = await execute(yoga, document, { first, after });
    expect(body.data.search.totalCount).toBe(totalCount);
    slugs.push(...body.data.search.nodes.map((node: any) => node.article.slug));
    if (!body.data.search.pageInfo.hasNextPage) break;
    after = body.data.search.pageInfo.endCursor;
  }
  return slugs;
}

/** The slugs of a search's hits read page by page backwards from the end, `last` at a time. */
async function pageBackwards(yoga: NewsgraphServer, document: string, last: number): Promise<string[]> {
  const slugs: string[] = [];
  let before: string | null = null;
  for (let pages = 0; pages < 20; pages++) {
    const { body }: GraphQLResponse = await execute(yoga, document, { last, before });
    slugs.unshift(...body.data.search.nodes.map((node: any) => node.article.slug));
    if (!body.data.search.pageInfo.hasPreviousPage) break;
    before = body.data.search.pageInfo.startCursor;
  }
  return slugs;
}

describe('search pages over runs of equal scores', () => {
  it('should page forwards and backwards through ties by slug, with the whole count on every page', async () => {
    const yoga = await serverOf(tiedScoresCorpus(), { limits: GENEROUS_LIMITS });
    const document = `query($after: String, $before: String, $first: Int, $last: Int) {
      search(query: "quokka ", first: $first, after: $after, last: $last, before: $before) {
        totalCount nodes { score article { slug } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }`;
    const whole = (await execute(yoga, document, { first: 100 })).body.data.search;
    expect(whole.totalCount).toBe(40);
    const expected = [...whole.nodes].sort(
      (a: any, b: any) => b.score - a.score || (a.article.slug < b.article.slug ? -1 : a.article.slug > b.article.slug ? 1 : 0),
    );
    expect(whole.nodes).toEqual(expected);
    expect(new Set(whole.nodes.map((node: any) => node.score)).size).toBe(2);

    const forwards = await pageForwards(yoga, document, 3, 40);
    expect(forwards).toEqual(whole.nodes.map((node: any) => node.article.slug));

    const backwards = await pageBackwards(yoga, document, 7);
    expect(backwards).toEqual(forwards);
  });
});

describe('search pages over tiers', () => {
  it('should list the most recent matches first, best first within each tier, and page through the tiers both ways', async () => {
    const directory = tiedScoresCorpus();
    const corpus = await corpusOf(directory);
    const yoga = await serverOf(directory, {
      corpus,
      limits: GENEROUS_LIMITS,
      search: new SearchIndex({ current: corpus }, ':memory:', { tierRows: 7 }),
    });
    const document = `query($after: String, $before: String, $first: Int, $last: Int) {
      search(query: "quokka ", first: $first, after: $after, last: $last, before: $before) {
        totalCount nodes { score article { slug publishedDateTime } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }`;
    const whole = (await execute(yoga, document, { first: 100 })).body.data.search;
    expect(whole.totalCount).toBe(40);
    const bySlug = (a: any, b: any) => (a.article.slug < b.article.slug ? -1 : a.article.slug > b.article.slug ? 1 : 0);
    const newestFirst = [...whole.nodes].sort(
      (a: any, b: any) => b.article.publishedDateTime.localeCompare(a.article.publishedDateTime) || bySlug(a, b),
    );
    const expected = Array.from({ length: 6 }, (_, tier) =>
      newestFirst.slice(tier * 7, tier * 7 + 7).sort((a: any, b: any) => b.score - a.score || bySlug(a, b)),
    ).flat();
    expect(whole.nodes).toEqual(expected);

    const forwards = await pageForwards(yoga, document, 3, 40);
    expect(forwards).toEqual(expected.map((node: any) => node.article.slug));

    const backwards = await pageBackwards(yoga, document, 5);
    expect(backwards).toEqual(forwards);
  });
});
