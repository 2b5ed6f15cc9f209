import { useGraphQlJit } from '@envelop/graphql-jit';
import { getOperationAST } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { SearchIndex } from '../content/search.js';
import { type CorpusSource, createContext, type RequestContext } from '../context.js';
import { schema } from '../schema/index.js';
import { GRAPHIQL_DEFAULT_QUERY } from './graphiql.js';
import { useJitErrorLocations } from './jit-error-locations.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_SUBSCRIPTIONS, DEFAULT_QUERY_LIMITS, type QueryLimits, useQueryLimits } from './limits.js';
import { useAuthenticationFirst, useBatchCallReport, useJsonParameterErrors, useReadOnly, useSubscriptionLimit } from './plugins.js';

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
  return createYoga<Record<string, never>, RequestContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    context: ({ request }) => createContext(contextOptions, request.headers.get('authorization')),
    graphiql: { title: 'Newsgraph', defaultQuery: GRAPHIQL_DEFAULT_QUERY },
    // GraphiQL's code is served by this server, not fetched from a CDN: it works offline. Its 9 MB
    // bundle is loaded on the first browser visit, not at start.
    renderGraphiQL: async (graphiqlOptions) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions),
    maskedErrors: { isDev: false },
    cors: { origin: '*', credentials: false, methods: ['GET', 'POST', 'OPTIONS'] },
    logging: false,
    maxRequestBodySize: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    batching: false,
    // No file uploads: the API is read-only.
    multipart: false,
    plugins: [
      useJsonParameterErrors(),
      useAuthenticationFirst(contextOptions),
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
    ],
  });
}
