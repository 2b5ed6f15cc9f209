import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import { CONTENT_DIR, countBy, execute, GENEROUS_LIMITS, readRawArticles, serverOf } from '../support.js';

const raw = readRawArticles(CONTENT_DIR);
const published = raw.filter((article) => article.published);

let yoga: NewsgraphServer;
beforeAll(async () => {
  // These tests read whole lists at once; the limits have tests of their own.
  yoga = await serverOf(CONTENT_DIR, { limits: GENEROUS_LIMITS });
});

describe('topics', () => {
  it('should list topics with article counts, most articles first', async () => {
    const { body } = await execute(yoga, `{ topics(first: 100) { totalCount nodes { name slug articleCount } } }`);
    const expected = countBy(published.flatMap((article) => article.topics));
    expect(body.data.topics.nodes.map((node: any) => [node.name, node.articleCount])).toEqual(
      [...expected].sort((a, b) => b[1] - a[1] || (slug(a[0]) < slug(b[0]) ? -1 : 1)),
    );
    expect(body.data.topics.totalCount).toBe(expected.length);
  });

  it('should page topics with cursors', async () => {
    const all = await execute(yoga, `{ topics(first: 100) { nodes { slug } } }`);
    const first = await execute(yoga, `{ topics(first: 3) { nodes { slug } pageInfo { endCursor hasNextPage } } }`);
    const rest = await execute(yoga, `query($after: String) { topics(after: $after) { nodes { slug } pageInfo { hasNextPage } } }`, {
      after: first.body.data.topics.pageInfo.endCursor,
    });
    expect([...first.body.data.topics.nodes, ...rest.body.data.topics.nodes]).toEqual(all.body.data.topics.nodes);
    expect(rest.body.data.topics.pageInfo.hasNextPage).toBe(false);
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

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
