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

/** POSTs a document with variables under one Accept header; resolves with the status and body. */
async function postAccepting(accept: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

describe('useVariableErrors', () => {
  const PAGE = 'query Page($n: Int) { articles(first: $n) { totalCount } }';
  const REQUIRED = 'query Page($n: Int!) { articles(first: $n) { totalCount } }';

  it.each([
    ['a variable of the wrong type', PAGE, { n: 'x' }, 'Variable "$n" got invalid value "x"; Int cannot represent non-integer value: "x"'],
    ['a missing required variable', REQUIRED, {}, 'Variable "$n" of required type "Int!" was not provided.'],
  ])('should answer %s BAD_USER_INPUT with 400 under application/graphql-response+json', async (_case, query, variables, message) => {
    expect(await postAccepting('application/graphql-response+json', query, variables)).toEqual({
      status: 400,
      body: {
        errors: [{ message, locations: [{ line: 1, column: 12 }], extensions: { code: 'BAD_USER_INPUT' } }],
        extensions: { batchCalls: [] },
      },
    });
  });

  it('should keep the legacy 200 under application/json, with the same body', async () => {
    const modern = await postAccepting('application/graphql-response+json', PAGE, { n: 'x' });
    expect(await postAccepting('application/json', PAGE, { n: 'x' })).toEqual({ status: 200, body: modern.body });
  });

  it('should answer the same without graphql-jit', async () => {
    const plain = await serverOf(CONTENT_DIR, { jit: false });
    const response = await plain.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: REQUIRED }),
    });
    expect({ status: response.status, body: await response.json() }).toEqual(
      await postAccepting('application/graphql-response+json', REQUIRED),
    );
  });
});

describe('useErrorCodes', () => {
  it('should code an id that is not a global id BAD_USER_INPUT, naming it', async () => {
    const { body } = await execute(yoga, '{ node(id: "garbage") { id } }');
    expect(body.errors).toEqual([
      {
        message: '"garbage" is not a global id of this API: pass the `id` field of an Article, Provider, Topic or Story.',
        locations: [{ line: 1, column: 3 }],
        path: ['node'],
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
  });

  it('should code the global id of another type BAD_USER_INPUT', async () => {
    const { body } = await execute(yoga, '{ providers(first: 1) { nodes { id } } }');
    const providerId = body.data.providers.nodes[0].id as string;
    const { body: refused } = await execute(yoga, 'query ($id: ID!) { article(id: $id) { slug } }', { id: providerId });
    expect(refused.data).toEqual({ article: null });
    expect(refused.errors).toEqual([
      {
        message: `ID: ${providerId} is not of type: Article`,
        locations: [{ line: 1, column: 20 }],
        path: ['article'],
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
  });
});

describe('the token limit under legacy application/json', () => {
  it('should answer 400, as every other limit, not the 200 of a parse error', async () => {
    const { status, body } = await postAccepting('application/json', `{ ${'__typename '.repeat(2000)}}`);
    expect({ status, body }).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'Token limit of 1000 exceeded. See the limits in docs/operations.md.',
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      },
    });
    expect((await postAccepting('application/json', '{ articles(')).status).toBe(200);
  });
});
