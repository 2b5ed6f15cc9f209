import { useGraphQlJit } from '@envelop/graphql-jit';
import { type ASTVisitor, GraphQLError, type ValidationContext } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { useCompleteErrors } from './complete-errors.js';
import type { Corpus } from './content/corpus.js';
import { authorizedView, type ContextOptions, createContext, type RequestContext } from './context.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_QUERY_LIMITS, type QueryLimits, useQueryLimits } from './limits.js';
import { schema } from './schema/index.js';

/** What the server needs: a loaded corpus and the settings that shape responses. */
export interface ServerOptions {
  readonly corpus: Corpus;
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
}

/** The Yoga server type of this API. */
export type NewsgraphServer = YogaServerInstance<Record<string, never>, RequestContext>;

/** The query GraphiQL opens with: nested data from every part of the graph. */
export const GRAPHIQL_DEFAULT_QUERY = `# Newsgraph: news articles as a graph.
# Press the run button (or Ctrl-Enter); the book icon lists every type and field.
query LatestArticles {
  articles(first: 5) {
    totalCount
    nodes {
      title
      publishedDateTime
      webUrl
      provider { name domain }
      topics { name slug }
      images { url width height }
      related {
        title
        provider { name }
        article {
          title
          provider { name }
          topics { name }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

/** Reports the DataLoader batch calls of each request in `extensions.batchCalls`. */
function useBatchCallReport(): Plugin<RequestContext> {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const context = args.contextValue as RequestContext;
          setResult({ ...result, extensions: { ...result.extensions, batchCalls: context.batchCalls } });
        },
      };
    },
  };
}

/** Refuses mutations and subscriptions as validation errors: the API is read-only. */
function useReadOnly(): Plugin {
  const readOnlyRule = (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      if (node.operation !== 'query') {
        context.reportError(
          new GraphQLError(`This API is read-only: only query operations are supported, found a ${node.operation}.`, {
            nodes: node,
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400, spec: false } },
          }),
        );
      }
    },
  });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(readOnlyRule);
    },
  };
}

/**
 * yoga parses the `variables` and `extensions` of GET and form requests with a bare JSON.parse,
 * so malformed JSON there surfaced as a masked 500; it is a client error, answered 400 as it is
 * for a malformed POST body.
 */
function useJsonParameterErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (requestParser === undefined) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw new GraphQLError(`A request parameter is not valid JSON: ${error.message}`, {
            extensions: { code: 'BAD_REQUEST', http: { status: 400, spec: false } },
          });
        }
      });
    },
  };
}

/**
 * Refuses a wrong bearer token (401) as soon as the request's parameters are read, before the
 * document is parsed or checked against the limits: a request with a bad token learns only that.
 * The context factory checks the same header again, for requests that reach it.
 */
function useAuthenticationFirst(contextOptions: ContextOptions): Plugin {
  return {
    onParams({ request }) {
      authorizedView(contextOptions, request.headers.get('authorization'));
    },
  };
}

/** Answers `GET /ready` with 200: this server exists only once its corpus is loaded. */
function useReadiness(): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/ready') endResponse(fetchAPI.Response.json({ status: 'ready' }, { status: 200 }));
    },
  };
}

/**
 * Builds the GraphQL server over a loaded corpus: GraphiQL, `/health`, `/ready`, CORS for any
 * origin, masked unexpected errors, query limits and a body cap. No disk access and no listening:
 * `main.ts` does both.
 */
export function createServer(options: ServerOptions): NewsgraphServer {
  const contextOptions = { corpus: options.corpus, previewToken: options.previewToken };
  return createYoga<Record<string, never>, RequestContext>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
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
      useReadiness(),
      useJsonParameterErrors(),
      useAuthenticationFirst(contextOptions),
      useReadOnly(),
      ...useQueryLimits(options.limits ?? DEFAULT_QUERY_LIMITS),
      ...(options.reportBatchCalls ? [useBatchCallReport()] : []),
      // Compiles each document once into a specialized function; results match graphql-js, as
      // tests/support.ts checks for every in-process test request.
      ...(options.jit === false
        ? []
        : [
            // Stored URLs are already the `href` of a parsed URL, so the URL scalar's serializer
            // (parse, then print) is the identity on them; graphql-jit may skip it.
            useGraphQlJit({ customSerializers: { URL: (value: unknown) => value } }),
            useCompleteErrors(),
          ]),
    ],
  });
}
