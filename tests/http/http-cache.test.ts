import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type NewsgraphServer } from '../../src/http/server.js';
import { CONTENT_DIR, corpusOf, liveContentCopy, PREVIEW_TOKEN, type RunningServer, serverOf, startServerProcess } from '../support.js';

const LATEST = '{ articles(first: 3) { nodes { slug title } } }';
const urlOf = (query: string, variables?: Record<string, unknown>, origin = 'http://localhost') =>
  `${origin}/graphql?query=${encodeURIComponent(query)}${variables ? `&variables=${encodeURIComponent(JSON.stringify(variables))}` : ''}`;

/** The caching headers of a response, and its status. */
const cachingOf = (response: Response) => ({
  status: response.status,
  etag: response.headers.get('etag'),
  cacheControl: response.headers.get('cache-control'),
  vary: response.headers.get('vary'),
});

const PUBLIC = 'public, max-age=60, stale-while-revalidate=300';

describe('HTTP caching of GET responses', () => {
  let yoga: NewsgraphServer;
  beforeAll(async () => {
    yoga = await serverOf(CONTENT_DIR, { reportBatchCalls: false });
  });

  it('should give a public GET a weak ETag of the request at this corpus version, Cache-Control and Vary', async () => {
    const first = await yoga.fetch(urlOf(LATEST));
    const again = await yoga.fetch(urlOf(LATEST));
    const caching = cachingOf(first);
    expect(caching).toEqual({
      status: 200,
      etag: expect.stringMatching(/^W\/"[\w-]{43}"$/),
      cacheControl: PUBLIC,
      vary: 'Accept, Authorization, Origin',
    });
    expect(cachingOf(again)).toEqual(caching);
    expect(await again.text()).toBe(await first.text());
  });

  it('should give different requests different tags', async () => {
    const query = 'query Page($n: Int) { articles(first: $n) { nodes { slug } } }';
    const tags = await Promise.all(
      [urlOf(query, { n: 1 }), urlOf(query, { n: 2 }), urlOf(LATEST), urlOf('{ articles(first: 3) { nodes { slug } } }')].map(async (url) =>
        (await yoga.fetch(url)).headers.get('etag'),
      ),
    );
    expect(new Set(tags).size).toBe(4);
  });

  it('should answer 304 with no body when If-None-Match names the current tag, and 200 for any other tag', async () => {
    const { etag } = cachingOf(await yoga.fetch(urlOf(LATEST)));
    const notModified = await yoga.fetch(urlOf(LATEST), { headers: { 'if-none-match': `W/"other", ${etag}` } });
    expect(cachingOf(notModified)).toEqual({ status: 304, etag, cacheControl: PUBLIC, vary: 'Accept, Authorization, Origin' });
    expect(await notModified.text()).toBe('');
    const strongForm = await yoga.fetch(urlOf(LATEST), { headers: { 'if-none-match': etag!.slice(2) } });
    expect(strongForm.status).toBe(304);
    const other = await yoga.fetch(urlOf(LATEST), { headers: { 'if-none-match': 'W/"other"' } });
    expect(other.status).toBe(200);
  });

  it('should mark a response to a preview token private and no-store, with no tag', async () => {
    const response = await yoga.fetch(urlOf(LATEST), { headers: { authorization: `Bearer ${PREVIEW_TOKEN}` } });
    expect(cachingOf(response)).toEqual({ status: 200, etag: null, cacheControl: 'private, no-store', vary: null });
  });

  it('should never cache errors, POST responses or refused requests', async () => {
    const partial = await yoga.fetch(urlOf('{ node(id: "x") { id } articles(first: 1) { totalCount } }'));
    const invalid = await yoga.fetch(urlOf('{ nope }'));
    const post = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LATEST }),
    });
    const unauthorized = await yoga.fetch(urlOf(LATEST), { headers: { authorization: 'Bearer wrong' } });
    expect([partial, invalid, post, unauthorized].map(cachingOf)).toEqual([
      { status: 200, etag: null, cacheControl: 'no-store', vary: null },
      { status: 200, etag: null, cacheControl: 'no-store', vary: null },
      { status: 200, etag: null, cacheControl: 'no-store', vary: null },
      { status: 401, etag: null, cacheControl: 'private, no-store', vary: null },
    ]);
  });

  it('should use the configured max-age and stale-while-revalidate', async () => {
    const configured = createServer({
      corpus: await corpusOf(CONTENT_DIR),
      previewToken: null,
      httpCache: { maxAgeSeconds: 10, staleWhileRevalidateSeconds: 0 },
    });
    expect((await configured.fetch(urlOf(LATEST))).headers.get('cache-control')).toBe('public, max-age=10, stale-while-revalidate=0');
  });
});

describe('HTTP caching across content versions', () => {
  it('should change the tag after a content change, so the old tag gets the new content', async () => {
    const { root, live } = await liveContentCopy();
    const yoga = createServer({ corpus: live, previewToken: null });
    const before = await yoga.fetch(urlOf(LATEST));
    const oldTag = before.headers.get('etag')!;
    const [newest] = (await before.json()).data.articles.nodes as { slug: string; title: string }[];
    const file = path.join(root, `${newest!.slug}.md`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title:.*$/m, 'title: "Retitled"'));
    await live.apply([`${newest!.slug}.md`]);

    const after = await yoga.fetch(urlOf(LATEST), { headers: { 'if-none-match': oldTag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(oldTag);
    expect((await after.json()).data.articles.nodes[0]).toEqual({ slug: newest!.slug, title: 'Retitled' });
  });
});

describe('HTTP caching over a real port', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServerProcess({ CACHE_MAX_AGE: '5', CACHE_STALE_WHILE_REVALIDATE: '30' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('should send the configured Cache-Control with an ETag, and 304 to a client that revalidates', async () => {
    const first = await fetch(urlOf(LATEST, undefined, server.origin));
    expect(cachingOf(first)).toEqual({
      status: 200,
      etag: expect.stringMatching(/^W\/"/),
      cacheControl: 'public, max-age=5, stale-while-revalidate=30',
      vary: 'Accept, Authorization, Origin',
    });
    const revalidated = await fetch(urlOf(LATEST, undefined, server.origin), { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
  });
});
