/** What the load benchmarks measure inside a child process: memory after a full GC, and the content files of a directory. */
import type { Dirent } from 'node:fs';
import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

const CONTENT_FILE = /\.(?:md|markdown)$/i;

type Gc = () => void;

/** Two full garbage collections; the process must run with --expose-gc. */
function fullGc(): void {
  const gc = (globalThis as { gc?: Gc }).gc;
  if (gc === undefined) throw new Error('global.gc is missing: run the worker with node --expose-gc');
  gc();
  gc();
}

/** Heap, external and resident memory after a full GC, and the peak RSS of the process, in bytes. */
export function memory() {
  fullGc();
  const usage = process.memoryUsage();
  return {
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    rss: usage.rss,
    /** Peak RSS of the whole process, in bytes. */
    maxRss: process.resourceUsage().maxRSS * 1024,
  };
}

/**
 * memory() once the current job is over: a WeakRef read during the job keeps its target alive to
 * the end of the job (lmdb-js's record cache holds decoded records by WeakRef), so memory measured
 * in the same job as the reads counts objects the next GC frees.
 */
export async function settledMemory(): Promise<ReturnType<typeof memory>> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  return memory();
}

/** Every content file under `root` (dot-entries and node_modules skipped), listed synchronously. */
export function listSync(root: string): string[] {
  const files: string[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const absolute = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(absolute);
      else if (entry.isFile() && CONTENT_FILE.test(entry.name)) files.push(absolute);
    }
  };
  walk(root);
  return files;
}

/** listSync with promise-based directory reads, sub-directories in parallel. */
export async function listAsync(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (directory: string): Promise<void> => {
    const entries: Dirent[] = await readdir(directory, { withFileTypes: true });
    const subdirectories: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const absolute = path.join(directory, entry.name);
      if (entry.isDirectory()) subdirectories.push(absolute);
      else if (entry.isFile() && CONTENT_FILE.test(entry.name)) files.push(absolute);
    }
    await Promise.all(subdirectories.map(walk));
  };
  await walk(root);
  return files;
}
