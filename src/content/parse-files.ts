import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type NormalizeOptions, normalizeArticle } from './article.js';
import { type FrontMatterLimits, parseFrontMatter } from './front-matter.js';
import type { Article, Diagnostic } from './model.js';
import type { ContentFile } from './scan.js';
import { ContentStore, type FileToStore } from './store.js';
import { summarize } from './summary.js';

/** One content file to read: where it is, and its path relative to the content directory. */
export interface FileToParse {
  readonly absolutePath: string;
  readonly relativePath: string;
}

/** What reading a file needs besides its path; plain data, so it can be sent to a worker. */
export interface ParseSettings {
  readonly siteUrl: string | null;
  readonly frontMatterLimits: FrontMatterLimits;
  /**
   * Keep identical strings once (NormalizeOptions.strings). Pointless on a worker: posting the
   * records copies every string, and the receiving thread shares them again.
   */
  readonly internStrings: boolean;
  /**
   * The content store (store.ts) the parsing thread writes each batch's entries and records to, so
   * records never cross threads; null keeps the records in the results instead. The batches' keys
   * are kept and written once the thread has stored every batch (storeDeferredKeys).
   */
  readonly storeDirectory: string | null;
}

/** The articles and diagnostics of some files, in file order, and the time spent reading and parsing. */
export interface ParsedFiles {
  /** Files handled, readable or not. */
  readonly files: number;
  readonly articles: Article[];
  readonly diagnostics: Diagnostic[];
  readonly readMs: number;
  readonly parseMs: number;
}

/** Files read and parsed between two yields to the event loop. */
const YIELD_EVERY_FILES = 256;

/**
 * Reads, parses and normalizes files in order. A bad file becomes diagnostics and never stops the
 * others. Each file is read just before it is parsed, so no more than one file's bytes are held at
 * a time; synchronous reads are several times faster than promise-based ones here, and the loop
 * yields to the event loop every few hundred files so the thread stays responsive.
 */
export async function parseFiles(
  files: readonly FileToParse[],
  settings: ParseSettings,
  onProgress?: (filesDone: number) => void,
): Promise<ParsedFiles> {
  let all: ParsedFiles = { files: 0, articles: [], diagnostics: [], readMs: 0, parseMs: 0 };
  for await (const batch of parseInBatches(files, settings, Infinity, onProgress)) all = batch;
  return all;
}

/**
 * parseFiles, handing over the results every `batchSize` files: each batch holds only its own
 * files' articles and diagnostics, and the time spent on them. `onProgress` hears how many files
 * are done each time the loop yields to the event loop.
 */
export async function* parseInBatches(
  files: readonly FileToParse[],
  settings: ParseSettings,
  batchSize: number,
  onProgress?: (filesDone: number) => void,
): AsyncGenerator<ParsedFiles> {
  const normalizeOptions = {
    siteUrl: settings.siteUrl,
    shared: new Map(),
    ...(settings.internStrings ? { strings: new Map<string, string>() } : {}),
  };
  let batch = { files: 0, articles: [] as Article[], diagnostics: [] as Diagnostic[], readMs: 0, parseMs: 0 };
  for (const [index, file] of files.entries()) {
    if (index % YIELD_EVERY_FILES === YIELD_EVERY_FILES - 1) {
      onProgress?.(index);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (index > 0 && index % batchSize === 0) {
      yield batch;
      batch = { files: 0, articles: [], diagnostics: [], readMs: 0, parseMs: 0 };
    }
    batch.files++;
    const parsed = parseFile(file, settings, normalizeOptions);
    batch.diagnostics.push(...parsed.diagnostics);
    if (parsed.article !== null) batch.articles.push(parsed.article);
    batch.readMs += parsed.readMs;
    batch.parseMs += parsed.parseMs;
  }
  yield batch;
}

/**
 * The entries of a batch's files (`files`: the batch's files, in order), written to the content
 * store when the settings name one (their records then left out of the result), else returned with
 * their records.
 */
export function storeBatch(files: readonly ContentFile[], batch: ParsedFiles, settings: ParseSettings): FileToStore[] {
  const articles = new Map(batch.articles.map((article) => [article.sourcePath, article]));
  const diagnostics = new Map<string, Diagnostic[]>();
  for (const diagnostic of batch.diagnostics) {
    const list = diagnostics.get(diagnostic.file);
    if (list === undefined) diagnostics.set(diagnostic.file, [diagnostic]);
    else list.push(diagnostic);
  }
  const entries = files.map((file): FileToStore => {
    const article = articles.get(file.relativePath) ?? null;
    return {
      relativePath: file.relativePath,
      loaded: {
        size: file.size,
        mtimeMs: file.mtimeMs,
        summary: article === null ? null : summarize(article),
        diagnostics: diagnostics.get(file.relativePath) ?? [],
      },
      article,
    };
  });
  if (settings.storeDirectory === null) return entries;
  ContentStore.attach(settings.storeDirectory).writeDeferringKeys(entries);
  return entries.map((entry) => ({ ...entry, article: null }));
}

/** Writes the key changes the batches of this thread kept (storeBatch), once every batch is stored. */
export function storeDeferredKeys(settings: ParseSettings): void {
  if (settings.storeDirectory !== null) ContentStore.attach(settings.storeDirectory).writeDeferredKeys();
}

/** What reading one file produced, and the time it took. */
interface ParsedFile {
  readonly article: Article | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly readMs: number;
  readonly parseMs: number;
}

/** Reads, parses and normalizes one file; a bad file becomes diagnostics. */
function parseFile(file: FileToParse, settings: ParseSettings, normalizeOptions: NormalizeOptions): ParsedFile {
  const readStarted = performance.now();
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file.absolutePath);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const diagnostic: Diagnostic = {
      file: file.relativePath,
      field: null,
      severity: 'error',
      message: `the file could not be read (${reason})`,
    };
    return { article: null, diagnostics: [diagnostic], readMs: performance.now() - readStarted, parseMs: 0 };
  }
  const parseStarted = performance.now();
  const readMs = parseStarted - readStarted;
  const parsed = parseFrontMatter(bytes, settings.frontMatterLimits);
  if (!parsed.ok) {
    const diagnostic: Diagnostic = { file: file.relativePath, field: null, severity: 'error', message: parsed.message };
    return { article: null, diagnostics: [diagnostic], readMs, parseMs: performance.now() - parseStarted };
  }
  const slug = path.posix.basename(file.relativePath).replace(/\.(?:md|markdown)$/i, '');
  const result = normalizeArticle({ slug, sourcePath: file.relativePath, data: parsed.data, body: parsed.body }, normalizeOptions);
  return { article: result.article, diagnostics: result.diagnostics, readMs, parseMs: performance.now() - parseStarted };
}

/** The record of one file read again, as a load reads it; null when the file no longer holds a valid article. */
export function readArticle(file: FileToParse, settings: ParseSettings): Article | null {
  return parseFile(file, settings, { siteUrl: settings.siteUrl, shared: new Map() }).article;
}
