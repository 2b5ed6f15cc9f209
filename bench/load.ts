/**
 * Load benchmark: how long `loadCorpus` takes against the cost of merely reading the files, and
 * what the loaded corpus costs in heap and RSS.
 *
 *   npx tsx bench/load.ts                     # 1k, 10k, 100k articles
 *   npx tsx bench/load.ts --quick             # 1k only
 *   npx tsx bench/load.ts --sizes 1000,10000 [--repeats 3] [--seed 1] [--keep]
 *   npx tsx bench/load.ts --profile [--profile-size 100000]        # benchmark, then a CPU profile
 *   npx tsx bench/load.ts --profile-only [--profile-size 100000]   # only the CPU profile
 *
 * Each size is generated once (bench/generate.ts, not timed) into a fresh temporary directory.
 * Every measurement runs in a fresh child process (bench/load-worker.ts, `node --expose-gc
 * --import tsx`, one process: `node --expose-gc node_modules/tsx/dist/cli.mjs` would re-spawn
 * the script in a grandchild without --expose-gc), so heap and RSS start clean:
 *   - read floor: list the directory recursively and read every file, sync and async (64 at a
 *     time, like src/content/load.ts); the faster of the two is the floor;
 *   - load: loadCorpus(dir) with its scan/read/parse/index split and wall time; then two full
 *     GCs and process.memoryUsage() with the corpus still referenced;
 *   - baseline: the same process with the load module imported and nothing loaded, subtracted
 *     to get per-article heap.
 * Each measurement is repeated (default 3) and the median reported. The page cache is warm (the
 * files were just written), so the floor is CPU and syscall cost, not disk. The loader measured is
 * src/content/load.ts compiled as `npm start`'s build compiles it (bench/lib/compiled-loader.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { currentMemoryLimits, planMemory } from '../src/content/memory.js';
import { generateCorpus } from './generate.js';
import { flagValue, positiveNumber } from './lib/args.js';
import { buildCompiledLoader } from './lib/compiled-loader.js';
import { mainThreadProfileFile, readCpuProfile, summarizeProfile } from './lib/cpu-profile.js';
import { BENCH_DIR, PROJECT_DIR } from './lib/paths.js';
import { median, round } from './lib/stats.js';
import { type Baseline, printProfile, printResults, type SizeResult, TARGETS } from './load-report.js';

const WORKER = path.join(BENCH_DIR, 'load-worker.ts');

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

interface Options {
  sizes: number[];
  repeats: number;
  seed: number;
  keep: boolean;
  bench: boolean;
  profile: boolean;
  profileSize: number | null;
}

function parseArguments(args: readonly string[]): Options {
  const value = (name: string) => flagValue(args, name);
  const positive = (text: string, name: string) => positiveNumber(text, name);
  const sizesText = value('--sizes');
  const sizes = args.includes('--quick')
    ? [1000]
    : sizesText !== undefined
      ? sizesText.split(',').map((size) => positive(size, '--sizes'))
      : [1000, 10_000, 100_000];
  const profileSizeText = value('--profile-size');
  return {
    sizes,
    repeats: positive(value('--repeats') ?? '3', '--repeats'),
    seed: Number(value('--seed') ?? '1'),
    keep: args.includes('--keep'),
    bench: !args.includes('--profile-only'),
    profile: args.includes('--profile') || args.includes('--profile-only'),
    profileSize: profileSizeText === undefined ? null : positive(profileSizeText, '--profile-size'),
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

/** The `WORKER_RESULT` line of bench/load-worker.ts; which fields are set depends on the mode. */
interface WorkerResult {
  readonly totalMs: number;
  /** Until the corpus can serve. */
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Writing what the load deferred (its snapshot, for the next start), after wallMs. */
  readonly persistMs: number;
  readonly persistCpuMs: number;
  readonly files: number;
  readonly articles: number;
  readonly publicArticles: number;
  readonly relatedResolved: number;
  readonly warnings: number;
  readonly errors: number;
  readonly timings: {
    readonly scanMs: number;
    readonly readMs: number;
    readonly parseMs: number;
    readonly storeMs: number;
    readonly indexMs: number;
  };
  readonly window: { readonly startMicros: number; readonly endMicros: number };
  readonly heapUsed: number;
  readonly rss: number;
  readonly maxRss: number;
  readonly store: { readonly reused: number; readonly parsed: number };
}

function runWorker(mode: string, directory: string | null, nodeFlags: readonly string[] = [], cacheDir?: string): Promise<WorkerResult> {
  const args = [
    '--expose-gc',
    ...nodeFlags,
    '--import',
    'tsx',
    WORKER,
    mode,
    ...(directory === null ? [] : [directory]),
    ...(cacheDir ? [cacheDir] : []),
  ];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: PROJECT_DIR, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`worker ${mode} failed: ${error.message}\n${stderr}`));
        return;
      }
      const line = stdout.split('\n').find((text) => text.startsWith('WORKER_RESULT '));
      if (line === undefined) {
        reject(new Error(`worker ${mode} printed no result:\n${stdout}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(line.slice('WORKER_RESULT '.length)) as WorkerResult);
    });
  });
}

/**
 * The heap limit a load of this corpus needs (src/content/memory.ts's estimate with its headroom),
 * as node flags, when it is above the default: a large corpus is refused under the default limit.
 */
function heapFlagsFor(files: number, bytes: number): string[] {
  const plan = planMemory(files, bytes, currentMemoryLimits(), true);
  return plan.decision === 'raise' ? [`--max-old-space-size=${plan.heapLimitMb}`] : [];
}

function freshDirectory(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'newsgraph-bench-'));
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Benchmark
// ---------------------------------------------------------------------------------------------

async function benchmarkSize(size: number, options: Options, baseline: Baseline): Promise<SizeResult> {
  const directory = freshDirectory();
  try {
    const generateStarted = performance.now();
    const generated = await generateCorpus({ directory, articles: size, seed: options.seed });
    const generateSeconds = (performance.now() - generateStarted) / 1000;
    log(
      `  ${size}: generated ${generated.files} files, ${(generated.bytes / 1048576).toFixed(1)} MiB in ${generateSeconds.toFixed(1)} s (${directory})`,
    );

    const floorSync: WorkerResult[] = [];
    const floorAsync: WorkerResult[] = [];
    const loads: WorkerResult[] = [];
    const restarts: WorkerResult[] = [];
    const heapFlags = heapFlagsFor(generated.files, generated.bytes);
    for (let run = 0; run < options.repeats; run++) {
      floorSync.push(await runWorker('floor-sync', directory));
      floorAsync.push(await runWorker('floor-async', directory));
      // A cold load writes the content store; the restart after it reads it.
      const cacheDir = freshDirectory();
      const load = await runWorker('load', directory, heapFlags, cacheDir);
      restarts.push(await runWorker('load', directory, heapFlags, cacheDir));
      rmSync(cacheDir, { recursive: true, force: true });
      loads.push(load);
      log(
        `  ${size} run ${run + 1}/${options.repeats}: floor sync ${floorSync.at(-1)!.totalMs.toFixed(0)} ms, async ${floorAsync.at(-1)!.totalMs.toFixed(0)} ms; ` +
          `load ${load.wallMs.toFixed(0)} ms, CPU ${load.cpuMs.toFixed(0)} ms, then the snapshot ${load.persistMs.toFixed(0)} ms (scan ${load.timings.scanMs.toFixed(0)}, read ${load.timings.readMs.toFixed(0)}, parse ${load.timings.parseMs.toFixed(0)}, index ${load.timings.indexMs.toFixed(0)}); ` +
          `heap ${(load.heapUsed / 1048576).toFixed(1)} MiB, rss ${(load.rss / 1048576).toFixed(0)} MiB; ` +
          `restart ${restarts.at(-1)!.wallMs.toFixed(0)} ms (${restarts.at(-1)!.store.reused} files from the store), ` +
          `heap ${(restarts.at(-1)!.heapUsed / 1048576).toFixed(1)} MiB, rss ${(restarts.at(-1)!.rss / 1048576).toFixed(0)} MiB`,
      );
      if (load.files !== size || load.articles !== size)
        log(`  warning: loaded ${load.articles} articles of ${load.files} files, expected ${size}`);
    }
    if (loads[0]!.relatedResolved !== generated.relatedResolvable) {
      log(
        `  warning: the loader resolved ${loads[0]!.relatedResolved} related entries, the generator made ${generated.relatedResolvable} resolvable`,
      );
    }
    const floorSyncMs = median(floorSync.map((run) => run.totalMs));
    const floorAsyncMs = median(floorAsync.map((run) => run.totalMs));
    const floorMs = Math.min(floorSyncMs, floorAsyncMs);
    const loadMs = median(loads.map((run) => run.wallMs));
    const restartMs = median(restarts.map((run) => run.wallMs));
    const heapUsedBytes = median(loads.map((run) => run.heapUsed));
    const rss = median(loads.map((run) => run.rss));
    const first = loads[0]!;
    return {
      size,
      generated,
      generateSeconds,
      floorSyncMs,
      floorAsyncMs,
      floorMs,
      loadMs,
      floorSyncCpuMs: median(floorSync.map((run) => run.cpuMs)),
      floorAsyncCpuMs: median(floorAsync.map((run) => run.cpuMs)),
      loadCpuMs: median(loads.map((run) => run.cpuMs)),
      persistMs: median(loads.map((run) => run.persistMs)),
      persistCpuMs: median(loads.map((run) => run.persistCpuMs)),
      scanMs: median(loads.map((run) => run.timings.scanMs)),
      readMs: median(loads.map((run) => run.timings.readMs)),
      parseMs: median(loads.map((run) => run.timings.parseMs)),
      indexMs: median(loads.map((run) => run.timings.indexMs)),
      ratio: loadMs / floorMs,
      restartMs,
      restartRatio: restartMs / floorMs,
      restartIndexMs: median(restarts.map((run) => run.timings.indexMs)),
      restartStoreMs: median(restarts.map((run) => run.timings.storeMs)),
      restartHeapKbPerArticle: (median(restarts.map((run) => run.heapUsed)) - baseline.heapUsed) / size / 1024,
      restartRssMb: median(restarts.map((run) => run.rss)) / 1048576,
      heapUsedBytes,
      heapKbPerArticle: (heapUsedBytes - baseline.heapUsed) / size / 1024,
      rssMb: rss / 1048576,
      rssKbPerArticle: (rss - baseline.rss) / size / 1024,
      peakRssMb: median(loads.map((run) => run.maxRss)) / 1048576,
      articles: first.articles,
      publicArticles: first.publicArticles,
      relatedResolved: first.relatedResolved,
      warnings: first.warnings,
      errors: first.errors,
      runs: {
        floorSyncMs: floorSync.map((run) => round(run.totalMs)),
        floorAsyncMs: floorAsync.map((run) => round(run.totalMs)),
        loadMs: loads.map((run) => round(run.wallMs)),
        restartMs: restarts.map((run) => round(run.wallMs)),
        loadCpuMs: loads.map((run) => round(run.cpuMs)),
        persistMs: loads.map((run) => round(run.persistMs)),
        heapUsed: loads.map((run) => run.heapUsed),
        rss: loads.map((run) => run.rss),
      },
    };
  } finally {
    if (options.keep) log(`  kept ${directory}`);
    else rmSync(directory, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// CPU profile
// ---------------------------------------------------------------------------------------------

/** Loads a generated corpus of `size` articles under `--cpu-prof`, prints where the time went during loadCorpus, and returns it. */
async function profileLoad(size: number, options: Options): Promise<Record<string, unknown>> {
  const directory = freshDirectory();
  const profileDirectory = freshDirectory();
  try {
    log(`profile: generating ${size} articles ...`);
    await generateCorpus({ directory, articles: size, seed: options.seed });
    log('profile: running the load worker under --cpu-prof ...');
    // A cold load as the benchmark measures it: with a fresh content store beside it.
    const cacheDir = freshDirectory();
    const run = await runWorker(
      'load',
      directory,
      ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`, '--cpu-prof-interval=500'],
      cacheDir,
    ).finally(() => rmSync(cacheDir, { recursive: true, force: true }));
    const file = mainThreadProfileFile(profileDirectory);
    if (file === null) throw new Error(`--cpu-prof wrote no profile in ${profileDirectory}`);
    const { startMicros, endMicros } = run.window;
    const summary = summarizeProfile(readCpuProfile(file), { window: { fromMicros: startMicros, toMicros: endMicros }, top: 25 });
    return printProfile(summary, run.timings, size);
  } finally {
    rmSync(directory, { recursive: true, force: true });
    if (options.keep) log(`profile kept in ${profileDirectory}`);
    else rmSync(profileDirectory, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const started = performance.now();
  await buildCompiledLoader();
  const json: Record<string, unknown> = {
    node: process.version,
    cpus: os.cpus().length,
    seed: options.seed,
    repeats: options.repeats,
    loadAverageStart: os.loadavg(),
  };

  if (options.bench) {
    log(`baseline: ${options.repeats} empty processes ...`);
    const baselines: WorkerResult[] = [];
    for (let run = 0; run < options.repeats; run++) baselines.push(await runWorker('baseline', null));
    const baseline: Baseline = { heapUsed: median(baselines.map((run) => run.heapUsed)), rss: median(baselines.map((run) => run.rss)) };
    const results: SizeResult[] = [];
    for (const size of options.sizes) {
      log(`size ${size}:`);
      results.push(await benchmarkSize(size, options, baseline));
    }
    printResults(results, baseline);
    json.baseline = baseline;
    json.results = results.map(({ runs, generated, ...rest }) => ({
      ...Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, typeof value === 'number' ? round(value, 2) : value])),
      generated,
      runs,
    }));
    const judged = results.find((result) => result.size === TARGETS.size);
    if (judged !== undefined) {
      json.targets = {
        loadOverFloor: { target: TARGETS.loadOverFloor, value: round(judged.ratio, 2), pass: judged.ratio <= TARGETS.loadOverFloor },
        heapKbPerArticle: {
          target: TARGETS.heapKbPerArticle,
          value: round(judged.heapKbPerArticle, 2),
          pass: judged.heapKbPerArticle <= TARGETS.heapKbPerArticle,
        },
        rssMb: { target: TARGETS.rssMb, value: round(judged.rssMb, 0), pass: judged.rssMb <= TARGETS.rssMb },
      };
    }
  }
  if (options.profile) {
    json.profile = await profileLoad(options.profileSize ?? Math.max(...options.sizes), options);
  }
  json.loadAverageEnd = os.loadavg();
  json.seconds = round((performance.now() - started) / 1000, 1);
  console.log('');
  console.log(`BENCH_LOAD_JSON ${JSON.stringify(json)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
