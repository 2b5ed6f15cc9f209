import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CorpusSource } from '../../src/context.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createServer, type ServerOptions } from '../../src/http/server.js';
import { CONTENT_DIR, corpusOf, liveContentCopy, PREVIEW_TOKEN, readRawArticles } from '../support.js';

const LATEST = '{ articles(first: 5) { totalCount nodes { slug title provider { name } } } }';
const DRAFT_COUNT = '{ articles { totalCount } }';

/** A server with metrics over `corpus`, and what its response cache counted so far. */
function cachedServer(corpus: CorpusSource, options: Partial<ServerOptions> = {}) {
  const metrics = createMetrics(corpus);
  const yoga = createServer({ corpus, previewToken: PREVIEW_TOKEN, metrics, ...options });
  const lookups = async () => {
    const text = await (await yoga.fetch('http://localhost/metrics')).text();
    const count = (outcome: string) =>
      Number(new RegExp(`^newsgraph_response_cache_lookups_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    return { hit: count('hit'), miss: count('miss') };
  };
  const get = async (query: string, headers: Record<string, string> = {}) =>
    (await yoga.fetch(`http://localhost/graphql?query=${encodeURIComponent(query)}`, { headers })).text();
  const post = async (query: string) =>
    (
      await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      })
    ).text();
  return { yoga, lookups, get, post };
}

describe('the response cache', () => {
  it('should store a public GET the second time it is seen and answer it from the cache after, byte for byte', async () => {
    const { get, lookups } = cachedServer(await corpusOf(CONTENT_DIR));
    const first = await get(LATEST);
    expect(await lookups()).toEqual({ hit: 0, miss: 0 });
    const second = await get(LATEST);
    expect(await lookups()).toEqual({ hit: 0, miss: 1 });
    const third = await get(LATEST);
    expect(await lookups()).toEqual({ hit: 1, miss: 1 });
    expect([second, third]).toEqual([first, first]);
    expect(JSON.parse(first).data.articles.nodes).toHaveLength(5);
  });

  it('should leave POST requests alone: executed every time, never stored', async () => {
    const { get, post, lookups } = cachedServer(await corpusOf(CONTENT_DIR));
    expect(await post(LATEST)).toBe(await post(LATEST));
    expect(await post(LATEST)).toBe(await post(LATEST));
    expect(await lookups()).toEqual({ hit: 0, miss: 0 });
    await get(LATEST);
    await get(LATEST);
    expect(await lookups()).toEqual({ hit: 0, miss: 1 });
  });

  it('should not be reached by a revalidation answered 304', async () => {
    const { yoga, lookups } = cachedServer(await corpusOf(CONTENT_DIR));
    const url = `http://localhost/graphql?query=${encodeURIComponent(LATEST)}`;
    const etag = (await yoga.fetch(url)).headers.get('etag')!;
    expect((await yoga.fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect(await lookups()).toEqual({ hit: 0, miss: 0 });
    expect((await yoga.fetch(url)).status).toBe(200);
    expect(await lookups()).toEqual({ hit: 0, miss: 1 });
  });

  it('should never store nor serve a preview result', async () => {
    const { get, lookups } = cachedServer(await corpusOf(CONTENT_DIR));
    const all = readRawArticles(CONTENT_DIR);
    const published = all.filter((article) => article.published).length;
    expect(published).toBeLessThan(all.length);
    const preview = { authorization: `Bearer ${PREVIEW_TOKEN}` };
    for (let round = 1; round <= 3; round++) {
      expect(JSON.parse(await get(DRAFT_COUNT)).data.articles.totalCount).toBe(published);
      expect(JSON.parse(await get(DRAFT_COUNT, preview)).data.articles.totalCount).toBe(all.length);
    }
    expect(await lookups()).toEqual({ hit: 1, miss: 1 });
  });

  it('should not cache results with errors', async () => {
    const { get, lookups } = cachedServer(await corpusOf(CONTENT_DIR));
    const partial = '{ node(id: "x") { id } articles(first: 1) { totalCount } }';
    for (let round = 1; round <= 3; round++) await get(partial);
    expect(await lookups()).toEqual({ hit: 0, miss: 2 });
  });

  it('should drop its entries when a new corpus version is published', async () => {
    const { root, live } = await liveContentCopy();
    const { get, lookups } = cachedServer(live);
    await get(LATEST);
    await get(LATEST);
    const [newest] = JSON.parse(await get(LATEST)).data.articles.nodes as { slug: string }[];
    expect(await lookups()).toEqual({ hit: 1, miss: 1 });
    const file = path.join(root, `${newest!.slug}.md`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title:.*$/m, 'title: "Retitled"'));
    await live.apply([`${newest!.slug}.md`]);
    expect(JSON.parse(await get(LATEST)).data.articles.nodes[0]).toEqual({ ...newest, title: 'Retitled' });
    expect(JSON.parse(await get(LATEST)).data.articles.nodes[0]).toEqual({ ...newest, title: 'Retitled' });
    expect(await lookups()).toEqual({ hit: 1, miss: 2 });
  });

  it('should keep no more bytes than its bound', async () => {
    const corpus = await corpusOf(CONTENT_DIR);
    const small = cachedServer(corpus, { responseCacheBytes: 200 });
    for (let round = 1; round <= 3; round++) await small.get(LATEST);
    expect(await small.lookups()).toEqual({ hit: 0, miss: 2 });
    const off = cachedServer(corpus, { responseCacheBytes: 0 });
    for (let round = 1; round <= 3; round++) await off.get(LATEST);
    expect(await off.lookups()).toEqual({ hit: 0, miss: 0 });
  });
});
