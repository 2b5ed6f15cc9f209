import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Client, fetchExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError, readPersistedDocuments } from '../../src/http/persisted-documents.js';
import {
  CONTENT_DIR,
  createTempDirectory,
  newestFirst,
  type RunningServer,
  readRawArticles,
  serverOf,
  startServerProcess,
} from '../support.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const LATEST = 'query Latest { articles(first: 2) { nodes { slug } } }';
const latestSlugs = () => ({
  articles: {
    nodes: newestFirst(readRawArticles(CONTENT_DIR).filter((article) => article.published))
      .slice(0, 2)
      .map((article) => ({ slug: article.slug })),
  },
});

/** A GET request naming a document by hash only, as Apollo's link sends it. */
function hashOnlyUrl(origin: string, hash: string, operationName = 'Latest'): string {
  const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } });
  return `${origin}/graphql?operationName=${operationName}&extensions=${encodeURIComponent(extensions)}`;
}

/** A manifest file as graphql-codegen's client preset writes it. */
function manifestOf(documents: readonly string[]): string {
  const file = path.join(createTempDirectory('newsgraph-manifest-'), 'persisted-documents.json');
  writeFileSync(file, JSON.stringify(Object.fromEntries(documents.map((document) => [sha256(document), document])), null, 2));
  return file;
}

describe('automatic persisted queries', () => {
  it('should answer an unknown hash PersistedQueryNotFound, register the document sent with it, then serve it by hash', async () => {
    const yoga = await serverOf(CONTENT_DIR);
    const hash = sha256(LATEST);
    const unknown = await yoga.fetch(hashOnlyUrl('http://localhost', hash));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
    });

    const register = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LATEST, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    });
    expect(register.status).toBe(200);
    expect((await register.json()).data).toEqual(latestSlugs());

    const byHash = await yoga.fetch(hashOnlyUrl('http://localhost', hash));
    expect(byHash.status).toBe(200);
    expect((await byHash.json()).data).toEqual(latestSlugs());
  });

  it('should refuse a document whose hash is not the one sent, registering nothing', async () => {
    const yoga = await serverOf(CONTENT_DIR);
    const wrong = sha256('{ __typename }');
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LATEST, extensions: { persistedQuery: { version: 1, sha256Hash: wrong } } }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([
      { message: 'PersistedQueryMismatch', extensions: { code: 'PERSISTED_QUERY_MISMATCH' } },
    ]);
    expect((await yoga.fetch(hashOnlyUrl('http://localhost', wrong))).status).toBe(404);
  });

  it('should serve the trusted documents of a manifest by hash without registration, and still run other documents', async () => {
    const yoga = await serverOf(CONTENT_DIR, {
      persistedDocuments: { automatic: true, trusted: readPersistedDocuments(manifestOf([LATEST])), trustedOnly: false },
    });
    const byHash = await yoga.fetch(hashOnlyUrl('http://localhost', sha256(LATEST)));
    expect((await byHash.json()).data).toEqual(latestSlugs());
    const other = await yoga.fetch(`http://localhost/graphql?query=${encodeURIComponent('{ articles { totalCount } }')}`);
    expect(other.status).toBe(200);
  });

  it('should answer a hash-only request as a missing document when automatic persisted queries are off', async () => {
    const yoga = await serverOf(CONTENT_DIR, { persistedDocuments: { automatic: false, trusted: null, trustedOnly: false } });
    const response = await yoga.fetch(hashOnlyUrl('http://localhost', sha256(LATEST)), {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([{ message: 'Must provide query string.', extensions: { code: 'BAD_REQUEST' } }]);
  });
});

describe('trusted documents only', () => {
  const trustedOnly = async () =>
    serverOf(CONTENT_DIR, {
      persistedDocuments: { automatic: true, trusted: readPersistedDocuments(manifestOf([LATEST])), trustedOnly: true },
    });

  it('should run a trusted document named by its hash', async () => {
    const yoga = await trustedOnly();
    const response = await yoga.fetch(hashOnlyUrl('http://localhost', sha256(LATEST)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: latestSlugs(), extensions: { batchCalls: [], cost: { value: 3, limit: 20_000 } } });
  });

  it('should refuse any document sent in full before parsing it, even one that is not GraphQL', async () => {
    const yoga = await trustedOnly();
    for (const query of [LATEST, '{ articles(']) {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query }),
      });
      expect(response.status).toBe(400);
      expect((await response.json()).errors).toEqual([
        {
          message:
            'This server runs only its trusted documents (PERSISTED_DOCUMENTS_ONLY): send `extensions.persistedQuery.sha256Hash` without `query`.',
          extensions: { code: 'PERSISTED_QUERY_ONLY' },
        },
      ]);
    }
  });

  it('should refuse a hash that is not trusted, and a request that names no document', async () => {
    const yoga = await trustedOnly();
    const unknown = await yoga.fetch(hashOnlyUrl('http://localhost', sha256('{ __typename }')));
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).errors[0].extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_IN_LIST' });
    const nothing = await yoga.fetch('http://localhost/graphql?operationName=Latest');
    expect(nothing.status).toBe(400);
    expect((await nothing.json()).errors[0].extensions).toEqual({ code: 'PERSISTED_QUERY_ID_REQUIRED' });
  });
});

describe('readPersistedDocuments', () => {
  it('should read a manifest into a map from hash to document', () => {
    expect(readPersistedDocuments(manifestOf([LATEST]))).toEqual(new Map([[sha256(LATEST), LATEST]]));
  });

  it('should name the file and the entry of a manifest it cannot use', () => {
    const directory = createTempDirectory('newsgraph-manifest-');
    const file = path.join(directory, 'bad.json');
    writeFileSync(file, JSON.stringify({ abc: 42 }));
    expect(() => readPersistedDocuments(file)).toThrow(
      new ManifestError(`the persisted documents ${file}: the entry "abc" must map a hash to a document string, found number`),
    );
    writeFileSync(file, '[]');
    expect(() => readPersistedDocuments(file)).toThrow(
      new ManifestError(`the persisted documents ${file} must be a JSON object from each document's hash to the document`),
    );
    expect(() => readPersistedDocuments(path.join(directory, 'missing.json'))).toThrow(
      /^cannot read the persisted documents .*missing\.json: ENOENT/,
    );
  });
});

describe('persisted documents over a real port', () => {
  let server: RunningServer;
  let trusted: RunningServer;
  beforeAll(async () => {
    const manifest = manifestOf([LATEST]);
    [server, trusted] = await Promise.all([
      startServerProcess(),
      startServerProcess({ PERSISTED_DOCUMENTS: manifest, PERSISTED_DOCUMENTS_ONLY: 'true' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), trusted?.stop()]);
  });

  /** A fetch that records each request's method and whether it carried the document. */
  const recordingFetch = (seen: string[]): typeof fetch => {
    return async (input, init) => {
      const url = new URL(String(input));
      const sentDocument = url.searchParams.has('query') || String(init?.body ?? '').includes('"query"');
      seen.push(`${init?.method ?? 'GET'} ${sentDocument ? 'document' : 'hash'}`);
      return fetch(input, init);
    };
  };

  it("should work with Apollo Client's persisted-query link: one retry with the document, then hash-only GETs", async () => {
    const seen: string[] = [];
    const client = () =>
      new ApolloClient({
        cache: new InMemoryCache(),
        link: createPersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
          new HttpLink({ uri: `${server.origin}/graphql`, fetch: recordingFetch(seen) }),
        ),
      });
    const first = await client().query({ query: gql(LATEST) });
    expect(first.data).toEqual({
      articles: {
        __typename: 'ArticleConnection',
        nodes: latestSlugs().articles.nodes.map((node) => ({ __typename: 'Article', ...node })),
      },
    });
    expect(seen).toEqual(['GET hash', 'POST document']);
    const second = await client().query({ query: gql(LATEST) });
    expect(second.data).toEqual(first.data);
    expect(seen).toEqual(['GET hash', 'POST document', 'GET hash']);
  });

  it("should work with urql's persisted exchange, preferring GET for hashes", async () => {
    const seen: string[] = [];
    const query = 'query LatestUrql { articles(first: 2) { nodes { slug } } }';
    const client = () =>
      new Client({
        url: `${server.origin}/graphql`,
        exchanges: [persistedExchange({ preferGetForPersistedQueries: true }), fetchExchange],
        fetch: recordingFetch(seen),
      });
    const first = await client().query(query, {}).toPromise();
    expect(first.error).toBeUndefined();
    expect(first.data).toEqual(latestSlugs());
    expect(seen).toEqual(['GET hash', 'GET document']);
    const second = await client().query(query, {}).toPromise();
    expect(second.data).toEqual(latestSlugs());
    expect(seen).toEqual(['GET hash', 'GET document', 'GET hash']);
  });

  it('should run trusted documents by hash and refuse others when started with PERSISTED_DOCUMENTS_ONLY', async () => {
    expect(trusted.output()).toContain('1 trusted documents from');
    const byHash = await fetch(hashOnlyUrl(trusted.origin, sha256(LATEST)));
    expect(byHash.status).toBe(200);
    expect((await byHash.json()).data).toEqual(latestSlugs());
    const full = await fetch(`${trusted.origin}/graphql?query=${encodeURIComponent(LATEST)}`);
    expect(full.status).toBe(400);
    expect((await full.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
  });
});
