import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { normalizeArticle } from './article.js';
import { createCorpus, type Corpus } from './corpus.js';
import { DEFAULT_FRONT_MATTER_LIMITS, parseFrontMatter, type FrontMatterLimits } from './front-matter.js';
import type { Article, Diagnostic } from './model.js';
import { scanContent } from './scan.js';

/** Options of a load; every one has a default. */
export interface LoadOptions {
  /** Files over this many bytes are reported and not read. Default 1 MiB. */
  readonly maxFileBytes?: number;
  /** Base URL for relative URLs in front matter; null (default) drops them with a warning. */
  readonly siteUrl?: string | null;
  /** Caps on YAML nodes and depth per file. */
  readonly frontMatterLimits?: FrontMatterLimits;
}

/** Where the load spent its time, in milliseconds. */
export interface LoadTimings {
  readonly scanMs: number;
  readonly readMs: number;
  readonly parseMs: number;
  readonly indexMs: number;
  readonly totalMs: number;
}

/** A loaded content directory: the corpus, how many files were seen, and where the time went. */
export interface LoadResult {
  readonly corpus: Corpus;
  /** Content files found (including those refused by size or as links out of the directory). */
  readonly fileCount: number;
  readonly timings: LoadTimings;
}

/** The default size cap of one content file: 1 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** Files read and parsed between two yields to the event loop. */
const YIELD_EVERY_FILES = 256;

/**
 * Loads every content file under `directory` into a corpus. A bad file becomes diagnostics and never
 * stops the others; rejects only when the directory itself cannot be read.
 */
export async function loadCorpus(directory: string, options: LoadOptions = {}): Promise<LoadResult> {
  const started = performance.now();
  const scan = await scanContent(path.resolve(directory), { maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES });
  const scanned = performance.now();

  const diagnostics: Diagnostic[] = [...scan.diagnostics];
  const articles: Article[] = [];
  const normalizeOptions = { siteUrl: options.siteUrl ?? null, shared: new Map() };
  const limits = options.frontMatterLimits ?? DEFAULT_FRONT_MATTER_LIMITS;
  let readMs = 0;
  let parseMs = 0;
  // Each file is read and parsed in turn, so no more than one file's bytes are held at a time.
  // Synchronous reads are several times faster than promise-based ones here; the loop yields to
  // the event loop every few hundred files, so /health keeps answering while a large corpus loads.
  for (const [index, file] of scan.files.entries()) {
    if (index % YIELD_EVERY_FILES === YIELD_EVERY_FILES - 1) await new Promise((resolve) => setImmediate(resolve));
    const readStarted = performance.now();
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file.absolutePath);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      diagnostics.push({ file: file.relativePath, field: null, severity: 'error', message: `the file could not be read (${reason})` });
      continue;
    } finally {
      readMs += performance.now() - readStarted;
    }
    const parseStarted = performance.now();
    const parsed = parseFrontMatter(bytes, limits);
    if (!parsed.ok) {
      diagnostics.push({ file: file.relativePath, field: null, severity: 'error', message: parsed.message });
    } else {
      const slug = path.posix.basename(file.relativePath).replace(/\.(?:md|markdown)$/i, '');
      const result = normalizeArticle({ slug, sourcePath: file.relativePath, data: parsed.data, body: parsed.body }, normalizeOptions);
      diagnostics.push(...result.diagnostics);
      if (result.article !== null) articles.push(result.article);
    }
    parseMs += performance.now() - parseStarted;
  }
  const parsed = performance.now();

  const unique = keepFirstOfEachSlug(articles, diagnostics);
  diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const corpus = createCorpus(unique, diagnostics);
  const indexed = performance.now();

  return {
    corpus,
    fileCount: scan.files.length + scan.diagnostics.length,
    timings: {
      scanMs: scanned - started,
      readMs,
      parseMs,
      indexMs: indexed - parsed,
      totalMs: indexed - started,
    },
  };
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
        message: `the slug "${article.slug}" is already taken by ${winner.sourcePath} (the path that sorts first wins); rename one of the files`,
      });
    }
  }
  return [...winners.values()];
}
