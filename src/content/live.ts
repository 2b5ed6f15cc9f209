/**
 * A live corpus: the current version of the content, replaced by a new immutable version each
 * time files change (update.ts). Paths named by the watcher (watch.ts), by a poll or by a full
 * rescan are read again by the rules of the first load (scan.ts: caps, links, skipped names);
 * unchanged files (same size and mtime as their entry) cost nothing. A file still being written
 * is not published early: it is read only once its modification time is a moment old, and read
 * again when it changed while it was read. Updates run one at a time, in order.
 */
import { lstatSync } from 'node:fs';
import { opendir } from 'node:fs/promises';
import path from 'node:path';
import type { Corpus } from './corpus.js';
import type { ContentEntries } from './entries.js';
import { parseChangedFiles } from './load.js';
import { compareStrings } from './order.js';
import type { ParseSettings } from './parse-files.js';
import { type ContentFile, isContentName, scanPaths } from './scan.js';
import type { LoadedFile } from './store.js';
import { StoredArticle } from './stored-article.js';
import { type CorpusUpdate, type FileChange, pathOfChange, updateCorpus } from './update.js';

/** What a live corpus needs to read files as the load did. */
export interface LiveOptions {
  /** The content directory. */
  readonly root: string;
  readonly maxFileBytes: number;
  readonly parseSettings: Pick<ParseSettings, 'siteUrl' | 'frontMatterLimits'>;
  /** How long a file's modification time must lie in the past before it is read. Default 25 ms. */
  readonly settleMs?: number;
  /** Other processes serving the same content store, told of every update (a cluster's other workers). */
  readonly followers?: UpdateFollowers;
}

/**
 * Other processes that serve the same content store and apply this corpus' updates instead of
 * reading the files themselves (LiveCorpus.follow; cluster.ts relays between the processes).
 */
export interface UpdateFollowers {
  /**
   * Called before an update writes the entries of these files; resolves once every follower has
   * kept what it needs of them as they are (LiveCorpus.prepareToFollow). No update writes until then.
   */
  prepare(relativePaths: readonly string[]): Promise<void>;
  /** Called once the update is published: the version it made, the one it follows, and its changes. */
  publish(version: string, previous: string, changes: readonly FileChange[]): void;
}

/** What one call of LiveCorpus.apply did. */
export interface ApplyResult {
  /** The update published, or null when nothing changed. */
  readonly update: CorpusUpdate | null;
  /** Paths still being written, or changed again while they were read: apply them again (the watcher will also name them). */
  readonly unsettled: readonly string[];
  /** Files this call found gone (deleted, or renamed away). */
  readonly removed: readonly string[];
}

const DEFAULT_SETTLE_MS = 25;
/**
 * Directory entries LiveCorpus.unknownIn reads and checks per turn of the event loop: it checks a
 * folder of 62,000 files in about 240 ms with no stall over 7 ms (one readdir of it stalls 10-26 ms).
 */
const DIRECTORY_BATCH = 1_024;

/** The current corpus and its updates; see the module comment. */
export class LiveCorpus {
  #current: Corpus;
  readonly #listeners = new Map<(update: CorpusUpdate) => void, (() => void) | undefined>();
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();
  #updates = 0;
  /** The changed files' entries before the update being followed (prepareToFollow), until follow() applies it. */
  #entriesBefore: Map<string, LoadedFile | undefined> | null = null;

  constructor(
    corpus: Corpus,
    private readonly content: ContentEntries,
    private readonly options: LiveOptions,
  ) {
    this.#current = corpus;
  }

  /** The version a request should use from start to end: read it once. */
  get current(): Corpus {
    return this.#current;
  }

  /**
   * Hears every published update, in order, and `onClose` when the corpus closes (at once when it
   * is closed already); returns the function that stops hearing.
   */
  subscribe(listener: (update: CorpusUpdate) => void, onClose?: () => void): () => void {
    if (this.#closed) {
      onClose?.();
      return () => {};
    }
    this.#listeners.set(listener, onClose);
    return () => this.#listeners.delete(listener);
  }

  /** Publishes no more updates, and tells every listener (the server is stopping). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const closing = [...this.#listeners.values()];
    this.#listeners.clear();
    for (const onClose of closing) onClose?.();
  }

  /**
   * Reads these paths again (files or folders, relative with `/`; '' is the whole directory) and
   * publishes a new version when anything changed. Calls run one after the other.
   */
  apply(relativePaths: Iterable<string>): Promise<ApplyResult> {
    const paths = [...new Set(relativePaths)];
    return this.exclusive(() => this.#apply(paths));
  }

  /** Runs `task` between two updates: no update starts until it has finished. */
  exclusive<T>(task: () => T | Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    // Settled with nothing: a queue settled with the task's result would hold the last update (every
    // changed article's previous version, with its pinned record) until the next one.
    this.#queue = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  async #apply(relativePaths: readonly string[]): Promise<ApplyResult> {
    const { changes, unsettled, entries } = await this.#readChanges(relativePaths);
    const removed = changes.filter((change) => change.kind === 'gone').map(pathOfChange);
    if (changes.length === 0 || this.#closed) return { update: null, unsettled, removed };
    await this.options.followers?.prepare(changes.map(pathOfChange));
    if (this.#closed) return { update: null, unsettled, removed };
    this.#updates++;
    const previous = this.#current.version;
    // Only this process writes the store (followers read it), so the entries read above are still current: not decoded twice.
    const before = new Map(changes.map(pathOfChange).map((relativePath) => [relativePath, entries(relativePath)]));
    const update = await updateCorpus(this.#current, this.content, changes, `${previous.split('.')[0]}.${this.#updates}`, before);
    this.#publish(update);
    this.options.followers?.publish(update.corpus.version, previous, changes);
    return { update, unsettled, removed };
  }

  /**
   * The content files directly in this folder (relative, '' for the content directory) that the
   * current version neither serves nor reports: files whose events were lost, to be applied. Checks
   * names only (no file is read), DIRECTORY_BATCH entries at a time, so requests are served between batches.
   */
  async unknownIn(folder: string): Promise<string[]> {
    const reported = new Set(this.#current.diagnostics.map((diagnostic) => diagnostic.file));
    const unknown: string[] = [];
    try {
      for await (const entry of await opendir(path.join(this.options.root, folder), { bufferSize: DIRECTORY_BATCH })) {
        if (!(entry.isFile() || entry.isSymbolicLink()) || !isContentName(entry.name)) continue;
        const relativePath = folder === '' ? entry.name : `${folder}/${entry.name}`;
        if (!this.content.has(relativePath) && !reported.has(relativePath)) unknown.push(relativePath);
      }
    } catch (error) {
      // Gone since: nothing in it to find.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return unknown;
  }

  #publish(update: CorpusUpdate): void {
    this.#current = update.corpus;
    for (const listener of this.#listeners.keys()) listener(update);
  }

  /**
   * Before another process writes an update of these files to the content store this corpus reads
   * (UpdateFollowers.prepare): keeps their entries as they are now, for follow(), and pins the
   * records of the current version's articles of them, so that a request still on this version
   * never reads the next one's.
   */
  prepareToFollow(relativePaths: readonly string[]): void {
    this.#entriesBefore = new Map(relativePaths.map((relativePath) => [relativePath, this.content.entry(relativePath)]));
    for (const entry of this.#entriesBefore.values()) {
      const article = entry?.summary == null ? undefined : this.#current.preview.index.bySlug.get(entry.summary.slug);
      if (article instanceof StoredArticle && article.sourcePath === entry!.summary!.sourcePath) article.pin();
    }
  }

  /**
   * Publishes an update that another process has read and written to the content store this
   * corpus reads (after prepareToFollow named its files): the same changes, applied to the same
   * version, make the same next version, with the same id. Writes nothing. Rejects when this corpus
   * is not at `previous`, or the update was not prepared for.
   */
  follow(version: string, previous: string, changes: readonly FileChange[]): Promise<CorpusUpdate | null> {
    return this.exclusive(async () => {
      const before = this.#entriesBefore;
      this.#entriesBefore = null;
      if (this.#closed) return null;
      if (this.#current.version !== previous)
        throw new Error(`version ${version} follows ${previous}, but this corpus is at ${this.#current.version}`);
      if (before === null) throw new Error(`version ${version} was not prepared for`);
      const update = await updateCorpus(this.#current, writtenElsewhere(this.content), changes, version, before);
      this.#publish(update);
      return update;
    });
  }

  /**
   * The changes of these paths: what the scan finds there now, compared with the entries and
   * diagnostics of the current version; and the entries of the current version, each decoded once.
   */
  async #readChanges(
    relativePaths: readonly string[],
  ): Promise<{ changes: FileChange[]; unsettled: string[]; entries: (relativePath: string) => LoadedFile | undefined }> {
    const decoded = new Map<string, LoadedFile | undefined>();
    const entryOf = (relativePath: string): LoadedFile | undefined => {
      if (!decoded.has(relativePath)) decoded.set(relativePath, this.content.entry(relativePath));
      return decoded.get(relativePath);
    };
    const settleMs = this.options.settleMs ?? DEFAULT_SETTLE_MS;
    let scan = await scanPaths(this.options.root, relativePaths, { maxFileBytes: this.options.maxFileBytes });
    const youngest = Math.max(0, ...scan.files.map((file) => file.mtimeMs));
    const wait = Math.ceil(youngest + settleMs - Date.now()) + 1;
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      scan = await scanPaths(this.options.root, relativePaths, { maxFileBytes: this.options.maxFileBytes });
    }
    const changes: FileChange[] = [];
    const seen = new Set<string>();
    const toParse: ContentFile[] = [];
    const unsettled: string[] = [];
    const settledBefore = Date.now() - settleMs;
    for (const file of scan.files) {
      seen.add(file.relativePath);
      // Still being written: not read now; the caller applies it again.
      if (file.mtimeMs > settledBefore) {
        unsettled.push(file.relativePath);
        continue;
      }
      const entry = entryOf(file.relativePath);
      if (entry !== undefined && entry.size === file.size && entry.mtimeMs === file.mtimeMs) continue;
      toParse.push(file);
    }
    const reported = new Map(this.#current.diagnostics.map((diagnostic) => [diagnostic.file, diagnostic.message]));
    const reportedFiles = [...reported.keys()].sort(compareStrings);
    for (const diagnostic of scan.diagnostics) {
      seen.add(diagnostic.file);
      if (reported.get(diagnostic.file) === diagnostic.message && entryOf(diagnostic.file) === undefined) continue;
      const stats = lstatSync(path.join(this.options.root, diagnostic.file), { throwIfNoEntry: false });
      changes.push({
        kind: 'refused',
        relativePath: diagnostic.file,
        size: stats?.size ?? 0,
        mtimeMs: stats?.mtimeMs ?? 0,
        diagnostic,
      });
    }
    // Whatever the current version has under these paths and the scan no longer finds is gone.
    const known = new Set<string>();
    for (const relativePath of relativePaths) {
      const prefix = relativePath === '' ? '' : `${relativePath}/`;
      if (relativePath !== '') known.add(relativePath);
      for (const inside of this.content.pathsUnder(prefix)) known.add(inside);
      for (const file of filesUnder(reportedFiles, relativePath)) known.add(file);
    }
    for (const relativePath of known) {
      if (!seen.has(relativePath) && (entryOf(relativePath) !== undefined || reported.has(relativePath))) {
        changes.push({ kind: 'gone', relativePath });
      }
    }
    const settings: ParseSettings = { ...this.options.parseSettings, internStrings: false, storeDirectory: null };
    const parsed = await parseChangedFiles(toParse, settings);
    for (const [position, entry] of parsed.entries()) {
      const file = toParse[position]!;
      const now = lstatSync(file.absolutePath, { throwIfNoEntry: false });
      // Changed while it was read: it is not published; the caller reads it again.
      if (now !== undefined && (now.size !== file.size || now.mtimeMs !== file.mtimeMs)) unsettled.push(file.relativePath);
      else changes.push({ kind: 'parsed', file: entry });
    }
    changes.sort((a, b) => (pathOfChange(a) < pathOfChange(b) ? -1 : 1));
    return { changes, unsettled, entries: entryOf };
  }
}

/** The content as another process writes it: reads pass through; writes are that process's, so none is made here. */
function writtenElsewhere(content: ContentEntries): ContentEntries {
  return {
    entry: (relativePath) => content.entry(relativePath),
    has: (relativePath) => content.has(relativePath),
    pathsUnder: (prefix) => content.pathsUnder(prefix),
    pathsWithKey: (kind, key) => content.pathsWithKey(kind, key),
    record: (sourcePath) => content.record(sourcePath),
    write: () => {},
    remove: () => {},
    refresh: () => content.refresh(),
  };
}

/** The paths of `sorted` (sorted by compareStrings) that are `relativePath` or lie under it ('' holds every path): a binary search, not a pass. */
function filesUnder(sorted: readonly string[], relativePath: string): readonly string[] {
  if (relativePath === '') return sorted;
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareStrings(sorted[middle]!, relativePath) < 0) low = middle + 1;
    else high = middle;
  }
  const found: string[] = [];
  for (let at = low; at < sorted.length; at++) {
    const file = sorted[at]!;
    if (file === relativePath || file.startsWith(`${relativePath}/`)) found.push(file);
    else if (!file.startsWith(relativePath)) break;
  }
  return found;
}
