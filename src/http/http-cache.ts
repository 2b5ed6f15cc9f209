/**
 * HTTP caching of public GET responses: an `ETag` from the corpus version and the request,
 * `Cache-Control` and `Vary`, and 304 Not Modified for a current tag, answered before the document
 * is parsed. Responses to a preview token, POST responses and errors are never cacheable.
 */
import { createHash } from 'node:crypto';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { type CorpusSource, currentCorpus } from '../context.js';

/** How long shared caches and browsers may keep a public GET response. */
export interface HttpCacheOptions {
  /** `max-age`: seconds a response is fresh. */
  readonly maxAgeSeconds: number;
  /** `stale-while-revalidate`: seconds a cache may still answer with a stale response while it revalidates. */
  readonly staleWhileRevalidateSeconds: number;
}

/** The defaults: fresh for a minute, then served stale for up to five while revalidated. */
export const DEFAULT_HTTP_CACHE: HttpCacheOptions = { maxAgeSeconds: 60, staleWhileRevalidateSeconds: 300 };

/** The default bound of the server-side response cache (response-cache.ts): 64 MiB of serialized results. */
export const DEFAULT_RESPONSE_CACHE_BYTES = 64 * 1024 * 1024;

/** What a cacheable response varies by: the media type asked for, and whether a preview token was sent. */
const VARY = 'Accept, Authorization';

/**
 * The identity of a public request's result at one corpus version: a hash of the version, the
 * document, the operation name and the variables. Null when the parameters are not a GraphQL request.
 */
export function publicResultKey(
  version: string,
  params: Pick<GraphQLParams, 'query'> & { operationName?: unknown; variables?: unknown },
): string | null {
  if (typeof params.query !== 'string') return null;
  return createHash('sha256')
    .update(JSON.stringify([version, params.query, params.operationName ?? null, params.variables ?? null]))
    .digest('base64url');
}

/** True when a request is answered from the public view and may be cached: it sends no Authorization header. */
export function isPublicRequest(request: Request): boolean {
  return !request.headers.has('authorization');
}

/** True when an `If-None-Match` header names `tag` (weak comparison, as RFC 9110 asks for GET). */
function namesTag(ifNoneMatch: string | null, tag: string): boolean {
  if (ifNoneMatch === null) return false;
  const opaque = tag.slice(2);
  return ifNoneMatch.split(',').some((candidate) => {
    const trimmed = candidate.trim();
    return trimmed === '*' || trimmed === tag || trimmed === opaque;
  });
}

/**
 * The yoga plugin of HTTP caching. A public GET request gets a weak `ETag` (its result key at the
 * current corpus version), `Cache-Control: public, max-age, stale-while-revalidate` and `Vary`; when
 * its `If-None-Match` names the current tag it is answered 304 with no body and nothing is executed.
 * A response with errors, a POST response and an event stream are `no-store`; a response to a
 * request with an Authorization header is `private, no-store`.
 */
export function useHttpCache(source: CorpusSource, options: HttpCacheOptions = DEFAULT_HTTP_CACHE): Plugin {
  const cacheControl = `public, max-age=${options.maxAgeSeconds}, stale-while-revalidate=${options.staleWhileRevalidateSeconds}`;
  const tags = new WeakMap<Request, string>();
  const notModified = new WeakSet<Request>();
  return {
    onParams({ request, params, setResult }) {
      if (request.method !== 'GET' || !isPublicRequest(request)) return;
      const key = publicResultKey(currentCorpus(source).version, params);
      if (key === null) return;
      const tag = `W/"${key}"`;
      tags.set(request, tag);
      if (namesTag(request.headers.get('if-none-match'), tag)) {
        notModified.add(request);
        setResult({});
      }
    },
    onResultProcess({ request, result, setResultProcessor, acceptableMediaTypes }) {
      if (notModified.delete(request)) {
        const headers = { etag: tags.get(request)!, 'cache-control': cacheControl, vary: VARY };
        setResultProcessor((_result, fetchAPI) => new fetchAPI.Response(null, { status: 304, headers }), acceptableMediaTypes[0] ?? '*/*');
        return;
      }
      // Only a whole result without errors is cacheable.
      if (Array.isArray(result) || Symbol.asyncIterator in result || result.errors?.length) tags.delete(request);
    },
    onResponse({ request, response }) {
      if (response.status === 304 || response.headers.get('content-type')?.startsWith('text/event-stream')) return;
      // The response cache's own validators (its cache key, its store time) say nothing about the content.
      response.headers.delete('etag');
      response.headers.delete('last-modified');
      const tag = tags.get(request);
      if (tag !== undefined && response.status === 200) {
        response.headers.set('etag', tag);
        response.headers.set('cache-control', cacheControl);
        response.headers.set('vary', VARY);
      } else if (!response.headers.has('cache-control')) {
        response.headers.set('cache-control', isPublicRequest(request) ? 'no-store' : 'private, no-store');
      }
    },
  };
}
