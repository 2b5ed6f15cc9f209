import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  getOperationAST,
  isCompositeType,
  isListType,
} from 'graphql';
// The package's ES module build imports 'graphql/index.mjs', a second copy of graphql beside the
// CommonJS one that Node gives every other package; its CommonJS build shares that one.
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity/cjs';
import type { FetchAPI, Plugin } from 'graphql-yoga';
import type { CorpusView } from '../content/view.js';
import type { RequestContext } from '../context.js';
import { badRequest, bodyTooLarge, validationFailed } from '../errors.js';
import { DEFAULT_PAGE_SIZE, MAX_CHANGES_PER_EVENT, MAX_PAGE_SIZE } from '../schema/connection.js';

/** What a single request may ask for; each limit is checked before any resolver runs. */
export interface QueryLimits {
  /** Lexical tokens in the document (graphql-armor max-tokens). */
  readonly maxTokens: number;
  /** Nesting depth of fields (graphql-armor max-depth; introspection excluded). */
  readonly maxDepth: number;
  /** Aliased fields in the operation (graphql-armor max-aliases). */
  readonly maxAliases: number;
  /** Directives in the operation (graphql-armor max-directives). */
  readonly maxDirectives: number;
  /** The most objects a response may hold, by the cost model below. */
  readonly maxCost: number;
}

/**
 * Defaults from graphql-armor's (1,000 tokens, 15 aliases, 50 directives), with two changes:
 * depth 10 instead of 6, because a Relay connection spends two levels on `edges { node }`; and
 * cost 20,000 objects instead of 5,000, because the real corpus has related lists of up to 62
 * entries, so the typical nested list page (20 articles with provider, topics, images and
 * related -> article) can hold about 10,000 objects.
 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxTokens: 1000,
  maxDepth: 10,
  maxAliases: 15,
  maxDirectives: 50,
  maxCost: 20_000,
};

/** How many variable sets of one document have their cost remembered. */
const COST_CACHE_VARIANTS = 256;

/** How many subscriptions a server holds open at once unless told otherwise (MAX_SUBSCRIPTIONS). */
export const DEFAULT_MAX_SUBSCRIPTIONS = 1_000;

/** The default request body cap: 100 KB, far above any real query, answered 413 beyond. */
export const DEFAULT_MAX_BODY_BYTES = 100_000;

/** The request with its body counted as it streams in: an error (413) once it passes `maxBytes`. */
function withCountedBody(request: Request, maxBytes: number, fetchAPI: FetchAPI): Request {
  const body = request.body;
  if (body === null) return request;
  // A native stream (in-process requests) takes the native transform; node's requests, the ponyfill's (graphql-yoga#4583).
  const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let bytes = 0;
  const counted = body.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        if (bytes > maxBytes) controller.error(bodyTooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: counted,
    duplex: 'half',
  } as RequestInit);
}

/** The only valid Content-Length: one non-negative integer (not a list, as in request smuggling). */
const CONTENT_LENGTH = /^\d+$/;

/**
 * The request body cap, answered 413: yoga's `maxRequestBodySize` (which the server turns off), with
 * one change. A body that declares its Content-Length is judged by that header alone, since node's
 * HTTP parser delivers no more bytes than declared (and refuses a request that also says chunked);
 * only a body without one is counted as it streams in. yoga counts every body through a stream
 * transform, which cost a fifth of the CPU of a hot-list POST. Must come after every plugin that
 * sets a request parser, so that it wraps the one chosen.
 */
export function useBodySizeLimit(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        if (!CONTENT_LENGTH.test(declared)) throw badRequest('Content-Length header is invalid.');
        if (Number(declared) > maxBytes) throw bodyTooLarge();
        return;
      }
      if (requestParser === undefined || request.body === null) return;
      setRequestParser((parsed) => requestParser(withCountedBody(parsed, maxBytes, fetchAPI)));
    },
  };
}

/**
 * graphql-armor throws its rejections out of the validator (HTTP 200 with an odd "Syntax Error"
 * prefix) unless propagation is off; this reports each one as an ordinary validation error.
 */
const reportRejection: GraphQLArmorRejectCallback = (context, error) => {
  const rejection = validationFailed(`${error.message.replace(/^Syntax Error: /, '')} See the limits in docs/operations.md.`);
  if (context === null) throw rejection; // The token limit runs in the parser, with no validation context.
  context.reportError(rejection);
};

/**
 * The token limit rejects from the parser, and yoga's own parse hook, which runs after this one,
 * marks every parse error `spec` (answered 200 under legacy `application/json`). A refused query is
 * answered 400 whatever the Accept header, as for the other limits (errors.ts: validationFailed), so
 * this pins the mark: yoga's `spec ||= true` then writes into a setter that keeps it false.
 */
function useTokenLimitStatus(): Plugin<RequestContext> {
  return {
    onParse() {
      return ({ result }) => {
        if (!(result instanceof GraphQLError) || result.extensions.code !== 'GRAPHQL_VALIDATION_FAILED') return;
        const http = result.extensions.http;
        if (typeof http === 'object' && http !== null)
          Object.defineProperty(http, 'spec', { get: () => false, set: () => {}, enumerable: true });
      };
    },
  };
}

/** graphql-armor's tokens, depth, aliases and directives limits, rejecting with HTTP 400. */
function useArmor(limits: QueryLimits): Plugin {
  const callbacks = { propagateOnRejection: false, onReject: [reportRejection], exposeLimits: true };
  const armor = EnvelopArmorPlugin({
    maxTokens: { n: limits.maxTokens, ...callbacks },
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...callbacks },
    maxAliases: { n: limits.maxAliases, allowList: [], ...callbacks },
    maxDirectives: { n: limits.maxDirectives, ...callbacks },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  });
  return armor as Plugin;
}

/** The longest list a view can return for each list field of objects, for the cost model. */
function listSizes(view: CorpusView): ReadonlyMap<string, number> {
  const { maxima } = view;
  return new Map([
    ['Article.related', maxima.related],
    ['Article.topics', maxima.topics],
    ['Article.images', maxima.images],
    ['RelatedArticle.images', maxima.relatedImages],
    ['Provider.images', maxima.providerImages],
    ['ArticleChanges.added', MAX_CHANGES_PER_EVENT],
    ['ArticleChanges.updated', MAX_CHANGES_PER_EVENT],
    ['ArticleChanges.removed', MAX_CHANGES_PER_EVENT],
  ]);
}

/** The page size a connection field can return, from `first`/`last` however they were given. */
function pageSize(args: Record<string, unknown>): number {
  const first = typeof args.first === 'number' ? args.first : null;
  const last = typeof args.last === 'number' ? args.last : null;
  const size = first !== null && last !== null ? Math.min(first, last) : (first ?? last ?? DEFAULT_PAGE_SIZE);
  return Math.max(0, Math.min(size, MAX_PAGE_SIZE));
}

/**
 * The cost of a field is the most objects it can return: 1 for an object, times the page size for
 * a connection (from `first`/`last` whether literal, from a variable or defaulted), times `first`
 * for a list field that takes it (facet values, `similar`, `externalCoverage`), times the longest
 * list in the corpus for any other list field (`related`, `topics`, `images`), times the number of
 * ids for `nodes`, and of representations for the federation subgraph's `_entities`. Scalars cost
 * nothing; the token limit bounds how many a document can select.
 */
function createCostEstimator(sizes: ReadonlyMap<string, number>): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    const objects = isCompositeType(getNamedType(field.type)) ? 1 : 0;
    if (field.args.some((arg) => arg.name === 'first') && getNamedType(field.type).name.endsWith('Connection')) {
      return objects + pageSize(args) * childComplexity;
    }
    if (isListType(getNullableType(field.type))) {
      if (type.name.endsWith('Connection')) return objects + childComplexity; // edges/nodes: the connection multiplies.
      const size =
        field.name === 'nodes' && Array.isArray(args.ids)
          ? args.ids.length
          : field.name === '_entities' && Array.isArray(args.representations)
            ? args.representations.length
            : field.args.some((arg) => arg.name === 'first')
              ? pageSize(args)
              : (sizes.get(`${type.name}.${field.name}`) ?? 1);
      return size * (objects + childComplexity);
    }
    return objects + childComplexity;
  };
}

/** The cost of an operation against a view. Throws a GraphQLError for invalid variables. */
function operationCost(
  schema: GraphQLSchema,
  view: CorpusView,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName?: string,
): number {
  return getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    ...(operationName ? { operationName } : {}),
    estimators: [createCostEstimator(listSizes(view))],
  });
}

/**
 * Refuses an operation whose cost exceeds the limit before execution (HTTP 400,
 * GRAPHQL_VALIDATION_FAILED), and reports `extensions.cost: { value, limit }` on every executed
 * response so clients can see how close they are.
 */
function useCostLimit(limits: QueryLimits): Plugin<RequestContext> {
  // yoga hands the same DocumentNode to every request with the same query text, so costs are
  // remembered per view (whose longest lists the cost counts), document, operation and values of the
  // variables the operation declares (a few hundred variants per document at most); variables it
  // does not declare change nothing.
  const costs = new WeakMap<CorpusView, WeakMap<DocumentNode, Map<string, number>>>();
  const costOf = (
    args: { schema: GraphQLSchema; document: DocumentNode; variableValues?: unknown; operationName?: string | null },
    view: CorpusView,
  ) => {
    const variables = (args.variableValues ?? undefined) as Record<string, unknown> | undefined;
    const declared = getOperationAST(args.document, args.operationName)?.variableDefinitions ?? [];
    // `[value]` for a variable given (null included), `[]` for one left out (its default applies).
    const given = declared.map(({ variable }) =>
      variables !== undefined && variable.name.value in variables ? [variables[variable.name.value]] : [],
    );
    const key = `${args.operationName ?? ''}:${JSON.stringify(given)}`;
    let byDocument = costs.get(view);
    if (byDocument === undefined) {
      byDocument = new WeakMap();
      costs.set(view, byDocument);
    }
    let known = byDocument.get(args.document);
    if (known === undefined) {
      known = new Map();
      byDocument.set(args.document, known);
    }
    let cost = known.get(key);
    if (cost === undefined) {
      cost = operationCost(args.schema, view, args.document, variables, args.operationName ?? undefined);
      if (known.size >= COST_CACHE_VARIANTS) known.clear();
      known.set(key, cost);
    }
    return cost;
  };
  /** The operation's cost, or null after refusing it (over the limit) or when execution reports its variables. */
  const check = (
    args: Parameters<typeof costOf>[0] & { contextValue: unknown },
    refuse: (result: ExecutionResult) => void,
  ): number | null => {
    let cost: number;
    try {
      cost = costOf(args, (args.contextValue as RequestContext).view);
    } catch (error) {
      if (error instanceof GraphQLError) return null; // Invalid variables: execution reports them precisely.
      throw error; // Fail closed: an operation whose cost is unknown does not run.
    }
    if (cost <= limits.maxCost) return cost;
    refuse({
      errors: [
        validationFailed(
          `Query cost limit of ${limits.maxCost} exceeded, found ${cost}. ` +
            'The cost is the most objects the response can hold: ask for smaller pages (first/last) or fewer nested lists. ' +
            'See the limits in docs/operations.md.',
        ),
      ],
      extensions: { cost: { value: cost, limit: limits.maxCost } },
    });
    return null;
  };
  return {
    // A subscription's cost is that of one event: each is resolved as a query of its own.
    onSubscribe({ args, setResultAndStopExecution }) {
      check(args, setResultAndStopExecution);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const cost = check(args, setResultAndStopExecution);
      if (cost === null) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, cost: { value: cost, limit: limits.maxCost } } });
        },
      };
    },
  };
}

/** Every query limit as yoga plugins: armor's during parse and validation, then the cost limit. */
export function useQueryLimits(limits: QueryLimits): Plugin<RequestContext>[] {
  return [useArmor(limits) as Plugin<RequestContext>, useTokenLimitStatus(), useCostLimit(limits)];
}
