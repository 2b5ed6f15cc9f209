import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import { CONTENT_DIR, execute, newestFirst, readRawArticles, serverOf } from '../support.js';

const raw = readRawArticles(CONTENT_DIR);
const published = raw.filter((article) => article.published);

let yoga: NewsgraphServer;
beforeAll(async () => {
  yoga = await serverOf(CONTENT_DIR);
});

describe('useReadOnly', () => {
  it('should refuse a mutation as a read-only API', async () => {
    const response = await execute(yoga, 'mutation { __typename }');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        message: 'This API is read-only: it answers queries and subscriptions, found a mutation.',
        locations: [{ line: 1, column: 1 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
  });

  it('should refuse a document holding a mutation beside the query it runs', async () => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: 'query Read { __typename }\nmutation Write { __typename }', operationName: 'Read' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'This API is read-only: it answers queries and subscriptions, found a mutation.',
          locations: [{ line: 2, column: 1 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
  });
});

describe('useJsonParameterErrors', () => {
  it.each([
    ['variables', 'not-json'],
    ['extensions', '{bad'],
  ])('should answer GET %s that are not valid JSON with BAD_REQUEST and 400', async (parameter, value) => {
    let reason = '';
    try {
      JSON.parse(value);
    } catch (error) {
      reason = (error as SyntaxError).message;
    }
    const query = encodeURIComponent('query($n: Int) { articles(first: $n) { totalCount } }');
    const response = await yoga.fetch(`http://localhost/graphql?query=${query}&${parameter}=${encodeURIComponent(value)}`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: `A request parameter is not valid JSON: ${reason}`, extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('should read GET variables that are valid JSON', async () => {
    const query = encodeURIComponent('query($n: Int) { articles(first: $n) { nodes { slug } } }');
    const variables = encodeURIComponent(JSON.stringify({ n: 1 }));
    const response = await yoga.fetch(`http://localhost/graphql?query=${query}&variables=${variables}`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(200);
    expect((await response.json()).data).toEqual({ articles: { nodes: [{ slug: newestFirst(published)[0]!.slug }] } });
  });
});

// A wrong token against an enabled preview, refused before limits and syntax, is in tests/context.test.ts.
describe('useAuthenticationFirst', () => {
  it.each([
    ['a syntax error', '{ articles {'],
    ['a mutation', 'mutation { __typename }'],
    ['a valid query', '{ articles { totalCount } }'],
  ])('should refuse any bearer token when preview is disabled, before reading %s', async (_name, query) => {
    const disabled = await serverOf(CONTENT_DIR, { previewToken: null });
    const { status, headers, body } = await execute(disabled, query, {}, { headers: { authorization: 'Bearer anything' } });
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer realm="preview"');
    expect(body).toEqual({
      errors: [
        {
          message:
            'A bearer token was sent, but preview is disabled on this server (PREVIEW_TOKEN is not set). Send no Authorization header for the public API.',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
  });

  it('should read the request parameters first: parameters that are not valid JSON are a 400 whatever the token', async () => {
    const response = await yoga.fetch(`http://localhost/graphql?query=${encodeURIComponent('{ __typename }')}&variables=not-json`, {
      headers: { accept: 'application/graphql-response+json', authorization: 'Bearer not-the-token' },
    });
    expect(response.status).toBe(400);
    expect((await response.json()).errors.map((error: any) => error.extensions.code)).toEqual(['BAD_REQUEST']);
  });
});

describe('useBatchCallReport', () => {
  it('should report no batch calls for a request that loads nothing', async () => {
    const { body } = await execute(yoga, '{ __typename }');
    expect(body.extensions!.batchCalls).toEqual([]);
  });

  it('should report each DataLoader batch call with its loader and number of keys', async () => {
    const newest = newestFirst(published).slice(0, 3);
    const { body } = await execute(yoga, '{ articles(first: 3) { nodes { slug related { article { slug } } } } }');
    expect(body.data.articles.nodes.map((node: any) => node.slug)).toEqual(newest.map((article) => article.slug));
    expect(body.extensions!.batchCalls).toEqual([
      { loader: 'articlesByRelatedEntries', keys: newest.reduce((sum, article) => sum + article.related.length, 0) },
    ]);

    const ids = newest.map((article) => Buffer.from(`Article:${article.slug}`).toString('base64'));
    const byIds = await execute(yoga, 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(byIds.body.data).toEqual({ nodes: ids.map((id) => ({ id })) });
    expect(byIds.body.extensions!.batchCalls).toEqual([{ loader: 'articlesBySlugs', keys: 3 }]);
  });

  it('should add no report without reportBatchCalls', async () => {
    const quiet = await serverOf(CONTENT_DIR, { reportBatchCalls: false });
    const { body } = await execute(quiet, '{ articles(first: 3) { nodes { related { article { slug } } } } }');
    expect(body.errors).toBeUndefined();
    expect(body.extensions).not.toHaveProperty('batchCalls');
  });
});
