/**
 * The server-side cache of executed results (@graphql-yoga/plugin-response-cache): public requests
 * only, keyed by corpus version, document, operation name and variables, bounded in bytes, and
 * emptied when a new corpus version is published.
 */
import { type Cache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { type CorpusSource, currentCorpus } from '../context.js';
import { DEFAULT_RESPONSE_CACHE_BYTES, isPublicRequest, publicResultKey } from './http-cache.js';

/** Where the plugin marks a result it answered from the cache. */
const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');

/** Hears each public request's cache lookup. */
export type CacheLookupListener = (outcome: 'hit' | 'miss') => void;

/** A byte-bounded LRU store of results; each entry's size is the length of its JSON. */
function createResultStore(maxBytes: number): Cache & { clear(): void } {
  const entries = new LRUCache<string, ExecutionResult>({
    maxSize: maxBytes,
    sizeCalculation: (result) => JSON.stringify(result).length || 1,
  });
  return {
    get: (key) => entries.get(key),
    set: (key, result) => {
      entries.set(key, result);
    },
    // Entries are keyed by corpus version and the API has no mutations: nothing is invalidated by entity.
    invalidate: () => {},
    clear: () => entries.clear(),
  };
}

/**
 * The response-cache plugins: yoga's plugin over a byte-bounded store, enabled only for requests
 * without an Authorization header (so a preview result is never stored nor served), with every
 * entry dropped when the corpus publishes a new version. `onLookup` hears a hit or a miss for each
 * public request that is looked up.
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
  const cache = useResponseCache({
    cache: store,
    session: () => null,
    enabled: (request) => isPublicRequest(request),
    // The key of the request's parameters, which persisted documents have already completed.
    buildResponseCacheKey: ({ documentString, operationName, variableValues }) =>
      publicResultKey(currentCorpus(source).version, { query: documentString, operationName, variables: variableValues }) ?? '',
    includeExtensionMetadata: false,
  });
  const lookups: Plugin = {
    onResultProcess({ request, result }) {
      if (onLookup === undefined || !isPublicRequest(request) || Array.isArray(result) || Symbol.asyncIterator in result) return;
      onLookup((result as Record<symbol, unknown>)[SERVED_FROM_CACHE] === true ? 'hit' : 'miss');
    },
    onDispose: unsubscribe,
  };
  return [cache, lookups];
}
