import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import { CONTENT_DIR, execute, GENEROUS_LIMITS, serverOf } from '../support.js';

let yoga: NewsgraphServer;
beforeAll(async () => {
  // These tests read whole lists at once; the limits have tests of their own.
  yoga = await serverOf(CONTENT_DIR, { limits: GENEROUS_LIMITS });
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
