/**
 * Public GET answers sent again from stored bytes, before yoga sees the request. A response-cache
 * hit through yoga still pays for a Fetch `Request` and `Response` around node's, URL parsing and
 * the plugin chain (about 0.3 ms of CPU for a 25 KB list, four times what node:http needs to send
 * the same bytes). Once a public GET has been answered from (or stored into) the response cache,
 * its status, headers and body are kept here under the raw request line and the request headers
 * the answer depends on, and the next identical request is answered by the node:http listener
 * directly, with the same bytes and headers, or 304 for a current `If-None-Match`.
 */
import type { IncomingMessage, RequestListener } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { type CorpusSource, currentCorpus } from '../context.js';
import { namesTag } from './http-cache.js';
import type { Metrics } from './metrics.js';
import { storedJsonOf } from './response-cache.js';

/** An answer as sent: its headers (names in lowercase) and body. */
interface StoredAnswer {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The headers a 304 repeats from the answer it stands for. */
const NOT_MODIFIED_HEADERS = ['etag', 'cache-control', 'vary'] as const;

/**
 * The key of a public GET of `/graphql` with a query string: the corpus version, the raw request
 * line's URL and the headers an answer varies by (Accept for its media type, Origin for CORS);
 * undefined for any other request (another method or path, an Authorization header: a preview).
 */
function keyOf(request: IncomingMessage, version: string): string | undefined {
  const { url, headers } = request;
  if (request.method !== 'GET' || url === undefined || !url.startsWith('/graphql?') || headers.authorization !== undefined)
    return undefined;
  return `${version}\n${headers.accept ?? ''}\n${headers.origin ?? ''}\n${url}`;
}

/** The stored answers of one server: the yoga plugin that keeps them and the listener that sends them. */
export interface StoredAnswers {
  /** Keeps the answer of each public GET that the response cache answered or stored (last in the plugin list). */
  readonly plugin: Plugin;
  /** `next` with stored answers sent before it: the request listener to serve. */
  listener(next: RequestListener): RequestListener;
}

/**
 * Stored answers over a corpus source, bounded to `maxBytes` of bodies (which are the response
 * cache's own buffers, not copies), emptied when the corpus publishes a new version.
 */
export function storedAnswers(source: CorpusSource, maxBytes: number, metrics?: Metrics): StoredAnswers {
  const answers = new LRUCache<string, StoredAnswer>({ maxSize: maxBytes, sizeCalculation: (answer) => answer.body.length || 1 });
  if ('subscribe' in source) {
    source.subscribe(
      () => answers.clear(),
      () => answers.clear(),
    );
  }
  const bodies = new WeakMap<Request, Buffer>();
  // The key of each request the listener passed on, for the plugin that stores its answer (kept
  // beside the request, not on it: a property added to node's IncomingMessage changes its shape).
  const keys = new WeakMap<IncomingMessage, string>();
  const plugin: Plugin = {
    onResultProcess({ request, result }) {
      const json = storedJsonOf(result);
      if (json !== undefined) bodies.set(request, json);
    },
    onResponse({ request, response, serverContext }) {
      // node:http requests reach yoga with their IncomingMessage in the server context.
      const nodeRequest = (serverContext as { req?: IncomingMessage }).req;
      const key = nodeRequest === undefined ? undefined : keys.get(nodeRequest);
      const body = bodies.get(request);
      // Only an answer http-cache.ts made cacheable (it has an ETag) is kept.
      if (key === undefined || body === undefined || response.status !== 200 || !response.headers.has('etag')) return;
      answers.set(key, { headers: Object.fromEntries(response.headers), body });
    },
  };
  return {
    plugin,
    listener: (next) => (request, response) => {
      const started = performance.now();
      const key = keyOf(request, currentCorpus(source).version);
      const answer = key === undefined ? undefined : answers.get(key);
      if (answer === undefined) {
        if (key !== undefined) keys.set(request, key);
        next(request, response);
        return;
      }
      if (namesTag(request.headers['if-none-match'], answer.headers.etag)) {
        const headers = Object.fromEntries(
          NOT_MODIFIED_HEADERS.flatMap((name) => (answer.headers[name] === undefined ? [] : [[name, answer.headers[name]]])),
        );
        response.writeHead(304, headers).end();
      } else {
        response.writeHead(200, answer.headers).end(answer.body);
        metrics?.countResponseCache('hit');
      }
      metrics?.recordAnswer(request.url!, response.statusCode, (performance.now() - started) / 1000);
    },
  };
}
