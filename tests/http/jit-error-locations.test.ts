import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import { CONTENT_DIR, execute, serverOf } from '../support.js';

let jit: NewsgraphServer;
let graphqlJs: NewsgraphServer;
beforeAll(async () => {
  jit = await serverOf(CONTENT_DIR);
  graphqlJs = await serverOf(CONTENT_DIR, { jit: false });
});

const FIRST_101 = { code: 'BAD_USER_INPUT', argumentName: 'first' };
const FIRST_101_MESSAGE = '`first` must be from 0 to 100, found 101; page through longer lists with `after`/`before` cursors.';
const LAST_500_MESSAGE = '`last` must be from 0 to 100, found 500; page through longer lists with `after`/`before` cursors.';

const NESTED = `query Nested {
  providers(first: 1) {
    nodes {
      domain
      articles(first: 101) { totalCount }
    }
  }
}`;

const TWO_ERRORS = `{
  ai: topic(slug: "ai") {
    articles(first: 101) { totalCount }
  }
  reuters: provider(domain: "reuters.com") {
    name
    articles(last: 500) { totalCount }
  }
}`;

describe('useJitErrorLocations', () => {
  it.each([
    [
      'a field error nested in a list',
      NESTED,
      [
        {
          message: FIRST_101_MESSAGE,
          locations: [{ line: 5, column: 7 }],
          path: ['providers', 'nodes', 0, 'articles'],
          extensions: FIRST_101,
        },
      ],
    ],
    [
      'a field error after characters outside ASCII on its line',
      '{ a: article(slug: "🤖 café") { slug } articles(first: 101) { totalCount } }',
      [{ message: FIRST_101_MESSAGE, locations: [{ line: 1, column: 40 }], path: ['articles'], extensions: FIRST_101 }],
    ],
    [
      'a field error in a document with CRLF line endings',
      '{\r\n  articles(first: 101) { totalCount }\r\n}',
      [{ message: FIRST_101_MESSAGE, locations: [{ line: 2, column: 3 }], path: ['articles'], extensions: FIRST_101 }],
    ],
    [
      'two field errors under two aliases',
      TWO_ERRORS,
      [
        { message: FIRST_101_MESSAGE, locations: [{ line: 3, column: 5 }], path: ['ai', 'articles'], extensions: FIRST_101 },
        {
          message: LAST_500_MESSAGE,
          locations: [{ line: 7, column: 5 }],
          path: ['reuters', 'articles'],
          extensions: { code: 'BAD_USER_INPUT', argumentName: 'last' },
        },
      ],
    ],
  ])('should give %s the same locations and path under graphql-jit as under graphql-js', async (_name, query, errors) => {
    const underJit = await execute(jit, query);
    const underGraphqlJs = await execute(graphqlJs, query);
    expect(underGraphqlJs.body.errors).toEqual(errors);
    expect(underJit.body.errors).toEqual(errors);
    expect(underJit.body.data).toEqual(underGraphqlJs.body.data);
  });

  it('should keep the data of a result without errors', async () => {
    const query = '{ articles(first: 2) { totalCount nodes { slug } } }';
    const underJit = await execute(jit, query);
    expect(underJit.body.errors).toBeUndefined();
    expect(underJit.body.data).toEqual((await execute(graphqlJs, query)).body.data);
    expect(underJit.body.data.articles.nodes).toHaveLength(2);
  });

  it('should give the same locations for a document with lone CR line endings', async () => {
    // GraphQL ends a line with a lone "\r" too: graphql-js answers line 3, column 3.
    const response = await jit.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{\r\r  articles(first: 101) { totalCount }\r}' }),
    });
    expect((await response.json()).errors).toEqual([
      { message: FIRST_101_MESSAGE, locations: [{ line: 3, column: 3 }], path: ['articles'], extensions: FIRST_101 },
    ]);
  });
});
