import { type Dirent, lstatSync, type Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from './model.js';
import { compareStrings } from './order.js';

/** A content file found by the scan. */
export interface ContentFile {
  readonly absolutePath: string;
  /** Relative to the content directory, with `/` separators. */
  readonly relativePath: string;
  readonly size: number;
  /** When the file last changed, in milliseconds since the epoch: with the size, what tells a changed file. */
  readonly mtimeMs: number;
}

/** What a scan found: the files to parse (sorted by relative path) and the entries it refused. */
export interface ScanResult {
  readonly files: readonly ContentFile[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Options of a scan. */
export interface ScanOptions {
  /** Files larger than this many bytes are reported and not read. */
  readonly maxFileBytes: number;
}

const CONTENT_FILE = /\.(?:md|markdown)$/i;

/**
 * Finds every `*.md` / `*.markdown` file under `root`, recursively. Skips dot-entries and
 * `node_modules`; follows a symbolic link to a file only when the file is inside `root` (a link to
 * a folder is never followed: one inside is walked under its own name); reports links that leave
 * `root` and files over the size cap, without reading them. Rejects when `root` cannot be read.
 */
export async function scanContent(root: string, options: ScanOptions): Promise<ScanResult> {
  return scanPaths(root, [''], options);
}

/**
 * Scans these paths under `root` (relative, `/`-separated; '' is `root` itself) by the rules of
 * scanContent: each is a file, a folder walked recursively, a link, or gone (then not listed).
 * What a live update reads again after the watcher names the paths that changed.
 */
export async function scanPaths(root: string, relativePaths: readonly string[], options: ScanOptions): Promise<ScanResult> {
  const rootReal = await realpath(root);
  const rootStat = await stat(rootReal);
  if (!rootStat.isDirectory()) throw new Error(`${root} is not a directory`);
  const files: ContentFile[] = [];
  const diagnostics: Diagnostic[] = [];

  const isInside = (target: string) => {
    const relative = path.relative(rootReal, target);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };

  const addFile = (absolutePath: string, relativePath: string, size: number, mtimeMs: number) => {
    if (size > options.maxFileBytes) {
      diagnostics.push({
        file: relativePath,
        field: null,
        severity: 'error',
        message: `the file is ${size} bytes, over the limit of ${options.maxFileBytes} bytes (MAX_FILE_BYTES); it is not read`,
      });
    } else {
      files.push({ absolutePath, relativePath, size, mtimeMs });
    }
  };

  const visit = async (absolutePath: string, relativePath: string, name: string, entry: Dirent | Stats): Promise<void> => {
    if (entry.isDirectory()) {
      await walk(absolutePath, relativePath);
    } else if (entry.isFile()) {
      if (!CONTENT_FILE.test(name)) return;
      // Synchronous: one thread-pool round trip per file costs more than the lstat itself.
      const stats = lstatSync(absolutePath, { throwIfNoEntry: false });
      if (stats !== undefined) addFile(absolutePath, relativePath, stats.size, stats.mtimeMs); // Else deleted since the listing.
    } else if (entry.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(absolutePath);
      } catch {
        if (CONTENT_FILE.test(name)) {
          diagnostics.push({
            file: relativePath,
            field: null,
            severity: 'error',
            message: 'the symbolic link is broken: its target does not exist',
          });
        }
        return;
      }
      const targetStat = await stat(target).catch(() => null);
      if (targetStat === null || (!targetStat.isDirectory() && !CONTENT_FILE.test(name))) return;
      if (!isInside(target)) {
        diagnostics.push({
          file: relativePath,
          field: null,
          severity: 'error',
          message: 'the symbolic link points outside the content directory; it is not followed',
        });
      } else if (targetStat.isFile()) {
        addFile(target, relativePath, targetStat.size, targetStat.mtimeMs);
      }
    }
  };

  const walk = async (directory: string, relativeDirectory: string): Promise<void> => {
    const entries = await readdir(directory, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      // A folder removed since it was listed is simply gone; the content directory itself must be readable.
      if (relativeDirectory !== '' && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return [];
      throw error;
    });
    for (const entry of entries) {
      if (isSkipped(entry.name)) continue;
      const relativePath = relativeDirectory === '' ? entry.name : `${relativeDirectory}/${entry.name}`;
      await visit(path.join(directory, entry.name), relativePath, entry.name, entry);
    }
  };

  for (const relativePath of relativePaths) {
    if (relativePath === '') {
      await walk(rootReal, '');
      continue;
    }
    if (relativePath.split('/').some(isSkipped)) continue;
    const absolutePath = path.join(rootReal, relativePath);
    const stats = lstatSync(absolutePath, { throwIfNoEntry: false });
    if (stats !== undefined) await visit(absolutePath, relativePath, path.posix.basename(relativePath), stats);
  }
  files.sort((a, b) => compareStrings(a.relativePath, b.relativePath));
  return { files, diagnostics };
}

/** Whether the scan reads a file of this name: `*.md` and `*.markdown`, not a dot-file. */
export function isContentName(name: string): boolean {
  return CONTENT_FILE.test(name) && !isSkipped(name);
}

/** Names the scan never enters or lists: dot-entries and `node_modules`. */
export function isSkipped(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}
