/**
 * The content store: what loading each content file produced (its summary and diagnostics, with the
 * file's size and mtime then) and every article's full record, in an LMDB environment under the
 * cache directory (lmdb-js: memory-mapped, read synchronously, shared by every process and thread
 * that opens it through the page cache). A start reuses the entry of every file whose size and
 * mtime match, and parses only the rest; the corpus reads records from the store as fields ask for
 * them (bench/RESULTS.md: "Where article records live").
 *
 * The store is only ever a cache. One that cannot be trusted (not an LMDB file, cut short, corrupt,
 * written by another version of the loader) is set aside or emptied, with a message, and rebuilt.
 * An LMDB file that is damaged can crash the process that maps it, so an existing store is first
 * opened and walked by a short-lived child process; only when that child exits cleanly does this
 * process map it. LMDB serializes writers across processes, so two servers starting on the same
 * cache directory write the same entries one transaction after the other.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { open } from 'lmdb';
import { type ContentEntries, type KeyKind, keysOfSummary } from './entries.js';
import { deepFreeze } from './freeze.js';
import type { Article, Diagnostic } from './model.js';
import type { ArticleSummary } from './summary.js';

/** What loading one content file produced: its summary and diagnostics, with the size and mtime it had then. */
export interface LoadedFile {
  readonly size: number;
  readonly mtimeMs: number;
  /** Null when the file holds no valid article. */
  readonly summary: ArticleSummary | null;
  readonly diagnostics: readonly Diagnostic[];
}

/** One file's entry to write, with its article's full record when it has one. */
export interface FileToStore {
  readonly relativePath: string;
  readonly loaded: LoadedFile;
  readonly article: Article | null;
}

/** The layout of the store itself; the loader version covers what its entries mean. */
const FORMAT_VERSION = 1;
const DATABASES = { meta: 'meta', files: 'files', records: 'records', snapshot: 'snapshot', keys: 'keys' } as const;

let loaderVersion: string | null = null;

/**
 * The version of the code that writes and reads the store: a hash of its source (every compiled
 * module of the build when compiled, every module of src/content/ when run from the sources). Any
 * change to it empties older stores, so an entry or a snapshot never outlives the rules that made it.
 */
export function currentLoaderVersion(): string {
  loaderVersion ??= hashLoaderSources(fileURLToPath(import.meta.url));
  return loaderVersion;
}

function hashLoaderSources(here: string): string {
  const hash = createHash('sha256').update(`format ${FORMAT_VERSION}\n`);
  const directory = path.dirname(here);
  const extension = path.extname(here);
  const sources = readdirSync(directory)
    .filter((name) => name.endsWith(extension))
    .sort()
    .map((name) => path.join(directory, name));
  for (const source of sources) hash.update(readFileSync(source));
  return hash.digest('hex');
}

/**
 * The store directory under a cache directory for a content directory (by its real path) loaded
 * with these settings: other settings (a SITE_URL, say) read the same files differently.
 */
export function storeDirectory(cacheDir: string, contentRoot: string, settings: unknown): string {
  const key = createHash('sha256').update(contentRoot).update('\n').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
  return path.join(cacheDir, `store-${key}`);
}

/**
 * Opens a store, an environment of five databases; throws what LMDB throws. Commits do not wait for
 * the disk (`noSync`): a live update is published as soon as it is written, and the store is
 * flushed in the background once writes pause (ContentStore.flushLater; what a load's parse threads
 * write is flushed at the load's end, by markChecked). A waited-for commit costs 20-60 ms at 100k articles, and with
 * lmdb-js's default overlappingSync each commit waits for the flush of the one before. The store
 * is a cache: a process that crashes loses nothing (the pages are the kernel's), and a machine
 * that crashes before a flush leaves a store the next start checks (a data file changed since
 * ContentStore.markChecked is walked in a child process).
 */
function openEnvironment(directory: string) {
  const env = open({ path: directory, maxDbs: 5, noSync: true });
  return {
    env,
    // 'version': { format, loader } (checkVersion); 'key index': { complete } (keyIndexIsComplete).
    meta: env.openDB<{ format?: number; loader?: string; complete?: boolean }, string>({ name: DATABASES.meta }),
    // File entries are JSON text: JSON.parse makes flat strings, where msgpackr's native decoder
    // slices kept strings (a slug, a URL key) out of one string per record that they then keep alive.
    files: env.openDB<string, string>({ name: DATABASES.files, encoding: 'string' }),
    // Decoded records are kept in lmdb-js's cache (recently used ones strongly, others weakly), so
    // a hot list does not decode its articles again on every request.
    records: env.openDB<Article, string>({ name: DATABASES.records, cache: true }),
    snapshot: env.openDB<Buffer, string>({ name: DATABASES.snapshot, encoding: 'binary' }),
    // For each key of a file's summary (entries.ts: its slug, its URL keys, its related entries'
    // URL keys), the paths of the files that hold it: one LMDB value per path.
    keys: env.openDB<string, string>({ name: DATABASES.keys, encoding: 'string', dupSort: true }),
  };
}

/** A write is flushed to disk once writes pause this long... */
const FLUSH_AFTER_QUIET_MS = 1_000;
/** ...or at the latest this long after it. */
const FLUSH_AT_MOST_AFTER_MS = 30_000;

/**
 * Deferred key changes (ContentStore.writeDeferringKeys) are written once this many are kept, about
 * 50 MB of them: all of a 100k load's thread at once, a million articles' in a few sorted runs.
 */
const KEY_CHANGES_KEPT_AT_MOST = 500_000;

/** File entries read at a time by ContentStore.rebuildKeyIndex. */
const ENTRIES_PER_PAGE = 10_000;

/** The meta entry that says whether the key index is complete (keyIndexIsComplete). */
const KEY_INDEX = 'key index';

/** LMDB keys are at most 1,978 bytes: a longer key is stored as its hash. */
const MAX_KEY_CHARACTERS = 480;

function storedKey(kind: KeyKind, key: string): string {
  return key.length <= MAX_KEY_CHARACTERS ? `${kind}\0${key}` : `${kind}\0#${createHash('sha256').update(key).digest('hex')}`;
}

/** One change to the key index: a file gains (`put`) or loses a key. */
interface KeyChange {
  readonly key: string;
  readonly relativePath: string;
  readonly put: boolean;
}

/** The changes to the key index when a file's summary until now (`before`) becomes `after`; a key both hold is left alone. */
function keyChanges(relativePath: string, before: ArticleSummary | null, after: ArticleSummary | null): KeyChange[] {
  const changes: KeyChange[] = [];
  const keysAfter = keysOfSummary(after);
  for (const [kind, keys] of keysOfSummary(before)) {
    const kept = keysAfter.get(kind)!;
    for (const key of keys) if (!kept.delete(key)) changes.push({ key: storedKey(kind, key), relativePath, put: false });
  }
  for (const [kind, keys] of keysAfter) for (const key of keys) changes.push({ key: storedKey(kind, key), relativePath, put: true });
  return changes;
}

/** Orders key changes as the index orders its keys and values, removals of a pair before its puts. */
function compareKeyChanges(a: KeyChange, b: KeyChange): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  if (a.relativePath !== b.relativePath) return a.relativePath < b.relativePath ? -1 : 1;
  return Number(a.put) - Number(b.put);
}

/**
 * Walks a store in a child process: opens it read-only, checks that its data file holds every page
 * its header counts, and visits every key of every database. Returns why the store cannot be
 * trusted, or null.
 */
function checkInChildProcess(directory: string): string | null {
  const script = `
    const { open } = require(process.argv[1]);
    const { statSync } = require('node:fs');
    const directory = process.argv[2];
    const env = open({ path: directory, maxDbs: 5, readOnly: true });
    const { lastPageNumber, pageSize } = env.getStats();
    const size = statSync(directory + '/data.mdb').size;
    if ((lastPageNumber + 1) * pageSize > size) {
      process.stdout.write('its data file is cut short (' + size + ' of ' + (lastPageNumber + 1) * pageSize + ' bytes)');
      process.exit(1);
    }
    for (const name of ${JSON.stringify(Object.values(DATABASES))}) {
      for (const key of env.openDB({ name, dupSort: name === ${JSON.stringify(DATABASES.keys)} }).getKeys()) void key;
    }`;
  const lmdbPath = createRequire(import.meta.url).resolve('lmdb');
  const child = spawnSync(process.execPath, ['-e', script, lmdbPath, directory], { encoding: 'utf8', timeout: 120_000 });
  if (child.error) return `it could not be checked (${child.error.message})`;
  if (child.signal !== null) return `checking it crashed a process (${child.signal}): it is corrupt`;
  if (child.status !== 0) {
    if (child.stdout.trim() !== '') return child.stdout.trim();
    const reason =
      child.stderr
        .trim()
        .split('\n')
        .find((line) => /Error/.test(line)) ?? `exit code ${child.status}`;
    return `it is not a readable LMDB store: ${reason.slice(0, 200)}`;
  }
  return null;
}

/** Where a store records the identity of its data file when a load last checked it (markChecked). */
const CHECKED_FILE = 'checked.json';

function dataFileIdentity(directory: string): { size: number; mtimeMs: number; ino: number } {
  const { size, mtimeMs, ino } = statSync(path.join(directory, 'data.mdb'));
  return { size, mtimeMs, ino };
}

/** True when the data file is exactly as a load of ours last left it: same size, mtime and inode. */
function isUnchangedSinceChecked(directory: string): boolean {
  try {
    const recorded: unknown = JSON.parse(readFileSync(path.join(directory, CHECKED_FILE), 'utf8'));
    return JSON.stringify(recorded) === JSON.stringify(dataFileIdentity(directory));
  } catch {
    return false;
  }
}

/**
 * Moves an untrusted store out of the way (`….bad`), keeping it for inspection, and tells
 * `onProblem` why and where it went.
 */
function setAside(directory: string, reason: string, onProblem: (message: string) => void): void {
  const aside = `${directory}.bad`;
  rmSync(aside, { recursive: true, force: true });
  try {
    renameSync(directory, aside);
  } catch {
    rmSync(directory, { recursive: true, force: true });
  }
  onProblem(`the content store ${directory} is not used because ${reason}; it was moved to ${aside} and is rebuilt`);
}

/** The store each directory is open as on this thread. */
const openStores = new Map<string, ContentStore>();

/** The content store of one content directory; see the module comment. */
export class ContentStore implements ContentEntries {
  /** The background flush (flushLater) waiting for writes to pause. */
  #flushTimer: NodeJS.Timeout | undefined;
  #unflushedSince = 0;
  /** The flush in progress or queued (flush). */
  #flush: Promise<void> = Promise.resolve();
  #flushQueued = false;
  #closed = false;

  private constructor(
    readonly directory: string,
    private readonly databases: ReturnType<typeof openEnvironment>,
  ) {}

  /**
   * Opens the store in `directory`, creating it when there is none. A store that cannot be trusted
   * is set aside (`onProblem` hears why and where it went) and a new one is made; one written by
   * another loader version is emptied. Throws only when a new store cannot be created either.
   */
  static open(directory: string, onProblem: (message: string) => void = () => {}): ContentStore {
    mkdirSync(path.dirname(directory), { recursive: true });
    if (existsSync(path.join(directory, 'data.mdb')) && !isUnchangedSinceChecked(directory)) {
      const problem = checkInChildProcess(directory);
      if (problem !== null) setAside(directory, problem, onProblem);
    }
    let databases: ReturnType<typeof openEnvironment>;
    try {
      databases = openEnvironment(directory);
    } catch (error) {
      setAside(directory, `it cannot be opened (${(error as Error).message})`, onProblem);
      databases = openEnvironment(directory);
    }
    const store = new ContentStore(directory, databases);
    store.checkVersion(onProblem);
    openStores.set(directory, store);
    return store;
  }

  /**
   * Closes a store found untrusted after it was opened, sets it aside (`onProblem` hears why) and
   * opens a new, empty one in its place.
   */
  static replace(store: ContentStore, reason: string, onProblem: (message: string) => void = () => {}): ContentStore {
    void store.close();
    setAside(store.directory, reason, onProblem);
    return ContentStore.open(store.directory, onProblem);
  }

  /**
   * This thread's handle on a store that ContentStore.open has checked already (on this thread,
   * another thread, or another process): the parse threads write through it, and a cluster's other
   * workers read worker 1's store through it (load.ts: restoreSharedCorpus).
   */
  static attach(directory: string): ContentStore {
    let store = openStores.get(directory);
    if (store === undefined) {
      store = new ContentStore(directory, openEnvironment(directory));
      openStores.set(directory, store);
    }
    return store;
  }

  /**
   * Flushes the store, then records the data file's size, mtime and inode as checked, once a load
   * has read and written it: the next start skips the check in a child process while the file is
   * unchanged since.
   */
  async markChecked(): Promise<void> {
    // This flush covers every write so far: none is left waiting on a timer.
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    await this.flush();
    try {
      writeFileSync(path.join(this.directory, CHECKED_FILE), JSON.stringify(dataFileIdentity(this.directory)));
    } catch {
      // Only a shortcut: without it the next start checks the store again.
    }
  }

  /** Reads from the latest write on, including other threads' and processes' writes. */
  refresh(): void {
    this.databases.env.resetReadTxn();
  }

  /** Empties a store written by another format or loader version, and stamps it with this one. */
  private checkVersion(onProblem: (message: string) => void): void {
    const { env, meta, files, records, snapshot, keys } = this.databases;
    const stamp = meta.get('version');
    if (stamp?.format === FORMAT_VERSION && stamp.loader === currentLoaderVersion()) return;
    if (stamp !== undefined) onProblem(`the content store ${this.directory} was written by another version of the loader; it is rebuilt`);
    env.transactionSync(() => {
      files.clearSync();
      records.clearSync();
      snapshot.clearSync();
      keys.clearSync();
      meta.putSync('version', { format: FORMAT_VERSION, loader: currentLoaderVersion() });
      meta.putSync(KEY_INDEX, { complete: true });
    });
  }

  /**
   * Every file entry, by path relative to the content directory. Throws when an entry cannot be
   * decoded or is not what this loader writes (the caller then rebuilds the store).
   */
  readFiles(): Map<string, LoadedFile> {
    const entries = new Map<string, LoadedFile>();
    for (const { key, value: text } of this.databases.files.getRange()) {
      const value: unknown = JSON.parse(text);
      if (!isLoadedFile(value) || (value.summary !== null && value.summary.sourcePath !== key)) {
        throw new Error(`its entry for ${key} is not one this loader writes`);
      }
      entries.set(key, value);
    }
    return entries;
  }

  /** The entry of one file, or undefined when it has none or it cannot be decoded. */
  entry(relativePath: string): LoadedFile | undefined {
    const text = this.databases.files.get(relativePath);
    if (text === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      return isLoadedFile(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether this file has an entry. */
  has(relativePath: string): boolean {
    return this.databases.files.doesExist(relativePath);
  }

  /** Every file with an entry whose path starts with this prefix. */
  pathsUnder(prefix: string): string[] {
    const paths: string[] = [];
    for (const key of this.databases.files.getKeys({ start: prefix })) {
      if (!key.startsWith(prefix)) break;
      paths.push(key);
    }
    return paths;
  }

  /** Files whose entry holds this key (see entries.ts). */
  pathsWithKey(kind: KeyKind, key: string): string[] {
    return [...this.databases.keys.getValues(storedKey(kind, key))];
  }

  /**
   * Writes the entries and records of these files in one transaction, with their keys; a file
   * whose entry has no summary loses its old record, and one given no record keeps its record.
   */
  write(files: readonly FileToStore[], current?: ReadonlyMap<string, LoadedFile | undefined>): void {
    this.commit(() => {
      for (const file of files) {
        const before = current?.has(file.relativePath) ? current.get(file.relativePath) : this.entry(file.relativePath);
        this.replaceKeys(file.relativePath, before?.summary ?? null, file.loaded.summary);
        this.putEntry(file);
      }
    });
  }

  /**
   * Writes the entries and records of these files in one transaction, as write() does, but keeps
   * the changes to their keys until writeDeferredKeys: for a load's parse thread, which writes many
   * files' keys at once in sorted order. Keys inserted file by file land all over the index;
   * sorted, the same keys are written several times faster. The key index is incomplete meanwhile
   * (markKeyIndexIncomplete).
   */
  writeDeferringKeys(files: readonly FileToStore[]): void {
    this.commit(() => {
      for (const file of files) {
        this.#deferredKeys.push(...keyChanges(file.relativePath, this.entry(file.relativePath)?.summary ?? null, file.loaded.summary));
        this.putEntry(file);
      }
    });
    if (this.#deferredKeys.length >= KEY_CHANGES_KEPT_AT_MOST) this.writeDeferredKeys();
  }

  /** Writes the key changes that writeDeferringKeys kept, sorted, in one transaction. */
  writeDeferredKeys(): void {
    const changes = this.#deferredKeys.sort(compareKeyChanges);
    this.#deferredKeys = [];
    this.commit(() => this.applyKeyChanges(changes));
  }

  /** The key changes writeDeferringKeys has kept. */
  #deferredKeys: KeyChange[] = [];

  /** Within a write transaction: a file's entry, and its record (given, kept, or removed with the article). */
  private putEntry(file: FileToStore): void {
    const { files: entries, records } = this.databases;
    entries.put(file.relativePath, JSON.stringify(file.loaded));
    if (file.article !== null) records.put(file.relativePath, file.article);
    else if (file.loaded.summary === null) records.remove(file.relativePath);
  }

  /** True when the key index holds the keys of every entry: no load has left it to be rebuilt since it was last built. */
  keyIndexIsComplete(): boolean {
    return this.databases.meta.get(KEY_INDEX)?.complete === true;
  }

  /** Records that entries are about to be written with their keys deferred (writeDeferringKeys), until markKeyIndexComplete. */
  markKeyIndexIncomplete(): void {
    this.databases.meta.putSync(KEY_INDEX, { complete: false });
  }

  /**
   * Writes the key index again from every file entry, in sorted runs: for a load that finds it
   * incomplete (another load was cut short, or is running beside it). Seconds at 100,000 files.
   */
  rebuildKeyIndex(): void {
    const { files, keys } = this.databases;
    this.commit(() => keys.clearSync());
    // Read a page of entries at a time, so that no range is being read while a run is written.
    let after: string | undefined;
    for (;;) {
      const page = [...files.getRange({ start: after, limit: ENTRIES_PER_PAGE + 1 })].filter(({ key }) => key !== after);
      if (page.length === 0) break;
      for (const { key: relativePath, value: text } of page) {
        this.#deferredKeys.push(...keyChanges(relativePath, null, (JSON.parse(text) as LoadedFile).summary));
      }
      if (this.#deferredKeys.length >= KEY_CHANGES_KEPT_AT_MOST) this.writeDeferredKeys();
      after = page.at(-1)!.key;
    }
    this.writeDeferredKeys();
  }

  /** Records that the key index is complete again, once every deferred key change is written. */
  markKeyIndexComplete(): void {
    this.databases.meta.putSync(KEY_INDEX, { complete: true });
  }

  /** Removes the entries, records and keys of files that are gone, in one transaction. */
  remove(relativePaths: readonly string[]): void {
    if (relativePaths.length === 0) return;
    const { files, records } = this.databases;
    this.commit(() => {
      for (const relativePath of relativePaths) {
        this.replaceKeys(relativePath, this.entry(relativePath)?.summary ?? null, null);
        files.remove(relativePath);
        records.remove(relativePath);
      }
    });
  }

  /** Runs `writes` in one transaction, committed without waiting for the disk; the disk follows a moment later (flushLater). */
  private commit(writes: () => void): void {
    this.databases.env.transactionSync(writes);
    // A parse thread of a load leaves the flush to the load's end (markChecked): flushing each of
    // its batches kept the disk in its way, about a fifth of a 100k load. The kernel bounds the
    // pages left dirty meanwhile, and a store cut short by a crash is checked at the next start.
    if (isMainThread) this.flushLater();
  }

  /** lmdb-js's environment handle: `sync()` flushes on this thread, `sync(done)` on a thread of libuv's pool (neither is declared). */
  private nativeEnvironment(): { sync(done?: (error?: Error) => void): void } {
    return (this.databases.env as unknown as { env: { sync(done?: (error?: Error) => void): void } }).env;
  }

  /**
   * Flushes once writes pause for FLUSH_AFTER_QUIET_MS, or FLUSH_AT_MOST_AFTER_MS after the first
   * unflushed write: a flush running beside a commit slows the commit down (tens of ms at 100k).
   */
  private flushLater(): void {
    const now = Date.now();
    if (this.#flushTimer === undefined) this.#unflushedSince = now;
    else clearTimeout(this.#flushTimer);
    const wait = Math.min(FLUSH_AFTER_QUIET_MS, this.#unflushedSince + FLUSH_AT_MOST_AFTER_MS - now);
    this.#flushTimer = setTimeout(
      () => {
        this.#flushTimer = undefined;
        void this.flush();
      },
      Math.max(0, wait),
    );
    this.#flushTimer.unref();
  }

  /**
   * Flushes the store to disk on a thread of libuv's pool once the flush in progress (if any) is
   * done; requests made before it starts share it. Resolves when it is done (or the store closed).
   */
  private flush(): Promise<void> {
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      this.#flush = this.#flush.then(() => {
        this.#flushQueued = false;
        if (this.#closed) return;
        return new Promise<void>((resolve) => this.nativeEnvironment().sync(() => resolve()));
      });
    }
    return this.#flush;
  }

  /** Within a write transaction: moves a file's keys from those of its summary until now to those of its new one; a key both hold stays. */
  private replaceKeys(relativePath: string, before: ArticleSummary | null, after: ArticleSummary | null): void {
    this.applyKeyChanges(keyChanges(relativePath, before, after));
  }

  /** Within a write transaction: puts and removes these (key, file) pairs in the key index. */
  private applyKeyChanges(changes: readonly KeyChange[]): void {
    const { keys } = this.databases;
    for (const { key, relativePath, put } of changes) {
      if (put) keys.put(key, relativePath);
      else keys.remove(key, relativePath);
    }
  }

  /** The fingerprint of the content the corpus snapshot was made of, or undefined when there is none. */
  snapshotFingerprint(): string | undefined {
    return this.databases.snapshot.get('fingerprint')?.toString('latin1');
  }

  /** The bytes of the corpus snapshot (snapshot.ts), or undefined when there is none. */
  readSnapshot(): Buffer | undefined {
    // A view of the memory map or of lmdb-js's read buffer, valid until the next read: the caller
    // decodes it at once. Its `length` is the value's; its underlying view may be longer.
    const bytes = this.databases.snapshot.getBinaryFast('corpus');
    return bytes?.subarray(0, bytes.length);
  }

  /**
   * Replaces the corpus snapshot, made of content with this fingerprint; resolves once committed.
   * lmdb-js's writing thread copies the bytes in, not this one, and commits both puts together
   * (they are made in one turn of the event loop).
   */
  async writeSnapshot(fingerprint: string, bytes: Buffer): Promise<void> {
    const { snapshot } = this.databases;
    await Promise.all([snapshot.put('corpus', bytes), snapshot.put('fingerprint', Buffer.from(fingerprint, 'latin1'))]);
  }

  /** Removes the corpus snapshot: the entries changed and it no longer matches them. */
  dropSnapshot(): void {
    const { env, snapshot } = this.databases;
    env.transactionSync(() => {
      snapshot.remove('corpus');
      snapshot.remove('fingerprint');
    });
  }

  /**
   * The record of a file. One that is missing or cannot be decoded is asked of the fallback (see
   * setFallback), with why: the store is only a cache of the files.
   */
  record(sourcePath: string): Article | undefined {
    let record: Article | undefined;
    let problem: string;
    try {
      record = this.databases.records.get(sourcePath);
      problem = record === undefined ? 'it is missing' : 'it is not an article record';
    } catch (error) {
      problem = `it cannot be decoded (${(error as Error).message})`;
    }
    if (isRecordOf(record, sourcePath)) return deepFreeze(record);
    return this.fallback(sourcePath, problem);
  }

  /**
   * The record of a file decoded from its bytes for one read: neither kept in lmdb-js's record
   * cache nor frozen, so a pass over every record (the search index build) leaves no decoded
   * records behind. Undefined when missing or undecodable (record() then says why).
   */
  readOnce(sourcePath: string): Article | undefined {
    const { records } = this.databases;
    try {
      const bytes = records.getBinary(sourcePath);
      const value: unknown =
        bytes === undefined ? undefined : (records as unknown as { decoder: { decode(bytes: Buffer): unknown } }).decoder.decode(bytes);
      return isRecordOf(value, sourcePath) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Where records the store cannot give come from instead (by default, nowhere). */
  setFallback(fallback: (sourcePath: string, problem: string) => Article | undefined): void {
    this.fallback = fallback;
  }

  private fallback: (sourcePath: string, problem: string) => Article | undefined = () => undefined;

  /** Closes the environment (its memory map); records can no longer be read. */
  close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#flushTimer);
    if (openStores.get(this.directory) === this) openStores.delete(this.directory);
    return this.databases.env.close();
  }
}

function isRecordOf(value: unknown, sourcePath: string): value is Article {
  const record = value as Article | null | undefined;
  return typeof record === 'object' && record !== null && record.sourcePath === sourcePath && typeof record.title === 'string';
}

function isLoadedFile(value: unknown): value is LoadedFile {
  const entry = value as LoadedFile | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.size === 'number' &&
    typeof entry.mtimeMs === 'number' &&
    Array.isArray(entry.diagnostics) &&
    (entry.summary === null || (typeof entry.summary === 'object' && typeof entry.summary.slug === 'string'))
  );
}
