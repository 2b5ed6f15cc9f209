import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Corpus } from './content/corpus.js';
import { createContext, type RequestContext } from './context.js';
import { schema } from './schema/index.js';

/** What the server needs: a loaded corpus and the settings that shape responses. */
export interface ServerOptions {
  readonly corpus: Corpus;
  /** Bearer token that unlocks drafts; null disables preview. */
  readonly previewToken: string | null;
  /** Add `extensions.batchCalls` (DataLoader batch calls of the request) to every response. */
  readonly reportBatchCalls?: boolean;
}

/** The Yoga server type of this API. */
export type NewsgraphServer = YogaServerInstance<Record<string, never>, RequestContext>;

/** The query GraphiQL opens with: nested data from every part of the graph. */
export const GRAPHIQL_DEFAULT_QUERY = `# Newsgraph: news articles as a graph. Press the run button (or Ctrl-Enter).
# Docs: the book icon on the left lists every type and field.
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
 * origin, masked unexpected errors. No disk access and no listening: `main.ts` does both.
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
    // GraphiQL's code is served by this server, not fetched from a CDN: it works offline.
    renderGraphiQL,
    maskedErrors: { isDev: false },
    cors: { origin: '*', credentials: false, methods: ['GET', 'POST', 'OPTIONS'] },
    logging: false,
    plugins: [useReadiness(), ...(options.reportBatchCalls ? [useBatchCallReport()] : [])],
  });
}
