/**
 * Query power: what full-text search, facets, similar articles and stories cost, in-process, on a
 * generated corpus loaded as `npm start` loads it (with a content store).
 *
 *   npx tsx bench/query-power.ts [--quick] [--sizes 10000,100000] [--queries 300] [--warmup 20]
 *                                [--seed 1] [--corpora DIR] [--profile]
 *
 * Defaults: 10,000 and 100,000 articles; `--quick`: 10,000 only. Corpora: bench/generate.ts (seed
 * 1), cached in $TMPDIR/newsgraph-store-layouts as bench/store-layouts.ts and
 * bench/search-engines.ts cache them (bench/lib/corpora.ts). The code measured is src/ compiled
 * as `npm run build` compiles it (scripts/build.mjs `compile`), into dist-bench/query-power/: the
 * loader, the search index and the server, sharing their modules, with the parse worker beside
 * them. Each size runs in a fresh child process (`node --expose-gc`), memory read after two GCs:
 *
 * 1. Cold load: `loadCorpus(dir, { cacheDir: <fresh temp dir> })`, timed: the baseline.
 * 2. The search index as src/main.ts builds it: `new SearchIndex({ current: corpus },
 *    <store directory>/search.sqlite)` then `prepare()`, timed (wall and CPU); heap and RSS
 *    before and after, the index file's size (and its WAL's); KB per article of each, and the build
 *    time as a share of the cold load. Then the restart case: a second SearchIndex on the same file
 *    (`prepareNow()` finds the version and only reads the row table).
 * 3. `createServer` (src/http/server.ts) with that index and a preview token, and GraphQL documents
 *    through `yoga.fetch` (POST, JSON), one at a time, timed from the call to the whole body read;
 *    `warmup` untimed then `queries` timed per kind, every response checked for errors. Beside each
 *    request's wall time: the process's CPU time over it, and whether a GC pause fell in it (a
 *    PerformanceObserver of `gc` entries), so a slow request can be told from a preempted or
 *    collecting one.
 *    - floor: `articles(first: 1) { totalCount }`, the pipeline's own cost.
 *    - search (public), `{ search(query: $q, first: 20) { totalCount nodes { score article { slug
 *      title } highlights { field snippet } } } }`, queries written as a user types them (so the
 *      last word is also a prefix, as the API documents): one word, two words, three words, a
 *      two-word phrase `"a b"`, and, for comparison, one word followed by a space (no prefix), with
 *      and without `highlights` (the latter not judged against the target). Words
 *      are the public articles' own lowercase a-z words (>= 2 letters), ranked by document
 *      frequency into common (top 100), medium (ranks 100-2,999) and rare (the rest), each word's
 *      bucket drawn 30/40/30 % with a fixed seed, as bench/search-engines.ts draws them; the words
 *      of a multi-word query come from one article, a phrase is two adjacent words of one title,
 *      excerpt or body. Every query text is distinct (the index remembers 128 results per view),
 *      but one: a two-word query asked again and again (warm).
 *    - facets: `articles(filter: $filter) { totalCount facets { topics providers types categories
 *      years months } }` (each `{ value label count }`): over the whole public view, the first
 *      request (its document compiled by the filtered warm-up) and then warm; and over filtered
 *      lists, each request another filter (a topic, then a provider, alternately), so no count is
 *      reused.
 *    - similar: `article(slug:) { similar(first: 10) { slug } }`, each request another public article.
 *    - stories: `stories(first: 20)`: the first request on the preview view (the document compiled,
 *      the preview view's stories computed), the first on the public view (its stories computed),
 *      then warm.
 * 4. Tables, and the targets at 100k: search p99 <= 15 ms, facets p99 <= 20 ms, similar p99 <= 20
 *    ms, search index <= 1 KB per article, build <= 20 % of the cold load.
 *
 * `--profile` runs each child under `--cpu-prof` and ranks its main thread's self time in each
 * phase (under the profiler every figure is larger; the shares are what matter). The last line is
 * `BENCH_QUERY_POWER_JSON {...}`.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile, WORKER_ENTRIES } from '../scripts/build.mjs';
import type { Article } from '../src/content/model.js';
import { columnsOf } from '../src/content/search.js';
import type { CorpusView } from '../src/content/view.js';
import { flagValue, positiveNumber } from './lib/args.js';
import { cachedCorpus, DEFAULT_CORPORA_DIR } from './lib/corpora.js';
import { mainThreadProfileFile, type ProfileWindow, profileClockMicros, readCpuProfile, summarizeProfile } from './lib/cpu-profile.js';
import { settledMemory } from './lib/measure.js';
import { PROJECT_DIR } from './lib/paths.js';
import { loadAverage, readRssParts, systemBusyMs } from './lib/proc.js';
import { closeWorkDirectory, installExitHandlers, openWorkDirectory, spawnTracked, stopChild } from './lib/processes.js';
import { BUCKETS, type Bucket, COMMON_RANKS, Draw, MEDIUM_RANKS } from './lib/query-words.js';
import { fmt, markdownTable, verdict } from './lib/report.js';
import { srcSnapshot } from './lib/source.js';
import { median, quantile, round } from './lib/stats.js';

const SELF = fileURLToPath(import.meta.url);
/** Where the measured modules are compiled (a folder of this benchmark's own, so a rebuild of dist/ cannot pull it away). */
const BUILD_DIR = path.join(PROJECT_DIR, 'dist-bench', 'query-power');
const PREVIEW_TOKEN = 'query-power-bench-preview-token';
/** The size the targets are set for. */
const TARGET_SIZE = 100_000;
const TARGETS = { searchP99Ms: 15, facetsP99Ms: 20, similarP99Ms: 20, indexKbPerArticle: 1, addedLoadPercent: 20 } as const;
/** A child taking longer than this is stopped. */
const CHILD_TIMEOUT_MS = 60 * 60_000;

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

const SEARCH_DOCUMENT = `query Search($q: String!) {
  search(query: $q, first: 20) { totalCount nodes { score article { slug title } highlights { field snippet } } }
}`;
/** The same page without the highlights: what they cost. */
const SEARCH_BARE_DOCUMENT = `query SearchBare($q: String!) { search(query: $q, first: 20) { totalCount nodes { score article { slug title } } } }`;
const FACET_VALUES = '{ value label count }';
const FACETS_DOCUMENT = `query Facets($filter: ArticleFilter) {
  articles(filter: $filter) {
    totalCount
    facets { topics ${FACET_VALUES} providers ${FACET_VALUES} types ${FACET_VALUES} categories ${FACET_VALUES} years ${FACET_VALUES} months ${FACET_VALUES} }
  }
}`;
const SIMILAR_DOCUMENT = `query Similar($slug: String!) { article(slug: $slug) { similar(first: 10) { slug } } }`;
const FLOOR_DOCUMENT = 'query Floor { articles(first: 1) { totalCount } }';
const LARGE_STORIES_DOCUMENT = 'query Large { stories(first: 100, minArticles: 50) { totalCount nodes { articleCount } } }';
const STORIES_DOCUMENT = `query Stories { stories(first: 20) { totalCount nodes { id articleCount lead { slug } } } }`;

// ---------------------------------------------------------------------------------------------
// Query words (drawn as bench/search-engines.ts draws them)
// ---------------------------------------------------------------------------------------------

/** What a query word may be: lowercase ASCII letters, which FTS5's unicode61 tokenizer folds to themselves. */
const QUERY_WORD = /^[a-z]{2,}$/;
const NON_WORD = /[^\p{L}\p{N}]+/u;

function words(text: string): string[] {
  return text.toLowerCase().split(NON_WORD).filter(Boolean);
}

/** One query: its text and, for a one-word query, its word's bucket. */
interface SearchQuery {
  readonly text: string;
  readonly bucket?: Bucket;
}

const SEARCH_KINDS = ['one', 'two', 'three', 'phrase', 'exact', 'bare'] as const;
type SearchKind = (typeof SEARCH_KINDS)[number];
const SEARCH_LABELS: Record<SearchKind, string> = {
  one: 'one word',
  two: 'two words',
  three: 'three words',
  phrase: 'phrase "a b"',
  exact: 'one word + space (no prefix)',
  bare: 'one word + space, without highlights (to compare; not judged)',
};

interface Vocabulary {
  readonly df: Map<string, number>;
  readonly bucketOf: Map<string, Bucket>;
  readonly buckets: Record<Bucket, string[]>;
}

function vocabularyOf(articles: readonly Article[]): Vocabulary {
  const df = new Map<string, number>();
  for (const article of articles) {
    const seen = new Set<string>();
    for (const text of columnsOf(article)) for (const word of words(text)) if (QUERY_WORD.test(word)) seen.add(word);
    for (const word of seen) df.set(word, (df.get(word) ?? 0) + 1);
  }
  const ranked = [...df.keys()].sort((a, b) => df.get(b)! - df.get(a)! || (a < b ? -1 : 1));
  const buckets: Record<Bucket, string[]> = {
    common: ranked.slice(0, COMMON_RANKS),
    medium: ranked.slice(COMMON_RANKS, MEDIUM_RANKS),
    rare: ranked.slice(MEDIUM_RANKS),
  };
  const bucketOf = new Map<string, Bucket>();
  for (const bucket of BUCKETS) for (const word of buckets[bucket]) bucketOf.set(word, bucket);
  return { df, bucketOf, buckets };
}

/** `count` distinct queries of each kind (no text twice over all kinds, spaces at the ends ignored, as the index's result cache keys them). */
function makeQueries(articles: readonly Article[], vocabulary: Vocabulary, count: number, seed: number): Record<SearchKind, SearchQuery[]> {
  const draw = new Draw(seed ^ 0x9e3779b9);
  const { bucketOf, buckets } = vocabulary;
  const used = new Set<string>();
  const wordsOf = (article: Article) => {
    const found = new Set<string>();
    for (const text of columnsOf(article)) for (const word of words(text)) if (bucketOf.has(word)) found.add(word);
    return [...found];
  };
  const cooccurring = (n: number): string[] => {
    for (;;) {
      const candidates = wordsOf(draw.pick(articles));
      const chosen: string[] = [];
      for (let slot = 0; slot < n; slot++) {
        const fits = candidates.filter((word) => !chosen.includes(word));
        if (fits.length === 0) break;
        const bucket = draw.bucket();
        const inBucket = fits.filter((word) => bucketOf.get(word) === bucket);
        chosen.push(draw.pick(inBucket.length > 0 ? inBucket : fits));
      }
      if (chosen.length === n) return chosen;
    }
  };
  const make: Record<SearchKind, () => SearchQuery> = {
    one: () => {
      const bucket = draw.bucket();
      return { text: draw.pick(buckets[bucket]), bucket };
    },
    exact: () => {
      const bucket = draw.bucket();
      return { text: `${draw.pick(buckets[bucket])} `, bucket };
    },
    bare: () => {
      const bucket = draw.bucket();
      return { text: `${draw.pick(buckets[bucket])} `, bucket };
    },
    two: () => ({ text: cooccurring(2).join(' ') }),
    three: () => ({ text: cooccurring(3).join(' ') }),
    phrase: () => {
      for (;;) {
        const article = draw.pick(articles);
        const list = words(draw.pick([article.title, article.excerpt ?? '', ...(article.body === null ? [] : [article.body])]));
        const pairs: [string, string][] = [];
        for (let i = 0; i + 1 < list.length; i++) {
          const [a, b] = [list[i]!, list[i + 1]!];
          if (a !== b && bucketOf.has(a) && bucketOf.has(b)) pairs.push([a, b]);
        }
        if (pairs.length > 0) return { text: `"${draw.pick(pairs).join(' ')}"` };
      }
    },
  };
  const sets = {} as Record<SearchKind, SearchQuery[]>;
  for (const kind of SEARCH_KINDS) {
    const list: SearchQuery[] = [];
    let attempts = 0;
    while (list.length < count) {
      if (++attempts > count * 1000) throw new Error(`cannot draw ${count} distinct ${kind} queries`);
      const query = make[kind]();
      const key = query.text.trim();
      if (used.has(key)) continue;
      used.add(key);
      list.push(query);
    }
    sets[kind] = list;
  }
  return sets;
}

/** Distinct filters, alternately one topic and one provider of the view (then a topic and a provider together), in a random order. */
function makeFilters(
  view: CorpusView,
  count: number,
  seed: number,
): { filter: Record<string, unknown>; by: 'topic' | 'provider' | 'both' }[] {
  const draw = new Draw(seed ^ 0x0f17e5);
  const topics = draw.shuffled(view.topics.map((topic) => topic.slug));
  const providers = draw.shuffled(view.providers.map((provider) => provider.domain));
  const filters: { filter: Record<string, unknown>; by: 'topic' | 'provider' | 'both' }[] = [];
  for (let i = 0; filters.length < count && (i < topics.length || i < providers.length); i++) {
    if (i < topics.length) filters.push({ filter: { topics: [topics[i]] }, by: 'topic' });
    if (i < providers.length && filters.length < count) filters.push({ filter: { providers: [providers[i]] }, by: 'provider' });
  }
  for (let i = 0; filters.length < count; i++) {
    filters.push({ filter: { topics: [topics[i % topics.length]], providers: [providers[i % providers.length]] }, by: 'both' });
  }
  return filters;
}

// ---------------------------------------------------------------------------------------------
// Child: one size
// ---------------------------------------------------------------------------------------------

/** One timed request: when it ran (performance.now()), its wall and CPU ms, and the count it answered (or null). */
interface Sample {
  readonly start: number;
  readonly end: number;
  readonly ms: number;
  readonly cpuMs: number;
  readonly hits: number | null;
}

interface ChildJob {
  readonly size: number;
  readonly corpus: string;
  /** Where the child writes: its fresh cache directory, and its result file. */
  readonly work: string;
  readonly resultFile: string;
  readonly queries: number;
  readonly warmup: number;
  readonly seed: number;
}

/** Latencies of one kind of request, in ms. */
interface Series {
  readonly label: string;
  readonly group: 'floor' | 'search' | 'facets' | 'similar' | 'stories';
  /** A row that breaks down the one before it (a bucket, a kind of filter): not judged against a target. */
  readonly detail?: boolean;
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  /** CPU time of the process (all threads) per request: p50 and p99. Well under the wall time, the request waited (for a core). */
  readonly cpuP50: number;
  readonly cpuP99: number;
  /** Requests during which a garbage collection ran, and the longest such pause, ms. */
  readonly withGc: number;
  readonly maxGcMs: number;
  /** p99 of the requests during which no garbage collection ran. */
  readonly p99WithoutGc: number;
  /** Median and 90th percentile of totalCount (search, facets), or null. */
  readonly hits: { readonly median: number; readonly p90: number } | null;
  readonly window?: ProfileWindow;
}

interface SizeResult {
  readonly size: number;
  readonly publicArticles: number;
  readonly drafts: number;
  readonly withBody: number;
  readonly load: { readonly wallMs: number; readonly cpuMs: number; readonly heapBytes: number; readonly rssBytes: number };
  readonly index: {
    readonly built: boolean;
    readonly wallMs: number;
    readonly cpuMs: number;
    readonly heapGrowthBytes: number;
    readonly rssGrowthBytes: number;
    readonly externalGrowthBytes: number;
    readonly fileBytes: number;
    readonly walBytes: number;
    /** RSS growth of the build split into anonymous memory (heap, SQLite's malloc) and mapped files (the content store's pages read). */
    readonly rssAnonGrowthBytes: number;
    readonly rssFileGrowthBytes: number;
    /** A second SearchIndex on the same file: open and prepareNow (reads the row table only). */
    readonly reopenMs: number;
    readonly reopenBuilt: boolean;
    /** What the reopened index alone holds: heap and anonymous RSS growth with it open. */
    readonly reopenHeapGrowthBytes: number;
    readonly reopenRssAnonGrowthBytes: number;
  };
  readonly vocabulary: { readonly words: number; readonly ranges: Record<Bucket, { words: number; maxDf: number; minDf: number }> };
  readonly series: Series[];
  /** Single requests: facets over the whole view, first; stories first (preview, then public). */
  readonly singles: { readonly label: string; readonly group: Series['group']; readonly ms: number; readonly window?: ProfileWindow }[];
  /** Stories of the public view: of 2+ articles, of 50+, and the most articles of one (among the newest 100 of 50+). */
  readonly stories: { readonly count: number; readonly withAtLeast50: number; readonly largest: number };
  readonly windows: Record<string, ProfileWindow>;
  readonly maxRssBytes: number;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

const moduleUrl = (name: string) => pathToFileURL(path.join(BUILD_DIR, `${name}.mjs`)).href;

function fileSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

/** The names of the kinds of garbage collection a `gc` performance entry reports (node's perf_hooks constants). */
const GC_KINDS: Record<number, string> = { 1: 'scavenges', 2: 'mark-compacts', 4: 'incremental marking steps', 8: 'weak callbacks' };

/** Each kind of pause: how many, and their median, 90th percentile and longest duration. */
function describeGcPauses(pauses: readonly { start: number; end: number; kind: number }[]): string {
  const byKind = new Map<number, number[]>();
  for (const pause of pauses) {
    const list = byKind.get(pause.kind) ?? [];
    list.push(pause.end - pause.start);
    byKind.set(pause.kind, list);
  }
  if (byKind.size === 0) return 'none';
  return [...byKind]
    .map(
      ([kind, ms]) =>
        `${ms.length} ${GC_KINDS[kind] ?? `of kind ${kind}`} (p50 ${fmt(quantile(ms, 0.5), 1)}, p90 ${fmt(quantile(ms, 0.9), 1)}, max ${fmt(Math.max(...ms), 1)} ms)`,
    )
    .join(', ');
}

async function runChild(job: ChildJob): Promise<SizeResult> {
  const { loadCorpus } = (await import(moduleUrl('load'))) as typeof import('../src/content/load.js');
  const { SearchIndex, SEARCH_INDEX_FILE } = (await import(moduleUrl('search'))) as typeof import('../src/content/search.js');
  const { createServer } = (await import(moduleUrl('server'))) as typeof import('../src/http/server.js');
  const windows: Record<string, ProfileWindow> = {};
  const cpuSince = (start: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };

  // 1. Cold load, with a fresh content store.
  const cacheDir = mkdtempSync(path.join(job.work, `cache-${job.size}-`));
  const beforeLoad = await settledMemory();
  let from = profileClockMicros();
  let cpu = process.cpuUsage();
  let started = performance.now();
  const loaded = await loadCorpus(job.corpus, { cacheDir });
  const loadMs = performance.now() - started;
  const loadCpuMs = cpuSince(cpu);
  windows.load = { fromMicros: from, toMicros: profileClockMicros() };
  const { corpus } = loaded;
  const afterLoad = await settledMemory();
  log(`    cold load: ${fmt(loadMs)} ms (CPU ${fmt(loadCpuMs)} ms), ${corpus.public.articles.length} public articles`);

  // 2. The search index, as src/main.ts builds it: in a file beside the content store.
  const file = path.join(loaded.store.directory ?? cacheDir, SEARCH_INDEX_FILE);
  const source = { current: corpus };
  const beforeIndex = await settledMemory();
  const beforeIndexParts = readRssParts(process.pid);
  from = profileClockMicros();
  cpu = process.cpuUsage();
  started = performance.now();
  const search = new SearchIndex(source, file);
  const built = await search.prepare();
  const buildMs = performance.now() - started;
  const buildCpuMs = cpuSince(cpu);
  windows.build = { fromMicros: from, toMicros: profileClockMicros() };
  const afterIndex = await settledMemory();
  const afterIndexParts = readRssParts(process.pid);
  const fileBytes = fileSize(file);
  const walBytes = fileSize(`${file}-wal`);
  log(
    `    index: built ${built} in ${fmt(buildMs)} ms (CPU ${fmt(buildCpuMs)} ms), heap +${fmt((afterIndex.heapUsed - beforeIndex.heapUsed) / 1048576, 1)} MB, ` +
      `RSS +${fmt((afterIndex.rss - beforeIndex.rss) / 1048576, 1)} MB, file ${fmt(fileBytes / 1048576, 1)} MB (WAL ${fmt(walBytes / 1048576, 1)} MB)`,
  );
  // The restart case: the file holds this version, so prepareNow only reads the row table. Its
  // memory is the index's own (no record is read), unlike the build's, which decodes every record.
  const beforeReopen = await settledMemory();
  const beforeReopenAnon = readRssParts(process.pid).anonBytes;
  started = performance.now();
  const reopened = new SearchIndex(source, file);
  const reopenBuilt = reopened.prepareNow();
  const reopenMs = performance.now() - started;
  const afterReopen = await settledMemory();
  const reopenRssAnonGrowthBytes = readRssParts(process.pid).anonBytes - beforeReopenAnon;
  reopened.close();
  log(
    `    index reopened (restart): ${fmt(reopenMs, 1)} ms, rebuilt ${reopenBuilt}, heap +${fmt((afterReopen.heapUsed - beforeReopen.heapUsed) / 1048576, 1)} MB, ` +
      `anonymous RSS +${fmt(reopenRssAnonGrowthBytes / 1048576, 1)} MB`,
  );

  // 3. Requests through the in-process server.
  const yoga = createServer({ corpus, previewToken: PREVIEW_TOKEN, search });
  const view = corpus.public;
  const vocabulary = vocabularyOf(view.articles);
  const total = job.warmup + job.queries;
  const queries = makeQueries(view.articles, vocabulary, total, job.seed);
  const range = (list: string[]) => ({
    words: list.length,
    maxDf: vocabulary.df.get(list[0]!) ?? 0,
    minDf: vocabulary.df.get(list.at(-1)!) ?? 0,
  });

  // Garbage collections, to tell a request's own time from a pause that fell into it.
  const gcPauses: { start: number; end: number; kind: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
      gcPauses.push({ start: entry.startTime, end: entry.startTime + entry.duration, kind });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const gcMsDuring = (start: number, end: number) => {
    let ms = 0;
    for (const pause of gcPauses) if (pause.end > start && pause.start < end) ms += Math.min(end, pause.end) - Math.max(start, pause.start);
    return ms;
  };

  const request = async (
    document: string,
    variables: Record<string, unknown>,
    preview = false,
  ): Promise<Sample & { data: Record<string, unknown> }> => {
    const body = JSON.stringify({ query: document, variables });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
    if (preview) headers.authorization = `Bearer ${PREVIEW_TOKEN}`;
    const cpuAt = process.cpuUsage();
    const at = performance.now();
    const response = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers, body });
    const text = await response.text();
    const end = performance.now();
    const cpuMs = cpuSince(cpuAt);
    const parsed = JSON.parse(text) as { data?: Record<string, unknown>; errors?: { message: string }[] };
    if (response.status !== 200 || parsed.errors !== undefined) {
      throw new Error(`${document.split('(')[0]} ${JSON.stringify(variables)}: HTTP ${response.status} ${text.slice(0, 500)}`);
    }
    return { start: at, end, ms: end - at, cpuMs, hits: null, data: parsed.data! };
  };

  const series: Series[] = [];
  /** The figures of some samples (read once the GC observer has reported the pauses of their time). */
  const summarize = (label: string, group: Series['group'], samples: readonly Sample[], window?: ProfileWindow, detail = false): Series => {
    const times = samples.map((sample) => sample.ms);
    const gcMs = samples.map((sample) => gcMsDuring(sample.start, sample.end));
    const hits = samples.flatMap((sample) => (sample.hits === null ? [] : [sample.hits]));
    const cpu = samples.map((sample) => sample.cpuMs);
    return {
      label,
      group,
      ...(detail ? { detail } : {}),
      requests: times.length,
      p50: quantile(times, 0.5),
      p99: quantile(times, 0.99),
      max: Math.max(...times),
      mean: times.reduce((sum, value) => sum + value, 0) / Math.max(1, times.length),
      cpuP50: quantile(cpu, 0.5),
      cpuP99: quantile(cpu, 0.99),
      withGc: gcMs.filter((ms) => ms > 0).length,
      maxGcMs: Math.max(0, ...gcMs),
      p99WithoutGc: quantile(
        times.filter((_, i) => gcMs[i] === 0),
        0.99,
      ),
      hits: hits.length === 0 ? null : { median: median(hits), p90: quantile(hits, 0.9) },
      ...(window === undefined ? {} : { window }),
    };
  };
  /** Warm-up items untimed, the rest timed, with the count each answer gives (or null). */
  const run = async <T>(
    items: readonly T[],
    send: (item: T) => Promise<Sample & { data: Record<string, unknown> }>,
    count?: (data: Record<string, unknown>) => number,
  ) => {
    for (const item of items.slice(0, job.warmup)) await send(item);
    const samples: Sample[] = [];
    const window = { fromMicros: profileClockMicros(), toMicros: 0 };
    for (const item of items.slice(job.warmup)) {
      const { data, ...sample } = await send(item);
      samples.push({ ...sample, hits: count === undefined ? null : count(data) });
    }
    window.toMicros = profileClockMicros();
    // The GC observer reports in a later task.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return { samples, window };
  };
  const report = (row: Series) => {
    series.push(row);
    log(
      `    ${row.label}: p50 ${fmt(row.p50, 2)} ms, p99 ${fmt(row.p99, 2)} ms, max ${fmt(row.max, 1)} ms, CPU p99 ${fmt(row.cpuP99, 2)} ms, ` +
        `${row.withGc} with a GC, p99 without ${fmt(row.p99WithoutGc, 2)} ms${row.hits ? `, median hits ${row.hits.median}` : ''}`,
    );
  };

  // The floor: a request that does next to nothing, through the same pipeline.
  {
    const { samples, window } = await run(
      Array.from({ length: total }, () => null),
      () => request(FLOOR_DOCUMENT, {}),
    );
    windows.floor = window;
    report(summarize('floor: articles(first: 1) { totalCount }', 'floor', samples, window));
  }

  // Search.
  const searchCount = (data: Record<string, unknown>) => (data.search as { totalCount: number }).totalCount;
  for (const kind of SEARCH_KINDS) {
    const list = queries[kind];
    const document = kind === 'bare' ? SEARCH_BARE_DOCUMENT : SEARCH_DOCUMENT;
    const { samples, window } = await run(list, (query) => request(document, { q: query.text }), searchCount);
    windows[`search ${kind}`] = window;
    report(summarize(SEARCH_LABELS[kind], 'search', samples, window, kind === 'bare'));
    // The queries behind the tail, to reproduce them one by one.
    const timedQueries = list.slice(job.warmup);
    const slowest = samples
      .map((sample, at) => ({ sample, query: timedQueries[at]!.text }))
      .sort((a, b) => b.sample.ms - a.sample.ms)
      .slice(0, 5);
    log(
      `      slowest: ${slowest.map(({ sample, query }) => `${JSON.stringify(query)} ${fmt(sample.ms, 1)} ms (${sample.hits} hits)`).join(', ')}`,
    );
    if (kind === 'one' || kind === 'exact' || kind === 'bare') {
      const timed = list.slice(job.warmup);
      for (const bucket of BUCKETS) {
        const picked = samples.filter((_, i) => timed[i]!.bucket === bucket);
        report(summarize(`· ${bucket} word (${picked.length})`, 'search', picked, undefined, true));
      }
    }
  }
  const repeated = queries.two[job.warmup]!.text;
  {
    const { samples, window } = await run(
      Array.from({ length: total }, () => repeated),
      (q) => request(SEARCH_DOCUMENT, { q }),
      searchCount,
    );
    windows['search repeated'] = window;
    report(summarize(`two words, one query repeated (warm: "${repeated}")`, 'search', samples, window));
  }

  // Facets: the filtered warm-up compiles the document; then the whole view, first and warm; then filtered lists.
  const singles: SizeResult['singles'] = [];
  const facetsCount = (data: Record<string, unknown>) => (data.articles as { totalCount: number }).totalCount;
  const filters = makeFilters(view, 2 * job.warmup + job.queries, job.seed);
  for (const { filter } of filters.slice(job.queries + job.warmup)) await request(FACETS_DOCUMENT, { filter });
  {
    const window = { fromMicros: profileClockMicros(), toMicros: 0 };
    const { ms } = await request(FACETS_DOCUMENT, { filter: null });
    window.toMicros = profileClockMicros();
    windows['facets whole view, first'] = window;
    singles.push({ label: 'facets, whole public view, first request', group: 'facets', ms, window });
    log(`    facets, whole view, first: ${fmt(ms, 1)} ms`);
    const warm = await run(
      Array.from({ length: total }, () => null),
      () => request(FACETS_DOCUMENT, { filter: null }),
      facetsCount,
    );
    windows['facets whole view, warm'] = warm.window;
    report(summarize('facets, whole public view, warm', 'facets', warm.samples, warm.window));
  }
  {
    const list = filters.slice(0, total);
    const { samples, window } = await run(list, ({ filter }) => request(FACETS_DOCUMENT, { filter }), facetsCount);
    windows['facets filtered'] = window;
    report(summarize('facets, filtered (a new filter each request)', 'facets', samples, window));
    const timed = list.slice(job.warmup);
    for (const by of ['topic', 'provider', 'both'] as const) {
      const picked = samples.filter((_, i) => timed[i]!.by === by);
      if (picked.length > 0) report(summarize(`· by one ${by} (${picked.length})`, 'facets', picked, undefined, true));
    }
  }

  // Similar: a different article each request.
  {
    const draw = new Draw(job.seed ^ 0x51a11a);
    const articles = draw.shuffled(view.articles).slice(0, total);
    const { samples, window } = await run(articles, (article) => request(SIMILAR_DOCUMENT, { slug: article.slug }));
    windows.similar = window;
    report(summarize('similar(first: 10), a new article each request', 'similar', samples, window));
    const timed = articles.slice(job.warmup);
    for (const withBody of [true, false]) {
      const picked = samples.filter((_, i) => (timed[i]!.body !== null) === withBody);
      if (picked.length > 0)
        report(summarize(`· articles ${withBody ? 'with' : 'without'} a body (${picked.length})`, 'similar', picked, undefined, true));
    }
  }

  // Stories: the preview view first (the document compiled), then the public view's first request, then warm.
  let storyCount = 0;
  for (const preview of [true, false]) {
    const window = { fromMicros: profileClockMicros(), toMicros: 0 };
    const { ms, data } = await request(STORIES_DOCUMENT, {}, preview);
    window.toMicros = profileClockMicros();
    windows[`stories first (${preview ? 'preview' : 'public'})`] = window;
    singles.push({
      label: `stories(first: 20), first request, ${preview ? 'preview view (document compiled too)' : 'public view'}`,
      group: 'stories',
      ms,
      window,
    });
    if (!preview) storyCount = (data.stories as { totalCount: number }).totalCount;
    log(`    stories first (${preview ? 'preview' : 'public'}): ${fmt(ms, 1)} ms`);
  }
  {
    const { samples, window } = await run(
      Array.from({ length: total }, () => null),
      () => request(STORIES_DOCUMENT, {}),
    );
    windows['stories warm'] = window;
    report(summarize('stories(first: 20), warm', 'stories', samples, window));
  }
  // How large the stories are (untimed): related links that resolve can chain many articles into one component.
  const { data: large } = await request(LARGE_STORIES_DOCUMENT, {});
  const largeStories = large.stories as { totalCount: number; nodes: { articleCount: number }[] };
  const stories = {
    count: storyCount,
    withAtLeast50: largeStories.totalCount,
    largest: Math.max(0, ...largeStories.nodes.map((node) => node.articleCount)),
  };
  log(`    stories: ${stories.count} of 2+ articles, ${stories.withAtLeast50} of 50+, the largest of ${stories.largest} articles`);
  gcObserver.disconnect();
  log(`    garbage collections while serving: ${describeGcPauses(gcPauses)}`);
  search.close();

  return {
    size: job.size,
    publicArticles: view.articles.length,
    drafts: corpus.preview.articles.length - view.articles.length,
    withBody: corpus.preview.articles.filter((article) => article.body !== null).length,
    load: {
      wallMs: loadMs,
      cpuMs: loadCpuMs,
      heapBytes: afterLoad.heapUsed - beforeLoad.heapUsed,
      rssBytes: afterLoad.rss - beforeLoad.rss,
    },
    index: {
      built,
      wallMs: buildMs,
      cpuMs: buildCpuMs,
      heapGrowthBytes: afterIndex.heapUsed - beforeIndex.heapUsed,
      rssGrowthBytes: afterIndex.rss - beforeIndex.rss,
      externalGrowthBytes: afterIndex.external - beforeIndex.external,
      fileBytes,
      walBytes,
      rssAnonGrowthBytes: afterIndexParts.anonBytes - beforeIndexParts.anonBytes,
      rssFileGrowthBytes: afterIndexParts.fileBytes - beforeIndexParts.fileBytes,
      reopenMs,
      reopenBuilt,
      reopenHeapGrowthBytes: afterReopen.heapUsed - beforeReopen.heapUsed,
      reopenRssAnonGrowthBytes,
    },
    vocabulary: {
      words: vocabulary.df.size,
      ranges: { common: range(vocabulary.buckets.common), medium: range(vocabulary.buckets.medium), rare: range(vocabulary.buckets.rare) },
    },
    series,
    singles,
    stories,
    windows,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

// ---------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------

interface Options {
  readonly sizes: number[];
  readonly queries: number;
  readonly warmup: number;
  readonly seed: number;
  readonly corpora: string;
  readonly profile: boolean;
}

function parseArguments(args: readonly string[]): Options {
  const value = (name: string) => flagValue(args, name);
  const sizesText = value('--sizes');
  return {
    sizes: args.includes('--quick') ? [10_000] : (sizesText ?? '10000,100000').split(',').map((size) => positiveNumber(size, '--sizes')),
    queries: positiveNumber(value('--queries') ?? '300', '--queries'),
    warmup: positiveNumber(value('--warmup') ?? '20', '--warmup'),
    seed: Number(value('--seed') ?? '1'),
    corpora: path.resolve(value('--corpora') ?? DEFAULT_CORPORA_DIR),
    profile: args.includes('--profile'),
  };
}

/** What the parent saw while a child ran: its wall time, the 1-minute load average (min-max of samples every 2 s), the machine's busy share. */
interface ChildRun {
  readonly wallMs: number;
  readonly loadAverage: { readonly min: number; readonly max: number };
  /** CPU time of every process of the machine over the child's life, as % of all cores. */
  readonly machineBusyPercent: number;
}

async function spawnChild(job: ChildJob, nodeArgs: readonly string[]): Promise<{ result: SizeResult; run: ChildRun }> {
  rmSync(job.resultFile, { force: true });
  const samples = [loadAverage()];
  const timer = setInterval(() => samples.push(loadAverage()), 2_000);
  const busyBefore = systemBusyMs();
  const started = performance.now();
  const child: ChildProcess = spawnTracked(
    ['--expose-gc', ...nodeArgs, '--import', 'tsx'],
    SELF,
    ['--child', JSON.stringify(job)],
    process.env,
  );
  child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const watchdog = setTimeout(() => void stopChild(child, 5_000), CHILD_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(watchdog);
  clearInterval(timer);
  const wallMs = performance.now() - started;
  samples.push(loadAverage());
  if (code !== 0 || !existsSync(job.resultFile)) throw new Error(`${job.size}: the child exited with ${code} and wrote no result`);
  const result = JSON.parse(readFileSync(job.resultFile, 'utf8')) as SizeResult;
  rmSync(job.resultFile, { force: true });
  const machineBusyPercent = (100 * (systemBusyMs() - busyBefore)) / (wallMs * os.cpus().length);
  return {
    result,
    run: { wallMs, loadAverage: { min: round(Math.min(...samples), 2), max: round(Math.max(...samples), 2) }, machineBusyPercent },
  };
}

const kb = (bytes: number, articles: number) => bytes / 1024 / articles;

function printSize(result: SizeResult, run: ChildRun): void {
  const { index, load } = result;
  const indexed = result.publicArticles + result.drafts;
  console.log(
    `\n### ${result.size.toLocaleString('en-US')} articles (${result.publicArticles.toLocaleString('en-US')} public, ${result.drafts.toLocaleString('en-US')} drafts, ` +
      `${result.withBody.toLocaleString('en-US')} with a body); child ${fmt(run.wallMs / 1000, 1)} s, load average ${run.loadAverage.min}-${run.loadAverage.max}, ` +
      `machine ${fmt(run.machineBusyPercent)} % busy\n`,
  );
  console.log(
    markdownTable(
      [
        'step',
        'wall ms (CPU ms)',
        'heap KB/article',
        'RSS growth KB/article (anonymous + file-backed)',
        'file KB/article',
        'share of the cold load',
      ],
      [
        [
          'cold load (fresh content store)',
          `${fmt(load.wallMs)} (${fmt(load.cpuMs)})`,
          fmt(kb(load.heapBytes, indexed), 2),
          fmt(kb(load.rssBytes, indexed), 2),
          '-',
          '100 %',
        ],
        [
          `search index build (${fmt(index.fileBytes / 1048576, 1)} MB file, WAL ${fmt(index.walBytes / 1048576, 1)} MB)`,
          `${fmt(index.wallMs)} (${fmt(index.cpuMs)})`,
          fmt(kb(index.heapGrowthBytes, indexed), 3),
          `${fmt(kb(index.rssGrowthBytes, indexed), 3)} (${fmt(kb(index.rssAnonGrowthBytes, indexed), 3)} + ${fmt(kb(index.rssFileGrowthBytes, indexed), 3)})`,
          `${fmt(kb(index.fileBytes, indexed), 3)} (+ WAL ${fmt(kb(index.walBytes, indexed), 3)})`,
          `${fmt((100 * index.wallMs) / load.wallMs, 1)} %`,
        ],
        [
          'search index reopened (restart, same content)',
          fmt(index.reopenMs, 1),
          fmt(kb(index.reopenHeapGrowthBytes, indexed), 3),
          `${fmt(kb(index.reopenRssAnonGrowthBytes, indexed), 3)} anonymous`,
          '-',
          `${fmt((100 * index.reopenMs) / load.wallMs, 2)} %`,
        ],
      ],
    ),
  );
  const ranges = result.vocabulary.ranges;
  console.log(
    `\nQuery words: ${result.vocabulary.words.toLocaleString('en-US')} distinct a-z words in the public articles; document frequency ` +
      BUCKETS.map((bucket) => `${bucket} ${ranges[bucket].maxDf}-${ranges[bucket].minDf}`).join(', ') +
      `. Requests through yoga.fetch, ms (peak RSS of the child ${fmt(result.maxRssBytes / 1048576)} MB):\n`,
  );
  const rows: string[][] = result.series.map((row) => [
    row.label,
    String(row.requests),
    fmt(row.p50, 2),
    fmt(row.p99, 2),
    fmt(row.max, 1),
    `${fmt(row.cpuP50, 2)} / ${fmt(row.cpuP99, 2)}`,
    `${row.withGc} (${fmt(row.maxGcMs, 1)})`,
    fmt(row.p99WithoutGc, 2),
    row.hits === null ? '-' : `${fmt(row.hits.median)} / ${fmt(row.hits.p90)}`,
  ]);
  for (const single of result.singles) rows.push([single.label, '1', fmt(single.ms, 2), '-', '-', '-', '-', '-', '-']);
  console.log(
    markdownTable(
      [
        'request',
        'requests',
        'p50',
        'p99',
        'max',
        'CPU p50 / p99',
        'with a GC (longest ms)',
        'p99 without a GC',
        'totalCount median / p90',
      ],
      rows,
    ),
  );
  const { stories } = result;
  console.log(
    `\nStories of the public view: ${stories.count.toLocaleString('en-US')} of 2 or more articles, ${stories.withAtLeast50.toLocaleString('en-US')} of 50 or more, ` +
      `the largest (of the newest 100 of 50 or more) of ${stories.largest.toLocaleString('en-US')} articles.`,
  );
}

interface TargetRow {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

function targetRows(result: SizeResult): TargetRow[] {
  const indexed = result.publicArticles + result.drafts;
  const judged = (group: Series['group']) => result.series.filter((row) => row.group === group && !row.detail);
  const rows: TargetRow[] = [];
  const latency = (group: Series['group'], limit: number, name: string) => {
    for (const row of judged(group))
      rows.push({ target: `${name} p99 ≤ ${limit} ms: ${row.label}`, measured: `${fmt(row.p99, 2)} ms`, pass: row.p99 <= limit });
  };
  latency('search', TARGETS.searchP99Ms, 'search');
  latency('facets', TARGETS.facetsP99Ms, 'facets');
  const firstFacets = result.singles.find((single) => single.group === 'facets');
  if (firstFacets !== undefined)
    rows.push({
      target: `facets ≤ ${TARGETS.facetsP99Ms} ms: whole public view, first request (once per content version)`,
      measured: `${fmt(firstFacets.ms, 1)} ms`,
      pass: firstFacets.ms <= TARGETS.facetsP99Ms,
    });
  latency('similar', TARGETS.similarP99Ms, 'similar');
  const { index } = result;
  for (const [what, bytes] of [
    ['heap growth over the build', index.heapGrowthBytes],
    ['anonymous RSS growth over the build', index.rssAnonGrowthBytes],
    ['heap of the index alone (reopened)', index.reopenHeapGrowthBytes],
    ['file', index.fileBytes],
  ] as const) {
    const value = kb(bytes, indexed);
    rows.push({
      target: `search index ≤ ${TARGETS.indexKbPerArticle} KB per article: ${what}`,
      measured: `${fmt(value, 3)} KB`,
      pass: value <= TARGETS.indexKbPerArticle,
    });
  }
  const added = (100 * index.wallMs) / result.load.wallMs;
  rows.push({
    target: `added load time ≤ ${TARGETS.addedLoadPercent} % (index build ÷ cold load)`,
    measured: `${fmt(index.wallMs)} / ${fmt(result.load.wallMs)} ms = ${fmt(added, 1)} %`,
    pass: added <= TARGETS.addedLoadPercent,
  });
  return rows;
}

/** Ranks the child's main-thread profile in each measured phase. */
function printProfile(directory: string, result: SizeResult): void {
  const file = mainThreadProfileFile(directory);
  if (file === null) {
    log(`--profile: no profile in ${directory}`);
    return;
  }
  const profile = readCpuProfile(file);
  console.log(`\n#### CPU profile at ${result.size.toLocaleString('en-US')} (main thread, self time; figures under the profiler)\n`);
  for (const [phase, window] of Object.entries(result.windows)) {
    const summary = summarizeProfile(profile, { window, top: 12 });
    console.log(`${phase}: ${fmt(summary.windowMs)} ms, ${summary.totalSamples} samples`);
    console.log(
      markdownTable(
        ['function', 'location', 'self %', 'self ms', 'called from'],
        summary.functions.map((entry) => [
          entry.name,
          entry.location,
          fmt(entry.percent, 1),
          fmt(entry.ms),
          (entry.callers ?? []).map((caller) => `${caller.name} ${fmt(caller.percent)} %`).join('; '),
        ]),
      ),
    );
    console.log(`groups: ${summary.groups.map((group) => `${group.name} ${fmt(group.percent, 1)} %`).join(', ')}\n`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childIndex = args.indexOf('--child');
  if (childIndex !== -1) {
    const job = JSON.parse(args[childIndex + 1]!) as ChildJob;
    const result = await runChild(job);
    writeFileSync(job.resultFile, JSON.stringify(result));
    process.exit(0);
  }
  const options = parseArguments(args);
  installExitHandlers('query-power');
  const started = performance.now();
  const source = srcSnapshot();
  log(
    `query-power: sizes ${options.sizes.join(', ')}; src/ ${source.sha1} (newest change ${source.newestChange}); compiling into ${BUILD_DIR} ...`,
  );
  await compile(
    {
      load: 'src/content/load.ts',
      search: 'src/content/search.ts',
      server: 'src/http/server.ts',
      ...WORKER_ENTRIES,
    },
    path.relative(PROJECT_DIR, BUILD_DIR),
  );
  const work = openWorkDirectory('newsgraph-query-power-');
  const results: { result: SizeResult; run: ChildRun }[] = [];
  try {
    for (const size of options.sizes) {
      log(`size ${size}:`);
      const corpus = await cachedCorpus(options.corpora, size, options.seed, log);
      const profileDirectory = path.join(work, `profile-${size}`);
      if (options.profile) mkdirSync(profileDirectory, { recursive: true });
      const job: ChildJob = {
        size,
        corpus: corpus.directory,
        work,
        resultFile: path.join(work, `result-${size}.json`),
        queries: options.queries,
        warmup: options.warmup,
        seed: options.seed,
      };
      const done = await spawnChild(job, options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : []);
      log(`  ${size}: ${fmt(done.run.wallMs / 1000, 1)} s, load average ${done.run.loadAverage.min}-${done.run.loadAverage.max}`);
      printSize(done.result, done.run);
      if (options.profile) printProfile(profileDirectory, done.result);
      results.push(done);
    }
  } finally {
    await closeWorkDirectory(work);
  }

  const judged = results.find(({ result }) => result.size === TARGET_SIZE) ?? results.at(-1)!;
  const targetNote =
    judged.result.size === TARGET_SIZE
      ? ''
      : ` (the targets are set for ${TARGET_SIZE.toLocaleString('en-US')} articles; judged here at ${judged.result.size.toLocaleString('en-US')})`;
  const rows = targetRows(judged.result);
  console.log(`\n### Targets at ${judged.result.size.toLocaleString('en-US')} articles${targetNote}\n`);
  console.log(
    markdownTable(
      ['target', 'measured', ''],
      rows.map((row) => [row.target, row.measured, verdict(row.pass)]),
    ),
  );
  const seconds = round((performance.now() - started) / 1000, 1);
  console.log(`\nquery-power: ${seconds} s; ${rows.filter((row) => !row.pass).length} of ${rows.length} targets missed`);
  const json = {
    node: process.version,
    cpus: os.cpus().length,
    src: source,
    options,
    sizes: results.map(({ result, run }) => {
      const { windows: _windows, ...rest } = result;
      return {
        ...rest,
        series: rest.series.map(({ window: _window, ...row }) => row),
        singles: rest.singles.map(({ window: _window, ...single }) => single),
        run,
      };
    }),
    targets: { size: judged.result.size, rows },
    seconds,
  };
  console.log(`\nBENCH_QUERY_POWER_JSON ${JSON.stringify(json)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
