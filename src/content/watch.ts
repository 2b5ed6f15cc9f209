/**
 * Keeps a live corpus (live.ts) in step with its directory. By default it listens to the operating
 * system's file events through @parcel/watcher (inotify, FSEvents, ReadDirectoryChangesW); in
 * `poll` mode, for network mounts and container volumes that deliver no events, it rescans the
 * directory on a timer. Events arriving while an update runs are coalesced into the next one, and
 * once dozens of paths wait, the update waits for the events to pause, so a burst (a `git
 * checkout` of thousands of files) becomes one or two updates. When the event source
 * fails, the watcher logs why and polls instead; the corpus keeps serving throughout.
 */
import path from 'node:path';
import watcher, { type AsyncSubscription, type BackendType, type Event, type Options } from '@parcel/watcher';
import type { ApplyResult, LiveCorpus } from './live.js';
import { isSkipped } from './scan.js';

/** How changes are noticed: file events, a periodic rescan, or not at all. */
export type WatchMode = 'events' | 'poll' | 'off';

/** What the watcher reports to its owner. */
export interface WatchHooks {
  /** A problem that does not stop the watching (the event source failed; an update failed). */
  readonly onWarning: (message: string) => void;
  /** An update was applied: what it did, and how long it took from the first event it covers. */
  readonly onApplied?: (result: ApplyResult, elapsedMs: number) => void;
}

/** How long to wait after an event for the events that follow it; @parcel/watcher already coalesces events itself. */
const DEBOUNCE_MS = 2;
/**
 * From this many paths waiting, the update waits for the events to pause (a burst: a checkout, a
 * sync, a script rewriting files), so that the burst is read in one update instead of one per
 * slice that arrived while the last update ran: each update of a large corpus pays for its
 * whole lists again. A single edit, or a few, never waits.
 */
const BURST_PATHS = 64;
/**
 * A burst's update starts once no event has come for this long... @parcel/watcher delivers a
 * stream of changes every 500 ms at most (it holds changes 50 ms for more, up to 500 ms), so a
 * shorter pause would split a burst still being written.
 */
const BURST_QUIET_MS = 600;
/** ...or at the latest this long after the first event it covers, so that a stream of changes is still published. */
const BURST_MAX_WAIT_MS = 5_000;
/**
 * How long after applying an event's paths they are read once more. @parcel/watcher reports the net
 * change of a path over up to 500 ms: a file deleted, created again (and read by us in between)
 * and then renamed away nets to nothing, and its removal would go unreported.
 */
const RECHECK_AFTER_MS = 600;
/**
 * A folder to list for unreported files (after a removal) is listed once the events pause for
 * RECHECK_AFTER_MS, or at the latest this long after it was named: listing a folder of 62,000 files
 * takes 240 ms, too much to repeat after each of a stream of edits.
 */
const LIST_MAX_WAIT_MS = 5_000;
/** The shortest pause between two polls. */
const MIN_POLL_MS = 1_000;
/** A poll waits this many times as long as the last rescan took, so polling a large directory stays cheap. */
const POLL_PAUSE_FACTOR = 4;

/** Names inside the content directory that the scan never reads, as @parcel/watcher ignore globs. */
const IGNORED = ['**/.*', '**/.*/**', '**/node_modules', '**/node_modules/**'];
/**
 * The event source, named: by default @parcel/watcher first asks a Watchman service on Linux and
 * Windows, through a shell it never reaps when Watchman is not installed (a zombie `sh` per
 * process). inotify and ReadDirectoryChangesW are what it falls back to, and what was measured;
 * elsewhere (FSEvents on macOS) its default asks no shell.
 */
const BACKEND = ({ linux: 'inotify', win32: 'windows' } as Partial<Record<NodeJS.Platform, BackendType>>)[process.platform];
/** How the server subscribes to @parcel/watcher (bench/watchers.ts measures it with the same). */
export const PARCEL_OPTIONS: Options = { ignore: IGNORED, ...(BACKEND === undefined ? {} : { backend: BACKEND }) };

/** A running watcher of one content directory; see the module comment. */
export class ContentWatcher {
  #mode: 'events' | 'poll';
  #subscription: AsyncSubscription | null = null;
  #live: LiveCorpus | null = null;
  /** Relative paths named by events since the last update began; '' is the whole directory. */
  readonly #pending = new Set<string>();
  /** Paths whose recheck is due: read with the next update, and not rechecked again. */
  readonly #due = new Set<string>();
  /** Paths applied because of events, to be read once more: when (performance.now()) each is due. */
  readonly #toRecheck = new Map<string, number>();
  #recheckTimer: NodeJS.Timeout | undefined;
  /** Folders from which files were removed because of events, to be listed for files whose events were lost. */
  readonly #toList = new Set<string>();
  #listingSince = 0;
  #listTimer: NodeJS.Timeout | undefined;
  #firstPendingAt = 0;
  #lastEventAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #pollTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;
  #closed = false;

  private constructor(
    private readonly root: string,
    mode: 'events' | 'poll',
    private readonly hooks: WatchHooks,
  ) {
    this.#mode = mode;
  }

  /**
   * Starts watching `root` (events are kept until `attach` names the corpus they apply to, so
   * nothing changed during the first load is missed). Falls back to polling, with a warning, when
   * the event source cannot start (for example when the system's inotify watch limit is reached).
   */
  static async start(root: string, mode: 'events' | 'poll', hooks: WatchHooks): Promise<ContentWatcher> {
    const started = new ContentWatcher(path.resolve(root), mode, hooks);
    if (mode === 'events') await started.#subscribe();
    return started;
  }

  /** How changes are noticed now: `poll` after the event source failed. */
  get mode(): 'events' | 'poll' {
    return this.#mode;
  }

  /** Applies the changes seen so far, and every later one, to `live`. */
  attach(live: LiveCorpus): void {
    this.#live = live;
    if (this.#mode === 'poll') this.#name('');
    this.#schedule();
  }

  /** Reads the whole directory again (SIGHUP): catches anything the events missed. */
  rescan(): void {
    this.#name('');
  }

  /** Stops watching and waits for the update in progress, if any. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#recheckTimer);
    clearTimeout(this.#listTimer);
    await this.#subscription?.unsubscribe();
    this.#subscription = null;
    await this.#running;
  }

  async #subscribe(): Promise<void> {
    try {
      this.#subscription = await watcher.subscribe(this.root, (error, events) => this.#onEvents(error, events), PARCEL_OPTIONS);
    } catch (error) {
      this.#fallBackToPolling(error as Error);
    }
  }

  #onEvents(error: Error | null, events: Event[]): void {
    if (this.#closed) return;
    if (error !== null) {
      this.#fallBackToPolling(error);
      return;
    }
    for (const event of events) {
      const relativePath = path.relative(this.root, event.path).split(path.sep).join('/');
      if (relativePath.startsWith('..') || relativePath.split('/').some(isSkipped)) continue;
      this.#name(relativePath);
    }
  }

  #fallBackToPolling(error: Error): void {
    this.hooks.onWarning(`watching ${this.root} for changes failed (${error.message}); polling it instead`);
    const subscription = this.#subscription;
    this.#subscription = null;
    void subscription?.unsubscribe().catch(() => {});
    this.#mode = 'poll';
    // Events may have been lost: read everything again.
    this.#name('');
  }

  #name(relativePath: string, recheck = true): void {
    const now = performance.now();
    if (this.#pending.size === 0 && this.#due.size === 0) this.#firstPendingAt = now;
    if (recheck) this.#lastEventAt = now;
    (recheck ? this.#pending : this.#due).add(relativePath);
    this.#schedule();
  }

  /**
   * Reads these paths (just applied because of events) once more, each RECHECK_AFTER_MS after now
   * (a path applied again meanwhile waits again): never sooner, or a file recreated and then
   * renamed away within that time would stay served.
   */
  #recheckLater(relativePaths: readonly string[]): void {
    const due = performance.now() + RECHECK_AFTER_MS;
    for (const relativePath of relativePaths) {
      this.#toRecheck.delete(relativePath);
      this.#toRecheck.set(relativePath, due);
    }
    this.#armRecheck();
  }

  /** Sets the recheck timer for the earliest due path (the map keeps them in the order they fall due). */
  #armRecheck(): void {
    if (this.#recheckTimer !== undefined || this.#closed) return;
    const first = this.#toRecheck.values().next();
    if (first.done === true) return;
    this.#recheckTimer = setTimeout(
      () => {
        this.#recheckTimer = undefined;
        const now = performance.now();
        for (const [relativePath, due] of this.#toRecheck) {
          if (due > now) break;
          this.#toRecheck.delete(relativePath);
          this.#name(relativePath, false);
        }
        this.#armRecheck();
      },
      Math.max(0, first.value - performance.now()),
    ).unref();
  }

  /**
   * Lists these folders once the events pause for RECHECK_AFTER_MS (at the latest LIST_MAX_WAIT_MS
   * after the first is named), and applies the files found there that the corpus does not know.
   */
  #listLater(folders: readonly string[]): void {
    if (this.#toList.size === 0) this.#listingSince = performance.now();
    for (const folder of folders) this.#toList.add(folder);
    if (this.#listTimer !== undefined || this.#closed || this.#toList.size === 0) return;
    const untilListing = () => this.#untilPause(RECHECK_AFTER_MS, this.#listingSince, LIST_MAX_WAIT_MS);
    this.#listTimer = setTimeout(() => {
      this.#listTimer = undefined;
      if (untilListing() > 0) this.#listLater([]);
      else void this.#listNow();
    }, untilListing()).unref();
  }

  /** Lists the folders waiting in #toList and names the files there that the corpus does not know. */
  async #listNow(): Promise<void> {
    const listing = [...this.#toList];
    this.#toList.clear();
    for (const folder of listing) {
      if (this.#closed || this.#live === null) return;
      const unknown = await this.#live.unknownIn(folder).catch((error: Error) => {
        this.hooks.onWarning(`listing ${folder || 'the content directory'} for unreported files failed: ${error.message}`);
        return [];
      });
      for (const relativePath of unknown) this.#name(relativePath, false);
    }
  }

  /** How long until no event has come for `quietMs`, or `maxWaitMs` have passed since `since`; 0 once either holds. */
  #untilPause(quietMs: number, since: number, maxWaitMs: number): number {
    const now = performance.now();
    return Math.max(0, Math.min(this.#lastEventAt + quietMs - now, since + maxWaitMs - now));
  }

  #schedule(delayMs = DEBOUNCE_MS): void {
    if (this.#closed || this.#live === null || this.#timer !== null || this.#running !== null || this.#pending.size + this.#due.size === 0)
      return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const burstWait = this.#burstWait();
      if (burstWait > 0) {
        this.#schedule(burstWait);
        return;
      }
      this.#running = this.#update().finally(() => {
        this.#running = null;
        this.#schedule();
      });
    }, delayMs);
  }

  /** How much longer the next update waits for a burst's events to pause (BURST_PATHS); 0 when it need not wait. */
  #burstWait(): number {
    return this.#pending.size < BURST_PATHS ? 0 : this.#untilPause(BURST_QUIET_MS, this.#firstPendingAt, BURST_MAX_WAIT_MS);
  }

  async #update(): Promise<void> {
    const fromEvents = outermost(this.#pending);
    const paths = outermost(new Set([...fromEvents, ...this.#due]));
    const since = this.#firstPendingAt;
    this.#pending.clear();
    this.#due.clear();
    const scanning = paths.includes('');
    try {
      const result = await this.#live!.apply(paths);
      for (const relativePath of result.unsettled) this.#name(relativePath);
      // The event source can miss a few of many fast changes (parcel-bundler/watcher#183): after a
      // burst, the folders it touched are read once more, not only the paths it named; after a
      // file's removal, its folder is listed for a file whose creation went unreported (the other
      // half of a rename).
      if (!scanning) {
        const burst = fromEvents.length >= BURST_PATHS;
        this.#recheckLater(burst ? foldersOf(fromEvents) : fromEvents);
        if (!burst && result.removed.length > 0) this.#listLater(foldersOf(result.removed));
      }
      this.hooks.onApplied?.(result, performance.now() - since);
    } catch (error) {
      // Tried once more after a moment (a recheck is not rechecked, so a lasting failure is not retried forever).
      const retried = fromEvents.length > 0 && !scanning;
      this.hooks.onWarning(
        `updating the corpus from ${paths.length} changed paths failed: ${(error as Error).message}` +
          (retried ? `; trying them once more in ${RECHECK_AFTER_MS} ms` : ''),
      );
      if (retried) this.#recheckLater(fromEvents);
    }
    if (this.#mode === 'poll' && scanning && !this.#closed) {
      const pause = Math.max(MIN_POLL_MS, POLL_PAUSE_FACTOR * (performance.now() - since));
      clearTimeout(this.#pollTimer);
      this.#pollTimer = setTimeout(() => this.#name(''), pause).unref();
    }
  }
}

/** The folders holding these paths ('' for the content directory itself), each once. */
function foldersOf(paths: readonly string[]): string[] {
  return outermost(new Set(paths.map((relativePath) => path.posix.dirname(relativePath)).map((folder) => (folder === '.' ? '' : folder))));
}

/** The paths of `paths` that lie inside no other one of them ('' holds every path). */
function outermost(paths: ReadonlySet<string>): string[] {
  if (paths.has('')) return [''];
  return [...paths].filter((relativePath) => {
    const parts = relativePath.split('/');
    for (let depth = 1; depth < parts.length; depth++) if (paths.has(parts.slice(0, depth).join('/'))) return false;
    return true;
  });
}
