/**
 * The server-side cache of executed results (@graphql-yoga/plugin-response-cache): public GET
 * requests only, keyed by corpus version, document, operation name and variables, bounded in bytes,
 * and emptied when a new corpus version is published.
 */
import { createHash } from 'node:crypto';
import { type Cache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { type CorpusSource, currentCorpus } from '../context.js';
import { DEFAULT_RESPONSE_CACHE_BYTES, isPublicRequest } from './http-cache.js';

/** Where the plugin marks a result it answered from the cache. */
const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');

/** Hears each public GET request's cache lookup. */
export type CacheLookupListener = (outcome: 'hit' | 'miss') => void;

/**
 * A cached result: the result, and its JSON already encoded as UTF-8. yoga sends whatever a result's
 * `stringify` returns as the response body (`new Response(body)`, which takes bytes as well as
 * text), so a hit is neither serialized, measured nor encoded again: for a 25 KB list that is most
 * of what a hit costs.
 */
type SerializedResult = ExecutionResult & { readonly json: Buffer; readonly stringify: () => string };

/**
 * A byte-bounded LRU store of results, each kept with its encoded JSON (whose length is its size).
 * The result being stored is the one about to be sent: it is given the same `stringify`, so it is
 * serialized once, not twice. The plugin's `extensions.http` (its own ETag and Last-Modified headers)
 * is neither kept nor sent as JSON (yoga never sends it): http-cache.ts sets the validators.
 */
function createResultStore(maxBytes: number): Cache & { clear(): void } {
  const entries = new LRUCache<string, SerializedResult>({ maxSize: maxBytes, sizeCalculation: (result) => result.json.length || 1 });
  return {
    get: (key) => entries.get(key),
    set: (key, sent) => {
      const { http: _headers, ...kept } = sent.extensions ?? {};
      const { data, errors } = sent;
      const result: ExecutionResult = {
        data,
        ...(errors ? { errors } : {}),
        ...(Object.keys(kept).length > 0 ? { extensions: kept } : {}),
      };
      const json = Buffer.from(JSON.stringify(result));
      const stringify = () => json as unknown as string;
      Object.assign(sent, { stringify, json });
      entries.set(key, { ...result, json, stringify });
    },
    // Entries are keyed by corpus version and the API has no mutations: nothing is invalidated by entity.
    invalidate: () => {},
    clear: () => entries.clear(),
  };
}

/**
 * The encoded JSON a result will be sent as, when the response cache answered it or has just
 * stored it (a hit is a copy of the stored result, with its properties); undefined otherwise.
 */
export function storedJsonOf(result: unknown): Buffer | undefined {
  const json = (result as Partial<SerializedResult> | null)?.json;
  return json instanceof Buffer ? json : undefined;
}

/** How many distinct requests are remembered as seen once, so that their second sighting is stored. */
const REMEMBERED_SIGHTINGS = 10_000;

/**
 * The response-cache plugins: yoga's plugin over a byte-bounded store, for GET requests without an
 * Authorization header (so a preview result is never stored nor served), with every entry dropped
 * when the corpus publishes a new version. A request is looked up and stored from the second time
 * it is seen (as nginx's `proxy_cache_min_uses 2`): storing costs the plugin a walk over the whole
 * result, nearly twice the cost of executing a list, which a request made once would pay for
 * nothing. `onLookup` hears a hit or a miss for each request looked up.
 */
export function useResultCache(source: CorpusSource, maxBytes = DEFAULT_RESPONSE_CACHE_BYTES, onLookup?: CacheLookupListener): Plugin[] {
  const store = createResultStore(maxBytes);
  const unsubscribe =
    'subscribe' in source
      ? source.subscribe(
          () => store.clear(),
          () => store.clear(),
        )
      : () => {};
  const seen = new LRUCache<string, true>({ max: REMEMBERED_SIGHTINGS });
  const repeated = new WeakSet<Request>();
  const cache = useResponseCache({
    cache: store,
    session: () => null,
    enabled: (request) => repeated.has(request),
    // The key of a public GET's parameters, which persisted documents have already completed: a hash
    // of the corpus version, the document, the operation name and the variables. A request seen
    // before becomes `repeated`. Other requests are never looked up, so their key is not computed.
    buildResponseCacheKey: ({ request, documentString, operationName, variableValues }) => {
      if (request.method !== 'GET' || !isPublicRequest(request) || documentString === '') return '';
      const key = createHash('sha256')
        .update(JSON.stringify([currentCorpus(source).version, documentString, operationName ?? null, variableValues ?? null]))
        .digest('base64url');
      if (seen.has(key)) repeated.add(request);
      else seen.set(key, true);
      return key;
    },
    includeExtensionMetadata: false,
  });
  const lookups: Plugin = {
    onResultProcess({ request, result }) {
      if (onLookup === undefined || !repeated.has(request) || Array.isArray(result) || Symbol.asyncIterator in result) return;
      onLookup((result as Record<symbol, unknown>)[SERVED_FROM_CACHE] === true ? 'hit' : 'miss');
    },
    onDispose: unsubscribe,
  };
  return [cache, lookups];
}
