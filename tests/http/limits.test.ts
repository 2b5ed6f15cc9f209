import { createServer as createHttpServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_QUERY_LIMITS } from '../../src/http/limits.js';
import { type NewsgraphServer, requestListenerOf } from '../../src/http/server.js';
import { CONTENT_DIR, corpusOf, execute, requireSharedCorpus, SAMPLE_CORPUS, serverOf } from '../support.js';

const sharedCorpus = requireSharedCorpus();

const { maxTokens, maxDepth, maxAliases, maxDirectives, maxCost } = DEFAULT_QUERY_LIMITS;

let yoga: NewsgraphServer;
beforeAll(async () => {
  yoga = await serverOf(CONTENT_DIR);
});

/** Sends a query to the server alone (no parity twin), timing the answer. */
async function timed(server: NewsgraphServer, query: string) {
  const started = performance.now();
  const response = await server.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  });
  const body = await response.json();
  return { elapsed: performance.now() - started, response: { status: response.status, headers: response.headers, body } };
}

/** A document of exactly `tokens` lexical tokens: 16 of structure and a list of topic names. */
function tokensQuery(tokens: number): string {
  return `{ articles(filter: { topics: [${Array(tokens - 16)
    .fill('"robotics"')
    .join(' ')}] }) { totalCount } }`;
}

/** A query `depth` fields deep: articles > nodes > related > article > ... > title. */
function depthQuery(depth: number): string {
  const path = ['articles(first: 1)', 'nodes'];
  while (path.length < depth - 1) path.push(path.length % 2 === 0 ? 'related' : 'article');
  return `{ ${path.join(' { ')} { title }${' }'.repeat(path.length - 1)} }`;
}

/** A query with `count` aliased fields. */
function aliasesQuery(count: number): string {
  return `{ ${Array.from({ length: count }, (_, index) => `a${index}: __typename`).join(' ')} }`;
}

/** A query with `count` directives. */
function directivesQuery(count: number): string {
  return `{ ${Array(count).fill('__typename @include(if: true)').join(' ')} }`;
}

/**
 * A query whose cost is exactly `cost` objects (19,995 to 20,100): a list of 100 providers with up
 * to 100 articles each costs 1 + 100 * (1 + 1 + 100) = 10,201 (the connection, then per provider
 * its node, its articles connection and the article nodes); 96 providers cost 1 + 96 * 102 =
 * 9,793; a list of M articles costs 1 + M.
 */
function costQuery(cost: number): { query: string; variables: Record<string, number> } {
  const articles = cost - 10_201 - 9_793 - 1;
  return {
    query: `query($m: Int) {
      a: providers(first: 100) { nodes { articles(first: 100) { nodes { title } } } }
      b: providers(first: 96) { nodes { articles(first: 100) { nodes { title } } } }
      articles(first: $m) { nodes { title } }
    }`,
    variables: { m: articles },
  };
}

/** Asserts a request ran: 200, data, no errors. */
function expectRuns(response: Awaited<ReturnType<typeof execute>>) {
  expect(response.body.errors).toBeUndefined();
  expect(response.status).toBe(200);
  expect(response.body.data).toBeDefined();
}

/** Asserts a request was refused before execution: 400, no data at all, the limit named. */
function expectRefused(response: Awaited<ReturnType<typeof execute>>, message: string) {
  expect(response.status).toBe(400);
  expect(response.body).not.toHaveProperty('data');
  expect(response.body.extensions?.batchCalls).toBeUndefined();
  expect(response.body.errors).toHaveLength(1);
  expect(response.body.errors![0]!.message).toContain(message);
  expect(response.body.errors![0]!.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
}

describe('each limit at limit - 1, limit and limit + 1', () => {
  it('should count tokens', async () => {
    expectRuns(await execute(yoga, tokensQuery(maxTokens - 1)));
    expectRuns(await execute(yoga, tokensQuery(maxTokens)));
    expectRefused(await execute(yoga, tokensQuery(maxTokens + 1)), `Token limit of ${maxTokens} exceeded.`);
  });

  it('should count depth', async () => {
    expectRuns(await execute(yoga, depthQuery(maxDepth - 1)));
    expectRuns(await execute(yoga, depthQuery(maxDepth)));
    expectRefused(await execute(yoga, depthQuery(maxDepth + 1)), `Query depth limit of ${maxDepth} exceeded, found ${maxDepth + 1}.`);
  });

  it('should count aliases', async () => {
    expectRuns(await execute(yoga, aliasesQuery(maxAliases - 1)));
    expectRuns(await execute(yoga, aliasesQuery(maxAliases)));
    expectRefused(await execute(yoga, aliasesQuery(maxAliases + 1)), `Aliases limit of ${maxAliases} exceeded, found ${maxAliases + 1}.`);
  });

  it('should count directives', async () => {
    expectRuns(await execute(yoga, directivesQuery(maxDirectives - 1)));
    expectRuns(await execute(yoga, directivesQuery(maxDirectives)));
    expectRefused(
      await execute(yoga, directivesQuery(maxDirectives + 1)),
      `Directives limit of ${maxDirectives} exceeded, found ${maxDirectives + 1}.`,
    );
  });

  it('should count cost, with page sizes from variables', async () => {
    for (const cost of [maxCost - 1, maxCost]) {
      const { query, variables } = costQuery(cost);
      const response = await execute(yoga, query, variables);
      expectRuns(response);
      expect(response.body.extensions!.cost).toEqual({ value: cost, limit: maxCost });
    }
    const { query, variables } = costQuery(maxCost + 1);
    const refused = await execute(yoga, query, variables);
    expectRefused(refused, `Query cost limit of ${maxCost} exceeded, found ${maxCost + 1}.`);
    expect(refused.body.extensions!.cost).toEqual({ value: maxCost + 1, limit: maxCost });
  });

  it.each(['application/json', '*/*', 'application/graphql-response+json'])(
    'should refuse with 400 whatever the Accept header: %s',
    async (accept) => {
      const response = await execute(yoga, aliasesQuery(maxAliases + 1), {}, { headers: { accept } });
      expect(response.status, accept).toBe(400);
    },
  );
});

describe('the cost model', () => {
  const cost = async (query: string, variables: Record<string, unknown> = {}) =>
    (await execute(yoga, query, variables)).body.extensions!.cost.value;

  it('should count connection page sizes whether literal, from a variable or defaulted', async () => {
    expect(await cost(`{ articles(first: 7) { nodes { title } } }`)).toBe(1 + 7);
    expect(await cost(`query($n: Int) { articles(first: $n) { nodes { title } } }`, { n: 7 })).toBe(1 + 7);
    expect(await cost(`query($n: Int = 9) { articles(first: $n) { nodes { title } } }`)).toBe(1 + 9);
    expect(await cost(`{ articles { nodes { title } } }`)).toBe(1 + 20);
    expect(await cost(`{ articles(last: 5) { edges { node { title } } } }`)).toBe(1 + 5 * 2);
  });

  it('should count search pages, facet values, similar articles and story members by their `first`', async () => {
    expect(await cost(`{ search(query: "ai", first: 5) { nodes { article { similar(first: 4) { title } } } } }`)).toBe(1 + 5 * (1 + 1 + 4));
    expect(await cost(`{ search(query: "ai") { facets { topics(first: 7) { value } years { value } } } }`)).toBe(1 + 20 * (1 + 7 + 10));
    expect(
      await cost(
        `{ articles(first: 2) { nodes { story { articles(first: 3) { nodes { title } } externalCoverage(first: 6) { title } } } } }`,
      ),
    ).toBe(1 + 2 * (1 + 1 + (1 + 3) + 6));
    expect(await cost(`{ stories(first: 3) { nodes { lead { title } } } }`)).toBe(1 + 3 * 2);
  });

  it('should multiply related lists by the longest related list of the corpus', async () => {
    const longest = (await corpusOf(CONTENT_DIR)).public.maxima.related;
    expect(longest).toBe(4);
    expect(await cost(`{ articles(first: 2) { nodes { related { title } } } }`)).toBe(1 + 2 * (1 + longest));
    expect(await cost(`{ articles(first: 2) { nodes { related { article { provider { name } } } } } }`)).toBe(1 + 2 * (1 + longest * 3));
  });
});

describe('the most expensive query the limits allow', () => {
  it.skipIf(!sharedCorpus)(`should return at most ${maxCost} objects, counted in the response`, async () => {
    // The real sample in preview: 229 providers, related lists up to 62 long.
    const sample = await serverOf(SAMPLE_CORPUS);
    const { query, variables } = costQuery(maxCost);
    const response = await execute(sample, query, variables, { preview: true });
    expectRuns(response);
    const countObjects = (value: unknown): number =>
      Array.isArray(value)
        ? value.reduce((sum: number, item) => sum + countObjects(item), 0)
        : value !== null && typeof value === 'object'
          ? 1 + Object.values(value).reduce((sum: number, item) => sum + countObjects(item), 0)
          : 0;
    const objects = countObjects(response.body.data) - 1; // The data object itself is not a field's value.
    expect(objects).toBeGreaterThan(0);
    expect(objects).toBeLessThanOrEqual(maxCost);
    // A deep related query is bounded as well: its estimate uses the longest related list.
    const deep = await execute(
      sample,
      `{ articles(first: 5) { nodes { related { article { related { title } } } } } }`,
      {},
      { preview: true },
    );
    const estimate = deep.body.extensions!.cost.value;
    expect(estimate).toBeLessThanOrEqual(maxCost);
    expect(countObjects(deep.body.data) - 1).toBeLessThanOrEqual(estimate);
  });
});

describe('hostile queries', () => {
  const tenThousandAliases = `{articles{nodes{${Array.from({ length: 10_000 }, (_, index) => `a${index.toString(36)}:id`).join(' ')}}}}`;
  const deepRelated = `{ articles { nodes { ${'related { article { '.repeat(20_000)}title${' } }'.repeat(20_000)} } } }`;

  it('should refuse a 10,000-alias query with 400 within 100 ms', async () => {
    expect(tenThousandAliases.length).toBeLessThan(100_000);
    const { elapsed, response } = await timed(yoga, tenThousandAliases);
    expectRefused(response, `Token limit of ${maxTokens} exceeded.`);
    expect(elapsed).toBeLessThan(100);
  });

  it('should refuse a 20,000-deep related query within 100 ms: 413 by the body cap, 400 by the limits when the cap is raised', async () => {
    expect(deepRelated.length).toBeGreaterThan(100_000);
    const capped = await timed(yoga, deepRelated);
    expect(capped.elapsed).toBeLessThan(100);
    expect(capped.response.status).toBe(413);

    const uncapped = await serverOf(CONTENT_DIR, { maxBodyBytes: 10_000_000 });
    const { elapsed, response } = await timed(uncapped, deepRelated);
    expectRefused(response, `Token limit of ${maxTokens} exceeded.`);
    expect(elapsed).toBeLessThan(100);
  });

  it('should refuse a body over 100 KB with 413', async () => {
    const response = await execute(yoga, `{ __typename }`, { padding: 'x'.repeat(100_001) });
    expect(response.status).toBe(413);
    expect(response.body.errors![0]!.message).toBe('Request body too large');
  });
});

describe('the request body cap over a real port', () => {
  const listening = createHttpServer();
  let port = 0;
  beforeAll(async () => {
    listening.on('request', requestListenerOf(yoga));
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    port = (listening.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => listening.close(resolve)));

  /** POSTs `chunks` (chunked unless `contentLength` is declared; none sent when `chunks` is empty) and reads the answer. */
  function post(chunks: readonly string[], contentLength?: number) {
    return new Promise<{ status: number; cors: string | undefined; body: any }>((resolve, reject) => {
      const sent = request(
        {
          port,
          host: '127.0.0.1',
          path: '/graphql',
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            origin: 'https://reader.example',
            ...(contentLength === undefined ? {} : { 'content-length': contentLength }),
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode!, cors: response.headers['access-control-allow-origin'], body: JSON.parse(text) }),
          );
        },
      );
      sent.on('error', reject);
      if (chunks.length === 0) sent.flushHeaders();
      else {
        for (const chunk of chunks) sent.write(chunk);
        sent.end();
      }
    });
  }
  const tooLarge = { errors: [{ message: 'Request body too large', extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } }] };
  const padded = (bytes: number) => {
    const empty = JSON.stringify({ query: '{ articles { totalCount } }', variables: { padding: '' } });
    return JSON.stringify({ query: '{ articles { totalCount } }', variables: { padding: 'x'.repeat(bytes - empty.length) } });
  };

  it('should refuse a declared Content-Length over the cap with 413 before the body is sent', async () => {
    expect(await post([], DEFAULT_MAX_BODY_BYTES + 1)).toEqual({ status: 413, cors: 'https://reader.example', body: tooLarge });
  });

  it('should count a chunked body as it arrives: 413 past the cap, answered up to it', async () => {
    const atCap = padded(DEFAULT_MAX_BODY_BYTES);
    expect(Buffer.byteLength(atCap)).toBe(DEFAULT_MAX_BODY_BYTES);
    const chunks = (text: string) => text.match(/[\s\S]{1,10000}/g)!;
    const answered = await post(chunks(atCap));
    expect({ ...answered, body: answered.body.data }).toEqual({
      status: 200,
      cors: 'https://reader.example',
      body: { articles: { totalCount: (await execute(yoga, '{ articles { totalCount } }')).body.data.articles.totalCount } },
    });
    expect(await post(chunks(padded(DEFAULT_MAX_BODY_BYTES + 1)))).toEqual({ status: 413, cors: 'https://reader.example', body: tooLarge });
    // Declared, the same bodies are judged by their Content-Length.
    expect(await post([atCap], DEFAULT_MAX_BODY_BYTES)).toEqual(answered);
  });
});

describe('a malformed Content-Length', () => {
  it('should be refused with 400', async () => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '12, 12' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 400,
      body: { errors: [{ message: 'Content-Length header is invalid.', extensions: { code: 'BAD_REQUEST' } }] },
    });
  });
});
