import { afterEach, describe, expect, it } from 'vitest';
import { createCorpus, indexArticles } from '../../src/content/corpus.js';
import type { Article } from '../../src/content/model.js';
import { createServer } from '../../src/http/server.js';
import { CONTENT_DIR, corpusOf, execute, recordOf, serverOf } from '../support.js';

const SECRET = 'secured-value-that-must-not-leak';
const originalNodeEnv = process.env.NODE_ENV;

afterEach(() => {
  process.env.NODE_ENV = originalNodeEnv;
});

/**
 * A corpus with one record whose `extra` fails when its resolver reads it, as a bug would: the
 * failure names a file-system path and a secret, which must reach no client.
 */
async function corpusWithFailingRecord() {
  const loaded = await corpusOf(CONTENT_DIR);
  const template = recordOf(loaded.preview.articles[0]!);
  const failing = Object.create(template, {
    slug: { value: 'failing-record', enumerable: true },
    sourcePath: { value: 'private/failing-record.md', enumerable: true },
    extra: {
      enumerable: true,
      get() {
        throw new Error(`ENOENT: /srv/content/private/failing-record.md (${SECRET})`);
      },
    },
  }) as Article;
  return createCorpus(indexArticles([...loaded.preview.articles.map(recordOf), failing]), []);
}

describe('errors', () => {
  it.each([
    ['production', true],
    ['development', true],
    ['development', false],
  ])('should mask an unexpected error as "Unexpected error." with NODE_ENV=%s (graphql-jit: %s)', async (nodeEnv, jit) => {
    process.env.NODE_ENV = nodeEnv;
    const yoga = createServer({ corpus: await corpusWithFailingRecord(), previewToken: null, jit });
    const response = await execute(yoga, `{ article(slug: "failing-record") { slug extra } }`);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ article: { slug: 'failing-record', extra: null } });
    expect(response.body.errors).toEqual([
      {
        message: 'Unexpected error.',
        locations: [{ line: 1, column: 42 }],
        path: ['article', 'extra'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    const text = JSON.stringify(response.body);
    for (const leak of [SECRET, '/srv/', 'ENOENT', '    at ', '.ts:']) expect(text).not.toContain(leak);
  });

  it.each([
    ['{ articles(first: 500) { totalCount } }', 'BAD_USER_INPUT', '`first` must be from 0 to 100, found 500'],
    ['{ nosuchfield }', 'GRAPHQL_VALIDATION_FAILED', 'Cannot query field "nosuchfield" on type "Query".'],
    ['{ articles(', 'GRAPHQL_PARSE_FAILED', 'Syntax Error: Expected Name, found <EOF>.'],
  ])('should give the client error of %s a code and a message that says what is allowed', async (query, code, message) => {
    const yoga = createServer({ corpus: await corpusOf(CONTENT_DIR), previewToken: null });
    const { body } = await execute(yoga, query);
    expect(body.errors![0]!.extensions!.code, query).toBe(code);
    expect(body.errors![0]!.message, query).toContain(message);
  });
});

describe('requests the server refuses', () => {
  it('should not batch requests', async () => {
    const response = await (await serverOf(CONTENT_DIR)).fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBe(400);
  });
});
