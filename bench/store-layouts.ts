/** Where article records live (heap, packed, lmdb, sqlite): `npx tsx bench/store-layouts.ts [--sizes 100000,1000000] [--layouts heap,packed,lmdb,sqlite] [--repeats 3] [--seconds 2] [--corpora DIR] [--clean]` */
/*
 * Each size's corpus is generated once (bench/generate.ts) under --corpora (default
 * $TMPDIR/newsgraph-store-layouts/articles-N) and reused by later runs; --clean deletes the corpora
 * at the end. Every figure comes from a fresh child process (this file, `node --expose-gc --import
 * tsx bench/store-layouts.ts --child JSON`), memory read after two full GCs:
 *   - floor: list the corpus and read every file, sync and async (64 at a time); the faster counts;
 *   - heap: loadCorpus as today (the baseline): load time, heap, RSS, and the workloads on its views;
 *   - build: loadCorpus once, then the compact index (ids in source-path order) and each store
 *     written from the loaded records: packed (one file of msgpackr records with shared structures
 *     plus offsets), lmdb (records keyed by id, batched transactionSync writes), sqlite (one table,
 *     WAL, one transaction per batch). Each store also holds the encoded index and a fingerprint of
 *     the content files (path, size, mtime);
 *   - open (one per store layout, repeated): the restart a server would do with a valid store: list
 *     and stat the content files and compare the fingerprint, open the store, decode the index and
 *     rebuild its maps (the packed layout also reads its records file into one Buffer). Then heap,
 *     RSS and the workloads: random record read+decode, hot list (the 20 newest records with their
 *     provider and topic names; also with a decoded-record cache), detail (one random record and the
 *     records its related entries resolve to).
 * Children of sizes above 500k that hold the whole corpus on the heap (heap, build) run with
 * --max-old-space-size (--big-heap-mb, default 16000); the open children keep Node's default limit.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { open } from 'lmdb';
import { Packr } from 'msgpackr';
import type { Corpus } from '../src/content/corpus.js';
import type { Article } from '../src/content/model.js';
import { urlKeyOfHref } from '../src/content/urls.js';
import { generateCorpus } from './generate.js';
import { flagValue, positiveNumber } from './lib/args.js';
import { buildCompiledLoader, COMPILED_LOADER } from './lib/compiled-loader.js';
import { listAsync, listSync, memory } from './lib/measure.js';
import { PROJECT_DIR } from './lib/paths.js';
import { fmt, markdownTable } from './lib/report.js';
import { median, round } from './lib/stats.js';

const SELF = fileURLToPath(import.meta.url);
const LAYOUTS = ['heap', 'packed', 'lmdb', 'sqlite'] as const;
type Layout = (typeof LAYOUTS)[number];
type StoreLayout = Exclude<Layout, 'heap'>;
const CONTENT_FILE = /\.(?:md|markdown)$/i;
/** Records per write transaction (lmdb, sqlite) and per staging flush (packed). */
const WRITE_BATCH = 20_000;
const HOT_LIST = 20;
const RANDOM_READS = 100_000;
const NULL_INT = -2147483648;
/** CPU ms per request of ours as served today (bench/RESULTS.md, HTTP, 10k corpus): what a decode cost adds to. */
const HTTP_CPU_MS = { hotList: 1.16, detail: 0.63 };

// ---------------------------------------------------------------------------------------------
// The compact index: what sorting, filtering and resolving need, identical across store layouts
// ---------------------------------------------------------------------------------------------

/** The index as stored: plain arrays and typed arrays, ids are positions in source-path order. */
interface IndexData {
  readonly count: number;
  readonly slugs: string[];
  readonly urlKeys: string[];
  readonly urlKeyIds: Int32Array;
  readonly publishedDateTime: Float64Array;
  readonly quality: Int32Array;
  readonly heat: Int32Array;
  readonly published: Uint8Array;
  /** Preview view, newest first. */
  readonly newest: Int32Array;
  readonly publicNewest: Int32Array;
  readonly providerDomains: string[];
  readonly providerNames: string[];
  readonly providerOffsets: Int32Array;
  readonly providerArticles: Int32Array;
  readonly topicSlugs: string[];
  readonly topicNames: string[];
  readonly topicOffsets: Int32Array;
  readonly topicArticles: Int32Array;
  /** Per id, its related entries' targets (-1: unresolved), CSR. */
  readonly relatedOffsets: Int32Array;
  readonly relatedTargets: Int32Array;
}

/** The in-heap index a server would keep: the stored data with its maps rebuilt. */
interface CompactIndex extends Omit<IndexData, 'urlKeys' | 'urlKeyIds'> {
  readonly bySlug: Map<string, number>;
  readonly byUrlKey: Map<string, number>;
  readonly providerByDomain: Map<string, number>;
  readonly topicBySlug: Map<string, number>;
}

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The records in id order (source path) and the index, from a loaded corpus (its preview view resolves related entries as the server does). */
function buildIndex(corpus: Corpus): { records: Article[]; data: IndexData } {
  const view = corpus.preview;
  const records = [...view.articles].sort((a, b) => compareStrings(a.sourcePath, b.sourcePath));
  const count = records.length;
  const idOf = new Map<Article, number>();
  for (let id = 0; id < count; id++) idOf.set(records[id]!, id);
  const urlKeys: string[] = [];
  const urlKeyIdList: number[] = [];
  const seen = new Set<string>();
  for (const article of view.articles) {
    const id = idOf.get(article)!;
    for (const url of [article.webUrl, article.originalUrl, article.ampWebUrl, article.cdnAmpWebUrl]) {
      const key = url ? urlKeyOfHref(url) : null;
      if (key === null || seen.has(key)) continue;
      seen.add(key);
      urlKeys.push(key);
      urlKeyIdList.push(id);
    }
  }
  const relatedOffsets = new Int32Array(count + 1);
  const targets: number[] = [];
  for (let id = 0; id < count; id++) {
    const article = records[id]!;
    for (const target of view.articlesByRelatedEntries(article.related)) targets.push(target === null ? -1 : idOf.get(target)!);
    relatedOffsets[id + 1] = targets.length;
  }
  const csr = (lists: readonly Iterable<Article>[]) => {
    const offsets = new Int32Array(lists.length + 1);
    const ids: number[] = [];
    lists.forEach((list, index) => {
      for (const article of list) ids.push(idOf.get(article)!);
      offsets[index + 1] = ids.length;
    });
    return { offsets, ids: Int32Array.from(ids) };
  };
  const providers = csr(view.providers.map((provider) => provider.articles));
  const topics = csr(view.topics.map((topic) => topic.articles));
  return {
    records,
    data: {
      count,
      slugs: records.map((article) => article.slug),
      urlKeys,
      urlKeyIds: Int32Array.from(urlKeyIdList),
      publishedDateTime: Float64Array.from(records, (article) => article.publishedDateTime ?? Number.NaN),
      quality: Int32Array.from(records, (article) => article.quality ?? NULL_INT),
      heat: Int32Array.from(records, (article) => article.heat ?? NULL_INT),
      published: Uint8Array.from(records, (article) => (article.published ? 1 : 0)),
      newest: Int32Array.from(view.articles, (article) => idOf.get(article)!),
      publicNewest: Int32Array.from(corpus.public.articles, (article) => idOf.get(article)!),
      providerDomains: view.providers.map((provider) => provider.domain),
      providerNames: view.providers.map((provider) => provider.name),
      providerOffsets: providers.offsets,
      providerArticles: providers.ids,
      topicSlugs: view.topics.map((topic) => topic.slug),
      topicNames: view.topics.map((topic) => topic.name),
      topicOffsets: topics.offsets,
      topicArticles: topics.ids,
      relatedOffsets,
      relatedTargets: Int32Array.from(targets),
    },
  };
}

const TYPED_FIELDS = {
  urlKeyIds: Int32Array,
  publishedDateTime: Float64Array,
  quality: Int32Array,
  heat: Int32Array,
  published: Uint8Array,
  newest: Int32Array,
  publicNewest: Int32Array,
  providerOffsets: Int32Array,
  providerArticles: Int32Array,
  topicOffsets: Int32Array,
  topicArticles: Int32Array,
  relatedOffsets: Int32Array,
  relatedTargets: Int32Array,
} as const;

const plainPackr = new Packr({ useRecords: false });

/** The index as one msgpack blob: strings as arrays, typed arrays as raw bytes. */
function encodeIndex(data: IndexData): Buffer {
  const out: Record<string, unknown> = { ...data };
  for (const key of Object.keys(TYPED_FIELDS) as (keyof typeof TYPED_FIELDS)[]) {
    const array = data[key];
    out[key] = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  }
  return Buffer.from(plainPackr.pack(out));
}

/** Decodes a blob of encodeIndex and rebuilds the maps. */
function decodeIndex(blob: Uint8Array): CompactIndex {
  const raw = plainPackr.unpack(blob) as Record<string, unknown>;
  for (const [key, Type] of Object.entries(TYPED_FIELDS)) {
    const bytes = raw[key] as Uint8Array;
    const array = new Type(bytes.byteLength / Type.BYTES_PER_ELEMENT);
    new Uint8Array(array.buffer).set(bytes);
    raw[key] = array;
  }
  const data = raw as unknown as IndexData;
  const byUrlKey = new Map<string, number>();
  for (let i = 0; i < data.urlKeys.length; i++) byUrlKey.set(data.urlKeys[i]!, data.urlKeyIds[i]!);
  const { urlKeys: _keys, urlKeyIds: _ids, ...rest } = data;
  return {
    ...rest,
    bySlug: new Map(data.slugs.map((slug, id) => [slug, id])),
    byUrlKey,
    providerByDomain: new Map(data.providerDomains.map((domain, index) => [domain, index])),
    topicBySlug: new Map(data.topicSlugs.map((slug, index) => [slug, index])),
  };
}

// ---------------------------------------------------------------------------------------------
// Fingerprint of the content files: what makes a store valid for a directory
// ---------------------------------------------------------------------------------------------

/** SHA-1 over every content file's relative path, size and mtime, in sorted order (lists and stats, reads nothing). */
function fingerprint(root: string): string {
  const hash = createHash('sha1');
  const walk = (directory: string, relative: string) => {
    const entries = readdirSync(directory, { withFileTypes: true }).sort((a, b) => compareStrings(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const absolute = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(absolute, `${relative}${entry.name}/`);
      else if (entry.isFile() && CONTENT_FILE.test(entry.name)) {
        const stat = statSync(absolute);
        hash.update(`${relative}${entry.name}\0${stat.size}\0${stat.mtimeMs}\n`);
      }
    }
  };
  walk(root, '');
  return hash.digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Stores
// ---------------------------------------------------------------------------------------------

/** An opened store: the index on the heap, records decoded on demand. */
interface OpenedStore {
  readonly index: CompactIndex;
  get(id: number): Article;
  close(): void;
}

/** A Packr whose record structures are shared across records (saved beside them), for packed and sqlite. */
const MAX_SHARED_STRUCTURES = 100;
function sharedPackr(structures: unknown[][] = []): Packr {
  return new Packr({ structures, maxSharedStructures: MAX_SHARED_STRUCTURES });
}
const savedStructures = (packr: Packr) => ((packr as unknown as { structures: string[][] }).structures ?? []).map((keys) => [...keys]);

function storePath(stores: string, layout: StoreLayout): string {
  return path.join(stores, layout);
}

function writePacked(directory: string, records: readonly Article[], indexBlob: Buffer, print: string): void {
  mkdirSync(directory, { recursive: true });
  const packr = sharedPackr();
  const offsets = new Float64Array(records.length + 1);
  const fd = openSync(path.join(directory, 'records.bin'), 'w');
  let staging = Buffer.allocUnsafe(64 * 1024 * 1024);
  let used = 0;
  let position = 0;
  const flush = () => {
    writeSync(fd, staging, 0, used);
    used = 0;
  };
  for (let id = 0; id < records.length; id++) {
    const bytes = packr.pack(records[id]);
    if (used + bytes.length > staging.length) flush();
    if (bytes.length > staging.length) staging = Buffer.allocUnsafe(bytes.length * 2);
    staging.set(bytes, used);
    used += bytes.length;
    position += bytes.length;
    offsets[id + 1] = position;
  }
  flush();
  closeSync(fd);
  const meta = plainPackr.pack({
    fingerprint: print,
    structures: savedStructures(packr),
    offsets: Buffer.from(offsets.buffer),
    index: indexBlob,
  });
  writeFileSync(path.join(directory, 'meta.bin'), meta);
}

/** Reads a whole file into one Buffer, in chunks (readFileSync stops at 2 GiB). */
function readWhole(file: string): Buffer {
  const size = statSync(file).size;
  const buffer = Buffer.allocUnsafeSlow(size);
  const fd = openSync(file, 'r');
  for (let done = 0; done < size; ) done += readSync(fd, buffer, done, Math.min(size - done, 1 << 30), done);
  closeSync(fd);
  return buffer;
}

function openPacked(directory: string, print: string): OpenedStore {
  const meta = plainPackr.unpack(readFileSync(path.join(directory, 'meta.bin'))) as {
    fingerprint: string;
    structures: unknown[][];
    offsets: Uint8Array;
    index: Uint8Array;
  };
  if (meta.fingerprint !== print) throw new Error('packed: the store does not match the content');
  const offsets = new Float64Array(meta.offsets.byteLength / 8);
  new Uint8Array(offsets.buffer).set(meta.offsets);
  const index = decodeIndex(meta.index);
  const records = readWhole(path.join(directory, 'records.bin'));
  const packr = sharedPackr(meta.structures);
  return {
    index,
    get: (id) => packr.unpack(records, { start: offsets[id]!, end: offsets[id + 1]! }) as Article,
    close: () => {},
  };
}

const STRUCTURES_KEY = Symbol.for('structures');

async function writeLmdb(directory: string, records: readonly Article[], indexBlob: Buffer, print: string): Promise<void> {
  const env = open({ path: directory, maxDbs: 4 });
  const store = env.openDB<Article, number>({ name: 'records', sharedStructuresKey: STRUCTURES_KEY });
  const meta = env.openDB<Buffer, string>({ name: 'meta', encoding: 'binary' });
  for (let start = 0; start < records.length; start += WRITE_BATCH) {
    env.transactionSync(() => {
      for (let id = start; id < Math.min(records.length, start + WRITE_BATCH); id++) store.putSync(id, records[id]!);
    });
  }
  env.transactionSync(() => {
    meta.putSync('index', indexBlob);
    meta.putSync('fingerprint', Buffer.from(print));
  });
  await env.close();
}

function openLmdb(directory: string, print: string): OpenedStore {
  const env = open({ path: directory, maxDbs: 4, readOnly: true });
  const store = env.openDB<Article, number>({ name: 'records', sharedStructuresKey: STRUCTURES_KEY });
  const meta = env.openDB<Buffer, string>({ name: 'meta', encoding: 'binary' });
  if (meta.get('fingerprint')?.toString() !== print) throw new Error('lmdb: the store does not match the content');
  const index = decodeIndex(meta.get('index')!);
  return { index, get: (id) => store.get(id)!, close: () => void env.close() };
}

function writeSqlite(directory: string, records: readonly Article[], indexBlob: Buffer, print: string): void {
  mkdirSync(directory, { recursive: true });
  const db = new Database(path.join(directory, 'store.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE records (id INTEGER PRIMARY KEY, record BLOB NOT NULL); CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)',
  );
  const packr = sharedPackr();
  const insert = db.prepare('INSERT INTO records (id, record) VALUES (?, ?)');
  const batch = db.transaction((from: number, to: number) => {
    for (let id = from; id < to; id++) insert.run(id, packr.pack(records[id]));
  });
  for (let start = 0; start < records.length; start += WRITE_BATCH) batch(start, Math.min(records.length, start + WRITE_BATCH));
  const putMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  db.transaction(() => {
    putMeta.run('structures', Buffer.from(plainPackr.pack(savedStructures(packr))));
    putMeta.run('index', indexBlob);
    putMeta.run('fingerprint', Buffer.from(print));
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

function openSqlite(directory: string, print: string): OpenedStore & { mmapSize: number } {
  const db = new Database(path.join(directory, 'store.db'), { fileMustExist: true });
  const mmapSize = Number(db.pragma('mmap_size = 4294967296', { simple: true }));
  const metaOf = db.prepare<[string], Buffer>('SELECT value FROM meta WHERE key = ?').pluck();
  if (metaOf.get('fingerprint')?.toString() !== print) throw new Error('sqlite: the store does not match the content');
  const index = decodeIndex(metaOf.get('index')!);
  const packr = sharedPackr(plainPackr.unpack(metaOf.get('structures')!) as unknown[][]);
  const select = db.prepare<[number], Buffer>('SELECT record FROM records WHERE id = ?').pluck();
  return { index, mmapSize, get: (id) => packr.unpack(select.get(id)!) as Article, close: () => db.close() };
}

/** Bytes the files under `target` take on disk (allocated blocks). */
function diskBytes(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.blocks * 512;
  return readdirSync(target).reduce((sum, name) => sum + diskBytes(path.join(target, name)), 0);
}

// ---------------------------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------------------------

/** What a resolver would read of a record (keeps the work from being optimized away). */
function touch(article: Article): number {
  return article.slug.length + article.title.length + (article.excerpt?.length ?? 0) + article.images.length + article.related.length;
}

/** The workloads over one layout; ids 0..count-1 (newest-first positions for heap, store ids otherwise). */
interface Subject {
  readonly count: number;
  read(id: number): number;
  hotList(cache: Map<number, Article> | null): number;
  detail(id: number): number;
}

function heapSubject(corpus: Corpus): Subject {
  const view = corpus.preview;
  const articles = view.articles;
  const names = (article: Article) => {
    let sum = article.provider === null ? 0 : view.providerByDomain(article.provider.domain)!.name.length;
    for (const topic of article.topics) sum += view.topicBySlug(topic.slug)!.name.length;
    return sum;
  };
  return {
    count: articles.length,
    read: (id) => touch(articles[id]!),
    hotList: () => {
      let sum = 0;
      for (let i = 0; i < HOT_LIST; i++) sum += touch(articles[i]!) + names(articles[i]!);
      return sum;
    },
    detail: (id) => {
      const article = articles[id]!;
      let sum = touch(article);
      for (const target of view.articlesByRelatedEntries(article.related)) if (target !== null) sum += touch(target);
      return sum;
    },
  };
}

/** The largest decoded-record cache: cleared when full (a stand-in for an LRU; the hot list never fills it). */
const CACHE_LIMIT = 10_000;

function storeSubject(store: OpenedStore): Subject {
  const { index } = store;
  const names = (article: Article) => {
    let sum = article.provider === null ? 0 : index.providerNames[index.providerByDomain.get(article.provider.domain)!]!.length;
    for (const topic of article.topics) sum += index.topicNames[index.topicBySlug.get(topic.slug)!]!.length;
    return sum;
  };
  return {
    count: index.count,
    read: (id) => touch(store.get(id)),
    hotList: (cache) => {
      let sum = 0;
      for (let i = 0; i < HOT_LIST; i++) {
        const id = index.newest[i]!;
        let article = cache?.get(id);
        if (article === undefined) {
          article = store.get(id);
          if (cache !== null) {
            if (cache.size >= CACHE_LIMIT) cache.clear();
            cache.set(id, article);
          }
        }
        sum += touch(article) + names(article);
      }
      return sum;
    },
    detail: (id) => {
      let sum = touch(store.get(id));
      for (let j = index.relatedOffsets[id]!; j < index.relatedOffsets[id + 1]!; j++) {
        const target = index.relatedTargets[j]!;
        if (target >= 0) sum += touch(store.get(target));
      }
      return sum;
    },
  };
}

/** Deterministic ids in [0, count). */
function randomIds(count: number, length: number, seed: number): Int32Array {
  let state = seed >>> 0;
  const ids = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    ids[i] = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * count);
  }
  return ids;
}

let sink = 0;

/** Operations per second of `op` over `seconds` (after 0.3 s of warm-up), checking the clock every 32 operations. */
function throughput(op: (i: number) => number, seconds: number): number {
  let i = 0;
  const warm = performance.now() + 300;
  while (performance.now() < warm) sink += op(i++);
  const started = performance.now();
  const end = started + seconds * 1000;
  let ops = 0;
  let now = started;
  while (now < end) {
    for (let k = 0; k < 32; k++) sink += op(i++);
    ops += 32;
    now = performance.now();
  }
  return ops / ((now - started) / 1000);
}

function runWorkloads(subject: Subject, seconds: number, seed: number) {
  const reads = randomIds(subject.count, Math.min(RANDOM_READS, subject.count * 2), seed);
  const started = performance.now();
  for (const id of reads) sink += subject.read(id);
  const readMicros = ((performance.now() - started) * 1000) / reads.length;
  const details = randomIds(subject.count, 1 << 16, seed + 1);
  const cache = new Map<number, Article>();
  return {
    readMicros,
    hotListOps: throughput(() => subject.hotList(null), seconds),
    hotListCachedOps: throughput(() => subject.hotList(cache), seconds),
    detailOps: throughput((i) => subject.detail(details[i & 0xffff]!), seconds),
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

interface ChildJob {
  readonly mode: 'floor-sync' | 'floor-async' | 'heap' | 'build' | 'open';
  readonly corpus: string;
  readonly stores: string;
  readonly layout?: StoreLayout;
  readonly layouts?: readonly StoreLayout[];
  readonly seconds: number;
  readonly seed: number;
}

/** The read floor: list every content file and read it (the bytes are counted, not kept: at 1M they would not fit the heap). */
async function floor(root: string, async: boolean): Promise<Record<string, number>> {
  const started = performance.now();
  let bytes = 0;
  const files = async ? await listAsync(root) : listSync(root);
  if (async) {
    let next = 0;
    const worker = async () => {
      while (next < files.length) bytes += (await readFile(files[next++]!)).length;
    };
    await Promise.all(Array.from({ length: Math.min(64, files.length) }, worker));
  } else {
    for (const file of files) bytes += readFileSync(file).length;
  }
  return { totalMs: performance.now() - started, files: files.length, bytes };
}

async function importLoader() {
  return ((await import(pathToFileURL(COMPILED_LOADER).href)) as typeof import('../src/content/load.js')).loadCorpus;
}

async function loadWithCompiledLoader(directory: string) {
  const loadCorpus = await importLoader();
  const started = performance.now();
  const loaded = await loadCorpus(directory);
  return { loaded, loadMs: performance.now() - started };
}

const held: unknown[] = [];

async function runChild(job: ChildJob): Promise<Record<string, unknown>> {
  switch (job.mode) {
    case 'floor-sync':
    case 'floor-async':
      return floor(job.corpus, job.mode === 'floor-async');
    case 'heap': {
      await importLoader();
      const before = memory();
      const { loaded, loadMs } = await loadWithCompiledLoader(job.corpus);
      held.push(loaded);
      const after = memory();
      const workloads = runWorkloads(heapSubject(loaded.corpus), job.seconds, job.seed);
      return {
        loadMs,
        timings: loaded.timings,
        articles: loaded.corpus.preview.articles.length,
        before,
        after,
        afterReads: memory(),
        workloads,
      };
    }
    case 'build': {
      const { loaded, loadMs } = await loadWithCompiledLoader(job.corpus);
      let started = performance.now();
      const print = fingerprint(job.corpus);
      const fingerprintMs = performance.now() - started;
      started = performance.now();
      const { records, data } = buildIndex(loaded.corpus);
      const indexBlob = encodeIndex(data);
      const indexMs = performance.now() - started;
      const writes: Record<string, { writeMs: number; diskBytes: number }> = {};
      for (const layout of job.layouts ?? []) {
        const directory = storePath(job.stores, layout);
        rmSync(directory, { recursive: true, force: true });
        started = performance.now();
        if (layout === 'packed') writePacked(directory, records, indexBlob, print);
        else if (layout === 'lmdb') await writeLmdb(directory, records, indexBlob, print);
        else writeSqlite(directory, records, indexBlob, print);
        writes[layout] = { writeMs: performance.now() - started, diskBytes: diskBytes(directory) };
        // The record read back must equal the one written.
        const store = await openStore(layout, directory, print);
        for (const id of randomIds(records.length, 200, job.seed + 7)) {
          if (JSON.stringify(store.get(id)) !== JSON.stringify(records[id]))
            throw new Error(`${layout}: record ${id} read back differs from the one written`);
        }
        store.close();
      }
      return {
        loadMs,
        timings: loaded.timings,
        articles: records.length,
        fingerprintMs,
        indexMs,
        indexBlobBytes: indexBlob.length,
        urlKeys: data.urlKeys.length,
        writes,
        maxRss: process.resourceUsage().maxRSS * 1024,
      };
    }
    case 'open': {
      const layout = job.layout!;
      const before = memory();
      const started = performance.now();
      const print = fingerprint(job.corpus);
      const fingerprintMs = performance.now() - started;
      const store = await openStore(layout, storePath(job.stores, layout), print);
      const restartMs = performance.now() - started;
      held.push(store);
      const after = memory();
      for (const id of randomIds(store.index.count, 1000, job.seed + 3)) {
        if (store.get(id).slug !== store.index.slugs[id]) throw new Error(`${layout}: record ${id} is not the index's`);
      }
      const workloads = runWorkloads(storeSubject(store), job.seconds, job.seed);
      return {
        restartMs,
        fingerprintMs,
        articles: store.index.count,
        mmapSize: (store as { mmapSize?: number }).mmapSize ?? null,
        before,
        after,
        afterReads: memory(),
        workloads,
      };
    }
  }
}

async function openStore(layout: StoreLayout, directory: string, print: string): Promise<OpenedStore> {
  if (layout === 'packed') return openPacked(directory, print);
  if (layout === 'lmdb') return openLmdb(directory, print);
  return openSqlite(directory, print);
}

// ---------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------

interface Options {
  sizes: number[];
  layouts: Layout[];
  repeats: number;
  seconds: number;
  seed: number;
  corpora: string;
  clean: boolean;
  bigHeapMb: number;
}

function parseArguments(args: readonly string[]): Options {
  const value = (name: string) => flagValue(args, name);
  const positive = (text: string, name: string) => positiveNumber(text, name, { integer: false });
  const layouts = (value('--layouts') ?? LAYOUTS.join(',')).split(',') as Layout[];
  for (const layout of layouts) if (!LAYOUTS.includes(layout)) throw new Error(`--layouts: unknown layout ${layout}`);
  return {
    sizes: (value('--sizes') ?? '100000').split(',').map((size) => Math.round(positive(size, '--sizes'))),
    layouts,
    repeats: Math.round(positive(value('--repeats') ?? '3', '--repeats')),
    seconds: positive(value('--seconds') ?? '2', '--seconds'),
    seed: Number(value('--seed') ?? '1'),
    corpora: path.resolve(value('--corpora') ?? path.join(os.tmpdir(), 'newsgraph-store-layouts')),
    clean: args.includes('--clean'),
    bigHeapMb: Math.round(positive(value('--big-heap-mb') ?? '16000', '--big-heap-mb')),
  };
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

const load1 = () => round(os.loadavg()[0]!, 2);

// biome-ignore lint/suspicious/noExplicitAny: a child's JSON result, read field by field below
type ChildResult = any;

function spawnChild(job: ChildJob, nodeFlags: readonly string[], timeoutMs: number): Promise<ChildResult> {
  const args = ['--expose-gc', ...nodeFlags, '--import', 'tsx', SELF, '--child', JSON.stringify(job)];
  const loadBefore = load1();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: PROJECT_DIR, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`child ${job.mode} ${job.layout ?? ''} failed: ${error.message}\n${stderr}`));
        return;
      }
      const line = stdout.split('\n').find((text) => text.startsWith('CHILD_RESULT '));
      if (line === undefined) {
        reject(new Error(`child ${job.mode} printed no result:\n${stdout}\n${stderr}`));
        return;
      }
      resolve({ ...JSON.parse(line.slice('CHILD_RESULT '.length)), loadAverage: [loadBefore, load1()] });
    });
  });
}

async function ensureCorpus(options: Options, size: number): Promise<string> {
  const directory = path.join(options.corpora, `articles-${size}`);
  const marker = `${directory}.json`;
  if (existsSync(marker) && existsSync(directory)) {
    const generated = JSON.parse(readFileSync(marker, 'utf8')) as { articles: number; seed: number };
    if (generated.articles === size && generated.seed === options.seed) return directory;
  }
  rmSync(directory, { recursive: true, force: true });
  rmSync(marker, { force: true });
  mkdirSync(options.corpora, { recursive: true });
  log(`  generating ${size} articles into ${directory} ...`);
  const started = performance.now();
  const generated = await generateCorpus({ directory, articles: size, seed: options.seed });
  writeFileSync(marker, JSON.stringify({ articles: size, seed: options.seed, ...generated }));
  log(`  generated in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return directory;
}

interface Row {
  layout: Layout;
  loadMs: number;
  parseMs: number;
  buildMs: number;
  restartMs: number;
  fingerprintMs: number;
  heapBytes: number;
  heapPerArticle: number;
  externalMb: number;
  rssMb: number;
  rssAfterReadsMb: number;
  peakRssMb: number;
  diskMb: number;
  readMicros: number;
  hotListOps: number;
  hotListCachedOps: number;
  detailOps: number;
  loadAverage: number[];
  notes: string;
}

async function benchmarkSize(options: Options, size: number) {
  const corpus = await ensureCorpus(options, size);
  const stores = path.join(options.corpora, `stores-${size}`);
  rmSync(stores, { recursive: true, force: true });
  mkdirSync(stores, { recursive: true });
  const big = size > 500_000;
  const bigFlags = big ? [`--max-old-space-size=${options.bigHeapMb}`] : [];
  const timeout = big ? 90 * 60_000 : 15 * 60_000;
  const base = { corpus, stores, seconds: options.seconds, seed: options.seed };
  const storeLayouts = options.layouts.filter((layout): layout is StoreLayout => layout !== 'heap');
  try {
    const floors: number[] = [];
    for (let run = 0; run < options.repeats; run++) {
      for (const mode of ['floor-sync', 'floor-async'] as const) {
        const result = await spawnChild({ ...base, mode }, [], timeout);
        floors.push(result.totalMs);
        log(`  ${size} ${mode}: ${fmt(result.totalMs)} ms (${result.files} files, load ${result.loadAverage.join('/')})`);
      }
    }
    const floorMs = Math.min(...floors);
    const rows: Row[] = [];
    let heap: ChildResult = null;
    if (options.layouts.includes('heap')) {
      heap = await spawnChild({ ...base, mode: 'heap' }, bigFlags, timeout);
      log(
        `  ${size} heap: load ${fmt(heap.loadMs)} ms, heap ${fmt(heap.after.heapUsed / 1048576)} MiB, load ${heap.loadAverage.join('/')}`,
      );
      rows.push({
        layout: 'heap',
        loadMs: heap.loadMs,
        parseMs: heap.loadMs,
        buildMs: 0,
        restartMs: heap.loadMs,
        fingerprintMs: Number.NaN,
        heapBytes: heap.after.heapUsed,
        heapPerArticle: (heap.after.heapUsed - heap.before.heapUsed) / size,
        externalMb: heap.after.external / 1048576,
        rssMb: heap.after.rss / 1048576,
        rssAfterReadsMb: heap.afterReads.rss / 1048576,
        peakRssMb: heap.afterReads.maxRss / 1048576,
        diskMb: Number.NaN,
        ...heap.workloads,
        loadAverage: heap.loadAverage,
        notes: big ? `--max-old-space-size=${options.bigHeapMb}` : '',
      });
    }
    if (storeLayouts.length > 0) {
      const build = await spawnChild({ ...base, mode: 'build', layouts: storeLayouts }, bigFlags, timeout);
      log(
        `  ${size} build: load ${fmt(build.loadMs)} ms, index ${fmt(build.indexMs)} ms, fingerprint ${fmt(build.fingerprintMs)} ms, ` +
          `index blob ${fmt(build.indexBlobBytes / 1048576, 1)} MiB, writes ${JSON.stringify(build.writes)}, peak RSS ${fmt(build.maxRss / 1048576)} MiB, load ${build.loadAverage.join('/')}`,
      );
      for (const layout of storeLayouts) {
        const opens: ChildResult[] = [];
        for (let run = 0; run < options.repeats; run++) {
          const opened = await spawnChild({ ...base, mode: 'open', layout }, [], timeout);
          opens.push(opened);
          log(
            `  ${size} ${layout} restart ${run + 1}: ${fmt(opened.restartMs)} ms (fingerprint ${fmt(opened.fingerprintMs)}), heap ${fmt(opened.after.heapUsed / 1048576)} MiB, ` +
              `rss ${fmt(opened.after.rss / 1048576)}/${fmt(opened.afterReads.rss / 1048576)} MiB, read ${fmt(opened.workloads.readMicros, 2)} µs, ` +
              `hot ${fmt(opened.workloads.hotListOps)}/s, cached ${fmt(opened.workloads.hotListCachedOps)}/s, detail ${fmt(opened.workloads.detailOps)}/s, load ${opened.loadAverage.join('/')}`,
          );
        }
        const mid = (pick: (run: ChildResult) => number) => median(opens.map(pick));
        const buildMs = build.indexMs + build.fingerprintMs + build.writes[layout].writeMs;
        rows.push({
          layout,
          loadMs: build.loadMs + buildMs,
          parseMs: build.loadMs,
          buildMs,
          restartMs: mid((run) => run.restartMs),
          fingerprintMs: mid((run) => run.fingerprintMs),
          heapBytes: mid((run) => run.after.heapUsed),
          heapPerArticle: mid((run) => (run.after.heapUsed - run.before.heapUsed) / size),
          externalMb: mid((run) => run.after.external) / 1048576,
          rssMb: mid((run) => run.after.rss) / 1048576,
          rssAfterReadsMb: mid((run) => run.afterReads.rss) / 1048576,
          peakRssMb: build.maxRss / 1048576,
          diskMb: build.writes[layout].diskBytes / 1048576,
          readMicros: mid((run) => run.workloads.readMicros),
          hotListOps: mid((run) => run.workloads.hotListOps),
          hotListCachedOps: mid((run) => run.workloads.hotListCachedOps),
          detailOps: mid((run) => run.workloads.detailOps),
          loadAverage: [Math.min(...opens.map((run) => run.loadAverage[0])), Math.max(...opens.map((run) => run.loadAverage[1]))],
          notes: layout === 'sqlite' ? `mmap_size ${opens[0].mmapSize}` : '',
        });
      }
    }
    return { size, corpus, floorMs, floors, rows, heapTimings: heap?.timings ?? null };
  } finally {
    rmSync(stores, { recursive: true, force: true });
  }
}

function printSize(result: Awaited<ReturnType<typeof benchmarkSize>>): void {
  const { size, floorMs, rows } = result;
  const heap = rows.find((row) => row.layout === 'heap');
  const ratio = (value: number, of: number | undefined) => (of === undefined ? '-' : fmt(value / of, 2));
  /** A request's CPU (bench/RESULTS.md) plus this layout's extra decode time per operation: the req/s ratio it implies. */
  const projected = (ops: number, heapOps: number | undefined, cpuMs: number) =>
    heapOps === undefined ? '-' : fmt(cpuMs / (cpuMs + Math.max(0, 1000 / ops - 1000 / heapOps)), 2);
  console.log(`\n${size.toLocaleString('en-US')} articles: read floor ${fmt(floorMs)} ms\n`);
  console.log(
    markdownTable(
      [
        'layout',
        'load s (parse + build)',
        'restart s',
        'restart ÷ floor',
        'heap MB',
        'heap KB/article',
        'RSS MB (open / after reads)',
        'peak RSS MB',
        'store MB',
      ],
      rows.map((row) => [
        row.layout,
        `${fmt(row.loadMs / 1000, 1)} (${fmt(row.parseMs / 1000, 1)} + ${fmt(row.buildMs / 1000, 1)})`,
        row.layout === 'heap'
          ? `${fmt(row.restartMs / 1000, 2)} (reload)`
          : `${fmt(row.restartMs / 1000, 2)} (stat ${fmt(row.fingerprintMs / 1000, 2)})`,
        fmt(row.restartMs / floorMs, 2),
        fmt(row.heapBytes / 1048576),
        fmt(row.heapPerArticle / 1024, 2),
        `${fmt(row.rssMb)} / ${fmt(row.rssAfterReadsMb)}`,
        fmt(row.peakRssMb),
        Number.isFinite(row.diskMb) ? fmt(row.diskMb) : '-',
      ]),
    ),
  );
  console.log('');
  console.log(
    markdownTable(
      [
        'layout',
        'read+decode µs',
        'hot list ops/s',
        '× heap',
        'req/s × heap',
        'hot list cached ops/s',
        'req/s × heap',
        'detail ops/s',
        '× heap',
        'req/s × heap',
        'load avg',
        'notes',
      ],
      rows.map((row) => [
        row.layout,
        fmt(row.readMicros, 2),
        fmt(row.hotListOps),
        ratio(row.hotListOps, heap?.hotListOps),
        projected(row.hotListOps, heap?.hotListOps, HTTP_CPU_MS.hotList),
        fmt(row.hotListCachedOps),
        projected(row.hotListCachedOps, heap?.hotListOps, HTTP_CPU_MS.hotList),
        fmt(row.detailOps),
        ratio(row.detailOps, heap?.detailOps),
        projected(row.detailOps, heap?.detailOps, HTTP_CPU_MS.detail),
        row.loadAverage.map((value) => fmt(value, 2)).join('-'),
        row.notes,
      ]),
    ),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childIndex = args.indexOf('--child');
  if (childIndex !== -1) {
    const result = await runChild(JSON.parse(args[childIndex + 1]!) as ChildJob);
    process.stdout.write(`CHILD_RESULT ${JSON.stringify(result)}\n`);
    if (held.length < 0) console.log(sink);
    return;
  }
  const options = parseArguments(args);
  const started = performance.now();
  await buildCompiledLoader();
  const json: Record<string, unknown> = { node: process.version, cpus: os.cpus().length, options, loadAverageStart: os.loadavg() };
  const results = [];
  try {
    for (const size of options.sizes) {
      log(`size ${size}:`);
      const result = await benchmarkSize(options, size);
      printSize(result);
      results.push(result);
    }
  } finally {
    if (options.clean) {
      for (const size of options.sizes) {
        rmSync(path.join(options.corpora, `articles-${size}`), { recursive: true, force: true });
        rmSync(path.join(options.corpora, `articles-${size}.json`), { force: true });
      }
    }
  }
  json.results = results;
  json.loadAverageEnd = os.loadavg();
  json.seconds = round((performance.now() - started) / 1000, 1);
  console.log(`\nBENCH_STORE_LAYOUTS_JSON ${JSON.stringify(json)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
