import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Corpus, createCorpus, versionOfFingerprint } from './corpus.js';
import { type ContentEntries, HeapEntries } from './entries.js';
import { deepFreeze } from './freeze.js';
import { DEFAULT_FRONT_MATTER_LIMITS, type FrontMatterLimits } from './front-matter.js';
import { CorpusTooLargeError, currentMemoryLimits, type MemoryLimits, planMemory } from './memory.js';
import type { Article, Diagnostic, ProviderRef, TopicRef } from './model.js';
import { compareStrings } from './order.js';
import { type ParseSettings, parseInBatches, readArticle, storeBatch, storeDeferredKeys } from './parse-files.js';
import { type ContentFile, type ScanResult, scanContent } from './scan.js';
import { decodeSnapshot, encodeCorpusYielding, fingerprintOf, restoreCorpus } from './snapshot.js';
import { ContentStore, type FileToStore, type LoadedFile, storeDirectory } from './store.js';
import { StoredArticle } from './stored-article.js';
import type { ArticleSummary } from './summary.js';
import type { IndexedArticle } from './view.js';
import { startWorkerThread } from './worker-thread.js';

/** Options of a load; every one has a default. */
export interface LoadOptions {
  /** Files over this many bytes are reported and not read. Default 1 MiB. */
  readonly maxFileBytes?: number;
  /** Base URL for relative URLs in front matter; null (default) drops them with a warning. */
  readonly siteUrl?: string | null;
  /** Caps on YAML nodes and depth per file. */
  readonly frontMatterLimits?: FrontMatterLimits;
  /**
   * Worker threads that read and parse files side by side; 1 parses on the calling thread. Default:
   * one per CPU (at most 4) from 2,000 files on, else 1 — below that, starting workers costs more
   * than it saves.
   */
  readonly threads?: number;
  /** Files per message from a worker back to the calling thread. Default 2,000. */
  readonly workerBatchFiles?: number;
  /** The scan of `directory` when the caller has made it already (with the same maxFileBytes). */
  readonly scan?: ScanResult;
  /**
   * The memory to load in: a corpus estimated not to fit is refused with CorpusTooLargeError before
   * anything is parsed. Default: this process's limits; null loads without the check.
   */
  readonly memoryLimits?: MemoryLimits | null;
  /** Hears how many of the files are read and parsed, every few hundred files (every batch on workers). */
  readonly onProgress?: (progress: LoadProgress) => void;
  /**
   * Hears that every file is read and the indexes are being built, with the number of articles, or
   * (`restoring`) that no file changed and the corpus is being restored from the content store,
   * with the number of files: a step of seconds for a large corpus that reports no progress of its own.
   */
  readonly onIndexing?: (articles: number, restoring: boolean) => void;
  /**
   * Where the content store lives (store.ts): article records are kept there instead of on the
   * heap, and files whose size and modification time match their entry are not parsed again.
   * Default null: no store, every record on the heap, every file parsed.
   */
  readonly cacheDir?: string | null;
  /** Hears why a content store was not used (corrupt, foreign, another loader version) and what became of it. */
  readonly onStoreProblem?: (message: string) => void;
  /**
   * Leave writing the corpus snapshot (what a restart restores) and flushing the store to
   * `LoadResult.persist()`, so the corpus can serve seconds sooner (main.ts). Default false: both
   * are done before the load resolves.
   */
  readonly deferSnapshot?: boolean;
}

/** What the content store did for a load. */
export interface StoreUse {
  /** The store's directory, or null when the load used none. */
  readonly directory: string | null;
  /** Files whose entries were taken from the store. */
  readonly reused: number;
  /** Files read and parsed. */
  readonly parsed: number;
  /** Entries of files that are gone, removed from the store. */
  readonly removed: number;
  /**
   * `restored`: every file was as the corpus snapshot saw it, so the corpus was restored from it
   * (nothing read, parsed or indexed); `written`: the corpus was built and its snapshot written;
   * `deferred`: the corpus was built and `LoadResult.persist()` writes its snapshot (deferSnapshot);
   * `none`: no store, or the snapshot could not be written.
   */
  readonly snapshot: 'restored' | 'written' | 'deferred' | 'none';
}

/** What became of a load's snapshot once persisted: StoreUse.snapshot, never `deferred`. */
export type PersistedSnapshot = Exclude<StoreUse['snapshot'], 'deferred'>;

/** How far a load is. */
export interface LoadProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
}

/** Where the load spent its time, in milliseconds; read and parse are summed over the threads. */
export interface LoadTimings {
  readonly scanMs: number;
  readonly readMs: number;
  readonly parseMs: number;
  /** Opening the content store and reading its entries. */
  readonly storeMs: number;
  /** Threads asked to read and parse (1: the calling thread, else that many workers). */
  readonly threads: number;
  /** Workers that answered; a run whose worker failed was parsed on the calling thread instead. */
  readonly workers: number;
  /** Building the corpus, and waiting for the parse threads to finish writing the store's key index. */
  readonly indexMs: number;
  /** Writing the corpus snapshot to the content store and flushing it; 0 when deferred (LoadResult.persist). */
  readonly snapshotMs: number;
  readonly totalMs: number;
}

/** A loaded content directory: the corpus, how many files were seen, and where the time went. */
export interface LoadResult {
  readonly corpus: Corpus;
  /** Content files found (including those refused by size or as links out of the directory). */
  readonly fileCount: number;
  readonly timings: LoadTimings;
  readonly store: StoreUse;
  /** Where the corpus' entries, records and keys are: what a live update (update.ts) writes to. */
  readonly content: ContentEntries;
  /**
   * Writes what the load left for later (LoadOptions.deferSnapshot), yielding to the event loop
   * between its steps, and resolves with the snapshot's outcome; at once when nothing was left.
   * Every call returns the same promise.
   */
  persist(): Promise<PersistedSnapshot>;
}

/** The default size cap of one content file: 1 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** From this many files on, the default is to parse on worker threads. */
const WORKERS_FROM_FILES = 2_000;
/** Files per message from a worker: large enough to be cheap, small enough to overlap and to spare memory. */
const DEFAULT_WORKER_BATCH_FILES = 2_000;
const MAX_DEFAULT_THREADS = 4;

/**
 * Loads every content file under `directory` into a corpus. A bad file becomes diagnostics and never
 * stops the others; rejects when the directory itself cannot be read, and with CorpusTooLargeError
 * when the corpus is estimated not to fit in memory.
 */
export async function loadCorpus(directory: string, options: LoadOptions = {}): Promise<LoadResult> {
  const started = performance.now();
  const scan =
    options.scan ?? (await scanContent(path.resolve(directory), { maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES }));
  const scanned = performance.now();
  const cacheDir = options.cacheDir ?? null;
  const limits = options.memoryLimits === undefined ? currentMemoryLimits() : options.memoryLimits;
  if (limits !== null) {
    // A load cannot raise its own heap limit: main.ts starts again with a larger one before loading.
    const plan = planMemory(scan.files.length, contentBytes(scan), { ...limits, heapLimitIsExplicit: true }, cacheDir !== null);
    if (plan.decision !== 'fits') throw new CorpusTooLargeError(plan.message ?? 'the content does not fit in memory');
  }
  const parseSettings = { siteUrl: options.siteUrl ?? null, frontMatterLimits: options.frontMatterLimits ?? DEFAULT_FRONT_MATTER_LIMITS };
  const fingerprint = fingerprintOf(scan);
  const store =
    cacheDir === null
      ? null
      : openStore(storeDirectory(cacheDir, realpathSync(path.resolve(directory)), parseSettings), fingerprint, scan.files.length, options);
  const opened = performance.now();
  if (store !== null) {
    store.store.setFallback(
      rereadFromFile(path.resolve(directory), { ...parseSettings, internStrings: false, storeDirectory: null }, options.onStoreProblem),
    );
  }
  if (store?.corpus) {
    await store.store.markChecked();
    return {
      corpus: store.corpus,
      fileCount: scan.files.length + scan.diagnostics.length,
      store: { directory: store.store.directory, reused: scan.files.length, parsed: 0, removed: 0, snapshot: 'restored' },
      content: store.store,
      timings: { ...NO_TIME, scanMs: scanned - started, storeMs: opened - scanned, totalMs: opened - started },
      persist: persisted('restored'),
    };
  }
  const previous = store?.entries ?? new Map<string, LoadedFile>();
  const toParse = scan.files.filter((file) => !isFresh(previous.get(file.relativePath), file));
  const reused = scan.files.length - toParse.length;
  // Each parsing thread writes its files' keys once, sorted, after all its entries
  // (ContentStore.writeDeferringKeys): inserted file by file, the keys of 100,000 files cost 8 s of
  // CPU, most of it on pages written again and again. The index is incomplete until then.
  const keyIndexWasComplete = store?.store.keyIndexIsComplete() ?? true;
  store?.store.markKeyIndexIncomplete();
  const settings: ParseSettings = { ...parseSettings, internStrings: true, storeDirectory: store?.store.directory ?? null };
  const filesDone = [0];
  const reportProgress = (part: number, done: number) => {
    filesDone[part] = done;
    const parsedSoFar = filesDone.reduce((sum, count) => sum + (count ?? 0), 0);
    options.onProgress?.({ filesDone: reused + parsedSoFar, filesTotal: scan.files.length });
  };
  const threads = Math.max(1, Math.min(options.threads ?? defaultThreads(toParse.length), toParse.length));
  const shared = new SharedValues();
  const parts =
    threads === 1
      ? [{ parsed: await parseAndStore(toParse, settings, shared, (done) => reportProgress(0, done)), onWorker: false }]
      : await parseOnWorkers(toParse, settings, threads, options.workerBatchFiles ?? DEFAULT_WORKER_BATCH_FILES, shared, reportProgress);
  const parsed = performance.now();

  const present = new Set(scan.files.map((file) => file.relativePath));
  const gone = [...previous.keys()].filter((relativePath) => !present.has(relativePath));
  store?.store.remove(gone);
  store?.store.refresh();
  const records: ContentEntries = store?.store ?? new HeapEntries();
  const fresh = new Map<string, FileToStore>();
  for (const part of parts) for (const entry of part.parsed.entries) fresh.set(entry.relativePath, entry);
  const diagnostics: Diagnostic[] = [...scan.diagnostics];
  const indexed: IndexedArticle[] = [];
  for (const file of scan.files) {
    const entry = fresh.get(file.relativePath);
    const loaded = entry?.loaded ?? shared.loaded(previous.get(file.relativePath)!);
    if (entry !== undefined && records instanceof HeapEntries) records.write([entry]);
    diagnostics.push(...loaded.diagnostics);
    if (loaded.summary !== null) indexed.push({ article: new StoredArticle(loaded.summary, records), summary: loaded.summary });
  }
  options.onIndexing?.(indexed.length, false);
  const unique = keepFirstOfEachSlug(indexed, diagnostics);
  diagnostics.sort((a, b) => compareStrings(a.file, b.file));
  const corpus = createCorpus(unique, diagnostics, versionOfFingerprint(fingerprint));
  if (store !== null) {
    const everyKeyStored = (await Promise.all(parts.map((part) => part.parsed.keysStored))).every(Boolean);
    if (!everyKeyStored || !keyIndexWasComplete) store.store.rebuildKeyIndex();
    store.store.markKeyIndexComplete();
  }
  const keysAt = performance.now();
  // What only a later start needs (the snapshot, the flush): written now, or when the caller asks.
  const persist = store === null ? persisted('none') : persistWith(store.store, corpus, fingerprint, options.onStoreProblem);
  const snapshot = options.deferSnapshot === true && store !== null ? 'deferred' : await persist();

  return {
    corpus,
    fileCount: scan.files.length + scan.diagnostics.length,
    store: { directory: store?.store.directory ?? null, reused, parsed: toParse.length, removed: gone.length, snapshot },
    content: records,
    persist,
    timings: {
      scanMs: scanned - started,
      readMs: parts.reduce((sum, part) => sum + part.parsed.readMs, 0),
      parseMs: parts.reduce((sum, part) => sum + part.parsed.parseMs, 0),
      storeMs: opened - scanned,
      threads,
      workers: parts.filter((part) => part.onWorker).length,
      indexMs: keysAt - parsed,
      snapshotMs: performance.now() - keysAt,
      totalMs: performance.now() - started,
    },
  };
}

/** A persist() that has nothing left to do. */
function persisted(snapshot: PersistedSnapshot): () => Promise<PersistedSnapshot> {
  const done = Promise.resolve(snapshot);
  return () => done;
}

/**
 * What only a later start needs of a load with the store: the corpus snapshot, then the flush.
 * Started by the first call; every call returns its promise. (A function of its own, so that it
 * holds only these and not the rest of the load's scope: the scan, the parsed entries.)
 */
function persistWith(
  store: ContentStore,
  corpus: Corpus,
  fingerprint: string,
  onProblem: ((message: string) => void) | undefined,
): () => Promise<PersistedSnapshot> {
  let running: Promise<PersistedSnapshot> | undefined;
  return () => {
    running ??= saveSnapshot(store, corpus, fingerprint, onProblem).then(async (snapshot) => {
      await store.markChecked();
      return snapshot;
    });
    return running;
  };
}

/** Timings of a load that did not read, parse or index. */
const NO_TIME: LoadTimings = {
  scanMs: 0,
  readMs: 0,
  parseMs: 0,
  storeMs: 0,
  threads: 0,
  workers: 0,
  indexMs: 0,
  snapshotMs: 0,
  totalMs: 0,
};

/** The fingerprint of a snapshot of a live version (the files' own fingerprints are hex: no scan ever matches it). */
function liveFingerprintOf(version: string): string {
  return `live ${version}`;
}

/**
 * Makes sure the content store holds a snapshot of this corpus, for other processes to restore
 * (restoreSharedCorpus: a cluster's other workers, cluster.ts), and returns its fingerprint. The
 * snapshot of the load is kept while the corpus is still the version loaded; a live version is
 * written over it (a later start's scan cannot match it either, since files changed).
 */
export async function shareSnapshot(store: ContentStore, corpus: Corpus): Promise<string> {
  const held = store.snapshotFingerprint();
  if (held !== undefined && (held === liveFingerprintOf(corpus.version) || versionOfFingerprint(held) === corpus.version)) return held;
  const fingerprint = liveFingerprintOf(corpus.version);
  await store.writeSnapshot(fingerprint, await encodeCorpusYielding(corpus, fingerprint));
  return fingerprint;
}

/**
 * The corpus that another process has loaded into the content store in `storeDirectory` and shared
 * as the snapshot with this fingerprint (shareSnapshot), with that process's version id. Reads no
 * content file and writes nothing: the store is opened as that process checked it, and records it
 * cannot give are read from the files (as a load's are). Throws when the store holds another
 * snapshot by now.
 */
export function restoreSharedCorpus(
  directory: string,
  storeDirectory: string,
  shared: { readonly fingerprint: string; readonly version: string },
  options: Pick<LoadOptions, 'siteUrl' | 'frontMatterLimits' | 'onStoreProblem'> = {},
): LoadResult {
  const started = performance.now();
  const store = ContentStore.attach(storeDirectory);
  store.refresh();
  const parseSettings: ParseSettings = {
    siteUrl: options.siteUrl ?? null,
    frontMatterLimits: options.frontMatterLimits ?? DEFAULT_FRONT_MATTER_LIMITS,
    internStrings: false,
    storeDirectory: null,
  };
  store.setFallback(rereadFromFile(path.resolve(directory), parseSettings, options.onStoreProblem));
  const bytes = store.snapshotFingerprint() === shared.fingerprint ? store.readSnapshot() : undefined;
  const decoded = bytes === undefined ? { problem: 'the store holds another snapshot now' } : decodeSnapshot(bytes);
  if ('problem' in decoded) throw new Error(`the shared corpus snapshot in ${storeDirectory} cannot be restored: ${decoded.problem}`);
  const corpus: Corpus = Object.freeze({ ...restoreCorpus(decoded.snapshot, store), version: shared.version });
  const restored = performance.now();
  const files = corpus.preview.articleList.length;
  return {
    corpus,
    fileCount: files,
    store: { directory: store.directory, reused: files, parsed: 0, removed: 0, snapshot: 'restored' },
    content: store,
    timings: { ...NO_TIME, storeMs: restored - started, totalMs: restored - started },
    persist: persisted('restored'),
  };
}

/**
 * Writes the snapshot of a corpus built with the store, yielding to the event loop between its
 * steps (encodeCorpusYielding, ContentStore.writeSnapshot); a failure is reported, and the next
 * start reads the file entries.
 */
async function saveSnapshot(
  store: ContentStore,
  corpus: Corpus,
  fingerprint: string,
  onProblem: ((message: string) => void) | undefined,
): Promise<'written' | 'none'> {
  try {
    await store.writeSnapshot(fingerprint, await encodeCorpusYielding(corpus, fingerprint));
    return 'written';
  } catch (error) {
    store.dropSnapshot();
    onProblem?.(
      `the corpus snapshot in ${store.directory} was not written (${(error as Error).message}); the next start builds the corpus from the file entries`,
    );
    return 'none';
  }
}

/**
 * Opens the content store and restores the corpus from its snapshot when the snapshot was made of
 * these files (this fingerprint), else reads its file entries; a store whose entries cannot be
 * read is set aside and made again (ContentStore.open), so a start never fails for a bad store.
 */
function openStore(
  directory: string,
  fingerprint: string,
  files: number,
  options: Pick<LoadOptions, 'onStoreProblem' | 'onIndexing'>,
): { store: ContentStore; corpus?: Corpus; entries: Map<string, LoadedFile> } {
  const onProblem = options.onStoreProblem;
  const store = ContentStore.open(directory, onProblem);
  const corpus = restoreSnapshot(store, fingerprint, files, options);
  if (corpus !== null) return { store, corpus, entries: new Map() };
  try {
    return { store, entries: store.readFiles() };
  } catch (error) {
    return { store: ContentStore.replace(store, (error as Error).message, onProblem), entries: new Map<string, LoadedFile>() };
  }
}

/** The corpus of the store's snapshot when it was made of files with this fingerprint, else null. */
function restoreSnapshot(
  store: ContentStore,
  fingerprint: string,
  files: number,
  { onStoreProblem: onProblem, onIndexing }: Pick<LoadOptions, 'onStoreProblem' | 'onIndexing'>,
): Corpus | null {
  let bytes: Buffer | undefined;
  try {
    // A snapshot is used only beside a complete key index: a load cut short may leave one without the other.
    if (store.snapshotFingerprint() !== fingerprint || !store.keyIndexIsComplete()) return null;
    onIndexing?.(files, true);
    bytes = store.readSnapshot();
  } catch (error) {
    bytes = undefined;
    onProblem?.(
      `the corpus snapshot in ${store.directory} cannot be read (${(error as Error).message}); the corpus is built from the file entries`,
    );
  }
  if (bytes === undefined) return null;
  const decoded = decodeSnapshot(bytes);
  if ('problem' in decoded) {
    onProblem?.(
      `the corpus snapshot in ${store.directory} is not used because ${decoded.problem}; the corpus is built from the file entries`,
    );
    return null;
  }
  return decoded.snapshot.fingerprint === fingerprint ? restoreCorpus(decoded.snapshot, store) : null;
}

/**
 * The fallback of a content store (ContentStore.setFallback): a record the store cannot give is
 * read again from its file, once, and the problem reported once per file.
 */
function rereadFromFile(root: string, settings: ParseSettings, onProblem: ((message: string) => void) | undefined) {
  const reread = new Map<string, Article | undefined>();
  return (sourcePath: string, problem: string): Article | undefined => {
    if (!reread.has(sourcePath)) {
      const article = readArticle({ absolutePath: path.join(root, sourcePath), relativePath: sourcePath }, settings) ?? undefined;
      reread.set(sourcePath, article === undefined ? undefined : deepFreeze(article));
      onProblem?.(
        `the record of ${sourcePath} in the content store is not used because ${problem}; ` +
          (article === undefined ? 'the file no longer holds a valid article' : 'it was read from the file instead'),
      );
    }
    return reread.get(sourcePath);
  };
}

/** True when a store entry was made from the file as it is now (same size, same modification time). */
function isFresh(entry: LoadedFile | undefined, file: ContentFile): entry is LoadedFile {
  return entry !== undefined && entry.size === file.size && entry.mtimeMs === file.mtimeMs;
}

/** What parsing some files produced: their entries (with records unless written to a store) and the time it took. */
interface ParsedEntries {
  readonly entries: FileToStore[];
  readonly readMs: number;
  readonly parseMs: number;
  /**
   * Resolves once the thread is done, to whether it wrote the keys its batches deferred
   * (storeBatch): a worker writes them after its last batch, while this thread
   * builds the corpus.
   */
  readonly keysStored: Promise<boolean>;
}

/** Parses files on this thread, storing each batch (storeBatch). */
async function parseAndStore(
  files: readonly ContentFile[],
  settings: ParseSettings,
  shared: SharedValues,
  onProgress?: (filesDone: number) => void,
): Promise<ParsedEntries> {
  const entries: FileToStore[] = [];
  let done = 0;
  let readMs = 0;
  let parseMs = 0;
  for await (const batch of parseInBatches(files, settings, DEFAULT_WORKER_BATCH_FILES, onProgress)) {
    for (const entry of storeBatch(files.slice(done, done + batch.files), batch, settings)) entries.push(shared.entry(entry));
    done += batch.files;
    readMs += batch.readMs;
    parseMs += batch.parseMs;
  }
  storeDeferredKeys(settings);
  return { entries, readMs, parseMs, keysStored: Promise.resolve(true) };
}

/**
 * Takes over file entries as they arrive from a parse thread or the store: shares what many
 * summaries repeat (providers, topics, categories, types) as one frozen object or string each,
 * freezes summaries and records, and shares the strings of records kept on the heap. Entries are
 * adopted batch by batch, so the copies a thread posts die young.
 */
class SharedValues {
  private readonly providers = new Map<string, ProviderRef>();
  private readonly topics = new Map<string, TopicRef>();
  private readonly strings = new Map<string, string>();

  entry(entry: FileToStore): FileToStore {
    return {
      relativePath: entry.relativePath,
      loaded: this.loaded(entry.loaded),
      article: entry.article === null ? null : adopt(entry.article, this.strings),
    };
  }

  loaded(loaded: LoadedFile): LoadedFile {
    if (Object.isFrozen(loaded)) return loaded;
    return Object.freeze({
      size: loaded.size,
      mtimeMs: loaded.mtimeMs,
      summary: loaded.summary === null ? null : this.summary(loaded.summary),
      diagnostics: loaded.diagnostics.length === 0 ? NO_DIAGNOSTICS : deepFreeze(loaded.diagnostics),
    });
  }

  private summary(summary: ArticleSummary): ArticleSummary {
    return Object.freeze({
      ...summary,
      category: this.string(summary.category),
      type: this.string(summary.type),
      provider: this.provider(summary.provider),
      topics: Object.freeze(summary.topics.map((topic) => this.topic(topic))),
      urlKeys: Object.freeze(summary.urlKeys),
      related: Object.freeze(
        summary.related.map((entry) =>
          Object.freeze({ urlKeys: Object.freeze(entry.urlKeys), provider: this.provider(entry.provider), imageCount: entry.imageCount }),
        ),
      ),
    });
  }

  private string(value: string | null): string | null {
    if (value === null) return null;
    const kept = this.strings.get(value);
    if (kept !== undefined) return kept;
    this.strings.set(value, value);
    return value;
  }

  private provider(provider: ProviderRef | null): ProviderRef | null {
    if (provider === null) return null;
    const key = JSON.stringify(provider);
    let kept = this.providers.get(key);
    if (kept === undefined) {
      kept = deepFreeze(provider);
      this.providers.set(key, kept);
    }
    return kept;
  }

  private topic(topic: TopicRef): TopicRef {
    const key = `${topic.slug}\n${topic.name}`;
    let kept = this.topics.get(key);
    if (kept === undefined) {
      kept = Object.freeze({ name: topic.name, slug: topic.slug });
      this.topics.set(key, kept);
    }
    return kept;
  }
}

const NO_DIAGNOSTICS: readonly Diagnostic[] = Object.freeze([]);

/** The bytes of the files a scan found to parse. */
export function contentBytes(scan: ScanResult): number {
  let bytes = 0;
  for (const file of scan.files) bytes += file.size;
  return bytes;
}

function defaultThreads(files: number): number {
  return files < WORKERS_FROM_FILES ? 1 : Math.min(os.availableParallelism(), MAX_DEFAULT_THREADS);
}

/**
 * Reads and parses the changed files of a live update as a load does (on worker threads when there
 * are many), with their records in the result for the update to write; in file order.
 */
export async function parseChangedFiles(files: readonly ContentFile[], settings: ParseSettings): Promise<FileToStore[]> {
  const threads = Math.max(1, Math.min(defaultThreads(files.length), files.length));
  const shared = new SharedValues();
  const parts =
    threads === 1
      ? [{ parsed: await parseAndStore(files, settings, shared) }]
      : await parseOnWorkers(files, settings, threads, DEFAULT_WORKER_BATCH_FILES, shared, () => {});
  return parts.flatMap((part) => part.parsed.entries);
}

/**
 * Splits the files into contiguous runs, one per worker, so the concatenated results keep file
 * order. A run whose worker cannot start or fails is parsed on this thread instead.
 */
async function parseOnWorkers(
  files: readonly ContentFile[],
  settings: ParseSettings,
  threads: number,
  batchSize: number,
  shared: SharedValues,
  reportProgress: (run: number, filesDone: number) => void,
): Promise<{ parsed: ParsedEntries; onWorker: boolean }[]> {
  const runLength = Math.ceil(files.length / threads);
  const runs = Array.from({ length: threads }, (_, index) => files.slice(index * runLength, (index + 1) * runLength));
  const workerSettings = { ...settings, internStrings: false };
  const parts = await Promise.all(
    runs.map((run, index) =>
      parseOnWorker(run, workerSettings, batchSize, shared, (done) => reportProgress(index, done)).catch(() => null),
    ),
  );
  return Promise.all(
    parts.map(async (part, index) => {
      if (part !== null) return { parsed: part, onWorker: true };
      const parsed = await parseAndStore(runs[index]!, settings, shared, (done) => reportProgress(index, done));
      // The failed worker may have written entries whose deferred keys it never wrote: those the
      // parse here finds unchanged get none either, so the key index is rebuilt.
      return { parsed: { ...parsed, keysStored: Promise.resolve(false) }, onWorker: false };
    }),
  );
}

/** Parses one run of files on a worker; rejects unless the worker delivered its last batch. */
async function parseOnWorker(
  files: readonly ContentFile[],
  settings: ParseSettings,
  batchSize: number,
  shared: SharedValues,
  onProgress: (filesDone: number) => void,
): Promise<ParsedEntries> {
  const worker = await startWorkerThread('parse-worker', { files, settings, batchSize });
  return new Promise((resolve, reject) => {
    const entries: FileToStore[] = [];
    let readMs = 0;
    let parseMs = 0;
    let complete = false;
    let keysStored = false;
    // Batches arrive in file order; each is adopted as it comes, while the worker parses the next.
    worker.on('message', (message: { batch: Omit<ParsedEntries, 'keysStored'>; last: boolean } | { keysStored: true }) => {
      if ('keysStored' in message) {
        keysStored = true;
        return;
      }
      const { batch, last } = message;
      for (const entry of batch.entries) entries.push(shared.entry(entry));
      onProgress(entries.length);
      readMs += batch.readMs;
      parseMs += batch.parseMs;
      if (!last) return;
      complete = true;
      const exited = new Promise<boolean>((settle) => worker.once('exit', () => settle(keysStored)));
      resolve({ entries, readMs, parseMs, keysStored: exited });
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!complete) reject(new Error(`the parse worker exited with code ${code} before its last batch`));
    });
  });
}

/**
 * Makes a record received from a worker like one built on this thread: frozen all the way down, and
 * its strings shared with identical ones already kept (a structured clone copies every string).
 */
function adopt<T>(value: T, strings: Map<string, string>): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const child = record[key];
    if (typeof child === 'string') {
      const kept = strings.get(child);
      if (kept === undefined) strings.set(child, child);
      else record[key] = kept;
    } else {
      adopt(child, strings);
    }
  }
  return Object.freeze(value);
}

/**
 * Slugs come from file names, so two folders can hold the same one. The file whose relative path
 * sorts first wins; each other is skipped with an error naming the winner.
 */
function keepFirstOfEachSlug(indexed: readonly IndexedArticle[], diagnostics: Diagnostic[]): IndexedArticle[] {
  const winners = new Map<string, IndexedArticle>();
  for (const item of indexed) {
    const { slug, sourcePath } = item.article;
    const winner = winners.get(slug);
    if (winner === undefined) {
      winners.set(slug, item);
    } else {
      diagnostics.push({
        file: sourcePath,
        field: null,
        severity: 'error',
        message:
          `the slug "${slug}" is already taken by ${winner.article.sourcePath} ` +
          '(the path that sorts first wins); rename one of the files',
      });
    }
  }
  return [...winners.values()];
}
