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
 * files were just written), so the floor is CPU and syscall cost, not disk.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from '../scripts/build.mjs';
import { type GenerateResult, generateCorpus } from './generate.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORKER = path.join(REPO_ROOT, 'bench', 'load-worker.ts');

/** The issue's targets, judged at 100k articles. */
const TARGETS = { size: 100_000, loadOverFloor: 2.5, heapKbPerArticle: 6, rssMb: 700 };

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
  const value = (name: string): string | undefined => {
    const index = args.indexOf(name);
    if (index === -1) return undefined;
    const found = args[index + 1];
    if (found === undefined || found.startsWith('--')) throw new Error(`${name} needs a value`);
    return found;
  };
  const positive = (text: string, name: string) => {
    const number = Number(text.replace(/_/g, ''));
    if (!Number.isInteger(number) || number < 1) throw new Error(`${name}: expected a positive integer, got ${JSON.stringify(text)}`);
    return number;
  };
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

type WorkerResult = Record<string, any>;

function runWorker(mode: string, directory: string | null, nodeFlags: readonly string[] = []): Promise<WorkerResult> {
  const args = ['--expose-gc', ...nodeFlags, '--import', 'tsx', WORKER, mode, ...(directory === null ? [] : [directory])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 }, (error, stdout, stderr) => {
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
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

interface SizeResult {
  size: number;
  generated: GenerateResult;
  generateSeconds: number;
  floorSyncMs: number;
  floorAsyncMs: number;
  floorMs: number;
  loadMs: number;
  /** CPU time (user + system, all threads) of the floors and the load: less sensitive to a busy machine than wall time. */
  floorSyncCpuMs: number;
  floorAsyncCpuMs: number;
  loadCpuMs: number;
  scanMs: number;
  readMs: number;
  parseMs: number;
  indexMs: number;
  ratio: number;
  heapUsedBytes: number;
  heapKbPerArticle: number;
  rssMb: number;
  rssKbPerArticle: number;
  peakRssMb: number;
  articles: number;
  publicArticles: number;
  relatedResolved: number;
  warnings: number;
  errors: number;
  runs: { floorSyncMs: number[]; floorAsyncMs: number[]; loadMs: number[]; loadCpuMs: number[]; heapUsed: number[]; rss: number[] };
}

async function benchmarkSize(size: number, options: Options, baseline: { heapUsed: number; rss: number }): Promise<SizeResult> {
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
    for (let run = 0; run < options.repeats; run++) {
      floorSync.push(await runWorker('floor-sync', directory));
      floorAsync.push(await runWorker('floor-async', directory));
      const load = await runWorker('load', directory);
      loads.push(load);
      log(
        `  ${size} run ${run + 1}/${options.repeats}: floor sync ${floorSync.at(-1)!.totalMs.toFixed(0)} ms, async ${floorAsync.at(-1)!.totalMs.toFixed(0)} ms; ` +
          `load ${load.wallMs.toFixed(0)} ms, CPU ${load.cpuMs.toFixed(0)} ms (scan ${load.timings.scanMs.toFixed(0)}, read ${load.timings.readMs.toFixed(0)}, parse ${load.timings.parseMs.toFixed(0)}, index ${load.timings.indexMs.toFixed(0)}); ` +
          `heap ${(load.heapUsed / 1048576).toFixed(1)} MiB, rss ${(load.rss / 1048576).toFixed(0)} MiB`,
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
      scanMs: median(loads.map((run) => run.timings.scanMs)),
      readMs: median(loads.map((run) => run.timings.readMs)),
      parseMs: median(loads.map((run) => run.timings.parseMs)),
      indexMs: median(loads.map((run) => run.timings.indexMs)),
      ratio: loadMs / floorMs,
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
        loadCpuMs: loads.map((run) => round(run.cpuMs)),
        heapUsed: loads.map((run) => run.heapUsed),
        rss: loads.map((run) => run.rss),
      },
    };
  } finally {
    if (options.keep) log(`  kept ${directory}`);
    else rmSync(directory, { recursive: true, force: true });
  }
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function printResults(results: readonly SizeResult[], baseline: { heapUsed: number; rss: number }): void {
  const fixed = (value: number, digits = 0) => value.toFixed(digits);
  console.log('');
  console.log(
    `Load benchmark (medians of the runs; node ${process.version}, ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')})`,
  );
  console.log(
    `Baseline process (load module imported, nothing loaded): heap ${fixed(baseline.heapUsed / 1048576, 1)} MiB, RSS ${fixed(baseline.rss / 1048576, 1)} MiB`,
  );
  console.log('');
  console.log(
    table(
      [
        'articles',
        'MiB',
        'floor sync ms',
        'floor async ms',
        'read floor ms',
        'load ms',
        'scan',
        'read',
        'parse',
        'index',
        'load/floor',
        'heap KB/article',
        'RSS MB',
        'RSS KB/article',
        'peak RSS MB',
      ],
      results.map((result) => [
        String(result.size),
        fixed(result.generated.bytes / 1048576, 1),
        fixed(result.floorSyncMs),
        fixed(result.floorAsyncMs),
        fixed(result.floorMs),
        fixed(result.loadMs),
        fixed(result.scanMs),
        fixed(result.readMs),
        fixed(result.parseMs),
        fixed(result.indexMs),
        `${fixed(result.ratio, 2)}x`,
        fixed(result.heapKbPerArticle, 2),
        fixed(result.rssMb),
        fixed(result.rssKbPerArticle, 2),
        fixed(result.peakRssMb),
      ]),
    ),
  );
  console.log('');
  console.log('CPU time (user + system, all threads), medians; wall time above is inflated when the machine is busy:');
  console.log(
    table(
      ['articles', 'floor sync CPU ms', 'floor async CPU ms', 'load CPU ms', 'load CPU / floor sync CPU', 'load wall / CPU'],
      results.map((result) => [
        String(result.size),
        fixed(result.floorSyncCpuMs),
        fixed(result.floorAsyncCpuMs),
        fixed(result.loadCpuMs),
        `${fixed(result.loadCpuMs / result.floorSyncCpuMs, 2)}x`,
        fixed(result.loadMs / result.loadCpuMs, 2),
      ]),
    ),
  );
  console.log('');
  console.log(
    'Corpus check: ' +
      results
        .map(
          (result) =>
            `${result.size}: ${result.articles} articles (${result.publicArticles} public), ${result.relatedResolved}/${result.generated.relatedEntries} related entries resolved, ${result.warnings} warnings, ${result.errors} errors`,
        )
        .join('; '),
  );
  console.log('');
  const atTarget = results.find((result) => result.size === TARGETS.size);
  const judged = atTarget ?? results.at(-1);
  if (judged === undefined) return;
  const note = atTarget === undefined ? ` (indicative only: ${TARGETS.size} was not run, judged at ${judged.size})` : '';
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  console.log(`Targets at ${TARGETS.size} articles${note}:`);
  console.log(
    `  load <= ${TARGETS.loadOverFloor} x read floor : ${fixed(judged.loadMs)} ms / ${fixed(judged.floorMs)} ms = ${fixed(judged.ratio, 2)}x  ${verdict(judged.ratio <= TARGETS.loadOverFloor)}`,
  );
  console.log(
    `  heap <= ${TARGETS.heapKbPerArticle} KB per article  : ${fixed(judged.heapKbPerArticle, 2)} KB  ${verdict(judged.heapKbPerArticle <= TARGETS.heapKbPerArticle)}`,
  );
  console.log(
    `  RSS <= ${TARGETS.rssMb} MB (after load)  : ${fixed(judged.rssMb)} MB (peak during load ${fixed(judged.peakRssMb)} MB)  ${verdict(judged.rssMb <= TARGETS.rssMb)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// CPU profile
// ---------------------------------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const text = url.replace(/^file:\/\//, '');
  const modules = text.lastIndexOf('node_modules/');
  if (modules !== -1) return text.slice(modules + 'node_modules/'.length);
  if (text.startsWith(REPO_ROOT)) return text.slice(REPO_ROOT.length + 1);
  return text;
}

/** Package, or repository file, or node module, a JS frame belongs to. */
function categoryOfUrl(url: string): string {
  const short = shortUrl(url);
  const modules = /^((?:@[^/]+\/)?[^/]+)\//.exec(short);
  if (url.includes('node_modules/') && modules) {
    const name = modules[1]!;
    if (['gray-matter', 'kind-of', 'section-matter', 'strip-bom-string', 'extend-shallow', 'is-extendable'].includes(name))
      return 'gray-matter (+ deps)';
    return name;
  }
  if (short.startsWith('node:internal/url') || short === 'node:url') return 'node:url (URL, URLSearchParams)';
  return short;
}

async function profileLoad(size: number, options: Options): Promise<Record<string, unknown>> {
  const directory = freshDirectory();
  const profileDirectory = freshDirectory();
  try {
    log(`profile: generating ${size} articles ...`);
    await generateCorpus({ directory, articles: size, seed: options.seed });
    log('profile: running the load worker under --cpu-prof ...');
    const run = await runWorker('load', directory, ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`, '--cpu-prof-interval=500']);
    const profiles = readdirSync(profileDirectory).filter((name) => name.endsWith('.cpuprofile'));
    let profile: CpuProfile | null = null;
    for (const name of profiles) {
      const candidate = JSON.parse(readFileSync(path.join(profileDirectory, name), 'utf8')) as CpuProfile;
      if (candidate.nodes.some((node) => node.callFrame.functionName === 'loadCorpus')) profile = candidate;
    }
    if (profile === null) throw new Error(`no profile with loadCorpus among ${profiles.join(', ')}`);
    return summarizeProfile(profile, run, size);
  } finally {
    rmSync(directory, { recursive: true, force: true });
    if (options.keep) log(`profile kept in ${profileDirectory}`);
    else rmSync(profileDirectory, { recursive: true, force: true });
  }
}

function summarizeProfile(profile: CpuProfile, run: WorkerResult, size: number): Record<string, unknown> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // Keep only the samples taken during loadCorpus (the worker reports the window on the same
  // monotonic clock as the profile); fall back to the whole profile if the clocks disagree.
  const { startMicros, endMicros } = run.window as { startMicros: number; endMicros: number };
  const windowOk = startMicros >= profile.startTime && endMicros <= profile.endTime + 1000;
  const selfCount = new Map<number, number>();
  let time = profile.startTime;
  let kept = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    time += profile.timeDeltas[index] ?? 0;
    if (windowOk && (time < startMicros || time > endMicros)) continue;
    const id = profile.samples[index]!;
    selfCount.set(id, (selfCount.get(id) ?? 0) + 1);
    kept++;
  }
  const windowMs = windowOk ? (endMicros - startMicros) / 1000 : (profile.endTime - profile.startTime) / 1000;
  const msPerSample = windowMs / Math.max(1, kept);

  // JS frames are named by function and file (a module emitted on one line has only
  // columns, which then stand in for lines); anonymous closures by their enclosing function; native frames (URL
  // parsing, fs bindings, RegExp) are charged to the package or file of the JS frame that called them.
  const nearestJs = (id: number): ProfileNode | null => {
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const node = byId.get(current)!;
      if (node.callFrame.url !== '') return node;
    }
    return null;
  };
  const nameOf = (node: ProfileNode): string => {
    const frame = node.callFrame;
    if (frame.functionName !== '') return frame.functionName;
    const up = parent.get(node.id);
    const enclosing = up === undefined ? null : nearestJs(up);
    return enclosing === null ? '(anonymous)' : `(anonymous in ${nameOf(enclosing)})`;
  };
  const keyOf = (node: ProfileNode) => {
    const frame = node.callFrame;
    if (frame.url !== '') return `${nameOf(node)}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
    if (frame.functionName.startsWith('(')) return frame.functionName;
    const caller = nearestJs(node.id);
    return `${frame.functionName || '(native)'}  [native, called from ${caller === null ? '?' : `${nameOf(caller)} in ${shortUrl(caller.callFrame.url)}`}]`;
  };
  const categoryOf = (node: ProfileNode): string => {
    const frame = node.callFrame;
    if (frame.url !== '') return categoryOfUrl(frame.url);
    if (frame.functionName.startsWith('(')) return frame.functionName;
    const caller = nearestJs(node.id);
    return caller === null ? `native: ${frame.functionName}` : categoryOfUrl(caller.callFrame.url);
  };
  const selfByFunction = new Map<string, number>();
  const selfByCategory = new Map<string, number>();
  for (const [id, count] of selfCount) {
    const node = byId.get(id)!;
    const key = keyOf(node);
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + count);
    const category = categoryOf(node);
    selfByCategory.set(category, (selfByCategory.get(category) ?? 0) + count);
  }

  // Inclusive (total) time per function name: a sample counts once per distinct name on its stack.
  const inclusive = new Map<string, number>();
  for (const [id, count] of selfCount) {
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current)!.callFrame;
      const name = frame.url === '' ? frame.functionName : `${nameOf(byId.get(current)!)} (${shortUrl(frame.url).replace(/^.*\//, '')})`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + count);
    }
  }

  const percent = (count: number) => (100 * count) / Math.max(1, kept);
  const top = (map: Map<string, number>, limit: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, count]) => ({ name, percent: round(percent(count)), ms: round(count * msPerSample, 0) }));

  const topFunctions = top(selfByFunction, 25);
  const categories = top(selfByCategory, 25);
  const interesting = [
    'loadCorpus',
    'scanContent',
    'readAll',
    'parseFrontMatter',
    'matter',
    'loadYaml',
    'load',
    'assertFiniteTree',
    'normalizeArticle',
    'related',
    'images',
    'provider',
    'text',
    'url',
    'toPlainText',
    'repairMojibake',
    'decodeHTMLStrict',
    'parseHttpUrl',
    'normalizeDomain',
    'hostOf',
    'slugify',
    'urlKey',
    'createCorpus',
    'CorpusView',
    'indexUrls',
    'resolveRelated',
    'findTarget',
    'buildProviders',
    'buildTopics',
    'keepFirstOfEachSlug',
    'compareByDate',
    'extra',
    '(anonymous in assertFiniteTree)',
    'listener',
    'measureLists',
    'date',
    'number',
    'topics',
    'strings',
    'mappings',
  ];
  const inclusiveRows = [...inclusive]
    .filter(([name]) => interesting.includes(name.replace(/ \(.*\)$/, '')) && !name.includes('node_modules'))
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => ({ name, percent: round(percent(count)), ms: round(count * msPerSample, 0) }));

  console.log('');
  console.log(
    `CPU profile of loadCorpus at ${size} articles: ${round(windowMs, 0)} ms wall in the window, ${kept} samples at 0.5 ms${windowOk ? '' : ' (whole process: clock window mismatch)'}`,
  );
  console.log(
    `(load timings in that run: scan ${round(run.timings.scanMs, 0)}, read ${round(run.timings.readMs, 0)}, parse ${round(run.timings.parseMs, 0)}, index ${round(run.timings.indexMs, 0)} ms; profiling adds overhead)`,
  );
  console.log('');
  console.log('Top self time by function:');
  console.log(
    table(
      ['#', 'self %', 'self ms', 'function  location'],
      topFunctions.map((row, index) => [String(index + 1), row.percent.toFixed(1), String(row.ms), row.name]),
    ),
  );
  console.log('');
  console.log('Self time by package / file:');
  console.log(
    table(
      ['self %', 'self ms', 'package or file'],
      categories.map((row) => [row.percent.toFixed(1), String(row.ms), row.name]),
    ),
  );
  console.log('');
  console.log('Total (inclusive) time of the loader steps:');
  console.log(
    table(
      ['total %', 'total ms', 'function (file)'],
      inclusiveRows.map((row) => [row.percent.toFixed(1), String(row.ms), row.name]),
    ),
  );
  return {
    size,
    windowMs: round(windowMs, 0),
    samples: kept,
    topFunctions: topFunctions.slice(0, 15),
    categories: categories.slice(0, 15),
    inclusive: inclusiveRows,
  };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const started = performance.now();
  // The measured loader is the compiled one npm start runs (dist/load.mjs).
  await build();
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
    const baseline = { heapUsed: median(baselines.map((run) => run.heapUsed)), rss: median(baselines.map((run) => run.rss)) };
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
