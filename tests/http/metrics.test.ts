import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Corpus } from '../../src/content/corpus.js';
import { createMetrics, MAX_OPERATION_NAMES, type Metrics } from '../../src/http/metrics.js';
import type { NewsgraphServer } from '../../src/http/server.js';
import { CONTENT_DIR, corpusOf, liveContentCopy, PREVIEW_TOKEN, readRawArticles, serverOf } from '../support.js';

const HOME_PAGE = 'query HomePage { articles(first: 1) { totalCount } }';

let corpus: Corpus;
let metrics: Metrics;
let yoga: NewsgraphServer;
beforeEach(async () => {
  corpus = await corpusOf(CONTENT_DIR);
  metrics = createMetrics(corpus);
  yoga = await serverOf(CONTENT_DIR, { metrics });
});

/** POSTs a GraphQL request as a client would; resolves with the HTTP status. (Not `execute`: its graphql-js twin shares the metrics.) */
async function post(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<number> {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

/** GETs /metrics and returns its text; fails unless it answers 200. */
async function scrape(server = yoga): Promise<string> {
  const response = await server.fetch('http://localhost/metrics');
  expect(response.status).toBe(200);
  return response.text();
}

/** The sample lines of one metric (`name{...} value` or `name value`), in the order they are exposed. */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('GET /metrics', () => {
  it('should answer in the registry content type with the process metrics beside ours', async () => {
    const response = await yoga.fetch('http://localhost/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.registry.contentType);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('# TYPE process_cpu_seconds_total counter\n');
    expect(text).toContain('# TYPE nodejs_heap_size_used_bytes gauge\n');
  });

  it('should refuse a POST with 405 and allow: GET', async () => {
    const response = await yoga.fetch('http://localhost/metrics', { method: 'POST', body: '' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(samples(await scrape(), 'newsgraph_requests_total')).toEqual([
      'newsgraph_requests_total{operation="none",type="none",status="405"} 1',
    ]);
  });
});

describe('request metrics', () => {
  it('should count requests by operation, type and status, and time each of them', async () => {
    expect(await post({ query: HOME_PAGE })).toBe(200);
    expect(await post({ query: HOME_PAGE })).toBe(200);
    expect(await post({ query: 'query {' })).toBe(400);
    expect(await post({ query: '{ articles(first: 0) { totalCount } }' })).toBe(200);
    await scrape();
    const text = await scrape();
    expect(samples(text, 'newsgraph_requests_total')).toEqual([
      'newsgraph_requests_total{operation="HomePage",type="query",status="200"} 2',
      'newsgraph_requests_total{operation="none",type="none",status="400"} 1',
      'newsgraph_requests_total{operation="anonymous",type="query",status="200"} 1',
      'newsgraph_requests_total{operation="none",type="none",status="200"} 1',
    ]);
    expect(samples(text, 'newsgraph_request_duration_seconds_count')).toEqual([
      'newsgraph_request_duration_seconds_count{operation="HomePage",type="query"} 2',
      'newsgraph_request_duration_seconds_count{operation="none",type="none"} 2',
      'newsgraph_request_duration_seconds_count{operation="anonymous",type="query"} 1',
    ]);
    expect(text).toContain('newsgraph_request_duration_seconds_bucket{le="+Inf",operation="HomePage",type="query"} 2\n');
  });

  it('should count requests refused before any operation (401, 413) as operation none', async () => {
    expect(await post({ query: HOME_PAGE }, { authorization: 'Bearer wrong' })).toBe(401);
    expect(await post({ query: `${HOME_PAGE} #${'x'.repeat(200_000)}` })).toBe(413);
    expect(samples(await scrape(), 'newsgraph_requests_total')).toEqual([
      'newsgraph_requests_total{operation="none",type="none",status="401"} 1',
      'newsgraph_requests_total{operation="none",type="none",status="413"} 1',
    ]);
  });

  it('should label a subscription with its type when its stream opens', async () => {
    const abort = new AbortController();
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription Changes { articleChanges { version } }' }),
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    abort.abort();
    await response.body?.cancel().catch(() => {});
    expect(samples(await scrape(), 'newsgraph_requests_total')).toEqual([
      'newsgraph_requests_total{operation="Changes",type="subscription",status="200"} 1',
    ]);
  });

  it(`should give the first ${MAX_OPERATION_NAMES} valid operation names a label each and count the rest as other`, async () => {
    for (let index = 0; index <= MAX_OPERATION_NAMES; index++) await post({ query: `query Op${index} { __typename }` });
    await post({ query: 'query Op0 { __typename }' });
    await post({ query: `query ${'L'.repeat(65)} { __typename }` });
    const lines = samples(await scrape(), 'newsgraph_requests_total');
    expect(lines).toHaveLength(MAX_OPERATION_NAMES + 1);
    expect(lines[0]).toBe('newsgraph_requests_total{operation="Op0",type="query",status="200"} 2');
    expect(lines[MAX_OPERATION_NAMES - 1]).toBe(
      `newsgraph_requests_total{operation="Op${MAX_OPERATION_NAMES - 1}",type="query",status="200"} 1`,
    );
    expect(lines[MAX_OPERATION_NAMES]).toBe('newsgraph_requests_total{operation="other",type="query",status="200"} 2');
  });

  it('should label responses answered without parsing (response cache, persisted query by hash, 304) by their operation', async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(HOME_PAGE).digest('hex') } };
    expect(await post({ query: HOME_PAGE, extensions })).toBe(200);
    expect(await post({ extensions, operationName: 'HomePage' })).toBe(200);
    const url = `http://localhost/graphql?query=${encodeURIComponent('query Latest { articles(first: 2) { totalCount } }')}`;
    const first = await yoga.fetch(url, { headers: { accept: 'application/graphql-response+json' } });
    await first.arrayBuffer();
    const again = await yoga.fetch(url, {
      headers: { accept: 'application/graphql-response+json', 'if-none-match': first.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
    expect(samples(await scrape(), 'newsgraph_requests_total')).toEqual([
      'newsgraph_requests_total{operation="HomePage",type="query",status="200"} 2',
      'newsgraph_requests_total{operation="Latest",type="query",status="200"} 1',
      'newsgraph_requests_total{operation="Latest",type="query",status="304"} 1',
    ]);
  });

  it('should label by the operation the document runs, never by the URL or the variables', async () => {
    const query = 'query First { __typename } query Second($slug: String) { article(slug: $slug) { title } }';
    expect(await post({ query, operationName: 'Second', variables: { slug: 'secret-variable' } })).toBe(200);
    const text = await scrape();
    expect(samples(text, 'newsgraph_requests_total')).toEqual(['newsgraph_requests_total{operation="Second",type="query",status="200"} 1']);
    expect(text).not.toContain('secret-variable');
    expect(text).not.toContain('/graphql');
  });
});

describe('error metrics', () => {
  it('should count the errors sent by extensions.code', async () => {
    expect(await post({ query: '{' })).toBe(400);
    expect(await post({ query: 'mutation { __typename }' })).toBe(400);
    expect(await post({ query: '{ articles(first: -1) { totalCount } }' })).toBe(200);
    expect(await post({ query: '{ node(id: "not-an-id") { id } }' })).toBe(200);
    expect(await post({ query: HOME_PAGE }, { authorization: 'Bearer wrong' })).toBe(401);
    expect(await post({ query: HOME_PAGE })).toBe(200);
    expect(samples(await scrape(), 'newsgraph_errors_total')).toEqual([
      'newsgraph_errors_total{code="GRAPHQL_PARSE_FAILED"} 1',
      'newsgraph_errors_total{code="GRAPHQL_VALIDATION_FAILED"} 1',
      'newsgraph_errors_total{code="BAD_USER_INPUT"} 2',
      'newsgraph_errors_total{code="UNAUTHENTICATED"} 1',
    ]);
  });
});

describe('what other parts report', () => {
  it('should count response-cache lookups by outcome, both shown from the start', async () => {
    expect(samples(await scrape(), 'newsgraph_response_cache_lookups_total')).toEqual([
      'newsgraph_response_cache_lookups_total{outcome="hit"} 0',
      'newsgraph_response_cache_lookups_total{outcome="miss"} 0',
    ]);
    metrics.countResponseCache('hit');
    metrics.countResponseCache('hit');
    metrics.countResponseCache('miss');
    expect(samples(await scrape(), 'newsgraph_response_cache_lookups_total')).toEqual([
      'newsgraph_response_cache_lookups_total{outcome="hit"} 2',
      'newsgraph_response_cache_lookups_total{outcome="miss"} 1',
    ]);
  });

  it('should record the load duration and each update', async () => {
    metrics.observeLoad(1.25);
    metrics.observeUpdate(0.02);
    metrics.observeUpdate(3);
    const text = await scrape();
    expect(samples(text, 'newsgraph_content_load_duration_seconds')).toEqual(['newsgraph_content_load_duration_seconds 1.25']);
    expect(samples(text, 'newsgraph_content_updates_total')).toEqual(['newsgraph_content_updates_total 2']);
    expect(samples(text, 'newsgraph_content_update_duration_seconds_sum')).toEqual(['newsgraph_content_update_duration_seconds_sum 3.02']);
    expect(samples(text, 'newsgraph_content_update_duration_seconds_count')).toEqual(['newsgraph_content_update_duration_seconds_count 2']);
    expect(text).toContain('newsgraph_content_update_duration_seconds_bucket{le="0.025"} 1\n');
    expect(text).toContain('newsgraph_content_update_duration_seconds_bucket{le="5"} 2\n');
  });
});

describe('content metrics', () => {
  const raw = readRawArticles(CONTENT_DIR);
  const drafts = raw.filter((article) => !article.published);

  it('should expose the version, the published articles and the diagnostics of the corpus', async () => {
    const text = await scrape();
    expect(samples(text, 'newsgraph_content_version_info')).toEqual([`newsgraph_content_version_info{version="${corpus.version}"} 1`]);
    expect(samples(text, 'newsgraph_content_articles')).toEqual([`newsgraph_content_articles ${raw.length - drafts.length}`]);
    expect(corpus.public.stats.articles).toBe(raw.length - drafts.length);
    const errors = corpus.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
    expect(samples(text, 'newsgraph_content_diagnostics')).toEqual([
      `newsgraph_content_diagnostics{severity="error"} ${errors}`,
      `newsgraph_content_diagnostics{severity="warning"} ${corpus.diagnostics.length - errors}`,
    ]);
  });

  it('should never show a draft, its slug, its title or the number of drafts, even after a preview request', async () => {
    expect(drafts.length).toBeGreaterThan(0);
    for (const draft of drafts) {
      const query = `query PreviewArticle { article(slug: ${JSON.stringify(draft.slug)}) { title } }`;
      expect(await post({ query }, { authorization: `Bearer ${PREVIEW_TOKEN}` })).toBe(200);
    }
    const text = await scrape();
    for (const draft of drafts) {
      expect(text).not.toContain(draft.slug);
      expect(text).not.toContain(draft.title);
    }
    expect(text.toLowerCase()).not.toContain('draft');
    expect(samples(text, 'newsgraph_content_articles')).toEqual([`newsgraph_content_articles ${corpus.public.stats.articles}`]);
  });

  it('should follow a live corpus: each scrape reads its current version', async () => {
    const { root, live } = await liveContentCopy();
    const start = live.current.version;
    try {
      const server = await serverOf(CONTENT_DIR, { corpus: live, metrics: createMetrics(live) });
      const published = raw.find((article) => article.published)!;
      rmSync(path.join(root, published.file));
      expect((await live.apply([published.file])).update?.corpus.version).toBe(`${start}.1`);
      const text = await scrape(server);
      expect(samples(text, 'newsgraph_content_version_info')).toEqual([`newsgraph_content_version_info{version="${start}.1"} 1`]);
      expect(samples(text, 'newsgraph_content_articles')).toEqual([`newsgraph_content_articles ${raw.length - drafts.length - 1}`]);
    } finally {
      live.close();
    }
  });
});
