/**
 * An Apollo Client for Newsgraph with the cache configuration the API needs: pagination that keeps
 * every page of `nodes` and `edges`, the `Node` interface's possible types, and cache redirects.
 */
import { ApolloClient, type FieldPolicy, HttpLink, InMemoryCache, type Reference, type TypePolicies } from '@apollo/client';
import possibleTypesResult from '../gql/possible-types.js';

/** A page of a Newsgraph connection as Apollo's cache holds it (nodes and edges hold references). */
interface CachedConnection {
  readonly nodes?: readonly unknown[];
  readonly edges?: readonly unknown[];
  readonly pageInfo?: CachedPageInfo;
  readonly [field: string]: unknown;
}

interface CachedPageInfo {
  readonly hasNextPage?: boolean;
  readonly hasPreviousPage?: boolean;
  readonly startCursor?: string | null;
  readonly endCursor?: string | null;
}

/**
 * A field policy for a Newsgraph connection, cached once per value of `keyArgs`: a page fetched with
 * `after` is appended to the cached `nodes` and `edges` (whichever the query selects), one fetched
 * with `before` is prepended, and a page with neither replaces what was cached. (Apollo's own
 * `relayStylePagination` merges `edges` only, so a query that pages through `nodes` loses page 1.)
 */
function connectionPagination(keyArgs: string[]): FieldPolicy<CachedConnection> {
  return {
    keyArgs,
    merge(existing, incoming, { args }) {
      const direction = args?.after != null ? 'after' : args?.before != null ? 'before' : null;
      if (existing === undefined || direction === null) return incoming;
      const join = (cached: readonly unknown[] | undefined, page: readonly unknown[] | undefined) => {
        if (page === undefined || cached === undefined) return page ?? cached;
        return direction === 'after' ? [...cached, ...page] : [...page, ...cached];
      };
      const first = direction === 'after' ? existing.pageInfo : incoming.pageInfo;
      const last = direction === 'after' ? incoming.pageInfo : existing.pageInfo;
      return {
        ...existing,
        ...incoming,
        nodes: join(existing.nodes, incoming.nodes),
        edges: join(existing.edges, incoming.edges),
        pageInfo: {
          ...existing.pageInfo,
          ...incoming.pageInfo,
          hasPreviousPage: first?.hasPreviousPage,
          startCursor: first?.startCursor,
          hasNextPage: last?.hasNextPage,
          endCursor: last?.endCursor,
        },
      };
    },
  };
}

/** The arguments that select an article list (the page arguments do not). */
const ARTICLE_LIST_KEYS = ['filter', 'orderBy'];

/** Newsgraph's type policies for Apollo's InMemoryCache. */
const NEWSGRAPH_TYPE_POLICIES: TypePolicies = {
  Query: {
    fields: {
      articles: connectionPagination(ARTICLE_LIST_KEYS),
      search: connectionPagination(['query', 'filter']),
      topics: connectionPagination([]),
      providers: connectionPagination([]),
      stories: connectionPagination(['minArticles']),
      // `article(id:)` reads an article already in the cache; Apollo fetches it when a field is missing.
      article: {
        read(existing: Reference | undefined, { args, toReference }) {
          if (existing !== undefined || typeof args?.id !== 'string') return existing;
          return toReference({ __typename: 'Article', id: args.id });
        },
      },
    },
  },
  Article: { fields: { relatedFrom: connectionPagination(ARTICLE_LIST_KEYS) } },
  Topic: { fields: { articles: connectionPagination(ARTICLE_LIST_KEYS) } },
  Provider: { fields: { articles: connectionPagination(ARTICLE_LIST_KEYS) } },
  Story: { fields: { articles: connectionPagination(ARTICLE_LIST_KEYS) } },
  // Value objects without identity, replaced whole by each response of the same list.
  ArticleFacets: { merge: true },
  PageInfo: { merge: true },
};

/** Options of `createNewsgraphApolloClient`. */
export interface NewsgraphApolloOptions {
  /** The fetch to send requests with (default: the global fetch). */
  readonly fetch?: typeof fetch;
  /** Newsgraph's preview token, to see drafts (server-side use only: never ship it to a browser). */
  readonly previewToken?: string;
}

/** An Apollo Client for the Newsgraph endpoint at `uri` (`https://…/graphql`), its cache configured for the API. */
export function createNewsgraphApolloClient(uri: string, options: NewsgraphApolloOptions = {}): ApolloClient {
  return new ApolloClient({
    cache: new InMemoryCache({ possibleTypes: possibleTypesResult.possibleTypes, typePolicies: NEWSGRAPH_TYPE_POLICIES }),
    link: new HttpLink({
      uri,
      fetch: options.fetch,
      // Public queries go as GET, so browsers and CDNs can cache them (Newsgraph sends ETag and Cache-Control).
      useGETForQueries: true,
      headers: options.previewToken === undefined ? {} : { authorization: `Bearer ${options.previewToken}` },
    }),
  });
}
