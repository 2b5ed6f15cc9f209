/**
 * One measurement of the load benchmark, in a fresh process (started by bench/load.ts as
 * `node --expose-gc --import tsx bench/load-worker.ts MODE [DIR]`). Prints one line
 * `WORKER_RESULT {json}` on stdout. The loader is the compiled one bench/load.ts builds
 * (bench/lib/compiled-loader.ts), with its parse workers beside it.
 *
 * Modes:
 *   baseline     the load module imported, nothing loaded: heap/RSS of an "empty" process
 *   floor-sync   list DIR recursively and readFileSync every content file (no parsing)
 *   floor-async  list DIR recursively and fs.promises.readFile every content file, 64 at a
 *                time, no parsing
 *   load         loadCorpus(DIR) as `npm start` loads (the snapshot deferred), its timings, then the
 *                deferred snapshot written and timed, then heap/RSS after two full GCs with the corpus kept
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { LoadResult } from '../src/content/load.js';
import { COMPILED_LOADER } from './lib/compiled-loader.js';
import { profileClockMicros } from './lib/cpu-profile.js';
import { listAsync, listSync, memory } from './lib/measure.js';

const { loadCorpus } = (await import(pathToFileURL(COMPILED_LOADER).href)) as typeof import('../src/content/load.js');

/** Files read at once by the async floor. */
const READ_CONCURRENCY = 64;

async function readAllAsync(files: readonly string[]): Promise<Buffer[]> {
  const results: Buffer[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      results[index] = await readFile(files[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  return results;
}

/** User + system CPU milliseconds since `start` (all threads: main, libuv pool, GC helpers). */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function totalBytes(buffers: readonly Buffer[]): number {
  let bytes = 0;
  for (const buffer of buffers) bytes += buffer.length;
  return bytes;
}

/** The read floor: list every content file, then read them all, timed phase by phase with the CPU used. */
async function measureFloor(list: () => Promise<string[]>, read: (files: readonly string[]) => Promise<Buffer[]>) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const files = await list();
  const listed = performance.now();
  const buffers = await read(files);
  const finished = performance.now();
  const cpuMs = cpuMsSince(cpu);
  return {
    files: files.length,
    bytes: totalBytes(buffers),
    listMs: listed - started,
    readMs: finished - listed,
    totalMs: finished - started,
    cpuMs,
  };
}

let keep: unknown;

async function main(): Promise<void> {
  const [mode, directoryArgument, cacheDir] = process.argv.slice(2);
  const directory = directoryArgument === undefined ? '' : path.resolve(directoryArgument);
  let result: Record<string, unknown>;
  switch (mode) {
    case 'baseline': {
      result = { mode, ...memory() };
      break;
    }
    case 'floor-sync': {
      result = {
        mode,
        ...(await measureFloor(
          async () => listSync(directory),
          async (files) => files.map((file) => readFileSync(file)),
        )),
      };
      break;
    }
    case 'floor-async': {
      result = { mode, ...(await measureFloor(() => listAsync(directory), readAllAsync)) };
      break;
    }
    case 'load': {
      const before = memory();
      const startedMicros = profileClockMicros();
      const cpu = process.cpuUsage();
      const started = performance.now();
      // As `npm start` loads: the corpus serves before its snapshot (for the next start) is written.
      const loaded: LoadResult = await loadCorpus(directory, { cacheDir: cacheDir ?? null, deferSnapshot: true });
      const wallMs = performance.now() - started;
      const cpuMs = cpuMsSince(cpu);
      const endedMicros = profileClockMicros();
      const persistCpu = process.cpuUsage();
      const persistStarted = performance.now();
      const snapshot = await loaded.persist();
      const persistMs = performance.now() - persistStarted;
      const persistCpuMs = cpuMsSince(persistCpu);
      keep = loaded;
      const after = memory();
      const { corpus } = loaded;
      let warnings = 0;
      let errors = 0;
      for (const diagnostic of corpus.diagnostics) {
        if (diagnostic.severity === 'error') errors++;
        else warnings++;
      }
      result = {
        mode,
        files: loaded.fileCount,
        articles: corpus.preview.articles.length,
        publicArticles: corpus.public.articles.length,
        providers: corpus.preview.providers.length,
        topics: corpus.preview.topics.length,
        relatedEntries: corpus.preview.stats.relatedEntries,
        relatedResolved: corpus.preview.stats.relatedResolved,
        publicRelatedResolved: corpus.public.stats.relatedResolved,
        warnings,
        errors,
        timings: loaded.timings,
        store: { reused: loaded.store.reused, parsed: loaded.store.parsed },
        wallMs,
        cpuMs,
        snapshot,
        persistMs,
        persistCpuMs,
        window: { startMicros: startedMicros, endMicros: endedMicros },
        heapBefore: before.heapUsed,
        ...after,
      };
      break;
    }
    default:
      throw new Error(`unknown mode ${JSON.stringify(mode)}: expected baseline, floor-sync, floor-async or load`);
  }
  process.stdout.write(`WORKER_RESULT ${JSON.stringify(result)}\n`);
  // The corpus stays referenced until here, after the memory was measured.
  if (keep === Symbol.for('never')) console.log('unreachable');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
