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

builder.queryType({ description: 'The entry points of the read-only news API.' });

/** The GraphQL schema of the API: every type file registered, built once. */
export const schema: GraphQLSchema = builder.toSchema();

/** The schema as SDL, types and fields sorted: the contents of schema.graphql. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
