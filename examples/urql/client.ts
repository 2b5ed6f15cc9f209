/**
 * An urql client for Newsgraph with Graphcache, the normalized cache: relay pagination over `nodes`
 * and `edges`, the schema (so a missing field is told apart from an empty one), and keys for the
 * value types that have no identity of their own.
 */
import { Client, fetchExchange } from '@urql/core';
import { cacheExchange, type KeyingConfig } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { persistedExchange } from '@urql/exchange-persisted';
import schema from '../gql/introspection.js';

/** Object types without an `id` (connections, edges, facets, hits): Graphcache embeds them in their parent. */
const EMBEDDED: KeyingConfig = Object.fromEntries(
  schema.__schema.types
    .filter(
      (type) =>
        type.kind === 'OBJECT' && !['Query', 'Subscription'].includes(type.name) && !type.fields.some((field) => field.name === 'id'),
    )
    .map((type) => [type.name, () => null]),
);

/** Options of `createNewsgraphUrqlClient`. */
export interface NewsgraphUrqlOptions {
  /** The fetch to send requests with (default: the global fetch). */
  readonly fetch?: typeof fetch;
  /**
   * Send each operation by the hash graphql-codegen gave it (`__meta__.hash`) and never its text, for
   * a server that trusts only the manifest codegen wrote (`PERSISTED_DOCUMENTS_ONLY`).
   */
  readonly trustedDocuments?: boolean;
}

/** The hash graphql-codegen's client preset put on a document, without its `sha256:` prefix. */
async function codegenHash(_query: string, document: object): Promise<string | null> {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  return hash?.replace(/^sha256:/, '') ?? null;
}

/** An urql client for the Newsgraph endpoint at `url` (`https://…/graphql`), with Graphcache configured for the API. */
export function createNewsgraphUrqlClient(url: string, options: NewsgraphUrqlOptions = {}): Client {
  return new Client({
    url,
    fetch: options.fetch,
    // Public queries go as GET, so browsers and CDNs can cache them (Newsgraph sends ETag and Cache-Control).
    preferGetMethod: 'within-url-limit',
    exchanges: [
      cacheExchange({
        schema,
        keys: EMBEDDED,
        resolvers: {
          Query: { articles: relayPagination(), search: relayPagination(), topics: relayPagination() },
          Topic: { articles: relayPagination() },
          Provider: { articles: relayPagination() },
          Story: { articles: relayPagination() },
          Article: { relatedFrom: relayPagination() },
        },
      }),
      ...(options.trustedDocuments
        ? [persistedExchange({ enforcePersistedQueries: true, preferGetForPersistedQueries: true, generateHash: codegenHash })]
        : []),
      fetchExchange,
    ],
  });
}
