/**
 * Prometheus metrics at `GET /metrics`: requests and their latency by operation, errors by code,
 * response-cache lookups, and the state of the served content, read when scraped. Every label has
 * a bounded set of values, so no client can grow the number of series.
 */
import { type DocumentNode, type GraphQLError, getOperationAST, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Corpus } from '../content/corpus.js';
import { countBySeverity } from '../content/report.js';
import type { CorpusSource } from '../context.js';
import { ERROR_CODES } from '../errors.js';

/** The metrics of one server: its registry, the plugin that serves and feeds it, and what other parts report. */
export interface Metrics {
  /** The prom-client registry of this server (one per Metrics, never the global registry). */
  readonly registry: Registry;
  /** The yoga plugin that answers GET /metrics and records every request. */
  plugin(): Plugin;
  /** Counts one response-cache lookup. */
  countResponseCache(outcome: 'hit' | 'miss'): void;
  /**
   * Records a GET request answered outside yoga (stored-responses.ts), labelled by the operation
   * its URL names, as a response-cache hit through yoga is: its URL (path and query), HTTP status
   * and seconds from arrival to response.
   */
  recordAnswer(url: string, status: number, seconds: number): void;
  /** Records how long the first load of the content took. */
  observeLoad(seconds: number): void;
  /** Records how long one live update of the content took (applied from changed files). */
  observeUpdate(seconds: number): void;
}

/**
 * The metrics of a cluster's workers (WORKERS > 1, cluster.ts), so that `/metrics`, whichever worker
 * answers it, says what all of them did: the primary aggregates every worker's registry.
 */
export interface MetricsAcrossWorkers {
  /** Makes this worker's registry one the primary collects. */
  share(registry: Registry): void;
  /** Every worker's metrics, aggregated by the primary, in the Prometheus text format. */
  collect(): Promise<string>;
}

/** The path the metrics are served at. */
export const METRICS_PATH = '/metrics';
/** How many distinct operation names get a label of their own; later ones are counted as `other`. */
export const MAX_OPERATION_NAMES = 100;
/** An operation name that may become a label value: a GraphQL name of at most 64 characters. */
const LABELLED_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** The labels of a request that never chose an operation (refused before, or not GraphQL at all). */
const NO_OPERATION = { operation: 'none', type: 'none' } as const;
/** Buckets of the update duration, in seconds: a single save takes milliseconds, a large burst seconds. */
const UPDATE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The document and operation name a request sent, as the first plugin sees them. */
interface SentParams {
  readonly query: string | null;
  readonly operationName: string | null;
}

/** The operation labels of one request. */
interface OperationLabels {
  readonly operation: string;
  readonly type: string;
}

/**
 * The metrics of a server over this corpus source, on a registry of their own with the default
 * process metrics; served summed over a cluster's workers when `acrossWorkers` is given. Figures
 * of the content every worker serves alike are aggregated as their maximum, not summed.
 */
export function createMetrics(source: CorpusSource, acrossWorkers?: MetricsAcrossWorkers): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  acrossWorkers?.share(registry);
  const current = (): Corpus => ('current' in source ? source.current : source);

  const requests = new Counter({
    name: 'newsgraph_requests_total',
    help: 'HTTP requests answered, by GraphQL operation (none: no operation chosen), operation type and HTTP status.',
    labelNames: ['operation', 'type', 'status'],
    registers,
  });
  const requestDuration = new Histogram({
    name: 'newsgraph_request_duration_seconds',
    help: 'Time from a request to its response headers (for a subscription, until its stream opens), by operation and type.',
    labelNames: ['operation', 'type'],
    registers,
  });
  const errors = new Counter({
    name: 'newsgraph_errors_total',
    help: 'GraphQL errors sent, by extensions.code.',
    labelNames: ['code'],
    registers,
  });
  const cacheLookups = new Counter({
    name: 'newsgraph_response_cache_lookups_total',
    help: 'Response-cache lookups, by outcome.',
    labelNames: ['outcome'],
    registers,
  });
  for (const outcome of ['hit', 'miss']) cacheLookups.inc({ outcome }, 0);
  new Gauge({
    name: 'newsgraph_content_version_info',
    help: 'The content version served (contentHealth.version), always 1.',
    labelNames: ['version'],
    registers,
    aggregator: 'max',
    collect() {
      this.reset();
      this.set({ version: current().version }, 1);
    },
  });
  new Gauge({
    name: 'newsgraph_content_articles',
    help: 'Published articles served: what a request without the preview token sees.',
    registers,
    aggregator: 'max',
    collect() {
      this.set(current().public.stats.articles);
    },
  });
  new Gauge({
    name: 'newsgraph_content_diagnostics',
    help: 'Problems found in the content files, by severity.',
    labelNames: ['severity'],
    registers,
    aggregator: 'max',
    collect() {
      const counts = countBySeverity(current().diagnostics);
      this.set({ severity: 'error' }, counts.errors);
      this.set({ severity: 'warning' }, counts.warnings);
    },
  });
  const loadDuration = new Gauge({
    name: 'newsgraph_content_load_duration_seconds',
    help: 'How long the first load took (in a cluster, the longest of the workers).',
    registers,
    aggregator: 'max',
  });
  const updateDuration = new Histogram({
    name: 'newsgraph_content_update_duration_seconds',
    help: 'How long each live update took, from its file events to the new version (in a cluster, once for each worker that applied it).',
    buckets: UPDATE_BUCKETS,
    registers,
  });
  const updates = new Counter({
    name: 'newsgraph_content_updates_total',
    help: 'Live updates applied (in a cluster, by the worker that applied the most).',
    registers,
    aggregator: 'max',
  });

  // One plugin per Metrics, so that the bound on operation names holds however many servers use it.
  const exposition = acrossWorkers === undefined ? () => registry.metrics() : () => acrossWorkers.collect();
  const names = new OperationNames();
  const plugin = metricsPlugin(registry, exposition, names, requests, requestDuration, errors);
  return {
    registry,
    plugin: () => plugin,
    countResponseCache: (outcome) => cacheLookups.inc({ outcome }),
    recordAnswer(url, status, seconds) {
      const labels = names.labelsOfParams(paramsOfUrl(url));
      requests.inc({ ...labels, status });
      requestDuration.observe(labels, seconds);
    },
    observeLoad: (seconds) => loadDuration.set(seconds),
    observeUpdate(seconds) {
      updateDuration.observe(seconds);
      updates.inc();
    },
  };
}

/**
 * The plugin: answers `/metrics` (GET only, 405 otherwise), times every request from its arrival to
 * its response, labels it with the operation its document chose, and counts the errors it sends.
 */
function metricsPlugin(
  registry: Registry,
  exposition: () => Promise<string>,
  names: OperationNames,
  requests: Counter<'operation' | 'type' | 'status'>,
  requestDuration: Histogram<'operation' | 'type'>,
  errors: Counter<'code'>,
): Plugin {
  const started = new WeakMap<Request, number>();
  const operations = new WeakMap<Request, OperationLabels>();
  const params = new WeakMap<Request, SentParams>();
  const countErrors = (result: { readonly errors?: readonly GraphQLError[] }): void => {
    for (const error of result.errors ?? []) errors.inc({ code: codeOf(error) });
  };
  return {
    // The clock starts in this plugin's first hook (it is the first plugin), not in yoga's
    // instrumentation API, which cost 15 % of an executed hot list by itself.
    onRequest({ request, url, endResponse, fetchAPI }) {
      started.set(request, performance.now());
      if (url.pathname !== METRICS_PATH) return;
      if (request.method !== 'GET') {
        endResponse(new fetchAPI.Response('Only GET is allowed on /metrics.\n', { status: 405, headers: { allow: 'GET' } }));
        return;
      }
      return exposition().then(
        (text) => endResponse(new fetchAPI.Response(text, { headers: { 'content-type': registry.contentType } })),
        // A cluster's primary could not collect every worker's figures (one did not answer in 5 s).
        (error: Error) =>
          endResponse(new fetchAPI.Response(`Metrics unavailable: ${error.message}\n`, { status: 503, headers: { 'retry-after': '5' } })),
      );
    },
    onParams({ request, params: { query, operationName } }) {
      params.set(request, {
        query: typeof query === 'string' ? query : null,
        operationName: typeof operationName === 'string' ? operationName : null,
      });
    },
    onParse({ context }) {
      return ({ result }) => {
        const parsed = result instanceof Error || result === null ? null : (result as DocumentNode);
        operations.set(context.request, parsed === null ? NO_OPERATION : names.labelsOf(parsed, context.params.operationName));
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult: ({ result }) =>
          Symbol.asyncIterator in result ? { onNext: ({ result: event }) => countErrors(event) } : undefined,
      };
    },
    onResultProcess({ result }) {
      if (Symbol.asyncIterator in result) return;
      for (const single of Array.isArray(result) ? result : [result]) countErrors(single);
    },
    onResponse({ request, response }) {
      // A result answered without parsing (a response-cache hit, a 304) is labelled by its parameters now
      // (a 304 is answered before they are read: from its URL); a request refused before parsing stays `none`.
      const unparsed =
        response.status < 400 ? (params.get(request) ?? (response.status === 304 ? paramsOfUrl(request.url) : undefined)) : undefined;
      const labels = operations.get(request) ?? (unparsed === undefined ? NO_OPERATION : names.labelsOfParams(unparsed));
      requests.inc({ ...labels, status: response.status });
      const since = started.get(request);
      if (since !== undefined) requestDuration.observe(labels, (performance.now() - since) / 1000);
    },
  };
}

/** The parameters of a GET request, from its URL (absolute, or a path and query). */
function paramsOfUrl(url: string): SentParams {
  const search = new URL(url, 'http://localhost').searchParams;
  return { query: search.get('query'), operationName: search.get('operationName') };
}

/** The operation label of each name: its own for the first MAX_OPERATION_NAMES valid names seen, `other` after. */
class OperationNames {
  private readonly seen = new Set<string>();
  /** The labels of recent unparsed queries, so that a cache hit is not parsed for its label. */
  private readonly byParams = new LRUCache<string, OperationLabels>({ max: 1_000 });

  /**
   * The labels of a query answered without being parsed (only a query is cached): by its document
   * when it was sent (none when it does not parse), else (a persisted query sent by hash) by `operationName`.
   */
  labelsOfParams({ query, operationName }: SentParams): OperationLabels {
    if (query === null) return { operation: this.labelOf(operationName ?? undefined), type: 'query' };
    const key = `${operationName ?? ''}\n${query}`;
    let labels = this.byParams.get(key);
    if (labels === undefined) {
      try {
        labels = this.labelsOf(parse(query, { noLocation: true }), operationName);
      } catch {
        labels = NO_OPERATION;
      }
      this.byParams.set(key, labels);
    }
    return labels;
  }

  /** The labels of the operation a document runs: `anonymous` without a name, none when it names no single operation. */
  labelsOf(document: DocumentNode, operationName: string | null | undefined): OperationLabels {
    const operation = getOperationAST(document, operationName);
    if (operation == null) return NO_OPERATION;
    return { operation: this.labelOf(operation.name?.value), type: operation.operation };
  }

  private labelOf(name: string | undefined): string {
    if (name === undefined) return 'anonymous';
    if (this.seen.has(name)) return name;
    if (!LABELLED_NAME.test(name) || this.seen.size >= MAX_OPERATION_NAMES) return 'other';
    this.seen.add(name);
    return name;
  }
}

/** The code label of an error: its code when it is one of ERROR_CODES, else (none or unknown) INTERNAL_SERVER_ERROR. */
function codeOf(error: GraphQLError): string {
  const code = error.extensions?.code;
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code) ? code : 'INTERNAL_SERVER_ERROR';
}
