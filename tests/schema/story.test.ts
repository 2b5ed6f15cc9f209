import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import { CONTENT_DIR, execute, GENEROUS_LIMITS, type GraphQLResponse, requireSharedCorpus, SAMPLE_CORPUS, serverOf } from '../support.js';

/** What the oracle needs of every article of a view, read through the API (related resolution has tests of its own). */
const ARTICLES = /* GraphQL */ `
  query($after: String) {
    articles(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        slug
        publishedDateTime
        webUrl originalUrl ampWebUrl cdnAmpWebUrl
        related { title webUrl ampWebUrl cdnAmpWebUrl article { slug } }
        story {
          lead { slug }
          articleCount
          articles(first: 100) { nodes { slug } }
          externalCoverageCount
          externalCoverage(first: 100) { title webUrl }
          firstPublishedDateTime
          lastPublishedDateTime
        }
      }
    }
  }
`;

/** Every story of a view, page by page. */
const STORIES = /* GraphQL */ `
  query($after: String, $minArticles: Int) {
    stories(first: 100, after: $after, minArticles: $minArticles) { totalCount pageInfo { hasNextPage endCursor } nodes { lead { slug } articleCount } }
  }
`;

/** Every item of a connection, following its cursors. */
async function readAll(yoga: NewsgraphServer, query: string, field: string, variables: Record<string, unknown>, preview: boolean) {
  const nodes: any[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (;;) {
    const { body }: GraphQLResponse = await execute(yoga, query, { ...variables, after }, { preview });
    expect(body.errors).toBeUndefined();
    nodes.push(...body.data[field].nodes);
    totalCount = body.data[field].totalCount;
    if (!body.data[field].pageInfo.hasNextPage) return { nodes, totalCount };
    after = body.data[field].pageInfo.endCursor;
  }
}

/** A URL as URL identity compares it: no scheme, no `www.`, no trailing slash. */
function urlIdentity(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname.replace(/^www\./, '')}${parsed.pathname.replace(/\/$/, '')}${parsed.search}`;
}

/** The stories of a view computed from its articles: connected components over resolved related links and shared URLs. */
function expectedStories(nodes: any[]) {
  const neighbours = new Map<string, Set<string>>(nodes.map((node) => [node.slug, new Set<string>()]));
  const link = (a: string, b: string) => {
    neighbours.get(a)!.add(b);
    neighbours.get(b)!.add(a);
  };
  const byUrl = new Map<string, string[]>();
  for (const node of nodes) {
    for (const entry of node.related) if (entry.article !== null) link(node.slug, entry.article.slug);
    for (const url of [node.webUrl, node.originalUrl, node.ampWebUrl, node.cdnAmpWebUrl]) {
      if (url === null) continue;
      const sharers = byUrl.get(urlIdentity(url)) ?? [];
      for (const other of sharers) link(node.slug, other);
      byUrl.set(urlIdentity(url), [...sharers, node.slug]);
    }
  }
  const storyOf = new Map<string, string[]>();
  for (const node of nodes) {
    if (storyOf.has(node.slug)) continue;
    const members = new Set([node.slug]);
    const queue = [node.slug];
    while (queue.length > 0)
      for (const next of neighbours.get(queue.pop()!)!) if (!members.has(next) && members.add(next)) queue.push(next);
    // The list is newest first, so members in list order are too.
    const ordered = nodes.map((other) => other.slug).filter((slug) => members.has(slug));
    for (const slug of ordered) storyOf.set(slug, ordered);
  }
  return storyOf;
}

/** Checks every article's story and the story lists of one view against the oracle. */
async function checkStories(yoga: NewsgraphServer, preview: boolean) {
  const { nodes } = await readAll(yoga, ARTICLES, 'articles', {}, preview);
  const bySlug = new Map(nodes.map((node) => [node.slug, node]));
  const storyOf = expectedStories(nodes);
  for (const node of nodes) {
    const members = storyOf.get(node.slug)!.map((slug) => bySlug.get(slug)!);
    const dates = members.map((member) => member.publishedDateTime).filter((date) => date !== null);
    const lead = [...members].sort(
      (a, b) =>
        (a.publishedDateTime === null ? 1 : 0) - (b.publishedDateTime === null ? 1 : 0) ||
        (a.publishedDateTime ?? '').localeCompare(b.publishedDateTime ?? '') ||
        (a.slug < b.slug ? -1 : 1),
    )[0];
    const external: { title: string; webUrl: string | null }[] = [];
    const seen = new Set<string>();
    for (const member of members) {
      for (const entry of member.related) {
        if (entry.article !== null) continue;
        const key = entry.webUrl ?? entry.ampWebUrl ?? entry.cdnAmpWebUrl ?? `title:${entry.title}`;
        if (seen.has(key)) continue;
        seen.add(key);
        external.push({ title: entry.title, webUrl: entry.webUrl });
      }
    }
    expect(node.story, node.slug).toEqual({
      lead: { slug: lead.slug },
      articleCount: members.length,
      articles: { nodes: members.map((member) => ({ slug: member.slug })) },
      externalCoverageCount: external.length,
      externalCoverage: external,
      firstPublishedDateTime: dates.length === 0 ? null : [...dates].sort()[0],
      lastPublishedDateTime: dates.length === 0 ? null : [...dates].sort().at(-1),
    });
  }
  const leads = [...new Set(nodes.map((node) => node.story.lead.slug))].map((slug) => bySlug.get(slug)!);
  const newestOf = (lead: any) => lead.story.lastPublishedDateTime;
  const ordered = leads.sort(
    (a, b) =>
      (newestOf(a) === null ? 1 : 0) - (newestOf(b) === null ? 1 : 0) ||
      (newestOf(b) ?? '').localeCompare(newestOf(a) ?? '') ||
      (a.slug < b.slug ? -1 : 1),
  );
  const clusters = ordered.filter((lead) => lead.story.articleCount >= 2);
  expect(await readAll(yoga, STORIES, 'stories', {}, preview)).toEqual({
    totalCount: clusters.length,
    nodes: clusters.map((lead) => ({ lead: { slug: lead.slug }, articleCount: lead.story.articleCount })),
  });
  expect(await readAll(yoga, STORIES, 'stories', { minArticles: 1 }, preview)).toEqual({
    totalCount: ordered.length,
    nodes: ordered.map((lead) => ({ lead: { slug: lead.slug }, articleCount: lead.story.articleCount })),
  });
  return { nodes, clusters };
}

describe('stories over content/', () => {
  let yoga: NewsgraphServer;
  beforeAll(async () => {
    yoga = await serverOf(CONTENT_DIR, { limits: GENEROUS_LIMITS });
  });

  it('should group the public articles into connected stories with their lead, span and external coverage', async () => {
    const { clusters } = await checkStories(yoga, false);
    expect(clusters.length).toBeGreaterThan(1);
  });

  it('should count drafts as members only with the preview token', async () => {
    const publicStories = await checkStories(yoga, false);
    const previewStories = await checkStories(yoga, true);
    expect(previewStories.nodes.length).toBeGreaterThan(publicStories.nodes.length);
  });

  it('should fetch a story by its global id, and no story by the id of a member that does not lead it', async () => {
    const { body } = await execute(yoga, '{ stories(first: 1) { nodes { id lead { slug } articles { nodes { slug } } } } }');
    const [story] = body.data.stories.nodes;
    const follower = story.articles.nodes.find((node: any) => node.slug !== story.lead.slug).slug;
    const followerId = Buffer.from(`Story:${follower}`).toString('base64');
    const fetched = await execute(yoga, 'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Story { lead { slug } } } }', {
      ids: [story.id, followerId],
    });
    expect(fetched.body.data.nodes).toEqual([{ lead: story.lead }, null]);
  });

  it('should refuse minArticles below 1 and externalCoverage pages out of range', async () => {
    const { body } = await execute(yoga, '{ stories(minArticles: 0) { totalCount } }');
    expect(body.errors?.map((error) => [error.message, error.extensions?.code])).toEqual([
      ['`minArticles` must be at least 1, found 0.', 'BAD_USER_INPUT'],
    ]);
    const page = await execute(yoga, '{ articles(first: 1) { nodes { story { externalCoverage(first: 101) { title } } } } }');
    expect(page.body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe.skipIf(!requireSharedCorpus())('stories over the shared real sample', () => {
  let yoga: NewsgraphServer;
  beforeAll(async () => {
    yoga = await serverOf(SAMPLE_CORPUS, { limits: GENEROUS_LIMITS });
  });

  it('should find the same-day clusters of the sample in preview, and join two files of one URL', async () => {
    const { clusters } = await checkStories(yoga, true);
    expect(clusters.length).toBeGreaterThan(5);
    const { body } = await execute(
      yoga,
      '{ article(slug: "2019-12-24-google-cloud-team-releases-automl-natural-language") { story { articles(first: 100) { nodes { slug } } } } }',
      {},
      { preview: true },
    );
    expect(body.data.article.story.articles.nodes.map((node: any) => node.slug)).toContain(
      '2019-12-25-google-cloud-team-releases-automl-natural-language',
    );
  });

  it('should group the public articles too', async () => {
    await checkStories(yoga, false);
  });
});
