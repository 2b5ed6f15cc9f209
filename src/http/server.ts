import type { RequestListener } from 'node:http';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { type GraphQLSchema, getOperationAST } from 'graphql';
import { createYoga, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import { SearchIndex } from '../content/search.js';
import { type CorpusSource, createContext, type RequestContext } from '../context.js';
import type { Logger } from '../log.js';
import { schema } from '../schema/index.js';
import { GRAPHIQL_DEFAULT_QUERY } from './graphiql.js';
import { DEFAULT_RESPONSE_CACHE_BYTES, type HttpCacheOptions, useHttpCache } from './http-cache.js';
import { useJitErrorLocations } from './jit-error-locations.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SUBSCRIPTIONS,
  DEFAULT_QUERY_LIMITS,
  type QueryLimits,
  useBodySizeLimit,
  useQueryLimits,
} from './limits.js';
import type { Metrics } from './metrics.js';
import { DOCUMENT_ID_PARAMETER, type PersistedDocumentsOptions, usePersistedDocuments } from './persisted-documents.js';
import {
  useAuthenticationFirst,
  useBatchCallReport,
  useErrorCodes,
  useJsonParameterErrors,
  useReadOnly,
  useSubscriptionLimit,
  useVariableErrors,
} from './plugins.js';
import { useResultCache } from './response-cache.js';
import { storedAnswers } from './stored-responses.js';

/** What the server needs: a loaded or live corpus and the settings that shape responses. */
export interface ServerOptions {
  readonly corpus: CorpusSource;
  /** Bearer token that unlocks drafts; null disables preview. */
  readonly previewToken: string | null;
  /** Limits on each operation; default DEFAULT_QUERY_LIMITS. */
  readonly limits?: QueryLimits;
  /** Largest request body in bytes, answered 413 beyond; default 100 KB. */
  readonly maxBodyBytes?: number;
  /** Add `extensions.batchCalls` (DataLoader batch calls of the request) to every response. */
  readonly reportBatchCalls?: boolean;
  /** Execute through graphql-jit (each document compiled once); default true. */
  readonly jit?: boolean;
  /** The most subscriptions open at once; default DEFAULT_MAX_SUBSCRIPTIONS. */
  readonly maxSubscriptions?: number;
  /** The full-text index of the corpus; default one kept in memory, built when first searched. */
  readonly search?: SearchIndex;
  /** Prometheus metrics: serves `/metrics` and records every request; default none. */
  readonly metrics?: Metrics;
  /** Where the causes of masked "Unexpected error." responses are logged; default nowhere. */
  readonly log?: Logger;
  /** Cache-Control of public GET responses; default DEFAULT_HTTP_CACHE. */
  readonly httpCache?: HttpCacheOptions;
  /** Bound of the server-side response cache in bytes, 0 for none; default DEFAULT_RESPONSE_CACHE_BYTES. */
  readonly responseCacheBytes?: number;
  /** Automatic persisted queries and trusted documents; default automatic persisted queries only. */
  readonly persistedDocuments?: PersistedDocumentsOptions;
  /** The schema to serve: default the standalone API; `subgraphSchema()` (FEDERATION=on) for its Apollo Federation subgraph. */
  readonly schema?: GraphQLSchema;
}

/** Automatic persisted queries on, no trusted documents. */
const AUTOMATIC_PERSISTED_QUERIES: PersistedDocumentsOptions = { automatic: true, trusted: null, trustedOnly: false };

/** yoga's logger writing to ours: errors (with the cause of each masked error) and warnings; yoga's debug and info lines are dropped. */
function yogaLogger(log: Logger): YogaLogger {
  const line = (parts: unknown[]): string =>
    parts.map((part) => (part instanceof Error ? (part.stack ?? part.message) : String(part))).join(' ');
  return { debug: () => {}, info: () => {}, warn: (...parts) => log.warn(line(parts)), error: (...parts) => log.error(line(parts)) };
}

/** The Yoga server type of this API. */
export type NewsgraphServer = YogaServerInstance<Record<string, never>, RequestContext>;

/**
 * Builds the GraphQL server over a loaded or live corpus: `/graphql` with GraphiQL, CORS for any
 * origin, masked unexpected errors, query limits, a body cap, and subscriptions over SSE. No disk access and no listening:
 * `listener.ts` listens, answers `/health` and `/ready`, and hands every other request to it.
 */
export function createServer(options: ServerOptions): NewsgraphServer {
  const search = options.search ?? new SearchIndex('current' in options.corpus ? options.corpus : { current: options.corpus });
  const contextOptions = { corpus: options.corpus, previewToken: options.previewToken, search };
  const responseCacheBytes = options.responseCacheBytes ?? DEFAULT_RESPONSE_CACHE_BYTES;
  const stored = responseCacheBytes > 0 ? storedAnswers(options.corpus, responseCacheBytes, options.metrics) : null;
  const server = createYoga<Record<string, never>, RequestContext>({
    schema: options.schema ?? schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    context: ({ request }) => createContext(contextOptions, request.headers.get('authorization')),
    graphiql: { title: 'Newsgraph', defaultQuery: GRAPHIQL_DEFAULT_QUERY },
    // GraphiQL's code is served by this server, not fetched from a CDN: it works offline. Its 9 MB
    // bundle is loaded on the first browser visit, not at start.
    renderGraphiQL: async (graphiqlOptions) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions),
    maskedErrors: { isDev: false },
    cors: { origin: '*', credentials: false, methods: ['GET', 'POST', 'OPTIONS'] },
    logging: options.log === undefined ? false : yogaLogger(options.log),
    // useBodySizeLimit, last of the plugins below, caps request bodies instead.
    maxRequestBodySize: false,
    batching: false,
    // A persisted document may be named by `documentId` (the GraphQL over HTTP proposal, graphql-codegen).
    extraParamNames: [DOCUMENT_ID_PARAMETER],
    // No file uploads: the API is read-only.
    multipart: false,
    plugins: [
      // First, so that it times whole requests and sees every response.
      ...(options.metrics ? [options.metrics.plugin()] : []),
      useJsonParameterErrors(),
      useAuthenticationFirst(contextOptions),
      // Completes a request sent by hash before anything reads its document.
      ...usePersistedDocuments(options.persistedDocuments ?? AUTOMATIC_PERSISTED_QUERIES),
      useHttpCache(options.corpus, options.httpCache),
      useReadOnly(),
      useSubscriptionLimit(options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS),
      ...useQueryLimits(options.limits ?? DEFAULT_QUERY_LIMITS),
      ...(options.reportBatchCalls ? [useBatchCallReport()] : []),
      // Compiles each document once into a specialized function; results match graphql-js, as
      // tests/support.ts checks for every in-process test request.
      ...(options.jit === false
        ? []
        : [
            // Stored URLs are already the `href` of a parsed URL, so the URL scalar's serializer
            // (parse, then print) is the identity on them; graphql-jit may skip it.
            useGraphQlJit(
              { customSerializers: { URL: (value: unknown) => value } },
              // graphql-jit 0.8 hands a subscription's `subscribe` the operation's variables instead of
              // the field's arguments, so subscriptions run on graphql-js; each event is small.
              { enableIf: (args) => getOperationAST(args.document, args.operationName)?.operation !== 'subscription' },
            ),
            useJitErrorLocations(),
          ]),
      useVariableErrors(),
      useErrorCodes(),
      // After graphql-jit, which would otherwise replace the executor that fills the cache.
      ...(responseCacheBytes > 0
        ? useResultCache(options.corpus, responseCacheBytes, (outcome) => options.metrics?.countResponseCache(outcome))
        : []),
      ...(stored === null ? [] : [stored.plugin]),
      useBodySizeLimit(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
    ],
  });
  listeners.set(server, stored === null ? server : stored.listener(server));
  return server;
}

const listeners = new WeakMap<NewsgraphServer, RequestListener>();

/**
 * The node:http request listener of a server made by createServer: the server itself, behind the
 * stored answers of public GET requests (stored-responses.ts) when its response cache is on.
 */
export function requestListenerOf(server: NewsgraphServer): RequestListener {
  return listeners.get(server) ?? server;
}
