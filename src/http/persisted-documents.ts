/**
 * Persisted documents: Apollo's automatic persisted queries (@graphql-yoga/plugin-apq), and trusted
 * documents read from the manifest graphql-codegen's client preset writes
 * (@graphql-yoga/plugin-persisted-operations), optionally refusing every other document.
 */
import { readFileSync } from 'node:fs';
import { useAPQ } from '@graphql-yoga/plugin-apq';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { persistedDocumentError } from '../errors.js';

/** How documents may be sent by hash instead of in full. */
export interface PersistedDocumentsOptions {
  /** Apollo's automatic persisted queries: a client registers a document by sending it once with its hash. */
  readonly automatic: boolean;
  /** Trusted documents by SHA-256 hash (a graphql-codegen manifest), or null for none. */
  readonly trusted: ReadonlyMap<string, string> | null;
  /** Refuse every document that is not trusted (needs `trusted`); automatic persisted queries are then off. */
  readonly trustedOnly: boolean;
}

/** The most documents, and the most characters of them, that automatic persisted queries remember (least recently used go first). */
const AUTOMATIC_STORE_LIMITS = { max: 10_000, maxSize: 10 * 1024 * 1024 };

/**
 * The key of a document id: its hash. graphql-codegen writes ids as `sha256:<hex>` (the form of the
 * GraphQL over HTTP persisted-documents proposal's `documentId`); Apollo's extension sends `<hex>`.
 */
function hashOf(documentId: string): string {
  return documentId.startsWith('sha256:') ? documentId.slice('sha256:'.length) : documentId;
}

/** The request parameter, beside yoga's own, by which a client names a persisted document. */
export const DOCUMENT_ID_PARAMETER = 'documentId';

/** A request's `documentId`: from a POST body, or from a GET URL (whose extra parameters yoga does not pass on); null for none. */
function documentIdParameterOf(params: object, request: Request): string | null {
  const inBody = (params as { documentId?: unknown }).documentId;
  if (typeof inBody === 'string') return inBody;
  return request.method === 'GET' ? new URL(request.url).searchParams.get(DOCUMENT_ID_PARAMETER) : null;
}

/** The id a request names its document by: `documentId`, else `extensions.persistedQuery.sha256Hash`; null for none. */
function documentIdOf(params: { documentId?: unknown; extensions?: Record<string, unknown> | null }, request: Request): string | null {
  const persisted = params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  return documentIdParameterOf(params, request) ?? (typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : null);
}

/** A manifest that cannot be used: the message names the file and what is wrong. */
export class ManifestError extends Error {}

/**
 * Reads a persisted-documents manifest: a JSON object from each document's id to the document, as
 * graphql-codegen's client preset writes it with `persistedDocuments: true` (ids `sha256:<hex>`, or
 * bare hashes), into a map from hash to document. Throws ManifestError naming the file and the first
 * entry that is not a string to a string.
 */
export function readPersistedDocuments(file: string): ReadonlyMap<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ManifestError(`cannot read the persisted documents ${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ManifestError(`the persisted documents ${file} must be a JSON object from each document's hash to the document`);
  }
  const documents = new Map<string, string>();
  for (const [hash, document] of Object.entries(parsed)) {
    if (typeof document !== 'string' || hash === '') {
      throw new ManifestError(
        `the persisted documents ${file}: the entry "${hash}" must map a hash to a document string, found ${typeof document}`,
      );
    }
    documents.set(hashOf(hash), document);
  }
  return documents;
}

/**
 * The yoga plugins of persisted documents. Trusted-only: a request must name a trusted document by
 * `documentId` or `extensions.persistedQuery.sha256Hash`; a document sent in full is refused before it is parsed.
 * Otherwise automatic persisted queries (when on) look a hash up among the trusted documents, then
 * among the documents clients registered, in a bounded store.
 */
export function usePersistedDocuments(options: PersistedDocumentsOptions): Plugin[] {
  const trusted = options.trusted ?? new Map<string, string>();
  if (options.trustedOnly) {
    return [
      usePersistedOperations({
        getPersistedOperation: (id) => trusted.get(hashOf(id)) ?? null,
        extractPersistedOperationId: documentIdOf,
        allowArbitraryOperations: false,
        customErrors: {
          persistedQueryOnly: () =>
            persistedDocumentError(
              'This server runs only its trusted documents (PERSISTED_DOCUMENTS_ONLY): send `documentId` or `extensions.persistedQuery.sha256Hash` without `query`.',
              'PERSISTED_QUERY_ONLY',
              400,
            ),
          keyNotFound: () =>
            persistedDocumentError(
              'This server runs only its trusted documents (PERSISTED_DOCUMENTS_ONLY): name one by `documentId` or `extensions.persistedQuery.sha256Hash`.',
              'PERSISTED_QUERY_ID_REQUIRED',
              400,
            ),
          notFound: () =>
            persistedDocumentError(
              'No trusted document has this hash (PERSISTED_DOCUMENTS): regenerate the client and the manifest together, and deploy the manifest.',
              'PERSISTED_QUERY_NOT_IN_LIST',
              404,
            ),
        },
      }),
    ];
  }
  const registered = new LRUCache<string, string>({ ...AUTOMATIC_STORE_LIMITS, sizeCalculation: (document) => document.length || 1 });
  // A `documentId` names a trusted document (or, with automatic persisted queries, a registered one).
  const byDocumentId: Plugin = {
    onParams({ params, request, setParams }) {
      if (params.query) return;
      const id = documentIdParameterOf(params, request);
      if (id === null) return;
      const document = trusted.get(hashOf(id)) ?? (options.automatic ? registered.get(hashOf(id)) : undefined);
      if (document === undefined) throw persistedDocumentError('PersistedQueryNotFound', 'PERSISTED_QUERY_NOT_FOUND', 404);
      setParams({ ...params, query: document });
    },
  };
  if (!options.automatic) return [byDocumentId];
  return [
    byDocumentId,
    useAPQ({
      store: {
        get: (hash) => trusted.get(hash) ?? registered.get(hash) ?? null,
        set: (hash, document) => {
          if (!trusted.has(hash)) registered.set(hash, document);
        },
      },
    }),
  ];
}
