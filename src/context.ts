import { timingSafeEqual } from 'node:crypto';
import type { Corpus } from './content/corpus.js';
import type { SearchIndex } from './content/search.js';
import type { CorpusUpdate } from './content/update.js';
import type { CorpusView } from './content/view.js';
import { unauthenticated } from './errors.js';

/** One call of a DataLoader batch function during a request. */
export interface BatchCall {
  readonly loader: string;
  readonly keys: number;
}

/** What every resolver of one request sees. Created fresh per request; loaders hang off it. */
export interface RequestContext {
  /** The articles this request may see: the public view, or the preview view with the token. */
  readonly view: CorpusView;
  /** The loaded corpus, for the content-health report (preview only). */
  readonly corpus: Corpus;
  /** Batch calls made so far, in order, for the `extensions.loaders` report and benchmarks. */
  readonly batchCalls: BatchCall[];
  /** Where the corpus comes from: a subscription hears its updates. */
  readonly source: CorpusSource;
  /** The full-text index of the corpus, for `search` and `similar`. */
  readonly search: SearchIndex;
}

/** A corpus that changes: its current version, and its updates as they are published (live.ts). */
export interface LiveSource {
  readonly current: Corpus;
  /** Hears each update, and `onClose` when no more will come; returns the function that stops hearing. */
  subscribe(listener: (update: CorpusUpdate) => void, onClose: () => void): () => void;
}

/** Where requests get the corpus: a loaded one, or a live one (each request takes its current version once). */
export type CorpusSource = Corpus | LiveSource;

/** Options for deciding a request's view. */
export interface ContextOptions {
  readonly corpus: CorpusSource;
  /** The preview token; null disables preview. */
  readonly previewToken: string | null;
  /** The full-text index that follows `corpus`. */
  readonly search: SearchIndex;
}

/**
 * Which view a request's Authorization header grants: preview for `Bearer <token>` matching the
 * configured preview token, public for no bearer token. Throws an UNAUTHENTICATED error (HTTP 401)
 * for any other bearer token, so a wrong token is never silently served public data.
 */
export function authorizedView(options: ContextOptions, authorization: string | null): 'public' | 'preview' {
  const bearer = authorization === null ? null : (/^\s*Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? null);
  if (bearer === null) return 'public';
  if (options.previewToken === null) {
    throw unauthenticated(
      'A bearer token was sent, but preview is disabled on this server (PREVIEW_TOKEN is not set). ' +
        'Send no Authorization header for the public API.',
    );
  }
  if (!tokensEqual(bearer, options.previewToken)) {
    throw unauthenticated(
      'The preview token is invalid. Send "Authorization: Bearer <PREVIEW_TOKEN>" ' +
        'with the token the server was started with, or no Authorization header for the public API.',
    );
  }
  return 'preview';
}

/** The corpus version a request starts now should use to the end. */
export function currentCorpus(source: CorpusSource): Corpus {
  return 'current' in source ? source.current : source;
}

/**
 * The context of one request, with the view its Authorization header grants (authorizedView), of
 * the corpus version current when the request starts: every resolver of the request sees that one.
 */
export function createContext(options: ContextOptions, authorization: string | null): RequestContext {
  const corpus = currentCorpus(options.corpus);
  const view = authorizedView(options, authorization) === 'preview' ? corpus.preview : corpus.public;
  return { view, corpus, batchCalls: [], source: options.corpus, search: options.search };
}

/** The key under which Pothos keeps a context's DataLoaders (`createContextCache` in @pothos/core). */
const POTHOS_CONTEXT_CACHE = Symbol.for('Pothos.contextCache');

/**
 * Moves a subscription's context to the corpus version of the event about to be resolved: the
 * event's fields read that version, in the same view, through loaders of their own. (A
 * subscription keeps one context for all its events, and resolves them one at a time.)
 */
export function moveToVersion(context: RequestContext, corpus: Corpus): void {
  if (context.corpus === corpus) return;
  Object.assign(context, { corpus, view: corpus[context.view.kind], [POTHOS_CONTEXT_CACHE]: {} });
}

function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
