import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { normalizeArticle } from './article.js';
import { createCorpus, type Corpus } from './corpus.js';
import { DEFAULT_FRONT_MATTER_LIMITS, parseFrontMatter, type FrontMatterLimits } from './front-matter.js';
import type { Article, Diagnostic } from './model.js';
import { scanContent, type ContentFile } from './scan.js';

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

const READ_CONCURRENCY = 64;

/**
 * Loads every content file under `directory` into a corpus. A bad file becomes diagnostics and never
 * stops the others; rejects only when the directory itself cannot be read.
 */
export async function loadCorpus(directory: string, options: LoadOptions = {}): Promise<LoadResult> {
  const started = performance.now();
  const scan = await scanContent(path.resolve(directory), { maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES });
  const scanned = performance.now();

  const contents = await readAll(scan.files);
  const read = performance.now();

  const diagnostics: Diagnostic[] = [...scan.diagnostics];
  const articles: Article[] = [];
  const normalizeOptions = { siteUrl: options.siteUrl ?? null };
  const limits = options.frontMatterLimits ?? DEFAULT_FRONT_MATTER_LIMITS;
  scan.files.forEach((file, index) => {
    const bytes = contents[index];
    if (bytes instanceof Error) {
      diagnostics.push({ file: file.relativePath, field: null, severity: 'error', message: `the file could not be read (${bytes.message})` });
      return;
    }
    const parsed = parseFrontMatter(bytes!, limits);
    if (!parsed.ok) {
      diagnostics.push({ file: file.relativePath, field: null, severity: 'error', message: parsed.message });
      return;
    }
    const slug = path.posix.basename(file.relativePath).replace(/\.(?:md|markdown)$/i, '');
    const result = normalizeArticle({ slug, sourcePath: file.relativePath, data: parsed.data, body: parsed.body }, normalizeOptions);
    diagnostics.push(...result.diagnostics);
    if (result.article !== null) articles.push(result.article);
  });
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
      readMs: read - scanned,
      parseMs: parsed - read,
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

/** Reads files with bounded concurrency; a failed read is returned as its Error, in place. */
async function readAll(files: readonly ContentFile[]): Promise<(Uint8Array | Error)[]> {
  const results: (Uint8Array | Error)[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      try {
        results[index] = await readFile(files[index]!.absolutePath);
      } catch (error) {
        results[index] = error instanceof Error ? new Error((error as NodeJS.ErrnoException).code ?? error.message) : new Error(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  return results;
}
