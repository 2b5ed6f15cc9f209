import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import { CONTENT_DIR, countBy, execute, GENEROUS_LIMITS, newestFirst, readRawArticles, serverOf } from '../support.js';

const raw = readRawArticles(CONTENT_DIR);
const published = raw.filter((article) => article.published);

let yoga: NewsgraphServer;
beforeAll(async () => {
  // These tests read whole lists at once; the limits have tests of their own.
  yoga = await serverOf(CONTENT_DIR, { limits: GENEROUS_LIMITS });
});

describe('providers', () => {
  it('should list providers with article counts, most articles first, ties by domain', async () => {
    const { body } = await execute(yoga, `{ providers(first: 100) { totalCount nodes { domain articleCount } } }`);
    const withArticles = body.data.providers.nodes.filter((node: any) => node.articleCount > 0);
    expect(withArticles.map((node: any) => [node.domain, node.articleCount])).toEqual(countBy(published.map((article) => article.domain!)));
    // Providers named only in related entries of published articles follow, with no articles.
    const relatedOnly = new Set(
      published.flatMap((article) => article.related.map((entry) => new URL(entry.webUrl!).hostname.replace(/^www\./, ''))),
    );
    for (const domain of published.map((article) => article.domain)) relatedOnly.delete(domain!);
    expect(body.data.providers.totalCount).toBe(withArticles.length + relatedOnly.size);
  });

  it('should find a provider by domain in any spelling, with its articles newest first', async () => {
    const domain = 'reuters.com';
    const { body } = await execute(
      yoga,
      `{ provider(domain: "https://WWW.Reuters.com/") { name domain articleCount articles(first: 100) { totalCount nodes { slug } } } }`,
    );
    const expected = newestFirst(published.filter((article) => article.domain === domain)).map((article) => article.slug);
    expect(body.data.provider).toEqual({
      name: 'Reuters',
      domain,
      articleCount: expected.length,
      articles: { totalCount: expected.length, nodes: expected.map((s) => ({ slug: s })) },
    });
  });
});
