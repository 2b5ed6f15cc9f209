/** Expected values and request records for the example clients' tests. */
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { CONTENT_DIR, newestFirst, post, type RunningServer, readRawArticles, startServerProcess } from '../support.js';

/** Slugs of the published articles of content/, newest first, as the API lists them. */
export function newestPublished(): string[] {
  return newestFirst(readRawArticles(CONTENT_DIR).filter((article) => article.published)).map((article) => article.slug);
}

/** The topic the server lists first (most articles), with the slugs of all its articles in one request. */
export async function biggestTopic(origin: string): Promise<{ slug: string; slugs: string[] }> {
  const { body } = await post(origin, '{ topics(first: 1) { nodes { slug articles(first: 100) { nodes { slug } } } } }');
  const [topic] = body.data.topics.nodes;
  return { slug: topic.slug, slugs: topic.articles.nodes.map((article: { slug: string }) => article.slug) };
}

/** A fetch that records the operation name of each request it sends (from the URL of a GET, else the body). */
export function recordingFetch(requests: string[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input));
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : {};
    requests.push(url.searchParams.get('operationName') ?? body.operationName ?? '(anonymous)');
    return fetch(input, init);
  };
}

/**
 * For the describe block it is called in: the built server, started before its tests and stopped
 * after them; each test fails when a client printed a warning or an error meanwhile (Apollo and
 * Graphcache report a misconfigured cache on the console, not by throwing).
 */
export function serverForClients(): { readonly origin: string } {
  let server: RunningServer | undefined;
  const printed: unknown[][] = [];
  beforeAll(async () => {
    server = await startServerProcess();
    vi.spyOn(console, 'warn').mockImplementation((...args) => void printed.push(args));
    vi.spyOn(console, 'error').mockImplementation((...args) => void printed.push(args));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await server?.stop();
  });
  afterEach(() => {
    expect(printed).toEqual([]);
  });
  return {
    get origin() {
      return server!.origin;
    },
  };
}
