import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.js';
import { printSubgraphSdl } from '../../src/schema/index.js';
import { FIXTURES, PREVIEW_TOKEN, post, type RunningServer, startServerProcess } from '../support.js';

/**
 * Federation end to end: the built server with FEDERATION=on (as `npm start` runs it) over the
 * views fixture on a real port, a small comments subgraph that extends `Article` on another, both
 * composed with @apollo/composition and served through @apollo/gateway on a third. The gateway
 * passes the client's Authorization header on, so the preview token reaches Newsgraph.
 */
const VIEWS = path.join(FIXTURES, 'views');

/** Reader comments, each on an article by slug; c is a draft. */
const COMMENTS = [
  { id: '1', articleSlug: 'a', author: 'Ada', text: 'Clear and short.' },
  { id: '2', articleSlug: 'a', author: 'Lin', text: 'Which robots?' },
  { id: '3', articleSlug: 'b', author: 'Ada', text: 'A good follow-up.' },
  { id: '4', articleSlug: 'c', author: 'Sam', text: 'Seen before it was out.' },
];

const COMMENTS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  "A reader's comment on an article."
  type Comment {
    id: ID!
    author: String!
    text: String!
    "The article commented on; null when the request may not see it."
    article: Article
  }

  "A Newsgraph article, extended with its comments."
  type Article @key(fields: "slug") {
    slug: String!
    "Comments on this article, oldest first."
    comments: [Comment!]!
  }

  type Query {
    "Every comment, newest first."
    latestComments: [Comment!]!
  }
`;

type CommentRecord = (typeof COMMENTS)[number];

const commentsSchema = buildSubgraphSchema({
  typeDefs: parse(COMMENTS_SDL),
  resolvers: {
    Query: { latestComments: () => [...COMMENTS].reverse() },
    Comment: { article: (comment: CommentRecord) => ({ __typename: 'Article', slug: comment.articleSlug }) },
    Article: {
      __resolveReference: (reference: { slug: string }) => ({ slug: reference.slug }),
      comments: (article: { slug: string }) => COMMENTS.filter((comment) => comment.articleSlug === article.slug),
    },
  },
});

/** The gateway's context: the Authorization header the client sent, if any. */
interface GatewayContext {
  readonly authorization?: string;
}

let newsgraph: RunningServer;
let comments: ApolloServer;
let gateway: ApolloServer<GatewayContext>;
let gatewayUrl: string;
let newsgraphSdl: string;

beforeAll(async () => {
  newsgraph = await startServerProcess({ CONTENT_DIR: VIEWS, PREVIEW_TOKEN, FEDERATION: 'on', WATCH: 'off' });
  comments = new ApolloServer({ schema: commentsSchema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url: commentsUrl } = await startStandaloneServer(comments, { listen: { host: '127.0.0.1', port: 0 } });
  // What a composition tool (rover, or a router's managed federation) reads from a running subgraph.
  const { body } = await post(newsgraph.origin, '{ _service { sdl } }');
  newsgraphSdl = body.data._service.sdl;
  const composed = composeServices([
    { name: 'newsgraph', typeDefs: parse(newsgraphSdl), url: `${newsgraph.origin}/graphql` },
    { name: 'comments', typeDefs: parse(COMMENTS_SDL), url: commentsUrl },
  ]);
  expect(composed.errors).toBeUndefined();
  gateway = new ApolloServer<GatewayContext>({
    gateway: new ApolloGateway({
      supergraphSdl: composed.supergraphSdl!,
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource<GatewayContext>({
          url,
          willSendRequest: ({ request, context }) => {
            if (context.authorization) request.http!.headers.set('authorization', context.authorization);
          },
        }),
    }),
  });
  ({ url: gatewayUrl } = await startStandaloneServer(gateway, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }) => (req.headers.authorization ? { authorization: req.headers.authorization } : {}),
  }));
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await comments?.stop();
  await newsgraph?.stop();
});

/** POSTs a query to the gateway, with the preview token when asked. */
async function queryGateway(query: string, preview = false): Promise<{ status: number; body: any }> {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(preview ? { authorization: `Bearer ${PREVIEW_TOKEN}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

const SPANNING = /* GraphQL */ `
  query ArticlesWithComments {
    articles(first: 2) {
      nodes { slug title provider { name } comments { author text } }
    }
    latestComments { author article { title topics { name } } }
  }
`;

describe('a supergraph of Newsgraph and a comments subgraph, through @apollo/gateway', () => {
  it('should serve the subgraph SDL that `npm run schema -- --federation` prints, and log that it does', () => {
    expect(`${newsgraphSdl}\n`).toBe(printSubgraphSdl());
    expect(newsgraph.output()).toContain('FEDERATION=on: serving the schema as an Apollo Federation v2 subgraph (_service, _entities)');
  });

  it('should answer a query that spans both subgraphs, with a draft null without the preview token', async () => {
    const { status, body } = await queryGateway(SPANNING);
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        articles: {
          nodes: [
            {
              slug: 'a',
              title: 'Alpha one',
              provider: { name: 'Alpha News' },
              comments: [
                { author: 'Ada', text: 'Clear and short.' },
                { author: 'Lin', text: 'Which robots?' },
              ],
            },
            { slug: 'b', title: 'beta two', provider: { name: 'Beta Daily' }, comments: [{ author: 'Ada', text: 'A good follow-up.' }] },
          ],
        },
        latestComments: [
          { author: 'Sam', article: null },
          { author: 'Ada', article: { title: 'beta two', topics: [{ name: 'AI' }] } },
          { author: 'Lin', article: { title: 'Alpha one', topics: [{ name: 'AI' }, { name: 'Robotics' }] } },
          { author: 'Ada', article: { title: 'Alpha one', topics: [{ name: 'AI' }, { name: 'Robotics' }] } },
        ],
      },
      // Newsgraph's `_entities` answered null for the draft, so the gateway could not complete its
      // title and nulled the comment's (nullable) article instead; it reports so here.
      extensions: {
        valueCompletion: [
          {
            message: 'Cannot return null for non-nullable field Article.title.',
            path: ['latestComments', 0, 'article', 'title'],
            extensions: { code: 'INVALID_GRAPHQL' },
          },
        ],
      },
    });
  });

  it('should pass the preview token on, so that Newsgraph resolves the draft', async () => {
    const { status, body } = await queryGateway(SPANNING, true);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.articles.nodes.map((article: any) => [article.slug, article.comments.length])).toEqual([
      ['c', 1],
      ['a', 2],
    ]);
    expect(body.data.latestComments[0]).toEqual({ author: 'Sam', article: { title: 'Draft three', topics: [{ name: 'Secret Topic' }] } });
  });
});

describe('the FEDERATION setting', () => {
  it('should be off by default, and on with FEDERATION=on or --federation', () => {
    expect(readConfig([], {}).federation).toBe(false);
    expect(readConfig([], { FEDERATION: 'on' }).federation).toBe(true);
    expect(readConfig(['--federation'], { FEDERATION: 'off' }).federation).toBe(true);
    expect(() => readConfig([], { FEDERATION: 'subgraph' })).toThrow(new ConfigError('FEDERATION must be true or false, found "subgraph"'));
  });
});
