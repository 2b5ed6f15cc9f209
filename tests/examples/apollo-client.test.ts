/**
 * The Apollo Client of examples/apollo against the built server: pages merged without loss through
 * `nodes` and `edges`, a detail page served from the cache while its fields are there, and `Node`
 * fragments read through the generated possibleTypes. Any cache warning Apollo prints fails a test.
 */
import { gql, type ObservableQuery, type OperationVariables } from '@apollo/client';
import { filter, firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createNewsgraphApolloClient } from '../../examples/apollo/client.js';
import { ArticlePageDocument, HomeArticlesDocument, TopicPageDocument } from '../../examples/gql/graphql.js';
import { biggestTopic, newestPublished, recordingFetch, serverForClients } from './support.js';

/** The first complete result of a watched query (subscribing to it, as a component would). */
function firstComplete<TData, TVariables extends OperationVariables>(query: ObservableQuery<TData, TVariables>) {
  return firstValueFrom(query.pipe(filter((result) => result.dataState === 'complete')));
}

describe('the example Apollo Client', () => {
  const server = serverForClients();

  it('should keep page 1 when fetchMore adds page 2 of a list read through `nodes`', async () => {
    const client = createNewsgraphApolloClient(`${server.origin}/graphql`);
    const home = client.watchQuery({ query: HomeArticlesDocument, variables: { first: 5 } });
    const page1 = await firstComplete(home);
    expect(page1.data?.articles.nodes.map((article) => article.slug)).toEqual(newestPublished().slice(0, 5));
    await home.fetchMore({ variables: { after: page1.data!.articles.pageInfo.endCursor } });
    const merged = client.readQuery({ query: HomeArticlesDocument, variables: { first: 5 } });
    expect(merged?.articles.nodes.map((article) => article.slug)).toEqual(newestPublished().slice(0, 10));
    expect(merged?.articles.pageInfo).toEqual({ __typename: 'PageInfo', hasNextPage: true, endCursor: expect.any(String) });
    expect(merged?.articles.pageInfo.endCursor).not.toBe(page1.data!.articles.pageInfo.endCursor);
  });

  it('should keep page 1 when fetchMore adds page 2 of a list read through `edges`', async () => {
    const client = createNewsgraphApolloClient(`${server.origin}/graphql`);
    const topic = await biggestTopic(server.origin);
    expect(topic.slugs.length).toBeGreaterThan(3);
    const page = client.watchQuery({ query: TopicPageDocument, variables: { slug: topic.slug, first: 3 } });
    const page1 = await firstComplete(page);
    await page.fetchMore({ variables: { after: page1.data!.topic!.articles.pageInfo.endCursor } });
    const merged = client.readQuery({ query: TopicPageDocument, variables: { slug: topic.slug, first: 3 } });
    expect(merged?.topic?.articles.edges.map((edge) => edge.node.slug)).toEqual(topic.slugs.slice(0, 6));
    expect(merged?.topic?.articles.pageInfo.hasNextPage).toBe(topic.slugs.length > 6);
  });

  it('should serve an article page again from the cache after a list query selected fewer of its fields', async () => {
    const requests: string[] = [];
    const client = createNewsgraphApolloClient(`${server.origin}/graphql`, { fetch: recordingFetch(requests) });
    const [slug] = newestPublished();
    const first = await client.query({ query: ArticlePageDocument, variables: { slug: slug! } });
    expect(first.data?.article?.images.length).toBeGreaterThan(0);
    expect(first.data?.article?.images[0]?.title).not.toBeUndefined();
    await client.query({ query: HomeArticlesDocument, variables: { first: 10 } });
    const again = await client.query({ query: ArticlePageDocument, variables: { slug: slug! } });
    expect(again.data).toEqual(first.data);
    expect(requests).toEqual(['ArticlePage', 'HomeArticles']);
  });

  it('should read `... on Node` and `article(id:)` from the cache, and fetch what the cache lacks', async () => {
    const requests: string[] = [];
    const client = createNewsgraphApolloClient(`${server.origin}/graphql`, { fetch: recordingFetch(requests) });
    const home = await client.query({ query: HomeArticlesDocument, variables: { first: 1 } });
    const { id, title } = home.data!.articles.nodes[0]!;
    const byNode = await client.query({
      query: gql`query ByNode($id: ID!) { node(id: $id) { ... on Node { id } ... on Article { title } } }`,
      variables: { id },
    });
    expect(byNode.data).toEqual({ node: { __typename: 'Article', id, title } });
    const cached = await client.query({ query: gql`query Cached($id: ID!) { article(id: $id) { id title } }`, variables: { id } });
    expect(cached.data).toEqual({ article: { __typename: 'Article', id, title } });
    const missing = await client.query<{ article: unknown }>({
      query: gql`query Missing($id: ID!) { article(id: $id) { id wordCount } }`,
      variables: { id },
    });
    expect(missing.data?.article).toEqual({ __typename: 'Article', id, wordCount: expect.any(Number) });
    expect(requests).toEqual(['HomeArticles', 'ByNode', 'Missing']);
  });
});
