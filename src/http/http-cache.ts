/**
 * HTTP caching of public GET responses: an `ETag` from the corpus version and the request,
 * `Cache-Control` and `Vary`, and 304 Not Modified for a current tag, answered before anything is
 * parsed. Responses to a preview token, POST responses and errors are never cacheable.
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
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

/**
 * What a cacheable response varies by: the media type asked for, whether a preview token was sent,
 * and the origin (CORS answers a cross-origin request with its own `Access-Control-Allow-Origin`).
 */
const VARY = 'Accept, Authorization, Origin';

/** True when a request is answered from the public view and may be cached: it sends no Authorization header. */
export function isPublicRequest(request: Request): boolean {
  return !request.headers.has('authorization');
}

/** True when an `If-None-Match` header names `tag` (weak comparison, as RFC 9110 asks for GET). */
export function namesTag(ifNoneMatch: string | null | undefined, tag: string | undefined): boolean {
  if (ifNoneMatch == null || tag === undefined) return false;
  const opaque = tag.slice(2);
  return ifNoneMatch.split(',').some((candidate) => {
    const trimmed = candidate.trim();
    return trimmed === '*' || trimmed === tag || trimmed === opaque;
  });
}

/** The weak tag of a GET request's answer at a corpus version: a hash of the version and the request's URL query. */
function entityTag(version: string, search: string): string {
  return `W/"${createHash('sha256').update(version).update('\n').update(search).digest('base64url')}"`;
}

/** True for the media types of a GraphQL response (not GraphiQL's page, not an event stream). */
function isGraphQLResponse(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return type.startsWith('application/json') || type.startsWith('application/graphql-response+json');
}

/**
 * The yoga plugin of HTTP caching. A public GET request of `/graphql` gets a weak `ETag` (a hash of
 * the corpus version and its URL query, which holds the whole request), `Cache-Control: public,
 * max-age, stale-while-revalidate` and `Vary`; when its `If-None-Match` names the current tag it is
 * answered 304 as soon as it arrives: nothing is parsed, looked up or executed. A response with
 * errors, a POST response and an event stream are `no-store`; a response to a request with an
 * Authorization header is `private, no-store`.
 */
export function useHttpCache(source: CorpusSource, options: HttpCacheOptions = DEFAULT_HTTP_CACHE): Plugin {
  const cacheControl = `public, max-age=${options.maxAgeSeconds}, stale-while-revalidate=${options.staleWhileRevalidateSeconds}`;
  const tags = new WeakMap<Request, string>();
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' || url.pathname !== '/graphql' || url.search === '' || !isPublicRequest(request)) return;
      const tag = entityTag(currentCorpus(source).version, url.search);
      if (namesTag(request.headers.get('if-none-match'), tag)) {
        endResponse(new fetchAPI.Response(null, { status: 304, headers: { etag: tag, 'cache-control': cacheControl, vary: VARY } }));
        return;
      }
      tags.set(request, tag);
    },
    onResultProcess({ request, result }) {
      // Only a whole result without errors is cacheable.
      if (Array.isArray(result) || Symbol.asyncIterator in result || result.errors?.length) tags.delete(request);
    },
    onResponse({ request, response }) {
      if (response.status === 304 || response.headers.get('content-type')?.startsWith('text/event-stream')) return;
      // The response cache's own validators (its cache key, its store time) say nothing about the content.
      response.headers.delete('etag');
      response.headers.delete('last-modified');
      const tag = tags.get(request);
      if (tag !== undefined && response.status === 200 && isGraphQLResponse(response)) {
        response.headers.set('etag', tag);
        response.headers.set('cache-control', cacheControl);
        response.headers.set('vary', VARY);
      } else if (!response.headers.has('cache-control')) {
        response.headers.set('cache-control', isPublicRequest(request) ? 'no-store' : 'private, no-store');
      }
    },
  };
}
