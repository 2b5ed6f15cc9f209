import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CorpusSource } from '../../src/context.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createServer, requestListenerOf } from '../../src/http/server.js';
import { CONTENT_DIR, corpusOf, liveContentCopy, PREVIEW_TOKEN, readRawArticles } from '../support.js';

const LATEST = 'query Latest { articles(first: 3) { totalCount nodes { slug title } } }';
const COUNT = 'query Count { articles { totalCount } }';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Our server over `corpus` on a free port of 127.0.0.1, as main.ts serves it, with metrics. */
async function listening(corpus: CorpusSource) {
  const metrics = createMetrics(corpus);
  const server = createHttpServer(requestListenerOf(createServer({ corpus, previewToken: PREVIEW_TOKEN, metrics })));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (query: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}/graphql?query=${encodeURIComponent(query)}`, { headers });
    const kept = Object.fromEntries([...response.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name)));
    return { status: response.status, headers: kept, body: await response.text() };
  };
  const metric = async (line: RegExp) => Number(line.exec(await (await fetch(`${base}/metrics`)).text())?.[1] ?? 0);
  return { get, metric };
}

describe('stored answers of public GET requests', () => {
  it('should answer a request seen before with the same status, headers and bytes, and count it as a hit', async () => {
    const { get, metric } = await listening(await corpusOf(CONTENT_DIR));
    const answers = [];
    for (let round = 0; round < 5; round++) answers.push(await get(LATEST));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]!.status).toBe(200);
    expect(answers[0]!.headers.etag).toMatch(/^W\//);
    expect(JSON.parse(answers[0]!.body).data.articles.nodes).toHaveLength(3);
    // The first sighting is executed, the second stored, the next three answered from the store.
    expect(await metric(/^newsgraph_response_cache_lookups_total\{outcome="hit"\} (\d+)$/m)).toBe(3);
    expect(await metric(/^newsgraph_response_cache_lookups_total\{outcome="miss"\} (\d+)$/m)).toBe(1);
    expect(await metric(/^newsgraph_requests_total\{operation="Latest",type="query",status="200"\} (\d+)$/m)).toBe(5);
  });

  it('should answer 304 for a current tag, with the validators and Vary of the answer', async () => {
    const { get, metric } = await listening(await corpusOf(CONTENT_DIR));
    await get(LATEST);
    const stored = await get(LATEST);
    const notModified = await get(LATEST, { 'if-none-match': stored.headers.etag! });
    expect(notModified).toEqual({
      status: 304,
      headers: { etag: stored.headers.etag, 'cache-control': stored.headers['cache-control'], vary: 'Accept, Authorization, Origin' },
      body: '',
    });
    expect((await get(LATEST, { 'if-none-match': 'W/"another"' })).status).toBe(200);
    expect(await metric(/^newsgraph_requests_total\{operation="Latest",type="query",status="304"\} (\d+)$/m)).toBe(1);
  });

  it('should never answer a preview request from what a public one stored', async () => {
    const { get } = await listening(await corpusOf(CONTENT_DIR));
    const all = readRawArticles(CONTENT_DIR);
    const published = all.filter((article) => article.published).length;
    expect(published).toBeLessThan(all.length);
    for (let round = 0; round < 3; round++) {
      expect(JSON.parse((await get(COUNT)).body).data.articles.totalCount).toBe(published);
      const preview = await get(COUNT, { authorization: `Bearer ${PREVIEW_TOKEN}` });
      expect(JSON.parse(preview.body).data.articles.totalCount).toBe(all.length);
      expect(preview.headers['cache-control']).toBe('private, no-store');
      expect(preview.headers.etag).toBeUndefined();
    }
  });

  it('should keep apart the answers to another media type and another origin', async () => {
    const { get } = await listening(await corpusOf(CONTENT_DIR));
    for (let round = 0; round < 3; round++) {
      expect((await get(LATEST)).headers['content-type']).toBe('application/json; charset=utf-8');
      const typed = await get(LATEST, { accept: 'application/graphql-response+json' });
      expect(typed.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
      for (const origin of ['https://one.example', 'https://two.example']) {
        expect((await get(LATEST, { origin })).headers['access-control-allow-origin']).toBe(origin);
      }
      expect((await get(LATEST)).headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('should answer from the new content after an update, and no longer 304 for the old tag', async () => {
    const { root, live } = await liveContentCopy();
    const { get } = await listening(live);
    const [newest] = readRawArticles(root)
      .filter((article) => article.published && article.publishedTime !== null)
      .sort((a, b) => b.publishedTime! - a.publishedTime!);
    await get(LATEST);
    const before = await get(LATEST);
    expect((await get(LATEST)).body).toBe(before.body);
    const file = path.join(root, newest!.file);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: .*$/m, 'title: A title changed since it was stored'));
    await live.apply([newest!.file]);
    const after = await get(LATEST);
    expect(after.body).toContain('A title changed since it was stored');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect((await get(LATEST, { 'if-none-match': before.headers.etag! })).status).toBe(200);
  });

  it('should not store answers with errors', async () => {
    const { get } = await listening(await corpusOf(CONTENT_DIR));
    for (let round = 0; round < 3; round++) {
      const answer = await get('{ article(id: "not an id") { slug } }');
      expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(answer.headers['cache-control']).toBe('no-store');
    }
  });
});
