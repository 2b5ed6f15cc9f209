import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { generate } from '@graphql-codegen/cli';
import { Client, fetchExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError, readPersistedDocuments } from '../../src/http/persisted-documents.js';
import {
  CONTENT_DIR,
  createTempDirectory,
  newestFirst,
  PROJECT_ROOT,
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

  it('should run a trusted document named by `documentId`, as graphql-codegen names it, and refuse an unknown one', async () => {
    const yoga = await serverOf(CONTENT_DIR, {
      persistedDocuments: { automatic: true, trusted: readPersistedDocuments(manifestOf([LATEST])), trustedOnly: false },
    });
    const send = (documentId: string) =>
      yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ documentId }),
      });
    const known = await send(`sha256:${sha256(LATEST)}`);
    expect((await known.json()).data).toEqual(latestSlugs());
    const byGet = await yoga.fetch(`http://localhost/graphql?documentId=${encodeURIComponent(`sha256:${sha256(LATEST)}`)}`);
    expect((await byGet.json()).data).toEqual(latestSlugs());
    const unknown = await send(`sha256:${sha256('{ __typename }')}`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).errors).toEqual([
      { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
    ]);
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
            'This server runs only its trusted documents (PERSISTED_DOCUMENTS_ONLY): send `documentId` or `extensions.persistedQuery.sha256Hash` without `query`.',
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
  it('should read a manifest into a map from hash to document, with or without the `sha256:` of its ids', () => {
    expect(readPersistedDocuments(manifestOf([LATEST]))).toEqual(new Map([[sha256(LATEST), LATEST]]));
    const file = path.join(createTempDirectory('newsgraph-manifest-'), 'prefixed.json');
    writeFileSync(file, JSON.stringify({ [`sha256:${sha256(LATEST)}`]: LATEST }));
    expect(readPersistedDocuments(file)).toEqual(new Map([[sha256(LATEST), LATEST]]));
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

/**
 * Writes documents to a file and runs graphql-codegen's client preset with `persistedDocuments: true`
 * over them and schema.graphql, as a frontend's build would; returns the manifest it wrote.
 */
async function codegenManifest(documents: string): Promise<string> {
  const directory = createTempDirectory('newsgraph-codegen-');
  writeFileSync(path.join(directory, 'operations.graphql'), documents);
  const output = path.join(directory, 'gql/');
  await generate(
    {
      schema: path.join(PROJECT_ROOT, 'schema.graphql'),
      documents: [path.join(directory, 'operations.graphql')],
      generates: { [output]: { preset: 'client', presetConfig: { persistedDocuments: true } } },
      silent: true,
    },
    true,
  );
  return path.join(output, 'persisted-documents.json');
}

describe('persisted documents over a real port', () => {
  let server: RunningServer;
  let trusted: RunningServer;
  let manifest: ReadonlyMap<string, string>;
  beforeAll(async () => {
    const manifestFile = await codegenManifest(`${LATEST}\nquery TopicNames { topics { nodes { name } } }\n`);
    manifest = readPersistedDocuments(manifestFile);
    [server, trusted] = await Promise.all([
      startServerProcess(),
      startServerProcess({ PERSISTED_DOCUMENTS: manifestFile, PERSISTED_DOCUMENTS_ONLY: 'true' }),
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

  it("should run the trusted documents of graphql-codegen's manifest by hash, and refuse others, with PERSISTED_DOCUMENTS_ONLY", async () => {
    expect(trusted.output()).toContain('2 trusted documents from');
    // The client preset's hashes are SHA-256 of the documents it prints, as automatic persisted queries use.
    expect([...manifest].map(([hash, document]) => hash === sha256(document))).toEqual([true, true]);
    const [latestHash] = [...manifest].find(([, document]) => document.includes('query Latest'))!;
    const byHash = await fetch(hashOnlyUrl(trusted.origin, latestHash));
    expect(byHash.status).toBe(200);
    expect((await byHash.json()).data).toEqual(latestSlugs());
    const [topicsHash] = [...manifest].find(([, document]) => document.includes('query TopicNames'))!;
    // The preset's own form of the id, as its documents carry it in `__meta__.hash`.
    const topics = await fetch(`${trusted.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documentId: `sha256:${topicsHash}` }),
    });
    expect(topics.status).toBe(200);
    expect((await topics.json()).data.topics.nodes.length).toBeGreaterThan(0);
    const full = await fetch(`${trusted.origin}/graphql?query=${encodeURIComponent(LATEST)}`);
    expect(full.status).toBe(400);
    expect((await full.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
  });
});
