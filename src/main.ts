/**
 * `npm start`: reads the configuration, scans the content directory and checks that it fits in
 * memory (starting again with a larger heap limit when the machine has the memory), listens
 * (answering 503 while loading), loads the content, then serves GraphQL; with WORKERS > 1, as that
 * many worker processes on one port (cluster.ts). Exit codes: 2 for a configuration error; 1 when
 * it cannot listen, cannot read the content directory, the content does not fit in memory, or
 * (STRICT) the content has any diagnostic, and when a cluster's worker dies before serving at start
 * or three times in a row; 0 after a graceful stop.
 */
import './default-node-env.js';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { type ClusterWorker, runCluster } from './cluster.js';
import { type Config, ConfigError, loadOptionsOf, readConfig } from './config.js';
import { DEFAULT_FRONT_MATTER_LIMITS } from './content/front-matter.js';
import { type ApplyResult, LiveCorpus } from './content/live.js';
import { contentBytes, type LoadProgress, type LoadResult, loadCorpus } from './content/load.js';
import { CorpusTooLargeError, currentMemoryLimits, planMemory } from './content/memory.js';
import type { Diagnostic } from './content/model.js';
import { countBySeverity, formatDiagnostic, formatLoadLine, formatProgressLine } from './content/report.js';
import { type ScanResult, scanContent } from './content/scan.js';
import { SEARCH_INDEX_FILE, SearchIndex } from './content/search.js';
import { ContentStore } from './content/store.js';
import { changedArticles } from './content/update.js';
import { ContentWatcher } from './content/watch.js';
import { graphqlUrl, type Listener, listen } from './http/listener.js';
import type { Metrics } from './http/metrics.js';
import type { PersistedDocumentsOptions } from './http/persisted-documents.js';
import { type BusyLog, createLogger, type Logger, logWhileBusy } from './log.js';
import { LARGE_UPDATE_ARTICLES, releaseMemorySoon } from './release-memory.js';

/** How often a long load logs how far it is. */
const PROGRESS_EVERY_MS = 5_000;

/** Serves the content: alone (`worker` null), or as one worker of a cluster (cluster.ts). */
async function start(config: Config, log: Logger, worker: ClusterWorker | null = null): Promise<void> {
  const persistedDocuments = await persistedDocumentsOf(config, log);
  // Created once the content is loaded; the watcher reports no update before that.
  let metrics: Metrics | undefined;
  // A cluster's worker that follows worker 1 neither watches nor loads: it restores worker 1's
  // version from the content store and applies worker 1's updates.
  const follows = worker?.follows === true;
  // Watching starts before the files are listed, so nothing changed during the load is missed.
  const watcher =
    config.watch === 'off' || follows ? null : await startWatching(config, log, (elapsedMs) => metrics?.observeUpdate(elapsedMs / 1000));
  let scan: ScanResult | null = null;
  if (!follows) {
    // Listing a million files takes seconds of this thread.
    const listing = logWhileBusy(
      config.logLevel,
      `${worker?.prefix ?? ''}loading: listing the files of ${config.contentDir}`,
      PROGRESS_EVERY_MS,
    );
    try {
      scan = await scanContent(path.resolve(config.contentDir), { maxFileBytes: config.maxFileBytes });
    } catch (error) {
      log.error(`cannot read the content directory ${config.contentDir}: ${(error as Error).message}`);
      process.exit(1);
    } finally {
      void listing.stop();
    }
    const plan = planMemory(scan.files.length, contentBytes(scan), currentMemoryLimits(), config.cacheDir !== null);
    if (plan.decision === 'refuse') {
      log.error(plan.message!);
      process.exit(1);
    }
    if (plan.decision === 'raise') {
      await watcher?.close();
      return worker === null ? restartWithHeapLimit(plan.heapLimitMb!, log) : worker.restartWithHeapLimit(plan.heapLimitMb!);
    }
  }

  // Listening before loading answers 503 meanwhile; a cluster's worker that starts while others
  // serve listens only once it serves, so that it never answers 503.
  let listener: Listener | null = worker?.listensEarly === false ? null : await listen({ host: config.host, port: config.port, log });
  // Large corpora are parsed on worker threads, so this thread loads the GraphQL server meanwhile.
  const serverModule = import('./http/server.js');
  const metricsModule = config.metrics ? import('./http/metrics.js') : null;
  const loaded = scan === null ? await worker!.restoreSharedVersion() : await loadWithProgress(config, scan, log, worker?.prefix);
  const { corpus } = loaded;
  // Worker 1 has reported the problems of the version a following worker restores.
  if (!follows) logDiagnostics(corpus.diagnostics, log);
  if (config.strict && !follows && corpus.diagnostics.length > 0) {
    const { errors, warnings } = countBySeverity(corpus.diagnostics);
    log.error(`strict mode: ${errors} errors and ${warnings} warnings in ${config.contentDir}; exiting`);
    process.exit(1);
  }
  if (listener?.phase() === 'stopping') return;
  const { createServer, requestListenerOf } = await serverModule;
  const live = new LiveCorpus(corpus, loaded.content, {
    root: path.resolve(config.contentDir),
    maxFileBytes: config.maxFileBytes,
    parseSettings: { siteUrl: config.siteUrl, frontMatterLimits: DEFAULT_FRONT_MATTER_LIMITS },
    followers: worker?.followers,
  });
  // An update of many articles is followed by full collections, which give back what it left behind.
  live.subscribe(({ changes }) => {
    if (changedArticles(changes.preview) >= LARGE_UPDATE_ARTICLES) releaseMemoryAfter('a large update', log);
  });
  // The search index: a file beside the content store (one per cluster worker), reused when it holds this version.
  const search = new SearchIndex(
    live,
    loaded.content instanceof ContentStore ? path.join(loaded.content.directory, worker?.searchIndexFile ?? SEARCH_INDEX_FILE) : ':memory:',
  );
  const indexing = Date.now();
  if (await search.prepare((problem) => log.warn(problem))) log.info(`search index built in ${Date.now() - indexing} ms`);
  metrics = (await metricsModule)?.createMetrics(live, worker?.metrics);
  metrics?.observeLoad(loaded.timings.totalMs / 1000);
  // The subgraph schema is built (and checked) only when asked for; the server module has loaded its module.
  const schema = config.federation ? (await import('./schema/index.js')).subgraphSchema() : undefined;
  listener ??= await listen({ host: config.host, port: config.port, log });
  listener.serve(
    requestListenerOf(
      createServer({
        schema,
        search,
        log,
        httpCache: { maxAgeSeconds: config.cacheMaxAge, staleWhileRevalidateSeconds: config.cacheStaleWhileRevalidate },
        responseCacheBytes: config.responseCacheBytes,
        persistedDocuments,
        corpus: live,
        previewToken: config.previewToken,
        limits: config.limits,
        maxBodyBytes: config.maxBodyBytes,
        maxSubscriptions: config.maxSubscriptions,
        metrics,
      }),
    ),
  );
  // A stop ends every subscription stream, so open streams do not hold the process for the grace period.
  listener.onStop(() => {
    void watcher?.close();
    live.close();
    search.close();
  });
  log.info(`${formatLoadLine(config.contentDir, loaded)}; preview ${config.previewToken ? 'enabled' : 'disabled'}`);
  if (config.federation) log.info('FEDERATION=on: serving the schema as an Apollo Federation v2 subgraph (_service, _entities)');
  watcher?.attach(live);
  // Written while serving; a cluster's worker 1 shares its version through the store's snapshot
  // (cluster.ts), so it says it serves once the load's own is there.
  const persisting = persistLoad(loaded, log);
  // So does the load, once its snapshot is written: without them V8 keeps the heap the load grew
  // and lets requests' garbage fill it (at 100k, 916 MB of anonymous memory after 10 s of the hot
  // list instead of 449; bench/RESULTS.md, "Memory handed back after the load").
  void persisting.then(() => releaseMemoryAfter('the load', log));
  if (worker !== null) await persisting;
  // In a cluster, the primary says where the workers serve once they all do; a following worker
  // neither watches nor reads the directory on SIGHUP: it passes SIGHUP on to worker 1 (cluster.ts).
  worker?.serving(listener.port, live, loaded.content, (elapsedMs) => metrics?.observeUpdate(elapsedMs / 1000));
  if (follows) return;
  log.info(watchingLine(config, watcher));
  process.on('SIGHUP', () => {
    log.info(`SIGHUP received: reading ${config.contentDir} again`);
    if (watcher !== null) watcher.rescan();
    else
      void live.apply(['']).then(
        (result) => logApplied(result, log),
        (error: Error) => log.warn(`rescan failed: ${error.message}`),
      );
  });
  if (worker === null) log.info(`serving GraphQL and GraphiQL at ${graphqlUrl(config.host, listener.port)}`);
}

/**
 * Starts watching the content directory as configured; a failure to start falls back to polling
 * (watch.ts). `onUpdated` hears how long each update that changed something took.
 */
function startWatching(config: Config, log: Logger, onUpdated: (elapsedMs: number) => void): Promise<ContentWatcher> {
  return ContentWatcher.start(config.contentDir, config.watch === 'poll' ? 'poll' : 'events', {
    onWarning: (message) => log.warn(message),
    onApplied: (result, elapsedMs) => {
      logApplied(result, log, elapsedMs);
      if (result.update !== null) onUpdated(elapsedMs);
    },
  });
}

/**
 * The persisted-documents settings, with the manifest read; exits 2 when the manifest cannot be used.
 * (Its module, which loads graphql-yoga, is imported only when there is a manifest: the memory check
 * of a large corpus runs before anything large is loaded.)
 */
async function persistedDocumentsOf(config: Config, log: Logger): Promise<PersistedDocumentsOptions> {
  let trusted: ReadonlyMap<string, string> | null = null;
  if (config.persistedDocuments !== null) {
    const { ManifestError, readPersistedDocuments } = await import('./http/persisted-documents.js');
    try {
      trusted = readPersistedDocuments(config.persistedDocuments);
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      log.error(`${error.message} (PERSISTED_DOCUMENTS)`);
      process.exit(2);
    }
    const mode = config.persistedDocumentsOnly ? 'only these documents are accepted' : 'other documents are accepted too';
    log.info(`${trusted.size} trusted documents from ${config.persistedDocuments}: ${mode}`);
  }
  return { automatic: config.apq, trusted, trustedOnly: config.persistedDocumentsOnly };
}

/** Writes what the load left for later (its snapshot, for the next start), logging how long it took; never rejects. */
async function persistLoad(loaded: LoadResult, log: Logger): Promise<void> {
  if (loaded.store.snapshot !== 'deferred') return;
  const started = Date.now();
  try {
    const snapshot = await loaded.persist();
    if (snapshot === 'written') log.info(`content store: corpus snapshot written in ${Date.now() - started} ms; a restart restores it`);
  } catch (error) {
    log.warn(
      `content store: the corpus snapshot was not written (${(error as Error).message}); the next start builds the corpus from the file entries`,
    );
  }
}

/** Runs full collections soon (release-memory.ts) and logs what they gave back, after what is named. */
function releaseMemoryAfter(what: string, log: Logger): void {
  releaseMemorySoon(({ collections, heapBefore, heapAfter }) => {
    const megabytes = (bytes: number) => Math.round(bytes / 1024 / 1024);
    log.info(`memory: ${collections} full collections after ${what}, heap ${megabytes(heapBefore)} -> ${megabytes(heapAfter)} MB`);
  });
}

/** Logs what an update changed, with its new problems, when it changed anything. */
function logApplied(result: ApplyResult, log: Logger, elapsedMs?: number): void {
  const { update } = result;
  if (update === null) return;
  const { added, updated, removed } = update.changes.preview;
  const took = elapsedMs === undefined ? '' : ` in ${Math.round(elapsedMs)} ms`;
  log.info(`content version ${update.corpus.version}${took}: ${added.length} added, ${updated.length} updated, ${removed.length} removed`);
  logDiagnostics(update.problems, log);
}

/** Logs each content problem on its own line: errors at `error`, warnings at `warn`. */
function logDiagnostics(diagnostics: readonly Diagnostic[], log: Logger): void {
  for (const diagnostic of diagnostics) (diagnostic.severity === 'error' ? log.error : log.warn)(formatDiagnostic(diagnostic));
}

/** The start line that says how changes reach the served corpus. */
function watchingLine(config: Config, watcher: ContentWatcher | null): string {
  if (watcher === null) return `not watching ${config.contentDir} (WATCH=off): send SIGHUP to read it again`;
  return watcher.mode === 'events'
    ? `watching ${config.contentDir}: changes are served as they are saved`
    : `polling ${config.contentDir} for changes (WATCH=poll)`;
}

/** Loads the scanned content, logging how far it is every few seconds; exits 1 when it cannot. */
async function loadWithProgress(config: Config, scan: ScanResult, log: Logger, prefix = ''): Promise<LoadResult> {
  const started = Date.now();
  let progress: LoadProgress | null = null;
  const busy: { log?: BusyLog } = {};
  const timer = setInterval(() => {
    if (progress !== null) log.info(formatProgressLine(progress, Date.now() - started));
  }, PROGRESS_EVERY_MS);
  const stopProgress = (): void => {
    clearInterval(timer);
    void busy.log?.stop();
  };
  try {
    return await loadCorpus(config.contentDir, {
      ...loadOptionsOf(config),
      // The corpus snapshot, which only the next start reads, is written once the corpus serves.
      deferSnapshot: true,
      scan,
      onProgress: (latest) => {
        progress = latest;
      },
      onIndexing: (count, restoring) => {
        progress = null;
        const what = restoring
          ? `loading: no file changed; restoring the corpus of ${count.toLocaleString('en')} files from the content store`
          : `loading: every file read; building the indexes of ${count.toLocaleString('en')} articles`;
        if (Date.now() - started >= PROGRESS_EVERY_MS) log.info(what);
        // The indexes are built on this thread, so the progress timer cannot fire until they are done.
        void busy.log?.stop();
        busy.log = logWhileBusy(config.logLevel, prefix + what, PROGRESS_EVERY_MS);
      },
      onStoreProblem: (message) => log.warn(message),
    });
  } catch (error) {
    if (error instanceof CorpusTooLargeError) log.error(error.message);
    else log.error(`cannot read the content directory ${config.contentDir}: ${(error as Error).message}`);
    process.exit(1);
  } finally {
    stopProgress();
  }
}

/**
 * Runs this server again in a child process with a larger heap limit, passing signals on and
 * exiting with its code: the default limit is too small for the content, and the machine has the
 * memory. The child sees an explicit limit, so it never starts again itself.
 */
function restartWithHeapLimit(heapLimitMb: number, log: Logger): void {
  log.info(`the content needs more heap than the default limit: starting again with --max-old-space-size=${heapLimitMb}`);
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${heapLimitMb}`, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 1));
}

let config: Config;
try {
  config = readConfig(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`newsgraph: ${error.message}\n`);
  process.exit(2);
}
const log = createLogger(config.logLevel);
if (config.workers === 1) await start(config, log);
else await runCluster(config, log, (worker) => start(config, worker.log, worker));
