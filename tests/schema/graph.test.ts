import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import { newestFirst, readRawArticles } from '../independent.js';
import { CONTENT_DIR, SAMPLE_CORPUS } from '../paths.js';
import { execute, GENEROUS_LIMITS, serverOf } from '../support.js';

const raw = readRawArticles(CONTENT_DIR);
const published = raw.filter((article) => article.published);
const drafts = raw.filter((article) => !article.published);

/** Articles per key, most first, ties by key: the order of providers and topics. */
function countBy(keys: string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

let yoga: NewsgraphServer;
beforeAll(async () => {
  // These tests read whole lists at once; the limits have tests of their own.
  yoga = await serverOf(CONTENT_DIR, { limits: GENEROUS_LIMITS });
});

describe('providers and topics', () => {
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

  it('should list topics with article counts, most articles first', async () => {
    const { body } = await execute(yoga, `{ topics(first: 100) { totalCount nodes { name slug articleCount } } }`);
    const expected = countBy(published.flatMap((article) => article.topics));
    expect(body.data.topics.nodes.map((node: any) => [node.name, node.articleCount])).toEqual(
      [...expected].sort((a, b) => b[1] - a[1] || (slug(a[0]) < slug(b[0]) ? -1 : 1)),
    );
    expect(body.data.topics.totalCount).toBe(expected.length);
  });

  it('should page providers and topics with cursors', async () => {
    const all = await execute(yoga, `{ topics(first: 100) { nodes { slug } } }`);
    const first = await execute(yoga, `{ topics(first: 3) { nodes { slug } pageInfo { endCursor hasNextPage } } }`);
    const rest = await execute(yoga, `query($after: String) { topics(after: $after) { nodes { slug } pageInfo { hasNextPage } } }`, {
      after: first.body.data.topics.pageInfo.endCursor,
    });
    expect([...first.body.data.topics.nodes, ...rest.body.data.topics.nodes]).toEqual(all.body.data.topics.nodes);
    expect(rest.body.data.topics.pageInfo.hasNextPage).toBe(false);
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

  it('should find a topic by slug or by name, with filtered and ordered articles', async () => {
    const { body } = await execute(
      yoga,
      `{
      bySlug: topic(slug: "machine-learning") { name articleCount }
      byName: topic(slug: "Machine Learning") { slug articles(orderBy: { field: QUALITY }, filter: { minQuality: 1 }) { nodes { slug quality } } }
      missing: topic(slug: "knitting") { name }
    }`,
    );
    const withTopic = published.filter((article) => article.topics.includes('Machine Learning'));
    expect(body.data.bySlug).toEqual({ name: 'Machine Learning', articleCount: withTopic.length });
    expect(body.data.byName.slug).toBe('machine-learning');
    const qualities = body.data.byName.articles.nodes.map((node: any) => node.quality);
    expect(qualities).toEqual([...qualities].sort((a, b) => b - a));
    expect(body.data.missing).toBeNull();
  });
});

describe('global ids', () => {
  it('should round-trip Article, Provider and Topic ids through node and nodes', async () => {
    const { body } = await execute(yoga, `{ articles(first: 1) { nodes { id slug provider { id domain } topics { id slug } } } }`);
    const article = body.data.articles.nodes[0];
    const ids = [article.id, article.provider.id, article.topics[0].id];
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const nodes = await execute(
      yoga,
      `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Article { slug } ... on Provider { domain } ... on Topic { slug } } }`,
      { ids },
    );
    expect(nodes.body.data.nodes).toEqual([
      { __typename: 'Article', id: article.id, slug: article.slug },
      { __typename: 'Provider', id: article.provider.id, domain: article.provider.domain },
      { __typename: 'Topic', id: article.topics[0].id, slug: article.topics[0].slug },
    ]);
    const one = await execute(yoga, `query($id: ID!) { node(id: $id) { id ... on Provider { domain } } }`, { id: article.provider.id });
    expect(one.body.data.node).toEqual({ id: article.provider.id, domain: article.provider.domain });
  });

  it('should answer null for ids of nothing', async () => {
    const unknown = Buffer.from('Article:nothing-here').toString('base64');
    const { body } = await execute(yoga, `query($id: ID!) { node(id: $id) { id } }`, { id: unknown });
    expect(body.data.node).toBeNull();
  });
});

describe('related articles', () => {
  const RELATED = /* GraphQL */ `
    query Related($first: Int) {
      articles(first: $first) {
        nodes {
          slug
          related {
            title
            provider { domain }
            article {
              slug
              provider { domain }
              related { article { slug } }
            }
          }
        }
      }
    }
  `;

  it('should resolve each related entry to its corpus article, or null for an external one', async () => {
    const { body } = await execute(yoga, RELATED, { first: 100 });
    const bySlug = new Map(published.map((article) => [article.slug, article]));
    let resolved = 0;
    for (const node of body.data.articles.nodes) {
      const source = bySlug.get(node.slug)!;
      node.related.forEach((entry: any, index: number) => {
        const rawEntry = source.related[index]!;
        expect(entry.title).toBe(rawEntry.title);
        const target = published.find(
          (candidate) =>
            candidate.slug !== source.slug &&
            ((candidate.webUrl !== null && sameUrl(candidate.webUrl, rawEntry.webUrl)) ||
              (candidate.ampWebUrl !== null && candidate.ampWebUrl === rawEntry.ampWebUrl)),
        );
        expect(entry.article?.slug ?? null, `${source.slug} related[${index}]`).toBe(target?.slug ?? null);
        if (target) resolved++;
      });
    }
    expect(resolved).toBeGreaterThan(5);
  });

  it('should load related articles in one DataLoader batch per nesting level, each entry once', async () => {
    const QUERY = /* GraphQL */ `
      query Nested($first: Int) {
        articles(first: $first) {
          nodes { slug related { article { slug related { article { slug related { article { slug } } } } } } }
        }
      }
    `;
    // The real sample, in preview, has story clusters whose articles all cite one another.
    const sample = await serverOf(SAMPLE_CORPUS, { limits: GENEROUS_LIMITS });
    let deepest = 0;
    for (const first of [5, 20, 50]) {
      const { body } = await execute(sample, QUERY, { first }, { preview: true });
      // An entry is identified by its article and its index; one loaded at a level is cached for the next.
      const seen = new Set<string>();
      const expected: { loader: string; keys: number }[] = [];
      let level: { slug: string; related: any[] }[] = body.data.articles.nodes;
      while (level.length > 0) {
        const entries = level.flatMap((article) => article.related.map((entry, index) => ({ key: `${article.slug}#${index}`, entry })));
        const fresh = new Set(entries.map(({ key }) => key).filter((key) => !seen.has(key)));
        for (const key of fresh) seen.add(key);
        if (fresh.size > 0) expected.push({ loader: 'articlesByRelatedEntries', keys: fresh.size });
        level = entries.map(({ entry }) => entry.article).filter((article) => article && article.related);
      }
      expect(body.extensions!.batchCalls, `first: ${first}`).toEqual(expected);
      deepest = Math.max(deepest, expected.length);
    }
    expect(deepest).toBeGreaterThanOrEqual(3);
  });

  it('should list the reverse edges in relatedFrom', async () => {
    const { body } = await execute(
      yoga,
      `{ articles(first: 100) { nodes { slug related { article { slug } } relatedFrom(first: 100) { totalCount nodes { slug } } } } }`,
    );
    const nodes: any[] = body.data.articles.nodes;
    for (const node of nodes) {
      const expected = nodes
        .filter((other) => other.related.some((entry: any) => entry.article?.slug === node.slug))
        .map((other) => other.slug);
      expect(node.relatedFrom.nodes.map((other: any) => other.slug)).toEqual(expected);
      expect(node.relatedFrom.totalCount).toBe(expected.length);
    }
  });
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

  it('should report content health only with the token', async () => {
    const query = `{ contentHealth { articleCount draftCount errorCount warningCount diagnostics { file } } }`;
    expect((await execute(yoga, query)).body.data).toEqual({ contentHealth: null });
    expect((await execute(yoga, query, {}, { preview: true })).body.data).toEqual({
      contentHealth: { articleCount: raw.length, draftCount: drafts.length, errorCount: 0, warningCount: 0, diagnostics: [] },
    });
  });
});

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function sameUrl(a: string, b: string | null): boolean {
  if (b === null) return false;
  const key = (url: string) => {
    const parsed = new URL(url);
    return `${parsed.hostname.replace(/^www\./, '')}${parsed.pathname.replace(/\/$/, '')}${parsed.search}`;
  };
  return key(a) === key(b);
}
