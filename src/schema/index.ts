import { printSubgraphSchema } from '@apollo/subgraph';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import './image.js';
import './heading.js';
import './article.js';
import './related.js';
import './provider.js';
import './topic.js';
import './facet.js';
import './story.js';
import './search.js';
import './content-health.js';
import './article-changes.js';
import { toSubgraphSchema } from './federation.js';

builder.queryType({ description: 'The entry points of the read-only news API.' });

/** The GraphQL schema of the API: every type file registered, built once. */
export const schema: GraphQLSchema = builder.toSchema();

/** The schema as SDL, types and fields sorted: the contents of schema.graphql. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

let subgraph: GraphQLSchema | undefined;

/**
 * The API as an Apollo Federation v2 subgraph (federation.ts): the same types and resolvers, with
 * entity keys, `_entities` and `_service`. Built and checked on first use, from a build of its own.
 */
export function subgraphSchema(): GraphQLSchema {
  subgraph ??= toSubgraphSchema(builder.toSchema());
  return subgraph;
}

/** The subgraph schema as SDL, as `_service { sdl }` serves it: what a supergraph is composed from. */
export function printSubgraphSdl(): string {
  return `${printSubgraphSchema(subgraphSchema())}\n`;
}
