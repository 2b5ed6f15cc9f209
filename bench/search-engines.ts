/**
 * Ranked full-text search over our articles: MiniSearch 7 (an inverted index on the heap) against
 * SQLite FTS5 through better-sqlite3 (an index in a database file), each engine and size measured
 * in a fresh child process of its own:
 *
 *   npx tsx bench/search-engines.ts [--sizes 10000,100000] [--engines minisearch,fts5,fts5-wal,fts5-content]
 *                                   [--queries 300] [--warmup 20] [--single-updates 200]
 *                                   [--batch-updates 1000] [--seed 1] [--corpora DIR] [--heap-mb 4096]
 *
 * Corpus: bench/generate.ts (seed 1), cached where bench/store-layouts.ts caches it
 * ($TMPDIR/newsgraph-store-layouts/articles-N beside its articles-N.json marker). A child loads it
 * once with our loader (src/content/load.ts compiled as bench/lib/compiled-loader.ts builds it, no
 * content store) and writes what search needs per article (slug, title, excerpt, Markdown body,
 * topic names, provider name) to search-docs-N.json beside the corpus; later runs reuse it.
 *
 * Fields and boosts: title 3, excerpt 1, body 1, topics 2, provider name 1. The engines:
 *   - minisearch: `new MiniSearch({ idField: 'slug', fields, storeFields: [] })`, addAll; its
 *     default tokenizer (splits on Unicode spaces and punctuation, lowercases) and BM25+.
 *   - fts5: a contentless table (`content=''`, `contentless_delete=1`, the default unicode61
 *     tokenizer, detail=full), rowid = position in the docs file + 1; built in one transaction with
 *     `journal_mode=OFF, synchronous=OFF`, then `optimize`; switched to WAL + synchronous=NORMAL
 *     for the updates (what a live server would run). Ranked with `ORDER BY rank LIMIT 20`, rank
 *     set to `bm25(3, 1, 1, 2, 1)`.
 *   - fts5-wal: the same table built in WAL + synchronous=NORMAL, 10,000 rows per transaction,
 *     then `optimize` and a checkpoint.
 *   - fts5-content: a normal FTS5 table (it keeps a copy of the text, so `snippet()` and
 *     `highlight()` work), built as fts5; also measures the two-word query with `snippet()`.
 *
 * Per child: build time; heap (after two forced GCs) and RSS growth over the build (the docs are
 * loaded before the first reading, so only the index counts); MiniSearch's JSON size, stringify
 * time, and the time to read the JSON back and `loadJSON` it (with the heap it then takes); FTS5's
 * file size on disk and the time to open it again and answer one query. Then the queries (the same
 * set for every engine, made by this process from the corpus' vocabulary with a fixed seed; see
 * makeQueries): `warmup` untimed, then `queries` timed per kind; top 20 by score, and the number of
 * all matches (what `totalCount` needs): MiniSearch returns every match sorted, so its count is
 * free; FTS5's is a second statement, `SELECT count(*) ... MATCH ?`, timed apart. Kinds:
 *   one, two, three   words ANDed (MiniSearch `combineWith: 'AND'`; FTS5 implicit AND)
 *   phrase            two adjacent words: FTS5 `"w1 w2"`; MiniSearch the AND query, then every
 *                     match filtered by a regular expression for the two words with only
 *                     non-letters between them, over the five fields of the docs held in memory
 *   prefix            a word and a prefix of another: MiniSearch `prefix` on the last term; FTS5 `w1 pre*`
 *   typo              one word of >= 6 letters with one edit: MiniSearch `fuzzy: 0.2` (edit
 *                     distance round(0.2 x length)); FTS5 has no typo tolerance: the terms within
 *                     that distance are found in a term list read once from fts5vocab (timed,
 *                     with its heap) and ORed; the cost of reading fts5vocab per query instead
 *                     is measured on the first 50 queries
 *   exclude           `w1 -w2`: MiniSearch `{ combineWith: 'AND_NOT', queries: [w1, w2] }`; FTS5 `w1 NOT w2`
 * Updates: `single-updates` documents replaced one at a time (MiniSearch `replace`, autoVacuum off;
 * FTS5 DELETE + INSERT of the rowid in one transaction), then `batch-updates` others in one go
 * (one FTS5 transaction), then MiniSearch's `vacuum()` of the discarded entries in one batch.
 * The last line is `BENCH_SEARCH_ENGINES_JSON {...}`.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type MiniSearchType from 'minisearch';
import type { Options as MiniSearchOptions, Query as MiniSearchQuery, SearchOptions } from 'minisearch';
import { generateCorpus } from './generate.js';
import { flagValue, positiveNumber } from './lib/args.js';
import { buildCompiledLoader, COMPILED_LOADER } from './lib/compiled-loader.js';
import { memory } from './lib/measure.js';
import { closeWorkDirectory, installExitHandlers, openWorkDirectory, spawnTracked, stopChild } from './lib/processes.js';
import { BUCKET_MIX, BUCKETS, type Bucket, COMMON_RANKS, Draw, MEDIUM_RANKS } from './lib/query-words.js';
import { fmt, markdownTable } from './lib/report.js';
import { median, quantile, round } from './lib/stats.js';

const SELF = fileURLToPath(import.meta.url);

const ENGINES = ['minisearch', 'fts5', 'fts5-wal', 'fts5-content'] as const;
type Engine = (typeof ENGINES)[number];

const KINDS = ['one', 'two', 'three', 'phrase', 'prefix', 'typo', 'exclude'] as const;
type Kind = (typeof KINDS)[number];
const KIND_LABELS: Record<Kind, string> = {
  one: 'one word',
  two: 'two words (AND)',
  three: 'three words (AND)',
  phrase: 'phrase "w1 w2"',
  prefix: 'w1 + prefix*',
  typo: 'typo (fuzzy)',
  exclude: 'w1 -w2',
};

/** The indexed fields, in FTS5 column order, with their boosts. */
const FIELDS = ['title', 'excerpt', 'body', 'topics', 'provider'] as const;
const BOOSTS: Record<(typeof FIELDS)[number], number> = { title: 3, excerpt: 1, body: 1, topics: 2, provider: 1 };
const TOP = 20;
/** Rows per transaction of the WAL build. */
const WAL_BUILD_BATCH = 10_000;
/** Typo queries whose fts5vocab scan is timed too (it reads the whole index each time). */
const VOCAB_SCAN_QUERIES = 50;
/** A word no generated article holds: what an update adds to the title, to check the updates landed. */
const UPDATE_MARK = 'zzrevised';
const SEARCH_OPTIONS_FUZZY = 0.2;
const MAX_FUZZY = 6;

/** What search needs of one article. */
interface SearchDoc {
  readonly slug: string;
  readonly title: string;
  readonly excerpt: string;
  readonly body: string | null;
  /** The topic names, joined with `, `. */
  readonly topics: string;
  readonly provider: string;
}

interface DocsFile {
  /** The corpus marker's text the docs were extracted from. */
  readonly marker: string;
  readonly extractMs: number;
  readonly docs: SearchDoc[];
}

/** One query, engine-neutral: words lowercased, letters a-z only. */
interface SearchQuery {
  readonly kind: Kind;
  /** one: [w]; two/three: words; phrase: [w1, w2] adjacent; prefix: [w1, prefix]; typo: [misspelt]; exclude: [w1, w2] (w2 excluded). */
  readonly words: readonly string[];
  /** Document frequency of each query word (prefix: of the word cut; typo: of the word misspelt). */
  readonly df: readonly number[];
  /** typo: the word before the edit. */
  readonly source?: string;
}

type QuerySets = Record<Kind, SearchQuery[]>;

// ---------------------------------------------------------------------------------------------
// Tokens and edit distance (shared by the query maker and FTS5's typo scan)
// ---------------------------------------------------------------------------------------------

const NON_WORD = /[^\p{L}\p{N}]+/u;
/** What a query word may be: lowercase ASCII letters, so that both tokenizers read it alike. */
const QUERY_WORD = /^[a-z]{2,}$/;

function tokens(text: string): string[] {
  return text.toLowerCase().split(NON_WORD).filter(Boolean);
}

function textsOf(doc: SearchDoc): string[] {
  return [doc.title, doc.excerpt, doc.body ?? '', doc.topics, doc.provider];
}

/** Whether the Levenshtein distance of `a` and `b` is at most `max` (two rows, early exit). */
function withinDistance(a: string, b: string, max: number, rows: [Int32Array, Int32Array]): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let [previous, current] = rows;
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return false;
    [previous, current] = [current, previous];
  }
  return previous[b.length]! <= max;
}

/** MiniSearch's edit-distance budget for a term under `fuzzy: 0.2`. */
const fuzzyDistance = (term: string) => Math.min(MAX_FUZZY, Math.round(term.length * SEARCH_OPTIONS_FUZZY));

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

interface Vocabulary {
  readonly df: Map<string, number>;
  readonly bucketOf: Map<string, Bucket>;
  readonly buckets: Record<Bucket, string[]>;
  /** Distinct tokens of every kind (numbers, accented words too). */
  readonly terms: number;
  /** df range of each bucket. */
  readonly ranges: Record<Bucket, { readonly words: number; readonly maxDf: number; readonly minDf: number }>;
}

function vocabularyOf(docs: readonly SearchDoc[]): Vocabulary {
  const df = new Map<string, number>();
  for (const doc of docs) {
    const seen = new Set<string>();
    for (const text of textsOf(doc)) for (const token of tokens(text)) seen.add(token);
    for (const token of seen) df.set(token, (df.get(token) ?? 0) + 1);
  }
  const ranked = [...df.keys()].filter((term) => QUERY_WORD.test(term)).sort((a, b) => df.get(b)! - df.get(a)! || (a < b ? -1 : 1));
  const buckets: Record<Bucket, string[]> = {
    common: ranked.slice(0, COMMON_RANKS),
    medium: ranked.slice(COMMON_RANKS, MEDIUM_RANKS),
    rare: ranked.slice(MEDIUM_RANKS),
  };
  const bucketOf = new Map<string, Bucket>();
  for (const bucket of BUCKETS) for (const word of buckets[bucket]) bucketOf.set(word, bucket);
  const range = (words: string[]) => ({ words: words.length, maxDf: df.get(words[0]!) ?? 0, minDf: df.get(words[words.length - 1]!) ?? 0 });
  return {
    df,
    bucketOf,
    buckets,
    terms: df.size,
    ranges: { common: range(buckets.common), medium: range(buckets.medium), rare: range(buckets.rare) },
  };
}

/**
 * The query sets, `count` per kind (the first `warmup` of them untimed): words are drawn from
 * buckets of the corpus' own query words ranked by document frequency (common: the top 100, medium:
 * ranks 100-2,999, rare: the rest), each word's bucket drawn 30/40/30 %. Words of multi-word queries
 * come from one random article (so that an AND has at least that article to find), a phrase is two
 * adjacent words of a random article's title, excerpt or body.
 */
function makeQueries(docs: readonly SearchDoc[], vocabulary: Vocabulary, count: number, seed: number): QuerySets {
  const draw = new Draw(seed ^ 0x5ea2c4);
  const { df, bucketOf, buckets } = vocabulary;
  const wordsOfDoc = (doc: SearchDoc) => {
    const words = new Set<string>();
    for (const text of textsOf(doc)) for (const token of tokens(text)) if (bucketOf.has(token)) words.add(token);
    return [...words];
  };
  /** `n` distinct words of one random article, each from a drawn bucket where the article has one; `accept` filters the last. */
  const cooccurring = (n: number, accept: (word: string) => boolean = () => true): string[] => {
    for (;;) {
      const words = wordsOfDoc(draw.pick(docs));
      const chosen: string[] = [];
      for (let slot = 0; slot < n; slot++) {
        const fits = words.filter((word) => !chosen.includes(word) && (slot < n - 1 || accept(word)));
        if (fits.length === 0) break;
        const bucket = draw.bucket();
        const inBucket = fits.filter((word) => bucketOf.get(word) === bucket);
        chosen.push(draw.pick(inBucket.length > 0 ? inBucket : fits));
      }
      if (chosen.length === n) return chosen;
    }
  };
  const all = new Set(df.keys());
  const make: Record<Kind, () => SearchQuery> = {
    one: () => {
      const word = draw.pick(buckets[draw.bucket()]);
      return { kind: 'one', words: [word], df: [df.get(word)!] };
    },
    two: () => {
      const words = cooccurring(2);
      return { kind: 'two', words, df: words.map((word) => df.get(word)!) };
    },
    three: () => {
      const words = cooccurring(3);
      return { kind: 'three', words, df: words.map((word) => df.get(word)!) };
    },
    phrase: () => {
      for (;;) {
        const doc = draw.pick(docs);
        const field = draw.pick([doc.title, doc.excerpt, ...(doc.body === null ? [] : [doc.body])]);
        const list = tokens(field);
        const pairs: [string, string][] = [];
        for (let i = 0; i + 1 < list.length; i++) {
          const [a, b] = [list[i]!, list[i + 1]!];
          if (a !== b && bucketOf.has(a) && bucketOf.has(b)) pairs.push([a, b]);
        }
        if (pairs.length === 0) continue;
        const words = draw.pick(pairs);
        return { kind: 'phrase', words, df: words.map((word) => df.get(word)!) };
      }
    },
    prefix: () => {
      const [first, whole] = cooccurring(2, (word) => word.length >= 5) as [string, string];
      const cut = whole.slice(0, draw.int(3, Math.min(5, whole.length - 1)));
      return { kind: 'prefix', words: [first, cut], df: [df.get(first)!, df.get(whole)!] };
    },
    typo: () => {
      for (;;) {
        const long = buckets[draw.bucket()].filter((word) => word.length >= 6);
        if (long.length === 0) continue;
        const source = draw.pick(long);
        const at = draw.int(0, source.length - 1);
        const letter = String.fromCharCode(97 + draw.int(0, 25));
        const operation = draw.int(0, 2);
        const typo =
          operation === 0
            ? source.slice(0, at) + letter + source.slice(at + 1)
            : operation === 1
              ? source.slice(0, at) + source.slice(at + 1)
              : source.slice(0, at) + letter + source.slice(at);
        if (typo === source || typo.length < 5 || all.has(typo)) continue;
        return { kind: 'typo', words: [typo], df: [df.get(source)!], source };
      }
    },
    exclude: () => {
      const words = cooccurring(2);
      return { kind: 'exclude', words, df: words.map((word) => df.get(word)!) };
    },
  };
  const sets = {} as QuerySets;
  for (const kind of KINDS) sets[kind] = Array.from({ length: count }, make[kind]);
  return sets;
}

// ---------------------------------------------------------------------------------------------
// Child: one engine
// ---------------------------------------------------------------------------------------------

interface ChildJob {
  readonly mode: 'extract' | 'engine';
  /** Where the child writes its result as JSON (a file, not stdout: a result line of a few hundred KB came back corrupted through the pipe). */
  readonly resultFile: string;
  readonly engine?: Engine;
  /** extract: the corpus folder and its marker's text. */
  readonly corpus?: string;
  readonly marker?: string;
  readonly docsFile: string;
  readonly queriesFile?: string;
  /** Where the child may write (the database, MiniSearch's JSON). */
  readonly work?: string;
  readonly warmup?: number;
  readonly singleUpdates?: number;
  readonly batchUpdates?: number;
  readonly seed?: number;
}

/** Latencies of one kind, in ms. */
interface KindTiming {
  readonly top: { p50: number; p99: number; mean: number };
  /** FTS5: the count statement alone; MiniSearch: null (the count comes with the results). */
  readonly count: { p50: number; p99: number; mean: number } | null;
  /** Per query: top 20 plus the count. */
  readonly total: { p50: number; p99: number; mean: number };
  /** Per timed query: top 20 plus the count, ms. */
  readonly times: number[];
  /** Matches per timed query. */
  readonly hits: number[];
  /** Top ids (positions in the docs file) per timed query. */
  readonly topIds: number[][];
  readonly extra?: Record<string, unknown>;
}

interface EngineResult {
  readonly engine: Engine;
  readonly docs: number;
  readonly buildMs: number;
  /** CPU time of the build (user + system, all threads): what the build costs when other work shares the cores. */
  readonly buildCpuMs: number;
  readonly buildSteps: Record<string, number>;
  readonly heapGrowthBytes: number;
  readonly rssGrowthBytes: number;
  readonly externalGrowthBytes: number;
  /** RSS growth from before the build to after the queries and updates. */
  readonly rssGrowthAfterQueriesBytes: number;
  readonly terms: number;
  readonly kinds: Record<Kind, KindTiming>;
  readonly snippet: { p50: number; p99: number; mean: number } | null;
  readonly updates: { singleP50: number; singleP99: number; batchMs: number; batchCount: number; vacuumMs: number | null; marked: number };
  /** MiniSearch: JSON bytes, stringify ms, read + loadJSON ms, heap of the loaded index. FTS5: file bytes, reopen + first query ms. */
  readonly persisted: Record<string, number>;
  readonly info: Record<string, unknown>;
  readonly maxRssBytes: number;
}

const held: unknown[] = [];

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

const spread = (values: readonly number[]) => ({
  p50: quantile(values, 0.5),
  p99: quantile(values, 0.99),
  mean: values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length),
});

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The docs, from the corpus loaded by our own loader (no content store), in source-path order. */
async function extractDocs(job: ChildJob): Promise<Record<string, unknown>> {
  const { loadCorpus } = (await import(pathToFileURL(COMPILED_LOADER).href)) as typeof import('../src/content/load.js');
  const started = performance.now();
  const { corpus } = await loadCorpus(job.corpus!);
  const loadMs = performance.now() - started;
  const view = corpus.preview;
  const articles = [...view.articles].sort((a, b) => (a.sourcePath < b.sourcePath ? -1 : a.sourcePath > b.sourcePath ? 1 : 0));
  const slugs = new Set(articles.map((article) => article.slug));
  if (slugs.size !== articles.length) throw new Error(`slugs are not unique: ${articles.length - slugs.size} repeated`);
  const docs: SearchDoc[] = articles.map((article) => ({
    slug: article.slug,
    title: article.title,
    excerpt: article.excerpt ?? '',
    body: article.body,
    topics: article.topics.map((topic) => topic.name).join(', '),
    provider: article.provider === null ? '' : (view.providerByDomain(article.provider.domain)?.name ?? article.provider.domain),
  }));
  const file: DocsFile = { marker: job.marker!, extractMs: loadMs, docs };
  writeFileSync(job.docsFile, JSON.stringify(file));
  return { docs: docs.length, loadMs, withBody: docs.filter((doc) => doc.body !== null).length };
}

/** One engine behind a common face, built and queried by runEngine. */
interface Subject {
  build(docs: readonly SearchDoc[]): Record<string, number>;
  /** What the queries need besides the index, after the memory of the build was read. */
  afterBuild?(): void;
  terms(): number;
  /** Top ids (positions in docs) and the count of all matches; `timing` gets the ms of each part. */
  run(query: SearchQuery, timing: { top: number; count: number }): { ids: number[]; count: number };
  replace(doc: SearchDoc, position: number): void;
  replaceMany(docs: readonly { doc: SearchDoc; position: number }[]): void;
  afterUpdates(): Promise<{ vacuumMs: number | null }>;
  /** How many documents hold UPDATE_MARK. */
  marked(): number;
  persist(): Promise<Record<string, number>>;
  snippet?(query: SearchQuery): void;
  info: Record<string, unknown>;
}

async function miniSearchSubject(docs: readonly SearchDoc[], work: string): Promise<Subject> {
  const { default: MiniSearch } = await import('minisearch');
  const positions = new Map<string, number>(docs.map((doc, position) => [doc.slug, position]));
  const options: MiniSearchOptions<SearchDoc> = {
    idField: 'slug',
    fields: [...FIELDS],
    storeFields: [],
    autoVacuum: false,
    searchOptions: { boost: { title: BOOSTS.title, topics: BOOSTS.topics } },
  };
  let index: MiniSearchType<SearchDoc> | null = new MiniSearch<SearchDoc>(options);
  const current = () => index!;
  const search = (query: MiniSearchQuery, searchOptions?: SearchOptions) => current().search(query, searchOptions);
  const phraseFilter = (words: readonly string[]) => {
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${words.join('[^\\p{L}\\p{N}]+')}(?![\\p{L}\\p{N}])`, 'iu');
    return (slug: string) => textsOf(docs[positions.get(slug)!]!).some((text) => pattern.test(text));
  };
  const subject: Subject = {
    info: {},
    build(all) {
      current().addAll(all);
      return {};
    },
    terms: () => current().termCount,
    run(query, timing) {
      const started = performance.now();
      let results: { id: string }[];
      switch (query.kind) {
        case 'one':
        case 'two':
        case 'three':
          results = search(query.words.join(' '), { combineWith: 'AND' });
          break;
        case 'phrase': {
          const keep = phraseFilter(query.words);
          results = search(query.words.join(' '), { combineWith: 'AND' }).filter((result) => keep(result.id));
          break;
        }
        case 'prefix':
          results = search(query.words.join(' '), { combineWith: 'AND', prefix: (_term, i, terms) => i === terms.length - 1 });
          break;
        case 'typo':
          results = search(query.words[0]!, { fuzzy: SEARCH_OPTIONS_FUZZY, maxFuzzy: MAX_FUZZY });
          break;
        case 'exclude':
          results = search({ combineWith: 'AND_NOT', queries: [query.words[0]!, query.words[1]!] });
          break;
      }
      const ids = results.slice(0, TOP).map((result) => positions.get(result.id)!);
      timing.top = performance.now() - started;
      timing.count = 0;
      return { ids, count: results.length };
    },
    replace(doc) {
      current().replace(doc);
    },
    replaceMany(list) {
      for (const { doc } of list) current().replace(doc);
    },
    async afterUpdates() {
      const dirt = current().dirtCount;
      const started = performance.now();
      await current().vacuum({ batchSize: Number.MAX_SAFE_INTEGER, batchWait: 0 });
      const vacuumMs = performance.now() - started;
      log(`    vacuum of ${dirt} discarded documents: ${fmt(vacuumMs)} ms`);
      return { vacuumMs };
    },
    marked: () => current().search(UPDATE_MARK).length,
    async persist() {
      const probe = { kind: 'two', words: ['the', 'and'], df: [] } as const satisfies SearchQuery;
      const timing = { top: 0, count: 0 };
      const expected = subject.run(probe, timing).count;
      let started = performance.now();
      let json: string | null = JSON.stringify(current());
      const stringifyMs = performance.now() - started;
      const jsonBytes = Buffer.byteLength(json);
      const file = path.join(work, 'minisearch.json');
      writeFileSync(file, json);
      json = null;
      index = null;
      const before = memory();
      started = performance.now();
      json = readFileSync(file, 'utf8');
      index = MiniSearch.loadJSON<SearchDoc>(json, options);
      const loadMs = performance.now() - started;
      json = null;
      const after = memory();
      if (subject.run(probe, timing).count !== expected) throw new Error('minisearch: the reloaded index answers differently');
      rmSync(file, { force: true });
      return { jsonBytes, stringifyMs, loadMs, loadedHeapBytes: after.heapUsed - before.heapUsed, loadedRssBytes: after.rss - before.rss };
    },
  };
  return subject;
}

async function fts5Subject(engine: Exclude<Engine, 'minisearch'>, work: string): Promise<Subject> {
  const { default: Database } = await import('better-sqlite3');
  const file = path.join(work, `${engine}.db`);
  rmSync(file, { force: true });
  let db: SqliteDatabase = new Database(file);
  const contentless = engine !== 'fts5-content';
  const bulkWal = engine === 'fts5-wal';
  const info: Record<string, unknown> = {
    sqliteVersion: db.prepare('SELECT sqlite_version()').pluck().get(),
    fts5CompileOption: db.prepare("SELECT sqlite_compileoption_used('ENABLE_FTS5')").pluck().get(),
    cacheSizePragma: db.pragma('cache_size', { simple: true }),
    table: contentless ? "content='', contentless_delete=1" : 'content stored in the FTS5 table',
    build: bulkWal
      ? `journal_mode=WAL, synchronous=NORMAL, ${WAL_BUILD_BATCH} rows per transaction`
      : 'journal_mode=OFF, synchronous=OFF, one transaction',
  };
  if (bulkWal) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  } else {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
  }
  db.exec(`CREATE VIRTUAL TABLE t USING fts5(${FIELDS.join(', ')}${contentless ? ", content='', contentless_delete=1" : ''})`);
  db.prepare("INSERT INTO t(t, rank) VALUES('rank', ?)").run(`bm25(${FIELDS.map((field) => BOOSTS[field].toFixed(1)).join(', ')})`);
  const columns = `rowid, ${FIELDS.join(', ')}`;
  const placeholders = FIELDS.map(() => '?').join(', ');
  let insert = db.prepare(`INSERT INTO t(${columns}) VALUES (?, ${placeholders})`);
  let remove = db.prepare('DELETE FROM t WHERE rowid = ?');
  const row = (doc: SearchDoc, position: number) => [position + 1, doc.title, doc.excerpt, doc.body, doc.topics, doc.provider];
  let statements = prepareQueries(db);
  let vocabulary: string[] = [];
  const rows: [Int32Array, Int32Array] = [new Int32Array(64), new Int32Array(64)];
  const quote = (term: string) => `"${term.replace(/"/g, '""')}"`;
  const near = (typo: string, terms: readonly string[]) => {
    const max = fuzzyDistance(typo);
    return terms.filter((term) => withinDistance(typo, term, max, rows));
  };
  const matchOf = (query: SearchQuery): string | null => {
    const [first, second] = query.words as [string, string];
    switch (query.kind) {
      case 'one':
      case 'two':
      case 'three':
        return query.words.map(quote).join(' ');
      case 'phrase':
        return quote(query.words.join(' '));
      case 'prefix':
        return `${quote(first)} ${quote(second)}*`;
      case 'exclude':
        return `${quote(first)} NOT ${quote(second)}`;
      case 'typo': {
        const found = near(first, vocabulary);
        return found.length === 0 ? null : found.map(quote).join(' OR ');
      }
    }
  };
  const vocabularyScanMs: number[] = [];
  let typoQueries = 0;
  const subject: Subject = {
    info,
    build(docs) {
      let started = performance.now();
      const load = db.transaction((from: number, to: number) => {
        for (let position = from; position < to; position++) insert.run(...row(docs[position]!, position));
      });
      const batch = bulkWal ? WAL_BUILD_BATCH : docs.length;
      for (let from = 0; from < docs.length; from += batch) load(from, Math.min(docs.length, from + batch));
      const insertMs = performance.now() - started;
      started = performance.now();
      db.prepare("INSERT INTO t(t) VALUES('optimize')").run();
      const optimizeMs = performance.now() - started;
      started = performance.now();
      if (bulkWal) db.pragma('wal_checkpoint(TRUNCATE)');
      const checkpointMs = performance.now() - started;
      // The live server's settings from here on (updates).
      if (!bulkWal) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      info.fileBytesAfterBuild = fileBytes(file);
      return { insertMs, optimizeMs, ...(bulkWal ? { checkpointMs } : {}) };
    },
    afterBuild() {
      // The term list the typo queries scan, read once from fts5vocab (not part of the build).
      const before = memory();
      const started = performance.now();
      vocabulary = statements.vocabulary.all() as string[];
      info.vocabularyLoadMs = performance.now() - started;
      info.vocabularyHeapBytes = memory().heapUsed - before.heapUsed;
    },
    terms: () => vocabulary.length,
    run(query, timing) {
      let started = performance.now();
      if (query.kind === 'typo' && typoQueries++ < VOCAB_SCAN_QUERIES) {
        // The alternative to a term list kept in memory: read fts5vocab for every typo query.
        const scanStarted = performance.now();
        const terms = statements.vocabulary.all() as string[];
        near(query.words[0]!, terms);
        vocabularyScanMs.push(performance.now() - scanStarted);
        started = performance.now();
      }
      const match = matchOf(query);
      if (match === null) {
        timing.top = performance.now() - started;
        timing.count = 0;
        return { ids: [], count: 0 };
      }
      const ids = (statements.top.all(match) as number[]).map((rowid) => rowid - 1);
      timing.top = performance.now() - started;
      started = performance.now();
      const count = statements.count.get(match) as number;
      timing.count = performance.now() - started;
      return { ids, count };
    },
    replace(doc, position) {
      db.transaction(() => {
        remove.run(position + 1);
        insert.run(...row(doc, position));
      })();
    },
    replaceMany(list) {
      db.transaction(() => {
        for (const { doc, position } of list) {
          remove.run(position + 1);
          insert.run(...row(doc, position));
        }
      })();
    },
    afterUpdates: async () => ({ vacuumMs: null }),
    marked: () => statements.count.get(quote(UPDATE_MARK)) as number,
    async persist() {
      info.vocabularyScan = { queries: vocabularyScanMs.length, ...spread(vocabularyScanMs) };
      db.pragma('wal_checkpoint(TRUNCATE)');
      const bytes = fileBytes(file);
      db.close();
      const started = performance.now();
      db = new Database(file, { fileMustExist: true });
      statements = prepareQueries(db);
      const first = (statements.top.all('"the" "and"') as number[]).length;
      const reopenMs = performance.now() - started;
      if (first === 0) throw new Error(`${engine}: the reopened database finds nothing`);
      insert = db.prepare(`INSERT INTO t(${columns}) VALUES (?, ${placeholders})`);
      remove = db.prepare('DELETE FROM t WHERE rowid = ?');
      held.push(db);
      return { fileBytes: bytes, reopenMs };
    },
  };
  if (!contentless) {
    const snippet = db.prepare(`SELECT rowid, snippet(t, -1, '<b>', '</b>', '…', 12) FROM t WHERE t MATCH ? ORDER BY rank LIMIT ${TOP}`);
    subject.snippet = (query) => {
      snippet.all(matchOf(query));
    };
  }
  return subject;
}

function prepareQueries(db: SqliteDatabase) {
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocabulary USING fts5vocab(main, 't', 'row')");
  return {
    top: db.prepare(`SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT ${TOP}`).pluck(),
    count: db.prepare('SELECT count(*) FROM t WHERE t MATCH ?').pluck(),
    vocabulary: db.prepare('SELECT term FROM temp.vocabulary').pluck(),
  };
}

/** Bytes of a database file and its -wal file (allocated blocks). */
function fileBytes(file: string): number {
  let bytes = 0;
  for (const name of [file, `${file}-wal`]) if (existsSync(name)) bytes += statSync(name).blocks * 512;
  return bytes;
}

/** A document as a live edit leaves it: the title changed. */
const edited = (doc: SearchDoc): SearchDoc => ({ ...doc, title: `${doc.title} ${UPDATE_MARK}` });

async function runEngine(job: ChildJob): Promise<EngineResult> {
  const engine = job.engine!;
  const { docs } = readJson<DocsFile>(job.docsFile);
  const queries = readJson<QuerySets>(job.queriesFile!);
  const warmup = job.warmup!;
  held.push(docs, queries);
  const subject = engine === 'minisearch' ? await miniSearchSubject(docs, job.work!) : await fts5Subject(engine, job.work!);

  const before = memory();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const buildSteps = subject.build(docs);
  const buildMs = performance.now() - started;
  const buildCpu = process.cpuUsage(cpu);
  const buildCpuMs = (buildCpu.user + buildCpu.system) / 1000;
  const after = memory();
  log(
    `    built in ${fmt(buildMs)} ms (CPU ${fmt(buildCpuMs)} ms) ${JSON.stringify(buildSteps)}, heap +${fmt((after.heapUsed - before.heapUsed) / 1048576, 1)} MB, ` +
      `RSS +${fmt((after.rss - before.rss) / 1048576, 1)} MB`,
  );
  subject.afterBuild?.();

  const kinds = {} as Record<Kind, KindTiming>;
  for (const kind of KINDS) {
    const list = queries[kind];
    const timing = { top: 0, count: 0 };
    for (const query of list.slice(0, warmup)) subject.run(query, timing);
    const tops: number[] = [];
    const counts: number[] = [];
    const totals: number[] = [];
    const hits: number[] = [];
    const topIds: number[][] = [];
    for (const query of list.slice(warmup)) {
      const result = subject.run(query, timing);
      tops.push(timing.top);
      counts.push(timing.count);
      totals.push(timing.top + timing.count);
      hits.push(result.count);
      topIds.push(result.ids);
    }
    kinds[kind] = {
      top: spread(tops),
      count: engine === 'minisearch' ? null : spread(counts),
      total: spread(totals),
      times: totals,
      hits,
      topIds,
    };
    log(`    ${kind}: p50 ${fmt(kinds[kind].total.p50, 2)} ms, p99 ${fmt(kinds[kind].total.p99, 2)} ms, median hits ${median(hits)}`);
  }
  let snippet: EngineResult['snippet'] = null;
  if (subject.snippet !== undefined) {
    const times: number[] = [];
    for (const query of queries.two.slice(0, warmup)) subject.snippet(query);
    for (const query of queries.two.slice(warmup)) {
      const at = performance.now();
      subject.snippet(query);
      times.push(performance.now() - at);
    }
    snippet = spread(times);
  }

  // Updates: distinct documents, a fixed random order.
  const draw = new Draw((job.seed ?? 1) ^ 0x0bda7e);
  const order = Array.from(docs.keys());
  for (let i = order.length - 1; i > 0; i--) {
    const j = draw.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const singles = order.slice(0, job.singleUpdates!);
  const batch = order.slice(singles.length, singles.length + job.batchUpdates!);
  const singleTimes: number[] = [];
  for (const position of singles) {
    const doc = edited(docs[position]!);
    const at = performance.now();
    subject.replace(doc, position);
    singleTimes.push(performance.now() - at);
  }
  const batchDocs = batch.map((position) => ({ doc: edited(docs[position]!), position }));
  const batchStarted = performance.now();
  subject.replaceMany(batchDocs);
  const batchMs = performance.now() - batchStarted;
  const { vacuumMs } = await subject.afterUpdates();
  const marked = subject.marked();
  if (marked !== singles.length + batch.length)
    throw new Error(`${engine}: ${marked} documents hold the update mark, not ${singles.length + batch.length}`);
  const updates = {
    singleP50: quantile(singleTimes, 0.5),
    singleP99: quantile(singleTimes, 0.99),
    batchMs,
    batchCount: batch.length,
    vacuumMs,
    marked,
  };
  log(`    updates: one p50 ${fmt(updates.singleP50, 2)} ms, ${batch.length} in ${fmt(batchMs)} ms`);
  const afterQueries = memory();
  const persisted = await subject.persist();
  log(`    persisted: ${JSON.stringify(persisted)}`);
  return {
    engine,
    docs: docs.length,
    buildMs,
    buildCpuMs,
    buildSteps,
    heapGrowthBytes: after.heapUsed - before.heapUsed,
    rssGrowthBytes: after.rss - before.rss,
    externalGrowthBytes: after.external - before.external,
    rssGrowthAfterQueriesBytes: afterQueries.rss - before.rss,
    terms: subject.terms(),
    kinds,
    snippet,
    updates,
    persisted,
    info: subject.info,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

// ---------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------

interface Options {
  readonly sizes: number[];
  readonly engines: Engine[];
  readonly queries: number;
  readonly warmup: number;
  readonly singleUpdates: number;
  readonly batchUpdates: number;
  readonly seed: number;
  readonly corpora: string;
  readonly heapMb: number;
}

function parseArguments(args: readonly string[]): Options {
  const value = (name: string) => flagValue(args, name);
  const count = (name: string, fallback: string) => positiveNumber(value(name) ?? fallback, name);
  const engines = (value('--engines') ?? ENGINES.join(',')).split(',') as Engine[];
  for (const engine of engines) if (!ENGINES.includes(engine)) throw new Error(`--engines: unknown engine ${engine}`);
  return {
    sizes: (value('--sizes') ?? '10000,100000').split(',').map((size) => positiveNumber(size, '--sizes')),
    engines,
    queries: count('--queries', '300'),
    warmup: count('--warmup', '20'),
    singleUpdates: count('--single-updates', '200'),
    batchUpdates: count('--batch-updates', '1000'),
    seed: Number(value('--seed') ?? '1'),
    corpora: path.resolve(value('--corpora') ?? path.join(os.tmpdir(), 'newsgraph-store-layouts')),
    heapMb: count('--heap-mb', '4096'),
  };
}

/** The cached corpus of `size` articles (generated on first use, as bench/store-layouts.ts does): its folder and its marker's text. */
async function ensureCorpus(options: Options, size: number): Promise<{ directory: string; markerText: string }> {
  const directory = path.join(options.corpora, `articles-${size}`);
  const marker = `${directory}.json`;
  if (existsSync(marker) && existsSync(directory)) {
    const markerText = readFileSync(marker, 'utf8');
    const generated = JSON.parse(markerText) as { articles: number; seed: number };
    if (generated.articles === size && generated.seed === options.seed) return { directory, markerText };
  }
  rmSync(directory, { recursive: true, force: true });
  rmSync(marker, { force: true });
  mkdirSync(options.corpora, { recursive: true });
  log(`  generating ${size} articles into ${directory} ...`);
  const generated = await generateCorpus({ directory, articles: size, seed: options.seed });
  const markerText = JSON.stringify({ articles: size, seed: options.seed, ...generated });
  writeFileSync(marker, markerText);
  return { directory, markerText };
}

/** Runs `node --expose-gc --import tsx SELF --child JOB`; resolves with its result line, its wall time and exit. */
async function spawnChild<T>(
  job: Omit<ChildJob, 'resultFile'>,
  options: Options,
  label: string,
  work: string,
): Promise<{ result: T; wallMs: number; loadAverage: number[] }> {
  const resultFile = path.join(work, `result-${label}.json`);
  rmSync(resultFile, { force: true });
  const loadBefore = round(os.loadavg()[0]!, 2);
  const started = performance.now();
  const child: ChildProcess = spawnTracked(
    ['--expose-gc', `--max-old-space-size=${options.heapMb}`, '--import', 'tsx'],
    SELF,
    ['--child', JSON.stringify({ ...job, resultFile })],
    process.env,
  );
  child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const timer = setTimeout(() => void stopChild(child, 5_000), 90 * 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  if (code !== 0 || !existsSync(resultFile)) throw new Error(`${label}: the child exited with ${code} and wrote no result`);
  const result = readJson<T>(resultFile);
  rmSync(resultFile, { force: true });
  return { result, wallMs: performance.now() - started, loadAverage: [loadBefore, round(os.loadavg()[0]!, 2)] };
}

async function ensureDocs(options: Options, size: number, work: string): Promise<{ file: string; docs: SearchDoc[]; extractMs: number }> {
  const corpus = await ensureCorpus(options, size);
  const file = path.join(options.corpora, `search-docs-${size}.json`);
  if (existsSync(file)) {
    const cached = readJson<DocsFile>(file);
    if (cached.marker === corpus.markerText) return { file, docs: cached.docs, extractMs: cached.extractMs };
  }
  log(`  extracting the search text of ${size} articles with the loader ...`);
  await spawnChild({ mode: 'extract', corpus: corpus.directory, marker: corpus.markerText, docsFile: file }, options, 'extract', work);
  const extracted = readJson<DocsFile>(file);
  return { file, docs: extracted.docs, extractMs: extracted.extractMs };
}

interface SizeResult {
  readonly size: number;
  readonly withBody: number;
  readonly vocabulary: { terms: number; ranges: Vocabulary['ranges'] };
  readonly queryDf: Record<Kind, number>;
  readonly results: (EngineResult & { wallMs: number; loadAverage: number[] })[];
  /** The bucket and df of each timed one-word query's word. */
  readonly oneWordBuckets: Bucket[];
  readonly oneWordDf: number[];
}

const mb = (bytes: number) => bytes / 1048576;
const kbPer = (bytes: number, docs: number) => bytes / 1024 / docs;
const pair = (a: number, b: number, digits = 2) => `${fmt(a, digits)} / ${fmt(b, digits)}`;

/** Share of queries whose match counts agree, and the mean share of top-20 ids two engines have in common. */
function agreement(a: KindTiming, b: KindTiming): { counts: number; top: number } {
  let sameCount = 0;
  let overlap = 0;
  for (let i = 0; i < a.hits.length; i++) {
    if (a.hits[i] === b.hits[i]) sameCount++;
    const left = a.topIds[i]!;
    const right = new Set(b.topIds[i]!);
    const common = left.filter((id) => right.has(id)).length;
    overlap += Math.max(left.length, right.size) === 0 ? 1 : common / Math.max(left.length, right.size);
  }
  return { counts: sameCount / a.hits.length, top: overlap / a.hits.length };
}

function printSize(result: SizeResult): void {
  const { size, results } = result;
  const byEngine = new Map(results.map((row) => [row.engine, row]));
  const mini = byEngine.get('minisearch');
  const fts = byEngine.get('fts5');
  console.log(`\n### ${size.toLocaleString('en-US')} articles (${result.withBody.toLocaleString('en-US')} with a body)\n`);
  console.log(
    markdownTable(
      [
        'engine',
        'build ms (CPU ms)',
        'heap MB (KB/article)',
        'RSS growth MB (KB/article)',
        'persisted MB',
        'restart ms',
        'terms',
        'peak RSS MB',
        'child s',
        'load avg',
      ],
      results.map((row) => {
        const persistedBytes = row.engine === 'minisearch' ? row.persisted.jsonBytes! : row.persisted.fileBytes!;
        const restart =
          row.engine === 'minisearch'
            ? `${fmt(row.persisted.loadMs!)} (loadJSON; heap ${fmt(mb(row.persisted.loadedHeapBytes!))} MB)`
            : `${fmt(row.persisted.reopenMs!, 1)} (open + 1 query)`;
        return [
          row.engine,
          `${fmt(row.buildMs)} (${fmt(row.buildCpuMs)})${row.engine === 'minisearch' ? '' : `, optimize ${fmt(row.buildSteps.optimizeMs!)}`}`,
          `${fmt(mb(row.heapGrowthBytes), 1)} (${fmt(kbPer(row.heapGrowthBytes, row.docs), 2)})`,
          `${fmt(mb(row.rssGrowthBytes), 1)} (${fmt(kbPer(row.rssGrowthBytes, row.docs), 2)})`,
          `${fmt(mb(persistedBytes), 1)} ${row.engine === 'minisearch' ? 'JSON' : 'file'}`,
          restart,
          row.terms.toLocaleString('en-US'),
          fmt(mb(row.maxRssBytes)),
          fmt(row.wallMs / 1000, 1),
          row.loadAverage.join('-'),
        ];
      }),
    ),
  );
  console.log('\nQuery latency, top 20 and the count of all matches, p50 / p99 ms:\n');
  const headers = ['query', 'median df', 'hits median / p90', ...results.map((row) => row.engine)];
  if (mini && fts) headers.push('p99 fts5 ÷ minisearch');
  console.log(
    markdownTable(headers, [
      ...KINDS.map((kind) => {
        const hits = (mini ?? results[0]!).kinds[kind].hits;
        const cells = [
          KIND_LABELS[kind],
          fmt(result.queryDf[kind]),
          `${fmt(median(hits))} / ${fmt(quantile(hits, 0.9))}`,
          ...results.map((row) => pair(row.kinds[kind].total.p50, row.kinds[kind].total.p99)),
        ];
        if (mini && fts) cells.push(fmt(fts.kinds[kind].total.p99 / mini.kinds[kind].total.p99, 2));
        return cells;
      }),
      ...BUCKETS.map((bucket) => {
        const pick = (values: readonly number[]) => values.filter((_, i) => result.oneWordBuckets[i] === bucket);
        const hits = pick((mini ?? results[0]!).kinds.one.hits);
        const times = (row: EngineResult) => pick(row.kinds.one.times);
        const cells = [
          `one word, ${bucket} (${hits.length} queries)`,
          fmt(median(pick(result.oneWordDf))),
          `${fmt(median(hits))} / ${fmt(quantile(hits, 0.9))}`,
          ...results.map((row) => pair(quantile(times(row), 0.5), quantile(times(row), 0.99))),
        ];
        if (mini && fts) cells.push(fmt(quantile(times(fts), 0.99) / quantile(times(mini), 0.99), 2));
        return cells;
      }),
    ]),
  );
  const ftsRows = results.filter((row) => row.engine !== 'minisearch');
  if (ftsRows.length > 0) {
    console.log('\nFTS5 split, p50 / p99 ms: top 20 (`ORDER BY rank LIMIT 20`) | `count(*)` alone:\n');
    console.log(
      markdownTable(
        ['query', ...ftsRows.flatMap((row) => [`${row.engine} top 20`, `${row.engine} count`])],
        KINDS.map((kind) => [
          KIND_LABELS[kind],
          ...ftsRows.flatMap((row) => [
            pair(row.kinds[kind].top.p50, row.kinds[kind].top.p99),
            pair(row.kinds[kind].count!.p50, row.kinds[kind].count!.p99),
          ]),
        ]),
      ),
    );
    for (const row of ftsRows) {
      const scan = row.info.vocabularyScan as { queries: number; p50: number; p99: number };
      console.log(
        `\n${row.engine}: SQLite ${row.info.sqliteVersion}, ENABLE_FTS5 ${row.info.fts5CompileOption}, ${row.info.table}; build ${row.info.build}; ` +
          `term list from fts5vocab read once in ${fmt(row.info.vocabularyLoadMs as number)} ms (${fmt(mb(row.info.vocabularyHeapBytes as number), 1)} MB of heap); ` +
          `reading fts5vocab per typo query instead: p50 ${fmt(scan.p50, 1)} ms, p99 ${fmt(scan.p99, 1)} ms (${scan.queries} queries)` +
          (row.snippet === null ? '' : `; two words with snippet(): p50 ${fmt(row.snippet.p50, 2)} ms, p99 ${fmt(row.snippet.p99, 2)} ms`),
      );
    }
  }
  console.log('\nUpdates (replace documents already indexed):\n');
  console.log(
    markdownTable(
      ['engine', 'one: p50 / p99 ms', 'batch ms', 'ms per document in the batch', 'vacuum ms'],
      results.map((row) => [
        row.engine,
        pair(row.updates.singleP50, row.updates.singleP99, 3),
        `${fmt(row.updates.batchMs)} (${row.updates.batchCount})`,
        fmt(row.updates.batchMs / row.updates.batchCount, 3),
        row.updates.vacuumMs === null ? '-' : fmt(row.updates.vacuumMs),
      ]),
    ),
  );
  if (mini && fts) {
    console.log('\nAgreement of minisearch and fts5 (same queries): share with equal match counts, mean share of common top-20 ids:\n');
    console.log(
      markdownTable(
        ['query', 'equal counts', 'top-20 overlap'],
        KINDS.map((kind) => {
          const { counts, top } = agreement(mini.kinds[kind], fts.kinds[kind]);
          return [KIND_LABELS[kind], `${fmt(100 * counts)} %`, `${fmt(100 * top)} %`];
        }),
      ),
    );
    console.log(
      `\nRatios fts5 ÷ minisearch: build ${fmt(fts.buildMs / mini.buildMs, 2)} (CPU ${fmt(fts.buildCpuMs / mini.buildCpuMs, 2)}), RSS growth ${fmt(fts.rssGrowthBytes / mini.rssGrowthBytes, 2)}, ` +
        `heap growth ${fmt(fts.heapGrowthBytes / mini.heapGrowthBytes, 3)}, one update p50 ${fmt(fts.updates.singleP50 / mini.updates.singleP50, 2)}, ` +
        `batch ${fmt(fts.updates.batchMs / mini.updates.batchMs, 2)}`,
    );
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childIndex = args.indexOf('--child');
  if (childIndex !== -1) {
    const job = JSON.parse(args[childIndex + 1]!) as ChildJob;
    const result = job.mode === 'extract' ? await extractDocs(job) : await runEngine(job);
    writeFileSync(job.resultFile, JSON.stringify(result));
    process.exit(0);
  }
  const options = parseArguments(args);
  installExitHandlers('search-engines');
  const started = performance.now();
  await buildCompiledLoader();
  const work = openWorkDirectory('newsgraph-search-engines-');
  const sizes: SizeResult[] = [];
  try {
    for (const size of options.sizes) {
      log(`size ${size}:`);
      const { file: docsFile, docs } = await ensureDocs(options, size, work);
      const vocabulary = vocabularyOf(docs);
      const queries = makeQueries(docs, vocabulary, options.warmup + options.queries, options.seed);
      const queriesFile = path.join(work, `queries-${size}.json`);
      writeFileSync(queriesFile, JSON.stringify(queries));
      const queryDf = {} as Record<Kind, number>;
      for (const kind of KINDS) queryDf[kind] = median(queries[kind].slice(options.warmup).flatMap((query) => query.df));
      log(
        `  vocabulary: ${vocabulary.terms} distinct tokens; buckets ${JSON.stringify(vocabulary.ranges)}; median df ${JSON.stringify(queryDf)}`,
      );
      const results: SizeResult['results'] = [];
      for (const engine of options.engines) {
        log(`  ${size} ${engine}:`);
        const job: Omit<ChildJob, 'resultFile'> = {
          mode: 'engine',
          engine,
          docsFile,
          queriesFile,
          work,
          warmup: options.warmup,
          singleUpdates: options.singleUpdates,
          batchUpdates: options.batchUpdates,
          seed: options.seed,
        };
        const { result, wallMs, loadAverage } = await spawnChild<EngineResult>(job, options, engine, work);
        log(`  ${size} ${engine}: ${fmt(wallMs / 1000, 1)} s, 1-minute load average ${loadAverage.join(' -> ')}`);
        results.push({ ...result, wallMs, loadAverage });
      }
      const sizeResult: SizeResult = {
        size,
        withBody: docs.filter((doc) => doc.body !== null).length,
        vocabulary: { terms: vocabulary.terms, ranges: vocabulary.ranges },
        queryDf,
        results,
        oneWordBuckets: queries.one.slice(options.warmup).map((query) => vocabulary.bucketOf.get(query.words[0]!)!),
        oneWordDf: queries.one.slice(options.warmup).map((query) => query.df[0]!),
      };
      printSize(sizeResult);
      sizes.push(sizeResult);
    }
  } finally {
    await closeWorkDirectory(work);
  }
  const summary = sizes.map(({ results, ...rest }) => ({
    ...rest,
    results: results.map(({ kinds, ...row }) => ({
      ...row,
      kinds: Object.fromEntries(
        Object.entries(kinds).map(([kind, timing]) => [
          kind,
          { top: timing.top, count: timing.count, total: timing.total, medianHits: median(timing.hits) },
        ]),
      ),
    })),
  }));
  const json = {
    node: process.version,
    cpus: os.cpus().length,
    options,
    bucketMix: BUCKET_MIX,
    sizes: summary,
    loadAverage: os.loadavg(),
    seconds: round((performance.now() - started) / 1000, 1),
  };
  console.log(`\nBENCH_SEARCH_ENGINES_JSON ${JSON.stringify(json)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
