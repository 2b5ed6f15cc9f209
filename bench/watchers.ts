/**
 * @parcel/watcher (what src/content/watch.ts uses) against chokidar 4, each watching a generated
 * corpus from a fresh child process of its own, pinned to one core:
 *
 *   npx tsx bench/watchers.ts [--quick] [--articles 100000] [--writes 200] [--spacing-ms 20]
 *                             [--idle-seconds 10] [--corpora DIR]
 *
 * Defaults: 100,000 articles, 200 writes 20 ms apart, 10 s idle. `--quick`: 10,000 articles, 50
 * writes, 3 s idle. The corpus is bench/generate.ts's (seed 1: the folders `_news` and
 * `_archive/_news`), cached where bench/store-layouts.ts caches it ($TMPDIR/newsgraph-store-layouts/
 * articles-N beside its articles-N.json marker) and shared with it. The benchmark changes files of
 * that corpus while it runs and puts them back afterwards; the marker is removed meanwhile, so an
 * interrupted run leaves a corpus the next run regenerates.
 *
 * Both watchers skip dot-entries and node_modules, as the content scan does: @parcel/watcher with
 * the ignore globs of src/content/watch.ts, chokidar 4 (which has no globs) with a function built on
 * the scan's own isSkipped, `ignoreInitial: true` and `awaitWriteFinish: false` (its other options
 * at their defaults, `atomic` among them). Every event goes to this process over IPC stamped with
 * process.hrtime (CLOCK_MONOTONIC, one clock for both processes). Per watcher:
 *   1. ready: from the subscribe/watch call to the subscribe promise (parcel) or the `ready` event
 *      (chokidar), timed in the child after the package was imported; the CPU time spent meanwhile;
 *   2. RSS (VmRSS of /proc/<pid>/status) once imported, just after ready, and after the idle window;
 *      the inotify watches the process holds (/proc/<pid>/fdinfo);
 *   3. latency: `writes` existing files, alternating between the two folders, each rewritten with
 *      writeFileSync (new content) on a fixed `spacing-ms` schedule, without waiting for events;
 *      latency is from the start of a write to the first event naming that file (p50, p99, max);
 *      the child's CPU time from the first write until it is quiet again (at most 10 ms of CPU in
 *      500 ms), per write, and how long after the last write that was;
 *   4. idle: the child's user + system CPU time (/proc/<pid>/stat) over the idle window right after
 *      ready, as % of one core;
 *   5. an atomic save (`.name.md.tmp` written, renamed over `name.md` in `_news`) and a folder with
 *      two articles renamed into `_news` from outside the tree, each once the child is quiet: every
 *      event reported after the rename, with its delay, until one named the renamed path and then
 *      none came for 2 s (at most 60 s).
 * The last line is `BENCH_WATCHERS_JSON {...}`.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isSkipped } from '../src/content/scan.js';
import { PARCEL_OPTIONS } from '../src/content/watch.js';
import { generateCorpus } from './generate.js';
import { positiveNumber } from './lib/args.js';
import { listSync } from './lib/measure.js';
import { inotifyWatches as countInotifyWatches, cpuMs, loadAverage, readRss } from './lib/proc.js';
import { closeWorkDirectory, installExitHandlers, openWorkDirectory, sleep, spawnPinned, stopChild, tail } from './lib/processes.js';
import { fmt, table } from './lib/report.js';
import { round } from './lib/stats.js';

const WATCHERS = ['parcel', 'chokidar'] as const;
type WatcherName = (typeof WATCHERS)[number];

const SELF = fileURLToPath(import.meta.url);
const SEED = 1;
/** The core the watching child runs on; this process (the writer) is not pinned. */
const WATCHER_CORE = '1';
/** How long after the last write a write without an event counts as missed. */
const MISSED_AFTER_MS = 5_000;
/** The child counts as quiet once it used at most one clock tick (10 ms) of CPU over this long. */
const QUIET_WINDOW_MS = 500;
/** The longest wait for the child to become quiet. */
const QUIET_TIMEOUT_MS = 120_000;
/** Pause before the atomic save and the folder move (then also until the child is quiet): longer than @parcel/watcher's 500 ms batching window. */
const SETTLE_MS = 1_000;
/** After the atomic save and the folder move, events are collected until none came for this long. */
const OBSERVE_QUIET_MS = 2_000;
/** ... and for at most this long when the expected path is never named. */
const OBSERVE_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 20 * 60_000;

interface Options {
  readonly quick: boolean;
  readonly articles: number;
  readonly writes: number;
  readonly spacingMs: number;
  readonly idleSeconds: number;
  readonly corpora: string;
}

/** One file-system event as the child saw it: the watcher's type name, the path relative to the root, arrival in ns of CLOCK_MONOTONIC. */
interface WatchEvent {
  readonly type: string;
  readonly path: string;
  readonly atNs: string;
}

type ChildMessage =
  | { readonly kind: 'loaded' }
  | { readonly kind: 'ready'; readonly readyMs: number }
  | { readonly kind: 'events'; readonly events: readonly WatchEvent[] }
  | { readonly kind: 'error'; readonly message: string };

/** What one event of the atomic save or the folder move looked like from this process. */
interface ObservedEvent {
  readonly type: string;
  readonly path: string;
  /** Delay after the rename, in ms. */
  readonly afterMs: number;
}

interface WatcherResult {
  readonly watcher: WatcherName;
  readonly readyMs: number;
  readonly readyCpuMs: number;
  readonly rssLoadedMB: number;
  readonly rssReadyMB: number;
  readonly rssAfterIdleMB: number;
  readonly inotifyWatches: number;
  readonly idleCpuPercent: number;
  readonly idleEvents: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  readonly missedWrites: number;
  readonly eventsPerWrite: number;
  readonly writeCpuMsPerWrite: number;
  /** From the last write until the child was quiet again. */
  readonly busyAfterLastWriteMs: number;
  readonly atomicSave: readonly ObservedEvent[];
  readonly folderMove: readonly ObservedEvent[];
  readonly errors: readonly string[];
}

/** The files the benchmark changes, with what to put back afterwards. */
interface CorpusChanges {
  readonly originals: Map<string, Buffer>;
  readonly extraPaths: Set<string>;
}

// ---------------------------------------------------------------------------------------------
// Child: one watcher
// ---------------------------------------------------------------------------------------------

/** Receives a watcher's events (type and absolute path) and its errors. */
interface EventSink {
  readonly events: (events: readonly (readonly [type: string, absolutePath: string])[]) => void;
  readonly error: (error: Error) => void;
}

/** Starts watching `root`; resolves once the watcher is ready, with the function that stops it. */
type StartWatching = (root: string, sink: EventSink) => Promise<() => Promise<void>>;

/** Imports @parcel/watcher and returns how to start it with the options the server uses. */
async function loadParcel(): Promise<StartWatching> {
  const { default: watcher } = await import('@parcel/watcher');
  return async (root, sink) => {
    const subscription = await watcher.subscribe(
      root,
      (error, events) => {
        if (error !== null) sink.error(error);
        else sink.events(events.map((event) => [event.type, event.path] as const));
      },
      PARCEL_OPTIONS,
    );
    return () => subscription.unsubscribe();
  };
}

/** Imports chokidar 4 and returns how to start it with the options recommended for a content tree. */
async function loadChokidar(): Promise<StartWatching> {
  const { watch } = await import('chokidar');
  return (root, sink) =>
    new Promise((resolve) => {
      const watcher = watch(root, {
        ignoreInitial: true,
        ignored: (absolutePath: string) => path.relative(root, absolutePath).split(path.sep).some(isSkipped),
        awaitWriteFinish: false,
      });
      watcher.on('all', (type, absolutePath) => sink.events([[type, absolutePath]]));
      watcher.on('error', (error) => sink.error(error as Error));
      watcher.once('ready', () => resolve(() => watcher.close()));
    });
}

/** Runs one watcher on `root` and reports to the parent over IPC: loaded, ready (after the parent's `subscribe`), then every event. */
async function runChild(watcherName: WatcherName, root: string): Promise<void> {
  const send = (message: ChildMessage) => process.send?.(message);
  const start = watcherName === 'parcel' ? await loadParcel() : await loadChokidar();
  const sink: EventSink = {
    events: (events) => {
      const atNs = process.hrtime.bigint().toString();
      send({
        kind: 'events',
        events: events.map(([type, absolutePath]) => ({ type, path: relativeTo(root, absolutePath), atNs })),
      });
    },
    error: (error) => send({ kind: 'error', message: error.message }),
  };
  process.once('message', () => {
    const startedAt = performance.now();
    start(root, sink).then(
      (stop) => {
        send({ kind: 'ready', readyMs: performance.now() - startedAt });
        process.once('disconnect', () => void stop().finally(() => process.exit(0)));
      },
      (error: unknown) => {
        console.error(error instanceof Error ? (error.stack ?? error.message) : error);
        process.exit(1);
      },
    );
  });
  send({ kind: 'loaded' });
}

// ---------------------------------------------------------------------------------------------
// Parent: the corpus
// ---------------------------------------------------------------------------------------------

/** The cached corpus of `articles` articles (generated on first use, as bench/store-layouts.ts does); returns its folder and its marker's text. */
async function ensureCorpus(options: Options): Promise<{ directory: string; marker: string; markerText: string }> {
  const directory = path.join(options.corpora, `articles-${options.articles}`);
  const marker = `${directory}.json`;
  if (existsSync(marker) && existsSync(directory)) {
    const markerText = readFileSync(marker, 'utf8');
    const generated = JSON.parse(markerText) as { articles: number; seed: number };
    if (generated.articles === options.articles && generated.seed === SEED) return { directory, marker, markerText };
  }
  rmSync(directory, { recursive: true, force: true });
  rmSync(marker, { force: true });
  mkdirSync(options.corpora, { recursive: true });
  log(`generating ${options.articles} articles into ${directory} ...`);
  const started = performance.now();
  const generated = await generateCorpus({ directory, articles: options.articles, seed: SEED });
  const markerText = JSON.stringify({ articles: options.articles, seed: SEED, ...generated });
  writeFileSync(marker, markerText);
  log(`generated in ${fmt((performance.now() - started) / 1000, 1)} s`);
  return { directory, marker, markerText };
}

/** `count` content files spread evenly over each folder of `files` in turn (absolute paths). */
function pickSpreadFiles(files: readonly string[], count: number): string[] {
  const byFolder = new Map<string, string[]>();
  for (const file of [...files].sort()) {
    const folder = path.dirname(file);
    const inFolder = byFolder.get(folder) ?? [];
    inFolder.push(file);
    byFolder.set(folder, inFolder);
  }
  const folders = [...byFolder.values()];
  const perFolder = folders.map((_, index) => Math.floor(count / folders.length) + (index < count % folders.length ? 1 : 0));
  const picked = folders.map((inFolder, index) => {
    const wanted = Math.min(perFolder[index]!, inFolder.length);
    return Array.from({ length: wanted }, (_, position) => inFolder[Math.floor(((position + 0.5) * inFolder.length) / wanted)]!);
  });
  const interleaved: string[] = [];
  for (let position = 0; interleaved.length < count && picked.some((list) => position < list.length); position++) {
    for (const list of picked) if (position < list.length) interleaved.push(list[position]!);
  }
  return interleaved;
}

/** Remembers `file`'s content before its first change. */
function rememberOriginal(changes: CorpusChanges, file: string): Buffer {
  let original = changes.originals.get(file);
  if (original === undefined) {
    original = readFileSync(file);
    changes.originals.set(file, original);
  }
  return original;
}

/** Writes every changed file's original content back and removes what the benchmark added. */
function restoreCorpus(changes: CorpusChanges): void {
  for (const extra of changes.extraPaths) rmSync(extra, { recursive: true, force: true });
  changes.extraPaths.clear();
  for (const [file, original] of changes.originals) writeFileSync(file, original);
}

// ---------------------------------------------------------------------------------------------
// Parent: measuring one watcher
// ---------------------------------------------------------------------------------------------

/** The value at `fraction` (0..1) of `values` by the nearest-rank method; NaN when empty. */
function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

/** CLOCK_MONOTONIC now, in ns (the clock the child stamps its events with). */
const nowNs = (): bigint => process.hrtime.bigint();

/** A running child watcher: its process, and the events and errors it has sent so far. */
class WatcherChild {
  readonly events: WatchEvent[] = [];
  readonly errors: string[] = [];
  readonly #child: ChildProcess;
  readonly #stderr: () => string;

  constructor(
    readonly watcher: WatcherName,
    root: string,
  ) {
    this.#child = spawnPinned(WATCHER_CORE, [], SELF, ['--child', watcher, root], process.env, true);
    this.#stderr = tail(this.#child.stderr);
    this.#child.stdout?.resume();
    this.#child.on('message', (message: ChildMessage) => {
      if (message.kind === 'events') this.events.push(...message.events);
      else if (message.kind === 'error') this.errors.push(message.message);
    });
  }

  /** The child's process id. */
  get pid(): number {
    return this.#child.pid!;
  }

  /** Resolves with the child's next message of `kind`; rejects when the child exits or `timeoutMs` passes first. */
  nextMessage<Kind extends ChildMessage['kind']>(kind: Kind, timeoutMs: number): Promise<Extract<ChildMessage, { kind: Kind }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.kind !== kind) return;
        cleanUp();
        resolve(message as Extract<ChildMessage, { kind: Kind }>);
      };
      const onExit = (code: number | null, signal: string | null) => {
        cleanUp();
        reject(new Error(`the ${this.watcher} child exited (${code ?? signal}) before '${kind}':\n${this.#stderr()}`));
      };
      const timer = setTimeout(() => {
        cleanUp();
        reject(new Error(`the ${this.watcher} child sent no '${kind}' within ${timeoutMs} ms:\n${this.#stderr()}`));
      }, timeoutMs);
      const cleanUp = () => {
        clearTimeout(timer);
        this.#child.off('message', onMessage);
        this.#child.off('exit', onExit);
      };
      this.#child.on('message', onMessage);
      this.#child.once('exit', onExit);
    });
  }

  /** Tells the child to start watching. */
  subscribe(): void {
    this.#child.send('subscribe');
  }

  /** Stops the child. */
  stop(): Promise<void> {
    return stopChild(this.#child, 5_000);
  }
}

/** `absolutePath` relative to `root`, with `/` separators (as the child reports paths). */
function relativeTo(root: string, absolutePath: string): string {
  return path.relative(root, absolutePath).split(path.sep).join('/');
}

/** Resolves once `pid` used at most one clock tick of CPU over QUIET_WINDOW_MS (or after QUIET_TIMEOUT_MS). */
async function waitUntilQuiet(pid: number): Promise<void> {
  const startedAt = performance.now();
  let before = cpuMs(pid);
  while (performance.now() - startedAt < QUIET_TIMEOUT_MS) {
    await sleep(QUIET_WINDOW_MS);
    const after = cpuMs(pid);
    if (after - before <= 10) return;
    before = after;
  }
}

/** Waits SETTLE_MS, then until the child is quiet. */
async function settle(pid: number): Promise<void> {
  await sleep(SETTLE_MS);
  await waitUntilQuiet(pid);
}

/**
 * The events from index `from` on, with their delay after `sinceNs`: collected until one names
 * `expectedPath` (or a path inside it) and then none came for OBSERVE_QUIET_MS, or until
 * OBSERVE_TIMEOUT_MS when none names it.
 */
async function observeAfter(child: WatcherChild, from: number, sinceNs: bigint, expectedPath: string): Promise<ObservedEvent[]> {
  const startedAt = performance.now();
  const named = () => child.events.slice(from).some((event) => event.path === expectedPath || event.path.startsWith(`${expectedPath}/`));
  let seen = child.events.length;
  let lastChangeAt = performance.now();
  while (performance.now() - startedAt < OBSERVE_TIMEOUT_MS) {
    await sleep(20);
    if (child.events.length !== seen) {
      seen = child.events.length;
      lastChangeAt = performance.now();
    }
    if (named() && performance.now() - lastChangeAt >= OBSERVE_QUIET_MS) break;
  }
  return child.events.slice(from).map((event) => ({
    type: event.type,
    path: event.path,
    afterMs: round(Number(BigInt(event.atNs) - sinceNs) / 1e6, 1),
  }));
}

/** Rewrites each of `targets` once on a fixed schedule; returns the latencies to each one's first event, the misses, and the child's CPU time. */
async function measureWriteLatency(
  child: WatcherChild,
  root: string,
  targets: readonly string[],
  options: Options,
  changes: CorpusChanges,
) {
  const firstEvent = child.events.length;
  const writes: { relativePath: string; startNs: bigint }[] = [];
  const cpuBefore = cpuMs(child.pid);
  const scheduleStart = performance.now();
  for (const [index, file] of targets.entries()) {
    const waitMs = scheduleStart + index * options.spacingMs - performance.now();
    if (waitMs > 0) await sleep(waitMs);
    const changed = Buffer.concat([rememberOriginal(changes, file), Buffer.from(`\n<!-- ${child.watcher} write ${index} -->\n`)]);
    const startNs = nowNs();
    writeFileSync(file, changed);
    writes.push({ relativePath: relativeTo(root, file), startNs });
  }
  const lastWriteAt = performance.now();
  const firstArrival = (write: (typeof writes)[number]) =>
    child.events.slice(firstEvent).find((event) => event.path === write.relativePath && BigInt(event.atNs) >= write.startNs);
  while (performance.now() - lastWriteAt < MISSED_AFTER_MS && !writes.every((write) => firstArrival(write) !== undefined)) await sleep(10);
  await waitUntilQuiet(child.pid);
  const busyAfterLastWriteMs = performance.now() - lastWriteAt - QUIET_WINDOW_MS;
  const writeCpuMs = cpuMs(child.pid) - cpuBefore;
  const latencies: number[] = [];
  for (const write of writes) {
    const arrival = firstArrival(write);
    if (arrival !== undefined) latencies.push(Number(BigInt(arrival.atNs) - write.startNs) / 1e6);
  }
  return {
    latencies,
    missed: writes.length - latencies.length,
    eventsPerWrite: (child.events.length - firstEvent) / writes.length,
    writeCpuMsPerWrite: writeCpuMs / writes.length,
    busyAfterLastWriteMs,
  };
}

/** Writes `.name.md.tmp` beside `target` and renames it over `target`; returns the events that followed (see observeAfter). */
async function observeAtomicSave(child: WatcherChild, root: string, target: string, changes: CorpusChanges): Promise<ObservedEvent[]> {
  await settle(child.pid);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.tmp`);
  changes.extraPaths.add(temporary);
  writeFileSync(temporary, Buffer.concat([rememberOriginal(changes, target), Buffer.from(`\n<!-- ${child.watcher} atomic save -->\n`)]));
  const from = child.events.length;
  const renamedNs = nowNs();
  renameSync(temporary, target);
  return observeAfter(child, from, renamedNs, relativeTo(root, target));
}

/** Builds a folder with two articles outside the tree and renames it into `destination`; returns the events that followed (see observeAfter). */
async function observeFolderMove(
  child: WatcherChild,
  root: string,
  outside: string,
  destination: string,
  article: Buffer,
  changes: CorpusChanges,
): Promise<ObservedEvent[]> {
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'moved-first.md'), article);
  writeFileSync(path.join(outside, 'moved-second.md'), article);
  changes.extraPaths.add(outside);
  changes.extraPaths.add(destination);
  await settle(child.pid);
  const from = child.events.length;
  const renamedNs = nowNs();
  renameSync(outside, destination);
  return observeAfter(child, from, renamedNs, relativeTo(root, destination));
}

/** Runs every measurement on one watcher in a fresh child; puts the corpus back before returning. */
async function measureWatcher(
  watcher: WatcherName,
  root: string,
  targets: readonly string[],
  atomicTarget: string,
  work: string,
  options: Options,
): Promise<WatcherResult> {
  const changes: CorpusChanges = { originals: new Map(), extraPaths: new Set() };
  const child = new WatcherChild(watcher, root);
  try {
    await child.nextMessage('loaded', 120_000);
    const rssLoadedMB = readRss(child.pid).rssMB;
    const cpuLoaded = cpuMs(child.pid);
    const ready = child.nextMessage('ready', READY_TIMEOUT_MS);
    child.subscribe();
    const { readyMs } = await ready;
    const readyCpuMs = cpuMs(child.pid) - cpuLoaded;
    const rssReadyMB = readRss(child.pid).rssMB;
    log(`  ${watcher}: ready in ${fmt(readyMs)} ms (${fmt(readyCpuMs)} ms CPU), RSS ${fmt(rssReadyMB, 1)} MB`);

    const idleCpuBefore = cpuMs(child.pid);
    const idleStart = performance.now();
    const eventsBeforeIdle = child.events.length;
    await sleep(options.idleSeconds * 1000);
    const idleCpuPercent = ((cpuMs(child.pid) - idleCpuBefore) / (performance.now() - idleStart)) * 100;
    const idleEvents = child.events.length - eventsBeforeIdle;
    const rssAfterIdleMB = readRss(child.pid).rssMB;
    const inotifyWatches = countInotifyWatches(child.pid);
    log(`  ${watcher}: idle ${fmt(idleCpuPercent, 2)}% of a core, ${inotifyWatches} inotify watches`);

    const writes = await measureWriteLatency(child, root, targets, options, changes);
    log(
      `  ${watcher}: ${targets.length} writes, p50 ${fmt(percentile(writes.latencies, 0.5), 2)} ms, max ${fmt(Math.max(...writes.latencies), 2)} ms, ${writes.missed} missed`,
    );
    const atomicSave = await observeAtomicSave(child, root, atomicTarget, changes);
    const folderMove = await observeFolderMove(
      child,
      root,
      path.join(work, `incoming-${watcher}`),
      path.join(root, '_news', `moved-in-${watcher}`),
      rememberOriginal(changes, atomicTarget),
      changes,
    );
    return {
      watcher,
      readyMs,
      readyCpuMs,
      rssLoadedMB,
      rssReadyMB,
      rssAfterIdleMB,
      inotifyWatches,
      idleCpuPercent,
      idleEvents,
      latencyP50Ms: percentile(writes.latencies, 0.5),
      latencyP99Ms: percentile(writes.latencies, 0.99),
      latencyMaxMs: writes.latencies.length === 0 ? NaN : Math.max(...writes.latencies),
      missedWrites: writes.missed,
      eventsPerWrite: writes.eventsPerWrite,
      writeCpuMsPerWrite: writes.writeCpuMsPerWrite,
      busyAfterLastWriteMs: writes.busyAfterLastWriteMs,
      atomicSave,
      folderMove,
      errors: [...child.errors],
    };
  } finally {
    await child.stop();
    restoreCorpus(changes);
  }
}

// ---------------------------------------------------------------------------------------------
// Parent: report
// ---------------------------------------------------------------------------------------------

/** Writes a progress line to stderr. */
function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** `numerator / denominator` when both are positive, NaN (printed `-`) otherwise. */
function ratio(numerator: number, denominator: number): number {
  return numerator > 0 && denominator > 0 ? numerator / denominator : NaN;
}

/** The figures of both watchers side by side, with chokidar / parcel. */
function figuresTable(parcel: WatcherResult, chokidar: WatcherResult, options: Options): string {
  const rows: [string, (result: WatcherResult) => number, number][] = [
    ['ready (ms)', (result) => result.readyMs, 0],
    ['CPU until ready (ms)', (result) => result.readyCpuMs, 0],
    ['RSS once imported (MB)', (result) => result.rssLoadedMB, 1],
    ['RSS after ready (MB)', (result) => result.rssReadyMB, 1],
    ['RSS added by watching (MB)', (result) => result.rssReadyMB - result.rssLoadedMB, 1],
    [`RSS after ${options.idleSeconds} s idle (MB)`, (result) => result.rssAfterIdleMB, 1],
    ['inotify watches', (result) => result.inotifyWatches, 0],
    [`idle CPU over ${options.idleSeconds} s (% of a core)`, (result) => result.idleCpuPercent, 2],
    [`write -> event p50 (ms)`, (result) => result.latencyP50Ms, 2],
    [`write -> event p99 (ms)`, (result) => result.latencyP99Ms, 2],
    [`write -> event max (ms)`, (result) => result.latencyMaxMs, 2],
    ['writes without an event', (result) => result.missedWrites, 0],
    ['events per write', (result) => result.eventsPerWrite, 2],
    ['CPU per write (ms)', (result) => result.writeCpuMsPerWrite, 2],
    ['busy after the last write (ms)', (result) => result.busyAfterLastWriteMs, 0],
  ];
  return table([
    ['', 'parcel', 'chokidar', 'chokidar / parcel'],
    ...rows.map(([label, value, digits]) => [
      label,
      fmt(value(parcel), digits),
      fmt(value(chokidar), digits),
      fmt(ratio(value(chokidar), value(parcel)), 2),
    ]),
  ]);
}

/** One line per event: type, path and delay after the rename; `(none)` when nothing arrived. */
function describeEvents(events: readonly ObservedEvent[]): string {
  if (events.length === 0) return '    (none)';
  return events.map((event) => `    ${event.type.padEnd(9)} ${event.path}  +${fmt(event.afterMs, 1)} ms`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

/** Reads the command line; `--quick` changes the defaults, explicit flags win. */
function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      articles: { type: 'string' },
      writes: { type: 'string' },
      'spacing-ms': { type: 'string' },
      'idle-seconds': { type: 'string' },
      corpora: { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  const number = (text: string | undefined, name: string, fallback: number, integer = true) =>
    text === undefined ? fallback : positiveNumber(text, name, { integer });
  return {
    quick,
    articles: number(values.articles, '--articles', quick ? 10_000 : 100_000),
    writes: number(values.writes, '--writes', quick ? 50 : 200),
    spacingMs: number(values['spacing-ms'], '--spacing-ms', 20, false),
    idleSeconds: number(values['idle-seconds'], '--idle-seconds', quick ? 3 : 10, false),
    corpora: path.resolve(values.corpora ?? path.join(os.tmpdir(), 'newsgraph-store-layouts')),
  };
}

/** Measures both watchers on the cached corpus and prints the figures, the two scenarios and `BENCH_WATCHERS_JSON`. */
async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  installExitHandlers('watchers bench');
  const started = performance.now();
  const corpus = await ensureCorpus(options);
  const work = openWorkDirectory('newsgraph-watchers-');
  const loadAverageStart = loadAverage();
  try {
    const files = listSync(corpus.directory);
    for (const file of files) statSync(file);
    const targets = pickSpreadFiles(files, options.writes);
    const newsFolder = path.join(corpus.directory, '_news');
    const atomicTarget = files.find((file) => path.dirname(file) === newsFolder && !targets.includes(file));
    if (atomicTarget === undefined) throw new Error(`no file left in ${newsFolder} for the atomic save`);
    log(
      `${files.length} articles in ${corpus.directory}; ${targets.length} writes ${options.spacingMs} ms apart; idle ${options.idleSeconds} s; node ${process.version}; load average ${fmt(loadAverageStart, 2)}`,
    );

    rmSync(corpus.marker, { force: true });
    const results: WatcherResult[] = [];
    for (const watcher of WATCHERS) {
      log(`${watcher}:`);
      results.push(await measureWatcher(watcher, corpus.directory, targets, atomicTarget, work, options));
    }
    writeFileSync(corpus.marker, corpus.markerText);

    const [parcel, chokidar] = results as [WatcherResult, WatcherResult];
    const relativeAtomic = path.relative(corpus.directory, atomicTarget);
    console.log('');
    console.log(
      `@parcel/watcher vs chokidar 4: ${files.length} articles, ${targets.length} writes ${options.spacingMs} ms apart, ${options.idleSeconds} s idle (watcher pinned to core ${WATCHER_CORE})`,
    );
    console.log('');
    console.log(figuresTable(parcel, chokidar, options));
    for (const result of results) {
      console.log('');
      console.log(`${result.watcher}: atomic save of ${relativeAtomic} (.${path.basename(atomicTarget)}.tmp renamed over it):`);
      console.log(describeEvents(result.atomicSave));
      console.log(`${result.watcher}: folder _news/moved-in-${result.watcher} (2 articles) moved in from outside the tree:`);
      console.log(describeEvents(result.folderMove));
      if (result.errors.length > 0) console.log(`${result.watcher}: ${result.errors.length} errors, first: ${result.errors[0]}`);
      if (result.idleEvents > 0) console.log(`${result.watcher}: ${result.idleEvents} events while idle`);
    }
    const json = {
      node: process.version,
      cpus: os.cpus().length,
      articles: files.length,
      writes: targets.length,
      spacingMs: options.spacingMs,
      idleSeconds: options.idleSeconds,
      loadAverage: [round(loadAverageStart, 2), round(loadAverage(), 2)],
      seconds: round((performance.now() - started) / 1000, 1),
      results: results.map((result) =>
        Object.fromEntries(Object.entries(result).map(([key, value]) => [key, typeof value === 'number' ? round(value, 2) : value])),
      ),
    };
    console.log('');
    console.log(`BENCH_WATCHERS_JSON ${JSON.stringify(json)}`);
  } finally {
    await closeWorkDirectory(work);
  }
}

if (process.argv[2] === '--child') {
  runChild(process.argv[3] as WatcherName, process.argv[4]!).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  });
}
