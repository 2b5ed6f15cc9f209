import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type CachedFile, readSnapshot, setAsideSnapshot, snapshotPath, writeSnapshot } from './cache.js';
import { type Corpus, createCorpus } from './corpus.js';
import { DEFAULT_FRONT_MATTER_LIMITS, type FrontMatterLimits } from './front-matter.js';
import { CorpusTooLargeError, currentMemoryLimits, type MemoryLimits, planMemory } from './memory.js';
import type { Article, Diagnostic } from './model.js';
import { compareStrings } from './order.js';
import { type FileToParse, type ParsedFiles, type ParseSettings, parseFiles } from './parse-files.js';
import { type ContentFile, type ScanResult, scanContent } from './scan.js';

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
   * Where the parse cache lives (see cache.ts): files whose size and modification time match the
   * cache are not parsed again. Default null: no cache.
   */
  readonly cacheDir?: string | null;
  /** Hears why a parse cache was not used (corrupt, foreign, another loader version) and where it was moved. */
  readonly onCacheProblem?: (message: string) => void;
}

/** What the parse cache did for a load. */
export interface CacheUse {
  /** The snapshot file, or null without a cache. */
  readonly file: string | null;
  /** Files taken from the cache. */
  readonly reused: number;
  /** Files read and parsed. */
  readonly parsed: number;
  /**
   * Writes the snapshot of this load when it differs from the one read; returns whether it wrote.
   * Call it once the corpus is serving: it takes a moment for a large corpus.
   */
  save(): boolean;
}

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
  /** Reading the parse cache and taking its entries over (freezing them, sharing their strings). */
  readonly cacheMs: number;
  /** Threads asked to read and parse (1: the calling thread, else that many workers). */
  readonly threads: number;
  /** Workers that answered; a run whose worker failed was parsed on the calling thread instead. */
  readonly workers: number;
  readonly indexMs: number;
  readonly totalMs: number;
}

/** A loaded content directory: the corpus, how many files were seen, and where the time went. */
export interface LoadResult {
  readonly corpus: Corpus;
  /** Content files found (including those refused by size or as links out of the directory). */
  readonly fileCount: number;
  readonly timings: LoadTimings;
  readonly cache: CacheUse;
}

/** The default size cap of one content file: 1 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** From this many files on, the default is to parse on worker threads. */
const WORKERS_FROM_FILES = 2_000;
/** Files per message from a worker: large enough to be cheap, small enough to overlap and to spare memory. */
const DEFAULT_WORKER_BATCH_FILES = 2_000;
const MAX_DEFAULT_THREADS = 4;
/**
 * The most content a parse cache snapshot is written for: its serialized entries are about 1.6
 * times the content's bytes and must fit one Buffer (4 GiB), and writing them blocks the event loop.
 */
const MAX_SNAPSHOT_CONTENT_BYTES = 1.5 * 2 ** 30;

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
  const limits = options.memoryLimits === undefined ? currentMemoryLimits() : options.memoryLimits;
  if (limits !== null) {
    // A load cannot raise its own heap limit: main.ts starts again with a larger one before loading.
    const plan = planMemory(scan.files.length, contentBytes(scan), { ...limits, heapLimitIsExplicit: true });
    if (plan.decision !== 'fits') throw new CorpusTooLargeError(plan.message ?? 'the content does not fit in memory');
  }
  const settings: ParseSettings = {
    siteUrl: options.siteUrl ?? null,
    frontMatterLimits: options.frontMatterLimits ?? DEFAULT_FRONT_MATTER_LIMITS,
    internStrings: true,
  };
  const cacheFile = options.cacheDir ? snapshotPath(options.cacheDir, realpathSync(path.resolve(directory)), settings) : null;
  const cached = cacheFile === null ? new Map<string, CachedFile>() : readCache(cacheFile, options.onCacheProblem);
  const cacheRead = performance.now();
  const toParse = scan.files.filter((file) => !isFresh(cached.get(file.relativePath), file));
  const reused = scan.files.length - toParse.length;

  const filesDone = [0];
  const reportProgress = (part: number, done: number) => {
    filesDone[part] = done;
    const parsedSoFar = filesDone.reduce((sum, count) => sum + (count ?? 0), 0);
    options.onProgress?.({ filesDone: reused + parsedSoFar, filesTotal: scan.files.length });
  };
  const threads = Math.max(1, Math.min(options.threads ?? defaultThreads(toParse.length), toParse.length));
  const parts =
    threads === 1
      ? [{ parsed: await parseFiles(toParse, settings, (done) => reportProgress(0, done)), onWorker: false }]
      : await parseOnWorkers(toParse, settings, threads, options.workerBatchFiles ?? DEFAULT_WORKER_BATCH_FILES, reportProgress);
  const parsed = performance.now();

  const entries = mergeInFileOrder(
    scan.files,
    cached,
    parts.map((part) => part.parsed),
  );
  const merged = performance.now();
  const diagnostics: Diagnostic[] = [...scan.diagnostics];
  const articles: Article[] = [];
  for (const entry of entries.values()) {
    diagnostics.push(...entry.diagnostics);
    if (entry.article !== null) articles.push(entry.article);
  }
  const unique = keepFirstOfEachSlug(articles, diagnostics);
  diagnostics.sort((a, b) => compareStrings(a.file, b.file));
  const corpus = createCorpus(unique, diagnostics);
  const indexed = performance.now();

  const changed = toParse.length > 0 || entries.size !== cached.size;
  return {
    corpus,
    fileCount: scan.files.length + scan.diagnostics.length,
    cache: {
      file: cacheFile,
      reused,
      parsed: toParse.length,
      save: () => {
        if (cacheFile === null || !changed) return false;
        const bytes = contentBytes(scan);
        if (bytes > MAX_SNAPSHOT_CONTENT_BYTES) {
          throw new Error(
            `the content is ${Math.round(bytes / 2 ** 20)} MB; a parse cache snapshot holds at most ${MAX_SNAPSHOT_CONTENT_BYTES / 2 ** 30} GB of content`,
          );
        }
        writeSnapshot(cacheFile, entries);
        return true;
      },
    },
    timings: {
      scanMs: scanned - started,
      readMs: parts.reduce((sum, part) => sum + part.parsed.readMs, 0),
      parseMs: parts.reduce((sum, part) => sum + part.parsed.parseMs, 0),
      cacheMs: cacheRead - scanned + (merged - parsed),
      threads,
      workers: parts.filter((part) => part.onWorker).length,
      indexMs: indexed - merged,
      totalMs: indexed - started,
    },
  };
}

/** The entries of a snapshot; an unusable snapshot is set aside (and reported) and counts as empty. */
function readCache(file: string, onProblem: ((message: string) => void) | undefined): Map<string, CachedFile> {
  const reading = readSnapshot(file);
  if (reading.ok) return new Map(reading.entries);
  if (!reading.missing) {
    const aside = setAsideSnapshot(file);
    onProblem?.(`the parse cache ${file} is not used because ${reading.reason}; it was moved to ${aside} and is rebuilt`);
  }
  return new Map();
}

/** True when a cache entry was made from the file as it is now (same size, same modification time). */
function isFresh(entry: CachedFile | undefined, file: ContentFile): entry is CachedFile {
  return entry !== undefined && entry.size === file.size && entry.mtimeMs === file.mtimeMs;
}

/**
 * What loading each file produced, in file order: fresh cache entries (frozen and their strings
 * shared, as records built here are) and the results of the files parsed now.
 */
function mergeInFileOrder(
  files: readonly ContentFile[],
  cached: ReadonlyMap<string, CachedFile>,
  parsed: readonly ParsedFiles[],
): Map<string, CachedFile> {
  const articles = new Map<string, Article>();
  const diagnostics = new Map<string, Diagnostic[]>();
  for (const part of parsed) {
    for (const article of part.articles) articles.set(article.sourcePath, article);
    for (const diagnostic of part.diagnostics) {
      const list = diagnostics.get(diagnostic.file);
      if (list === undefined) diagnostics.set(diagnostic.file, [diagnostic]);
      else list.push(diagnostic);
    }
  }
  const strings = new Map<string, string>();
  const entries = new Map<string, CachedFile>();
  for (const file of files) {
    const entry = cached.get(file.relativePath);
    entries.set(
      file.relativePath,
      isFresh(entry, file)
        ? adopt(entry, strings)
        : Object.freeze({
            size: file.size,
            mtimeMs: file.mtimeMs,
            article: articles.get(file.relativePath) ?? null,
            diagnostics: Object.freeze(diagnostics.get(file.relativePath) ?? []),
          }),
    );
  }
  return entries;
}

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
 * Splits the files into contiguous runs, one per worker, so the concatenated results keep file
 * order. A run whose worker cannot start or fails is parsed on this thread instead.
 */
async function parseOnWorkers(
  files: readonly FileToParse[],
  settings: ParseSettings,
  threads: number,
  batchSize: number,
  reportProgress: (run: number, filesDone: number) => void,
): Promise<{ parsed: ParsedFiles; onWorker: boolean }[]> {
  const runLength = Math.ceil(files.length / threads);
  const runs = Array.from({ length: threads }, (_, index) => files.slice(index * runLength, (index + 1) * runLength));
  const strings = new Map<string, string>();
  const workerSettings = { ...settings, internStrings: false };
  const parts = await Promise.all(
    runs.map((run, index) =>
      parseOnWorker(run, workerSettings, batchSize, strings, (done) => reportProgress(index, done)).catch(() => null),
    ),
  );
  return Promise.all(
    parts.map(async (part, index) =>
      part === null
        ? { parsed: await parseFiles(runs[index]!, settings, (done) => reportProgress(index, done)), onWorker: false }
        : { parsed: part, onWorker: true },
    ),
  );
}

const here = fileURLToPath(import.meta.url);
// The worker runs the same build as this module: compiled JavaScript next to it, or, from the
// TypeScript sources (tsx, tests), a bundle of the worker made once per process with esbuild:
// Node.js 20 does not apply tsx's loader to a worker's entry module.
const WORKER_FILE = path.join(path.dirname(here), `parse-worker${path.extname(here)}`);
let workerSource: Promise<string> | null = null;

/** A parse worker running parse-worker with this data, from whichever build this module is. */
async function startWorker(workerData: unknown): Promise<Worker> {
  if (!WORKER_FILE.endsWith('.ts')) return new Worker(WORKER_FILE, { workerData });
  workerSource ??= import('esbuild').then(async (esbuild) => {
    const built = await esbuild.build({
      entryPoints: [WORKER_FILE],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    return built.outputFiles[0]!.text;
  });
  return new Worker(await workerSource, { eval: true, workerData });
}

/** Parses one run of files on a worker; rejects unless the worker delivered its last batch. */
async function parseOnWorker(
  files: readonly FileToParse[],
  settings: ParseSettings,
  batchSize: number,
  strings: Map<string, string>,
  onProgress: (filesDone: number) => void,
): Promise<ParsedFiles> {
  const worker = await startWorker({ files, settings, batchSize });
  return new Promise((resolve, reject) => {
    const parsed = { files: 0, articles: [] as Article[], diagnostics: [] as Diagnostic[], readMs: 0, parseMs: 0 };
    let complete = false;
    // Batches arrive in file order; each is adopted as it comes, while the worker parses the next.
    worker.on('message', ({ batch, last }: { batch: ParsedFiles; last: boolean }) => {
      for (const article of batch.articles) parsed.articles.push(adopt(article, strings));
      parsed.diagnostics.push(...batch.diagnostics);
      parsed.files += batch.files;
      onProgress(parsed.files);
      parsed.readMs += batch.readMs;
      parsed.parseMs += batch.parseMs;
      complete = last;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (complete) resolve(parsed);
      else reject(new Error(`the parse worker exited with code ${code} before its last batch`));
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
function keepFirstOfEachSlug(articles: readonly Article[], diagnostics: Diagnostic[]): Article[] {
  const winners = new Map<string, Article>();
  for (const article of articles) {
    const winner = winners.get(article.slug);
    if (winner === undefined) {
      winners.set(article.slug, article);
    } else {
      diagnostics.push({
        file: article.sourcePath,
        field: null,
        severity: 'error',
        message:
          `the slug "${article.slug}" is already taken by ${winner.sourcePath} ` +
          '(the path that sorts first wins); rename one of the files',
      });
    }
  }
  return [...winners.values()];
}
