import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GraphQLUnionType } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY_LIMITS } from '../../src/http/limits.js';
import type { NewsgraphServer } from '../../src/http/server.js';
import { FEDERATION_SPEC_URL } from '../../src/schema/federation.js';
import { printSortedSchema, printSubgraphSdl, schema, subgraphSchema } from '../../src/schema/index.js';
import { execute, FIXTURES, PROJECT_ROOT, serverOf } from '../support.js';

/**
 * The schema as an Apollo Federation v2 subgraph (src/schema/federation.ts), in-process over the
 * views fixture (a and b published, c a draft with a topic of its own, d and e undated): its SDL,
 * `_entities` by each key through the request's view, the cost of `_entities`, and the print CLI.
 * tests/http/federation.test.ts composes it with a second subgraph behind a gateway.
 */
const VIEWS = path.join(FIXTURES, 'views');

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Article { slug title provider { domain } }
      ... on Provider { domain name }
      ... on Topic { slug name }
    }
  }
`;

let yoga: NewsgraphServer;
beforeAll(async () => {
  yoga = await serverOf(VIEWS, { schema: subgraphSchema() });
});

/** The global ids of article a, its provider and its first topic, as `id` serves them. */
async function idsOfA(): Promise<{ article: string; provider: string; topic: string }> {
  const { body } = await execute(yoga, '{ article(slug: "a") { id provider { id } topics { id } } }');
  const article = body.data.article;
  return { article: article.id, provider: article.provider.id, topic: article.topics[0].id };
}

describe('the subgraph SDL', () => {
  it('should link federation v2.6 and give each entity its keys', async () => {
    const { status, body } = await execute(yoga, '{ _service { sdl } }');
    expect(status).toBe(200);
    const sdl: string = body.data._service.sdl;
    expect(sdl.startsWith(`extend schema\n  @link(url: "${FEDERATION_SPEC_URL}", import: ["@key"])\n`)).toBe(true);
    expect(sdl).toContain('type Article implements Node\n  @key(fields: "id")\n  @key(fields: "slug")\n{');
    expect(sdl).toContain('type Provider implements Node\n  @key(fields: "id")\n  @key(fields: "domain")\n{');
    expect(sdl).toContain('type Topic implements Node\n  @key(fields: "id")\n  @key(fields: "slug")\n{');
    expect(sdl.match(/@key\(/g)).toHaveLength(6);
    expect(`${sdl}\n`).toBe(printSubgraphSdl());
  });

  it('should hold every type and field of the standalone schema, each with its description', () => {
    const subgraph = subgraphSchema();
    for (const type of Object.values(schema.getTypeMap())) {
      const twin = subgraph.getType(type.name);
      expect(twin?.description, type.name).toBe(type.description);
      if ('getFields' in type && twin && 'getFields' in twin)
        expect(Object.keys(twin.getFields())).toEqual(expect.arrayContaining(Object.keys(type.getFields())));
    }
    for (const name of ['_Any', '_Entity', '_Service']) expect(subgraph.getType(name)?.description, name).toBeTruthy();
    expect((subgraph.getType('_Entity') as GraphQLUnionType).getTypes().map((type) => type.name)).toEqual(['Article', 'Provider', 'Topic']);
    const query = subgraph.getQueryType()!.getFields();
    expect(query._entities!.description).toBeTruthy();
    expect(query._service!.description).toBeTruthy();
  });

  it('should leave the standalone schema without federation fields', async () => {
    expect(printSortedSchema()).not.toMatch(/_entities|_service|@key|_Any/);
    const standalone = await serverOf(VIEWS);
    const { status, body } = await execute(standalone, '{ _service { sdl } }');
    expect(status).toBe(400);
    expect(body.errors![0]!.message).toBe('Cannot query field "_service" on type "Query".');
  });

  it('should print the subgraph SDL with `npm run schema -- --federation`', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/print-schema.ts', '--federation'],
      { cwd: PROJECT_ROOT },
    );
    expect(stdout).toBe(printSubgraphSdl());
  });
});

describe('_entities', () => {
  it('should resolve each entity by each of its keys, in order, in one batch for the articles', async () => {
    const ids = await idsOfA();
    const { status, body } = await execute(yoga, ENTITIES, {
      representations: [
        { __typename: 'Article', id: ids.article },
        { __typename: 'Article', slug: 'b' },
        { __typename: 'Provider', id: ids.provider },
        { __typename: 'Provider', domain: 'https://WWW.Beta.example' },
        { __typename: 'Topic', id: ids.topic },
        { __typename: 'Topic', slug: 'Robotics' },
      ],
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        _entities: [
          { __typename: 'Article', slug: 'a', title: 'Alpha one', provider: { domain: 'alpha.example' } },
          { __typename: 'Article', slug: 'b', title: 'beta two', provider: { domain: 'beta.example' } },
          { __typename: 'Provider', domain: 'alpha.example', name: 'Alpha News' },
          { __typename: 'Provider', domain: 'beta.example', name: 'Beta Daily' },
          { __typename: 'Topic', slug: 'ai', name: 'AI' },
          { __typename: 'Topic', slug: 'robotics', name: 'Robotics' },
        ],
      },
      // 6 entities, each with at most 1 object below it (an article's provider).
      extensions: { cost: { value: 12, limit: 20_000 }, batchCalls: [{ loader: 'articlesBySlugs', keys: 2 }] },
    });
  });

  it("should return null for a draft's keys without the preview token, and the draft with it", async () => {
    const { body: article } = await execute(yoga, '{ article(slug: "c") { id } }', {}, { preview: true });
    const representations = [
      { __typename: 'Article', id: article.data.article.id },
      { __typename: 'Article', slug: 'c' },
      { __typename: 'Topic', slug: 'secret-topic' },
    ];
    const published = await execute(yoga, ENTITIES, { representations });
    expect(published.body.errors).toBeUndefined();
    expect(published.body.data).toEqual({ _entities: [null, null, null] });
    const preview = await execute(yoga, ENTITIES, { representations }, { preview: true });
    expect(preview.body.errors).toBeUndefined();
    const draft = { __typename: 'Article', slug: 'c', title: 'Draft three', provider: { domain: 'alpha.example' } };
    expect(preview.body.data).toEqual({
      _entities: [draft, draft, { __typename: 'Topic', slug: 'secret-topic', name: 'Secret Topic' }],
    });
  });

  it('should return null for a key that matches nothing, or a global id of another type', async () => {
    const ids = await idsOfA();
    const { body } = await execute(yoga, ENTITIES, {
      representations: [
        { __typename: 'Article', slug: 'no-such-article' },
        { __typename: 'Article', id: ids.provider },
        { __typename: 'Provider', domain: 'no-such.example' },
        { __typename: 'Topic', id: ids.article },
      ],
    });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ _entities: [null, null, null, null] });
  });

  it('should report a representation it cannot read as an error of its own item', async () => {
    const { status, body } = await execute(yoga, ENTITIES, {
      representations: [
        { __typename: 'Comment', id: '1' },
        { __typename: 'Article' },
        { __typename: 'Article', id: 'not-a-global-id' },
        { __typename: 'Article', slug: 'a' },
      ],
    });
    expect(status).toBe(200);
    expect(body.data).toEqual({
      _entities: [null, null, null, { __typename: 'Article', slug: 'a', title: 'Alpha one', provider: { domain: 'alpha.example' } }],
    });
    expect(body.errors!.map((error: any) => [error.path, error.extensions.code, error.message])).toEqual([
      [
        ['_entities', 0],
        'BAD_USER_INPUT',
        'A representation must name an entity type of this subgraph in `__typename`: Article, Provider, Topic.',
      ],
      [['_entities', 1], 'BAD_USER_INPUT', 'A representation of Article needs its `id` or its `slug`, as a string.'],
      [
        ['_entities', 2],
        'BAD_USER_INPUT',
        '"not-a-global-id" is not a global id of this API: pass the `id` field of an Article, Provider, Topic or Story.',
      ],
    ]);
  });

  it('should cost what its representations can hold, and refuse too many before running', async () => {
    const limited = await serverOf(VIEWS, { schema: subgraphSchema(), limits: { ...DEFAULT_QUERY_LIMITS, maxCost: 100 } });
    const query =
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Article { title related { article { title } } } } }';
    const representations = (count: number) => Array.from({ length: count }, () => ({ __typename: 'Article', slug: 'a' }));
    // Each article: itself, its related entries (at most 3 in this corpus) and their articles: 7 objects.
    const allowed = await execute(limited, query, { representations: representations(14) });
    expect(allowed.status).toBe(200);
    expect(allowed.body.extensions!.cost).toEqual({ value: 98, limit: 100 });
    const refused = await execute(limited, query, { representations: representations(15) });
    expect(refused.status).toBe(400);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.body.extensions!.cost).toEqual({ value: 105, limit: 100 });
  });
});
