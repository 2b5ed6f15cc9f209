import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../src/http/server.js';
import { CONTENT_DIR, execute, GENEROUS_LIMITS, readRawArticles, serverOf } from './support.js';

const raw = readRawArticles(CONTENT_DIR);
const published = raw.filter((article) => article.published);
const drafts = raw.filter((article) => !article.published);

let yoga: NewsgraphServer;
beforeAll(async () => {
  // These tests read whole lists at once; the limits have tests of their own.
  yoga = await serverOf(CONTENT_DIR, { limits: GENEROUS_LIMITS });
});

describe('drafts and the preview token', () => {
  const draftSlugs = new Set(drafts.map((article) => article.slug));
  const EVERY_PATH = /* GraphQL */ `
    query Everything($slug: String!, $url: String!) {
      articles(first: 100) { totalCount nodes { slug published related { article { slug } } relatedFrom(first: 100) { nodes { slug } } } }
      bySlug: article(slug: $slug) { slug }
      byUrl: article(url: $url) { slug }
      providers(first: 100) { nodes { domain articleCount articles(first: 100) { totalCount nodes { slug } } } }
      topics(first: 100) { nodes { slug articleCount articles(first: 100) { totalCount nodes { slug } } } }
    }
  `;

  /** Every article slug a response mentions, on any path. */
  function slugsIn(value: unknown, found = new Set<string>()): Set<string> {
    if (Array.isArray(value)) for (const item of value) slugsIn(item, found);
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'slug' && typeof child === 'string') found.add(child);
        else slugsIn(child, found);
      }
    }
    return found;
  }

  it('should keep drafts out of every path without the token', async () => {
    expect(draftSlugs.size).toBe(2);
    for (const draft of drafts) {
      const { body } = await execute(yoga, EVERY_PATH, { slug: draft.slug, url: draft.webUrl });
      expect(body.errors).toBeUndefined();
      const seen = slugsIn(body.data);
      for (const slug of draftSlugs) expect(seen.has(slug)).toBe(false);
      expect(body.data.bySlug).toBeNull();
      expect(body.data.byUrl).toBeNull();
      expect(body.data.articles.totalCount).toBe(published.length);
      const providerTotal = body.data.providers.nodes.reduce((sum: number, node: any) => sum + node.articleCount, 0);
      expect(providerTotal).toBe(published.length);
      for (const node of [...body.data.providers.nodes, ...body.data.topics.nodes])
        expect(node.articles.totalCount).toBe(node.articleCount);
      const draftId = Buffer.from(`Article:${draft.slug}`).toString('base64');
      const byNode = await execute(yoga, `query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }`, { id: draftId });
      expect(byNode.body.data).toEqual({ node: null, nodes: [null] });
    }
  });

  it('should show drafts on every path with the token', async () => {
    const draft = drafts[0]!;
    const { body } = await execute(yoga, EVERY_PATH, { slug: draft.slug, url: draft.webUrl }, { preview: true });
    expect(body.errors).toBeUndefined();
    const seen = slugsIn(body.data);
    for (const slug of draftSlugs) expect(seen.has(slug)).toBe(true);
    expect(body.data.bySlug).toEqual({ slug: draft.slug });
    expect(body.data.byUrl).toEqual({ slug: draft.slug });
    expect(body.data.articles.totalCount).toBe(raw.length);
    const relatedDrafts = body.data.articles.nodes
      .flatMap((node: any) => node.related.map((entry: any) => entry.article?.slug))
      .filter((slug: string) => draftSlugs.has(slug));
    expect(relatedDrafts.length).toBeGreaterThan(0);
    const draftNode = body.data.articles.nodes.find((node: any) => node.slug === draft.slug);
    expect(draftNode.published).toBe(false);
    const draftId = Buffer.from(`Article:${draft.slug}`).toString('base64');
    const byNode = await execute(yoga, `query($id: ID!) { node(id: $id) { id } }`, { id: draftId }, { preview: true });
    expect(byNode.body.data).toEqual({ node: { id: draftId } });
  });

  it('should refuse a wrong token with 401 instead of serving public data', async () => {
    const { status, headers, body } = await execute(
      yoga,
      `{ articles { totalCount } }`,
      {},
      { headers: { authorization: 'Bearer not-the-token' } },
    );
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer realm="preview"');
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message:
          'The preview token is invalid. Send "Authorization: Bearer <PREVIEW_TOKEN>" with the token the server was started with, or no Authorization header for the public API.',
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
  });

  it('should refuse a wrong token with 401 before looking at the document (limits, syntax)', async () => {
    const overLimit = `{ ${Array.from({ length: 100 }, (_, index) => `a${index}: articles { totalCount }`).join(' ')} }`;
    for (const query of [overLimit, '{ articles {']) {
      const { status, body } = await execute(yoga, query, {}, { headers: { authorization: 'Bearer not-the-token' } });
      expect(status).toBe(401);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    }
    // Without a token, the same documents get the limit and syntax errors.
    expect((await execute(yoga, overLimit)).status).toBe(400);
    expect((await execute(yoga, '{ articles {')).status).toBe(400);
  });
});
