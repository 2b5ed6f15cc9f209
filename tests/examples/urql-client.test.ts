/**
 * The urql client of examples/urql (Graphcache) against the built server: pages merged without loss
 * through `nodes` and `edges`, and a detail page served from the cache while its fields are there.
 * Any warning Graphcache prints (a type it cannot key, a field it cannot find) fails a test.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArticlePageDocument, HomeArticlesDocument, SearchDocument, TopicPageDocument } from '../../examples/gql/graphql.js';
import { createNewsgraphUrqlClient } from '../../examples/urql/client.js';
import { PROJECT_ROOT, startServerProcess } from '../support.js';
import { biggestTopic, newestPublished, recordingFetch, serverForClients } from './support.js';

/** The persisted-documents manifest graphql-codegen writes for the example operations. */
const MANIFEST = path.join(PROJECT_ROOT, 'examples/gql/persisted-documents.json');

describe('the example urql client', () => {
  const server = serverForClients();

  it('should return pages 1 and 2 together when page 2 of a list read through `nodes` arrives', async () => {
    const client = createNewsgraphUrqlClient(`${server.origin}/graphql`);
    const page1 = await client.query(HomeArticlesDocument, { first: 5 }).toPromise();
    expect(page1.error).toBeUndefined();
    expect(page1.data?.articles.nodes.map((article) => article.slug)).toEqual(newestPublished().slice(0, 5));
    const page2 = await client.query(HomeArticlesDocument, { first: 5, after: page1.data!.articles.pageInfo.endCursor }).toPromise();
    expect(page2.data?.articles.nodes.map((article) => article.slug)).toEqual(newestPublished().slice(0, 10));
  });

  it('should return pages 1 and 2 together when page 2 of a list read through `edges` arrives', async () => {
    const client = createNewsgraphUrqlClient(`${server.origin}/graphql`);
    const topic = await biggestTopic(server.origin);
    expect(topic.slugs.length).toBeGreaterThan(3);
    const page1 = await client.query(TopicPageDocument, { slug: topic.slug, first: 3 }).toPromise();
    const after = page1.data!.topic!.articles.pageInfo.endCursor;
    const page2 = await client.query(TopicPageDocument, { slug: topic.slug, first: 3, after }).toPromise();
    expect(page2.data?.topic?.articles.edges.map((edge) => edge.node.slug)).toEqual(topic.slugs.slice(0, 6));
  });

  it('should serve an article page again from the cache after a list query selected fewer of its fields', async () => {
    const requests: string[] = [];
    const client = createNewsgraphUrqlClient(`${server.origin}/graphql`, { fetch: recordingFetch(requests) });
    const [slug] = newestPublished();
    const first = await client.query(ArticlePageDocument, { slug: slug! }).toPromise();
    expect(first.data?.article?.images.length).toBeGreaterThan(0);
    await client.query(HomeArticlesDocument, { first: 10 }).toPromise();
    const again = await client.query(ArticlePageDocument, { slug: slug! }).toPromise();
    expect(again.data).toEqual(first.data);
    expect(again.stale).toBe(false);
    expect(requests).toEqual(['ArticlePage', 'HomeArticles']);
  });

  it("should send only codegen's hashes to a server that trusts only the example manifest", async () => {
    const trusted = await startServerProcess({ PERSISTED_DOCUMENTS: MANIFEST, PERSISTED_DOCUMENTS_ONLY: 'true' });
    try {
      const sent: string[] = [];
      const client = createNewsgraphUrqlClient(`${trusted.origin}/graphql`, {
        trustedDocuments: true,
        fetch: (input, init) => {
          const url = new URL(String(input));
          sent.push(
            `${init?.method ?? 'GET'} ${url.searchParams.has('query') || String(init?.body).includes('"query"') ? 'document' : 'hash'}`,
          );
          return fetch(input, init);
        },
      });
      const home = await client.query(HomeArticlesDocument, { first: 3 }).toPromise();
      expect(home.error).toBeUndefined();
      expect(home.data?.articles.nodes.map((article) => article.slug)).toEqual(newestPublished().slice(0, 3));
      expect(sent).toEqual(['GET hash']);
    } finally {
      await trusted.stop();
    }
  });

  it('should show search hits with their highlights and facet counts', async () => {
    const client = createNewsgraphUrqlClient(`${server.origin}/graphql`);
    const result = await client.query(SearchDocument, { query: 'humanoid' }).toPromise();
    expect(result.error).toBeUndefined();
    const { totalCount, nodes, facets } = result.data!.search;
    expect(totalCount).toBeGreaterThan(1);
    expect(nodes.length).toBe(Math.min(totalCount, 10));
    expect(nodes.every((hit) => hit.highlights.some((highlight) => /<mark>humanoid<\/mark>/i.test(highlight.snippet)))).toBe(true);
    expect(facets.topics.every((topic) => topic.count > 0 && topic.count <= totalCount)).toBe(true);
  });
});
