/**
 * Ranked full-text search over a corpus: SQLite FTS5 (through better-sqlite3), chosen by measuring
 * it against MiniSearch on generated corpora (bench/RESULTS.md, "Choosing the search engine").
 * Two contentless FTS5 tables: one of the public view's articles, one of the drafts; a public
 * search reads the first only, so no ranking, count or snippet depends on a draft's words. Columns
 * are title (weight 3), excerpt, body, topics (weight 2) and provider name; ranking is FTS5's BM25.
 * The index follows a live corpus update by update, and is kept in a file beside the content store
 * so a restart with unchanged content reuses it.
 */
import { rmSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Corpus } from './corpus.js';
import type { Article } from './model.js';
import { compareStrings } from './order.js';
import type { BuildRow, SearchBuildData, SearchBuildMessage } from './search-build-worker.js';
import { currentLoaderVersion } from './store.js';
import { StoredArticle } from './stored-article.js';
import { type CorpusUpdate, changedArticles, type ViewChanges } from './update.js';
import { urlKeyOfHref } from './urls.js';
import type { CorpusView } from './view.js';
import { startWorkerThread } from './worker-thread.js';

/** Where the index is read and written from: a corpus that may change, as the server's context sees it. */
export interface SearchSource {
  readonly current: Corpus;
  subscribe?(listener: (update: CorpusUpdate) => void, onClose: () => void): () => void;
}

/** A search query as typed, taken apart. */
export interface ParsedQuery {
  /** Words every hit must have (folded); `prefix` for the last word when the query does not end there. */
  readonly words: readonly { readonly word: string; readonly prefix: boolean }[];
  /** Quoted phrases, each as its folded words. */
  readonly phrases: readonly (readonly string[])[];
  /** Words no hit may have (written `-word`). */
  readonly excluded: readonly string[];
}

/**
 * Ranked matches of one query in one view, in tiers by recency: the TIER_ROWS most recently published
 * matches first, best first among them (ties by slug), then the next TIER_ROWS, and so on. A query
 * with fewer matches is one tier, ranked as a whole. SQLite ranks with BM25 by scoring every row it
 * is asked to order, so ranking all of a common word's tens of thousands of matches cost 20-60 ms at
 * 100k; a tier costs a few (bench/RESULTS.md, "Query power"). Tiers are read only as far as needed.
 */
export interface SearchResult {
  /** Every matching article of the view, tier by tier, each tier best first (ties by slug); listed in full when first read. */
  readonly articles: readonly Article[];
  /** At least the first `count` of `articles` (every one when fewer match): a prefix of `articles`. */
  best(count: number): readonly Article[];
  /** How many articles of the view match. */
  readonly total: number;
  /** The score of each article `articles` or `best` has listed: higher is better (BM25, negated as FTS5 gives it). */
  readonly scores: ReadonlyMap<Article, number>;
  /** The tier of each article `articles` or `best` has listed: 0 for the most recent TIER_ROWS matches, then 1, 2, ... */
  readonly tiers: ReadonlyMap<Article, number>;
  /** The folded terms a hit may contain, for highlighting: words, prefixes (as `word*`), phrase words, typo corrections. */
  readonly terms: readonly string[];
  /** What identifies the query's meaning (queryKey): the same for every query that finds the same articles. */
  readonly key: string;
}

/**
 * Where RankedMatches reads a search's matches: the next rows (at most `limit`; -1: all) in row id
 * order (most recent first) after a row id, with their ranks, from every table the view reads; and
 * their number: `read` when the rows read hold every match (no statement then), null when the
 * index has followed an update since (only a listing, which keeps the view's articles, then counts
 * them).
 */
interface MatchRows {
  after(rowid: number, limit: number): [rowid: number, rank: number][];
  count(read?: number): number | null;
}

/**
 * The share of the public articles beyond which a word is common: a search with other words ranks
 * by those (the common word must still occur). BM25 weighs a word in a tenth of the articles at
 * about a third of one in a thousandth, and one in half of them at nothing.
 */
const COMMON_SHARE = 0.1;
/** The fewest articles a common word is in: below, counting them costs little, and a small corpus ranks by every word. */
export const COMMON_MIN_ARTICLES = 1_000;

/**
 * How many matches one tier ranks: enough that a page of the most relevant recent articles comes
 * from a wide pool, few enough that ranking them stays within a few milliseconds at any corpus size.
 */
export const TIER_ROWS = 2_000;

/**
 * How a search reads its matches: the FTS5 expression they match, the one they are ranked by
 * (null: the same), and whether the first tier and the total come from one statement that reads
 * every match's row id. That is for an expression with a prefix FTS5 merges (its words' lists
 * merged into one before the first row, again in each statement that names it) ranked by another
 * expression: a count would merge it again (bench/RESULTS.md, "A search's total").
 */
interface SearchPlan {
  readonly expression: string;
  readonly rankExpression: string | null;
  readonly readsAllRows: boolean;
}

/** The row id a search's first tier is read after: below every row. */
const FIRST_ROW = Number.MIN_SAFE_INTEGER;

/**
 * A search's matches (SearchResult), ranked tier by tier as far as they have been read. A tier's
 * rows are ordered as numbers; each is looked up as an article only when listed, so a page reads
 * a few dozen of them, not the whole tier.
 */
class RankedMatches implements SearchResult {
  readonly #matches: MatchRows;
  readonly #view: CorpusView;
  readonly #slugOfRow: (rowid: number) => string | undefined;
  readonly #tierRows: number;
  readonly #listed: Article[] = [];
  /** `#listed` as last handed out, frozen; null after more was listed. */
  #frozen: readonly Article[] | null = null;
  readonly #scores = new Map<Article, number>();
  readonly #tiers = new Map<Article, number>();
  /**
   * The rows of the tier being listed, best first, as two columns (row ids and ranks), and how many
   * of them are listed: a cached result keeps two typed arrays, not a small array per row for the
   * garbage collector to copy and promote.
   */
  #tierRowIds = new Float64Array(0);
  #tierRanks = new Float64Array(0);
  #tierListed = 0;
  /** The number of the tier being listed (-1 before the first) and its last row id in row id order. */
  #tier = -1;
  #lastRow = FIRST_ROW;
  /** How many rows the tiers read so far hold. */
  #rowsRead = 0;
  /** Whether the tier being listed is the last one. */
  #lastTier = false;
  #total: number | null = null;

  constructor(
    matches: MatchRows,
    view: CorpusView,
    slugOfRow: (rowid: number) => string | undefined,
    tierRows: number,
    readonly terms: readonly string[],
    readonly key: string,
  ) {
    this.#matches = matches;
    this.#view = view;
    this.#slugOfRow = slugOfRow;
    this.#tierRows = tierRows;
  }

  get articles(): readonly Article[] {
    if (!this.#complete) {
      while (this.#tierListed < this.#tierRowIds.length) this.#listNext();
      if (!this.#lastTier) {
        // Every further tier from one statement: each statement pays BM25's count of every word
        // again, so reading a common word's dozens of tiers one by one cost several times this.
        const rest = this.#matches.after(this.#lastRow, -1);
        if (rest.length === 0) this.#lastTier = true;
        for (let start = 0; start < rest.length; start += this.#tierRows) {
          this.#startTier(rest.slice(start, start + this.#tierRows), start + this.#tierRows >= rest.length);
          while (this.#tierListed < this.#tierRowIds.length) this.#listNext();
        }
      }
    }
    return this.best(Number.POSITIVE_INFINITY);
  }

  get scores(): ReadonlyMap<Article, number> {
    return this.#scores;
  }

  get tiers(): ReadonlyMap<Article, number> {
    return this.#tiers;
  }

  get total(): number {
    // Once the last tier is read its rows are the total: a query with fewer matches than a tier
    // costs no count (FTS5 walks every match of each statement again, 2-5 ms for a common word).
    this.#total ??= this.#complete
      ? this.#listed.length
      : (this.#matches.count(this.#lastTier ? this.#rowsRead : undefined) ?? this.articles.length);
    return this.#total;
  }

  best(count: number): readonly Article[] {
    while (this.#listed.length < count && !this.#complete) {
      if (this.#tierListed === this.#tierRowIds.length) this.#readTier();
      else this.#listNext();
    }
    this.#frozen ??= Object.freeze([...this.#listed]);
    return this.#frozen;
  }

  /** Whether every match is listed. */
  get #complete(): boolean {
    return this.#lastTier && this.#tierListed === this.#tierRowIds.length;
  }

  /** Reads and ranks the next tier's rows. */
  #readTier(): void {
    const rows = this.#matches.after(this.#lastRow, this.#tierRows);
    this.#startTier(rows, rows.length < this.#tierRows);
  }

  /** Ranks a tier's rows (given in row id order) and makes it the tier being listed. */
  #startTier(rows: [rowid: number, rank: number][], last: boolean): void {
    this.#tier++;
    this.#lastTier = last;
    this.#rowsRead += rows.length;
    if (rows.length > 0) this.#lastRow = rows[rows.length - 1]![0];
    // Best first (FTS5's rank is the negated score), ties by slug. Ties are common (one word in
    // titles of one length), so each tied row's slug is looked up once, not at each comparison.
    rows.sort((a, b) => a[1] - b[1]);
    for (let start = 0, end = 1; start < rows.length; start = end++) {
      while (end < rows.length && rows[end]![1] === rows[start]![1]) end++;
      if (end - start < 2) continue;
      const tied = rows.slice(start, end).map((row) => ({ row, slug: this.#slugOfRow(row[0]) ?? '' }));
      tied.sort((a, b) => compareStrings(a.slug, b.slug));
      for (let at = 0; at < tied.length; at++) rows[start + at] = tied[at]!.row;
    }
    this.#tierRowIds = Float64Array.from(rows, (row) => row[0]);
    this.#tierRanks = Float64Array.from(rows, (row) => row[1]);
    this.#tierListed = 0;
  }

  /** Lists the next row of the tier: its article, unless the view does not hold it or (the index having followed an update meanwhile) it is listed already. */
  #listNext(): void {
    const rowid = this.#tierRowIds[this.#tierListed]!;
    const rank = this.#tierRanks[this.#tierListed++]!;
    const slug = this.#slugOfRow(rowid);
    const article = slug === undefined ? undefined : this.#view.articleBySlug(slug);
    if (article !== undefined && !this.#scores.has(article)) {
      this.#scores.set(article, -rank);
      this.#tiers.set(article, this.#tier);
      this.#listed.push(article);
      this.#frozen = null;
    }
    if (this.#complete) this.#total = this.#listed.length;
  }
}

/** Thrown for a query that cannot be searched (nothing but excluded words, or no word at all); its message says why. */
export class SearchQueryError extends Error {}

/** The name of the index file beside a content store. */
export const SEARCH_INDEX_FILE = 'search.sqlite';
/** Words of at least this many letters also match a word one edit away when they match nothing as typed. */
const TYPO_MIN_LETTERS = 5;
/** The most words one search may have (each may cost a look-up of its typo corrections). */
const MAX_QUERY_WORDS = 32;
/**
 * How many words a prefix is searched as (their OR) rather than as an FTS5 prefix query: always up
 * to PREFIX_WORDS, where the OR cost half as much at 100k articles; up to DENSE_PREFIX_WORDS when
 * the words are in PREFIX_WORD_ARTICLES articles each or more on average, where the merged list of
 * a prefix query is long (`ai`: 66 words in 74,900 articles; after another word, 30 ms as a prefix,
 * 11 as the OR). Sparser, more numerous words cost the OR more (bench/RESULTS.md, "Prefixes searched
 * as the words they stand for").
 */
const PREFIX_WORDS = 32;
const DENSE_PREFIX_WORDS = 100;
const PREFIX_WORD_ARTICLES = 400;
/** How many prefixes' words a SearchIndex remembers (#completions), the oldest forgotten first. */
const PREFIXES_REMEMBERED = 4_096;
/** Queries remembered per view. */
const RESULTS_PER_VIEW = 128;
/** The most words of an article that `alike` searches for. */
const SIMILAR_TERMS = 12;
/**
 * The most articles the words `alike` searches for may hold together (each word's public document
 * count, summed): it bounds what SQLite ranks, whatever the corpus size.
 */
const SIMILAR_MATCH_BUDGET = 2_000;
/** The format of the index file: a file of another format, or written by another version of the loader, is rebuilt. */
const FORMAT = 'newsgraph-search-4';
/**
 * Pages of segments a merge step writes (FTS5's `merge` command). Each update writes a small
 * segment of its own; FTS5 would merge segments inside the writes that make them (`automerge`),
 * which made one update in twenty or so take 15-60 ms more at 100k articles. The index merges
 * them instead in steps of this many pages (a few milliseconds) after each update, between
 * requests.
 */
const MERGE_STEP_PAGES = 64;
/**
 * Bytes of pending index data FTS5 holds in memory before writing them out as a segment (its
 * `hashsize`; 1 MiB by default). A build of 100k articles on one thread wrote a segment per MiB and
 * merged them as it went: 5.6-6.8 s; with 16 MiB, 4.8-4.9 s (64 MiB: 4.3-4.7 s, but twice the
 * memory the build leaves behind). Transient: freed once a transaction's data is written.
 */
const PENDING_BYTES = 16 * 1024 * 1024;
const COLUMNS = ['title', 'excerpt', 'body', 'topics', 'provider'] as const;
/** BM25 weights of the columns, in COLUMNS order. */
const WEIGHTS = [3, 1, 1, 2, 1];
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;

/** Any character but printable ASCII: what may need Unicode decomposition to fold. */
const NOT_PRINTABLE_ASCII = /[^ -~]/;

/** Text as the index folds it: lowercase, accents removed (FTS5 unicode61 with remove_diacritics 2). */
function foldTerm(text: string): string {
  // Printable ASCII has nothing to decompose and no marks: lowercasing is the whole fold, and most words are ASCII.
  if (!NOT_PRINTABLE_ASCII.test(text)) return text.toLowerCase();
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** One folded word of a text, with where it starts and ends in the text. */
export interface Token {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

/** The token a match of TOKEN is. */
function tokenOf(match: RegExpExecArray): Token {
  return { word: foldTerm(match[0]), start: match.index, end: match.index + match[0].length };
}

/** The folded words of a text, in order, read one by one (a caller may stop early). */
export function* tokensOf(text: string): Generator<Token> {
  for (const match of text.matchAll(TOKEN)) yield tokenOf(match);
}

/** The folded words of a text, in order, with where each starts and ends in the text (without a generator: the document counts take every word of each changed article). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(TOKEN)) tokens.push(tokenOf(match));
  return tokens;
}

/**
 * Takes a query apart: `"quoted phrases"`, `-excluded` words, and words; the last word is a prefix
 * unless the query ends with a space or a quote.
 */
export function parseQuery(query: string): ParsedQuery {
  const words: { word: string; prefix: boolean }[] = [];
  const phrases: string[][] = [];
  const excluded: string[] = [];
  const pattern = /(-?)"([^"]*)"?|(-?)([^\s"]+)/g;
  for (const match of query.matchAll(pattern)) {
    if (match[2] !== undefined) {
      const phrase = tokenize(match[2]).map((token) => token.word);
      if (phrase.length === 0) continue;
      if (match[1] === '-') excluded.push(...phrase);
      else if (phrase.length === 1) words.push({ word: phrase[0]!, prefix: false });
      else phrases.push(phrase);
      continue;
    }
    const tokens = tokenize(match[4]!).map((token) => token.word);
    if (match[3] === '-') excluded.push(...tokens);
    else for (const word of tokens) words.push({ word, prefix: false });
  }
  const last = words.at(-1);
  const lastMatch = [...query.matchAll(pattern)].at(-1);
  if (last !== undefined && lastMatch?.[4] !== undefined && lastMatch[3] !== '-' && !/\s$/.test(query)) {
    words[words.length - 1] = { word: last.word, prefix: true };
  }
  return { words, phrases, excluded };
}

/** What identifies a query's meaning: two queries with the same key find the same articles (`act` and `act ` do not). */
function queryKey(parsed: ParsedQuery): string {
  return JSON.stringify(parsed);
}

/** An FTS5 string literal. */
function quote(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

/** An FTS5 expression matching any of these terms (quoted words, or prefix queries). */
function anyOf(terms: readonly string[]): string {
  return terms.length === 1 ? terms[0]! : `(${terms.join(' OR ')})`;
}

/** The words one edit (insertion, deletion, substitution, transposition) away from a word. */
function oneEditAway(word: string): string[] {
  const letters = [...new Set([...'abcdefghijklmnopqrstuvwxyz0123456789', ...word])];
  const chars = [...word];
  const variants = new Set<string>();
  for (let at = 0; at <= chars.length; at++) {
    const head = chars.slice(0, at).join('');
    const tail = chars.slice(at).join('');
    for (const letter of letters) variants.add(head + letter + tail);
    if (at < chars.length) {
      variants.add(head + chars.slice(at + 1).join(''));
      for (const letter of letters) variants.add(head + letter + chars.slice(at + 1).join(''));
      if (at + 1 < chars.length) variants.add(head + chars[at + 1] + chars[at] + chars.slice(at + 2).join(''));
    }
  }
  variants.delete(word);
  return [...variants];
}

type Kind = 'public' | 'draft';

/** Opens the index file; one that is not a database (truncated, foreign) is removed and started afresh: it is only a cache. */
function openDatabase(file: string): Database.Database {
  const open = () => {
    const db = new Database(file);
    db.pragma('busy_timeout = 10000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    return db;
  };
  try {
    return open();
  } catch {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    return open();
  }
}

/** The version the index's file records when it must be built again (no corpus version looks like it). */
const STALE_VERSION = 'stale';

/** Row ids per second of publication: room for that many articles published within one second. */
const ROWS_PER_SECOND = 2 ** 21;
/** The latest second a row id tells apart (in 2106); later ones count as this one. 2 ** 32 seconds × ROWS_PER_SECOND stay within 2 ** 53. */
const LAST_SECOND = 2 ** 32 - 1;

/**
 * The first row id of an article's second of publication: row ids order the index's rows most
 * recently published first (those without a date last), so that the rows of a match in row id
 * order are its tiers (SearchResult). The row takes the first free id of its second.
 */
function firstRowOfSecond(article: Article): number {
  const published = article.publishedDateTime;
  const second = published === null ? -1 : Math.min(Math.max(Math.floor(published / 1000), 0), LAST_SECOND - 1);
  return (LAST_SECOND - 1 - second) * ROWS_PER_SECOND;
}

/** The length of an article's indexed text, kept with its row to check that a removal names the text the row was made of. */
function textLength(columns: readonly string[]): number {
  let length = 0;
  for (const column of columns) length += column.length;
  return length;
}

/** The texts of an article as the index holds them: title, excerpt, body (without link targets), topic names, provider name. */
export function columnsOf(article: Article): string[] {
  return [
    article.title,
    article.excerpt ?? '',
    // Link and image targets are not words of the text.
    (article.body ?? '').replace(/\]\([^)]*\)/g, ']'),
    article.topics.map((topic) => topic.name).join('\n'),
    article.provider?.name ?? '',
  ];
}

/**
 * The share of the public articles beyond which an update leaves the word counts to be read again
 * from the index when next needed (`#documentCounts`) rather than counting the words of each changed
 * article: at 100k articles, counting took about 50 µs per article (0.96 s of a 10,000-file update)
 * and reading them all again 0.27 s.
 */
const RECOUNT_SHARE = 0.05;
/** The index's table kinds, in the order a build numbers them (search-build-worker.ts). */
const KINDS = ['public', 'draft'] as const;
/** Rows a build hands its worker at once, and the most batches it lets wait there. */
const BUILD_BATCH_ROWS = 500;
const BUILD_BATCHES_IN_FLIGHT = 8;
/** From this many articles on, prepare() builds with a worker thread (starting one takes tens of milliseconds). */
const WORKER_FROM_ARTICLES = 2_000;
const SET_META = 'INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)';

/** Inserts a row into a kind's row table: (rowid, slug, text_length). */
function insertRowSql(kind: Kind): string {
  return `INSERT INTO ${kind}_rows(rowid, slug, text_length) VALUES (?, ?, ?)`;
}

/** Inserts a row's text into a kind's FTS5 table: (rowid, and the COLUMNS). */
function insertTextSql(kind: Kind): string {
  return `INSERT INTO ${kind}_fts(rowid, ${COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?)`;
}

/** What a build indexes, in order: every article of the public view, then the drafts of the preview view. */
function* articlesToIndex(corpus: Corpus): Generator<[Kind, Article]> {
  for (const article of corpus.public.articleList) yield ['public', article];
  for (const article of corpus.preview.articleList) if (!article.published) yield ['draft', article];
}

/** The meta rows a build writes last: the file's format, the loader's version, the corpus version. */
function metaRows(corpus: Corpus): [string, string][] {
  return [
    ['format', FORMAT],
    ['loader', currentLoaderVersion()],
    ['version', corpus.version],
  ];
}

/** How a SearchIndex ranks. */
export interface SearchIndexOptions {
  /** How many matches one tier ranks (TIER_ROWS by default). */
  readonly tierRows?: number;
  /** The fewest articles a word must be in, beyond a tenth of them, to be left out of a ranking (COMMON_MIN_ARTICLES by default). */
  readonly commonMinArticles?: number;
  /** The articles per word, on average, from which a prefix of many words is searched as their OR (PREFIX_WORD_ARTICLES by default). */
  readonly prefixWordArticles?: number;
  /** The fewest articles (of the preview view) that prepare() builds with a worker thread (WORKER_FROM_ARTICLES by default): a smaller index is built sooner than a worker starts. */
  readonly workerFromArticles?: number;
}

/**
 * The search index of a corpus. Built from the corpus current when it is first needed (or reused
 * from its file when it was written for that version), then kept in step with each update.
 */
export class SearchIndex {
  readonly #db: Database.Database;
  readonly #source: SearchSource;
  readonly #rowOfSlug: Record<Kind, Map<string, number>> = { public: new Map(), draft: new Map() };
  readonly #slugOfRow: Record<Kind, Map<number, string>> = { public: new Map(), draft: new Map() };
  readonly #results = new WeakMap<CorpusView, Map<string, SearchResult>>();
  readonly #alike = new WeakMap<CorpusView, WeakMap<Article, readonly Article[]>>();
  #documentFrequency: Map<string, number> | null = null;
  /** The words prefixes stand for (#completions), in the version of the index they were read in. */
  #prefixWords: { version: string | null; words: Map<string, string[] | null> } = { version: null, words: new Map() };
  #version: string | null = null;
  readonly #file: string;
  /** A build on a worker thread is under way (prepare): searches must wait for it. */
  #building = false;
  /** Its worker thread, once started. */
  #buildWorker: Worker | null = null;
  #unsubscribe: (() => void) | null = null;
  /** Merge steps are under way (#mergeSoon). */
  #merging = false;
  #statements: ReturnType<SearchIndex['prepareStatements']> | null = null;
  readonly #tierRows: number;
  readonly #commonMinArticles: number;
  readonly #prefixWordArticles: number;
  readonly #workerFromArticles: number;

  /**
   * @param source the corpus (and its updates, when live)
   * @param file where to keep the index; `:memory:` keeps it in memory
   * @param options how many matches a tier ranks, and how many articles a common word is in at least (SearchIndexOptions)
   */
  constructor(source: SearchSource, file = ':memory:', options: SearchIndexOptions = {}) {
    this.#source = source;
    this.#tierRows = options.tierRows ?? TIER_ROWS;
    this.#commonMinArticles = options.commonMinArticles ?? COMMON_MIN_ARTICLES;
    this.#prefixWordArticles = options.prefixWordArticles ?? PREFIX_WORD_ARTICLES;
    this.#workerFromArticles = options.workerFromArticles ?? WORKER_FROM_ARTICLES;
    this.#file = file;
    this.#db = openDatabase(file);
    this.#unsubscribe =
      source.subscribe?.(
        (update) => this.#apply(update),
        () => this.close(),
      ) ?? null;
  }

  /** Builds the index now, unless its file already holds the current version; returns whether it was built. */
  prepareNow(): boolean {
    return this.#ensure();
  }

  /**
   * As prepareNow, but a build writes the index on a worker thread while this thread reads the
   * articles' text, the two halves of a build side by side (100k articles: 2.9-3.0 s against
   * 4.7-4.8 s). A small corpus (workerFromArticles), an index kept in memory, or one whose worker
   * cannot start or fails, is built on this thread instead. Nothing may search until it
   * resolves; a corpus update published meanwhile leaves the index to be built again when next
   * searched. `onProblem` hears why a worker failed.
   */
  async prepare(onProblem?: (message: string) => void): Promise<boolean> {
    if (this.#version !== null || this.#reuse()) return false;
    const corpus = this.#source.current;
    if (this.#file === ':memory:' || corpus.preview.articleList.length < this.#workerFromArticles) {
      this.#build(corpus);
      return true;
    }
    this.#building = true;
    try {
      await this.#buildOnWorker(corpus);
    } catch (error) {
      if (!this.#db.open) return false;
      onProblem?.(`the search index's worker thread failed (${(error as Error).message}); building it on the main thread`);
      this.#build(corpus);
      return true;
    } finally {
      this.#building = false;
    }
    this.#version = this.#source.current.version === corpus.version ? corpus.version : null;
    return true;
  }

  /** The ranked matches of a query in a view. Throws SearchQueryError for a query with nothing to search for. */
  search(view: CorpusView, query: string): SearchResult {
    let results = this.#results.get(view);
    if (results === undefined) {
      results = new Map();
      this.#results.set(view, results);
    }
    const parsed = parseQuery(query);
    const key = queryKey(parsed);
    let result = results.get(key);
    if (result === undefined) {
      this.#ensure();
      const { terms, ...plan } = this.#expression(parsed, view.kind === 'preview');
      result = this.#matches(view, plan, terms, key);
      if (results.size >= RESULTS_PER_VIEW) results.delete(results.keys().next().value!);
      results.set(key, result);
    }
    return result;
  }

  /**
   * Articles of the view most alike an article, best first (at most 64): its words weighed by
   * TF-IDF (in its own text, against the public index), the best dozen that fit the match budget
   * (SIMILAR_MATCH_BUDGET) searched for together, each match's score raised by a fifth for every
   * topic it shares with the article. Never the article itself, nor another file with one of its
   * URLs.
   */
  alike(view: CorpusView, article: Article): readonly Article[] {
    let known = this.#alike.get(view);
    if (known === undefined) {
      known = new WeakMap();
      this.#alike.set(view, known);
    }
    let alike = known.get(article);
    if (alike === undefined) {
      alike = this.#findAlike(view, article);
      known.set(article, alike);
    }
    return alike;
  }

  #findAlike(view: CorpusView, article: Article): readonly Article[] {
    this.#ensure();
    const counts = new Map<string, number>();
    for (const text of columnsOf(article))
      for (const { word } of tokenize(text)) if ([...word].length > 2) counts.set(word, (counts.get(word) ?? 0) + 1);
    const total = Math.max(1, this.#rowOfSlug.public.size);
    const documents = this.#documentCounts();
    const weighted: [string, number][] = [];
    for (const [term, count] of counts) {
      const holders = documents.get(term) ?? 0;
      // A word only this article has finds nothing else; one most articles have says little.
      if (holders < 2 || holders > total / 2) continue;
      weighted.push([term, count * Math.log(total / holders)]);
    }
    weighted.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    // The best dozen whose articles add up to at most the budget: SQLite ranks every article the
    // search matches, so a common word would cost a ranking of thousands (tens of ms at 100k).
    const chosen: string[] = [];
    let budget = SIMILAR_MATCH_BUDGET;
    for (const [term] of weighted) {
      const holders = documents.get(term)!;
      if (holders > budget) continue;
      chosen.push(term);
      budget -= holders;
      if (chosen.length === SIMILAR_TERMS) break;
    }
    if (chosen.length === 0) return Object.freeze([]);
    const { articles, scores } = this.#run(view, chosen.map(quote).join(' OR '), 64);
    const sameUrl = new Set<Article>([article]);
    for (const url of [article.webUrl, article.originalUrl, article.ampWebUrl, article.cdnAmpWebUrl]) {
      const key = url === null ? null : urlKeyOfHref(url);
      for (const sharer of key === null ? [] : (view.index.bySharedUrlKey.get(key) ?? [])) sameUrl.add(sharer);
    }
    const topics = new Set(article.topics.map((topic) => topic.slug));
    const boosted = articles
      .filter((other) => !sameUrl.has(other))
      .map((other) => ({ other, score: scores.get(other)! * (1 + 0.2 * other.topics.filter((topic) => topics.has(topic.slug)).length) }));
    boosted.sort((a, b) => b.score - a.score || (a.other.slug < b.other.slug ? -1 : a.other.slug > b.other.slug ? 1 : 0));
    return Object.freeze(boosted.map(({ other }) => other));
  }

  /**
   * In how many public articles each term appears: read from the index once when first needed
   * (fts5vocab walks every term's list, so per-term look-ups would cost as much as the list is
   * long), then kept in step by #insert and #remove.
   */
  #documentCounts(): Map<string, number> {
    if (this.#documentFrequency === null) {
      const counts = new Map<string, number>();
      for (const row of this.#db.prepare('SELECT term, doc FROM public_vocab').iterate() as Iterable<{ term: string; doc: number }>) {
        counts.set(row.term, row.doc);
      }
      this.#documentFrequency = counts;
    }
    return this.#documentFrequency;
  }

  /** Adds (1) or takes away (-1) the words of an article's columns (columnsOf) in the public document counts, when they are kept. */
  #countWords(columns: () => string[], delta: 1 | -1): void {
    const counts = this.#documentFrequency;
    if (counts === null) return;
    let words: Set<string>;
    try {
      words = new Set(columns().flatMap((text) => tokenize(text).map((token) => token.word)));
    } catch {
      this.#documentFrequency = null; // Its text cannot be read any more: count again when next needed.
      return;
    }
    for (const word of words) {
      const count = (counts.get(word) ?? 0) + delta;
      if (count > 0) counts.set(word, count);
      else counts.delete(word);
    }
  }

  /** Stops following updates and closes the index. */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    void this.#buildWorker?.terminate();
    if (this.#db.open) this.#db.close();
  }

  private prepareStatements() {
    const statement = (sql: string) => this.#db.prepare(sql);
    /** One statement per table kind, its SQL written for a kind; `raw` gives rows as arrays, `pluck` their first column. */
    const perKind = (sql: (kind: Kind) => string, shape?: 'raw' | 'pluck') => {
      const prepared = (kind: Kind) => {
        const made = statement(sql(kind));
        return shape === 'raw' ? made.raw() : shape === 'pluck' ? made.pluck() : made;
      };
      return { public: prepared('public'), draft: prepared('draft') };
    };
    return {
      insert: perKind(insertTextSql),
      // FTS5's 'delete' command, given the text the row was inserted with.
      remove: perKind((kind) => `INSERT INTO ${kind}_fts(${kind}_fts, rowid, ${COLUMNS.join(', ')}) VALUES ('delete', ?, ?, ?, ?, ?, ?)`),
      textLength: perKind((kind) => `SELECT text_length FROM ${kind}_rows WHERE rowid = ?`, 'pluck'),
      addRow: perKind(insertRowSql),
      // The last row id taken in a second, in either table: row ids are unique across both, so a
      // preview search can read them as one sequence.
      lastRowOfSecond: statement(
        'SELECT max(rowid) FROM (SELECT max(rowid) AS rowid FROM public_rows WHERE rowid BETWEEN @first AND @last ' +
          'UNION ALL SELECT max(rowid) FROM draft_rows WHERE rowid BETWEEN @first AND @last)',
      ).pluck(),
      removeRow: perKind((kind) => `DELETE FROM ${kind}_rows WHERE rowid = ?`),
      // A tier's rows, as [rowid, rank] arrays (no object per match): FTS5 scores only the rows it returns.
      after: perKind((kind) => `SELECT rowid, rank FROM ${kind}_fts WHERE ${kind}_fts MATCH ? AND rowid > ? ORDER BY rowid LIMIT ?`, 'raw'),
      // A tier's rows without their ranks, and the ranks of given rows (a JSON array, in order) by
      // another expression: FTS5 walks that expression's matches from the first given row to the
      // last, and scores only the rows given (`+rowid`: looked up row by row, each look-up would
      // count every word's articles again). Ranking every match in that range instead cost up to twice
      // as much where the tier's rows are few among them (bench/RESULTS.md).
      rowsAfter: perKind((kind) => `SELECT rowid FROM ${kind}_fts WHERE ${kind}_fts MATCH ? AND rowid > ? ORDER BY rowid LIMIT ?`, 'pluck'),
      rankOf: perKind(
        (kind) =>
          `SELECT rowid, rank FROM ${kind}_fts WHERE ${kind}_fts MATCH ? AND rowid > ? AND +rowid IN (SELECT value FROM json_each(?)) ORDER BY rowid LIMIT ?`,
        'raw',
      ),
      // The best rows, for `alike`: FTS5 scores every match to order them.
      match: perKind((kind) => `SELECT rowid, rank FROM ${kind}_fts WHERE ${kind}_fts MATCH ? ORDER BY rank LIMIT ?`, 'raw'),
      // Matches counted without ranking them.
      count: perKind((kind) => `SELECT count(*) FROM ${kind}_fts WHERE ${kind}_fts MATCH ?`, 'pluck'),
      // A MATCH stops at the first article; fts5vocab would walk the term's whole list.
      hasTerm: perKind((kind) => `SELECT 1 FROM ${kind}_fts WHERE ${kind}_fts MATCH ? LIMIT 1`),
      // A table's words from the first bound up to the second, in order, with their articles (fts5vocab reads the lists of those words only).
      wordsBetween: perKind((kind) => `SELECT term, doc FROM ${kind}_vocab WHERE term >= ? AND term < ? ORDER BY term LIMIT ?`, 'raw'),
      setMeta: statement(SET_META),
      // FTS5's 'merge' command: up to this many pages of merging, of levels that hold enough segments to merge.
      merge: perKind((kind) => `INSERT INTO ${kind}_fts(${kind}_fts, rank) VALUES ('merge', ?)`),
      totalChanges: statement('SELECT total_changes()').pluck(),
    };
  }

  /** Makes sure the index holds the current version (or a later one, through updates); returns whether it built it. */
  #ensure(): boolean {
    if (this.#version !== null) return false;
    if (this.#building) throw new Error('The search index is being built (SearchIndex.prepare): search once it resolves.');
    if (this.#reuse()) return false;
    this.#build(this.#source.current);
    return true;
  }

  /** Takes the index as its file holds it when the file was written for the current version; returns whether it did. */
  #reuse(): boolean {
    const corpus = this.#source.current;
    const meta = this.#readMeta();
    if (meta.format !== FORMAT || meta.loader !== currentLoaderVersion() || meta.version !== corpus.version) return false;
    this.#statements = this.prepareStatements();
    for (const kind of KINDS) {
      for (const row of this.#db.prepare(`SELECT rowid, slug FROM ${kind}_rows`).all() as { rowid: number; slug: string }[]) {
        this.#rowOfSlug[kind].set(row.slug, row.rowid);
        this.#slugOfRow[kind].set(row.rowid, row.slug);
      }
    }
    this.#version = corpus.version;
    return true;
  }

  #readMeta(): { format?: string; loader?: string; version?: string } {
    try {
      const rows = this.#db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
      return Object.fromEntries(rows.map((row) => [row.key, row.value]));
    } catch {
      return {};
    }
  }

  /** Builds the index of a corpus on this thread, in one transaction. */
  #build(corpus: Corpus): void {
    this.#createTables();
    this.#db.transaction(() => {
      // The last row id taken in each second, kept here while the tables fill rather than asked of them per row.
      const lastRows = new Map<number, number>();
      for (const [kind, article] of articlesToIndex(corpus)) this.#insert(kind, article, lastRows);
      for (const [key, value] of metaRows(corpus)) this.#statements!.setMeta.run(key, value);
    })();
    this.#finishBuild(corpus);
  }

  /**
   * Builds the index of a corpus with its rows written by a worker thread (search-build-worker.ts)
   * while this thread reads the text, a few batches ahead at most. Rejects, with nothing committed,
   * when the worker cannot start or fails.
   */
  async #buildOnWorker(corpus: Corpus): Promise<void> {
    this.#createTables();
    const data: SearchBuildData = {
      file: this.#file,
      insertRow: KINDS.map(insertRowSql),
      insertText: KINDS.map(insertTextSql),
      insertMeta: SET_META,
    };
    const worker = await startWorkerThread('search-build-worker', data);
    this.#buildWorker = worker;
    let inFlight = 0;
    let written: (() => void) | null = null;
    let committed: (() => void) | null = null;
    const failed = new Promise<never>((_, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the search index worker exited with code ${code}`)));
    });
    failed.catch(() => {}); // Heard through the races below.
    worker.on('message', (message: { written: number } | { committed: true }) => {
      if ('committed' in message) {
        committed?.();
        return;
      }
      inFlight--;
      written?.();
    });
    const send = async (message: SearchBuildMessage) => {
      while (inFlight >= BUILD_BATCHES_IN_FLIGHT) await Promise.race([new Promise<void>((resolve) => (written = resolve)), failed]);
      worker.postMessage(message);
      inFlight++;
    };
    try {
      const lastRows = new Map<number, number>();
      let rows: BuildRow[] = [];
      for (const [kind, article] of articlesToIndex(corpus)) {
        const { row, columns } = this.#place(kind, article, lastRows);
        rows.push([KINDS.indexOf(kind), row, article.slug, textLength(columns), ...columns]);
        if (rows.length === BUILD_BATCH_ROWS) {
          await send({ rows });
          rows = [];
        }
      }
      await send({ rows });
      const done = new Promise<void>((resolve) => (committed = resolve));
      worker.postMessage({ meta: metaRows(corpus) } satisfies SearchBuildMessage);
      await Promise.race([done, failed]);
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      this.#buildWorker = null;
    }
    this.#finishBuild(corpus);
  }

  /** Empties the file and creates its tables, for a build. */
  #createTables(): void {
    const db = this.#db;
    db.exec(`
      DROP TABLE IF EXISTS public_vocab; DROP TABLE IF EXISTS draft_vocab;
      DROP TABLE IF EXISTS public_fts; DROP TABLE IF EXISTS draft_fts;
      DROP TABLE IF EXISTS public_rows; DROP TABLE IF EXISTS draft_rows; DROP TABLE IF EXISTS meta;
      CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
      CREATE TABLE public_rows(rowid INTEGER PRIMARY KEY, slug TEXT UNIQUE NOT NULL, text_length INTEGER NOT NULL);
      CREATE TABLE draft_rows(rowid INTEGER PRIMARY KEY, slug TEXT UNIQUE NOT NULL, text_length INTEGER NOT NULL);
    `);
    for (const kind of KINDS) {
      db.exec(
        // Contentless, and rows removed with their text: with contentless_delete=1 instead, a
        // removed row's length stayed in the averages BM25 scores with, so ranks drifted from
        // those of a fresh build with every update.
        `CREATE VIRTUAL TABLE ${kind}_fts USING fts5(${COLUMNS.join(', ')}, content='', tokenize='unicode61 remove_diacritics 2');
         INSERT INTO ${kind}_fts(${kind}_fts, rank) VALUES ('rank', 'bm25(${WEIGHTS.join(', ')})');
         INSERT INTO ${kind}_fts(${kind}_fts, rank) VALUES ('hashsize', ${PENDING_BYTES});
         CREATE VIRTUAL TABLE ${kind}_vocab USING fts5vocab(${kind}_fts, row);`,
      );
    }
    this.#statements = this.prepareStatements();
    for (const kind of KINDS) {
      this.#rowOfSlug[kind].clear();
      this.#slugOfRow[kind].clear();
    }
    this.#documentFrequency = null;
  }

  /** What follows a build's commit: merging left to #mergeSoon from now on, the log emptied, the version taken. */
  #finishBuild(corpus: Corpus): void {
    // The build merged as it wrote (FTS5's default); updates leave merging to #mergeSoon.
    for (const kind of KINDS) this.#db.exec(`INSERT INTO ${kind}_fts(${kind}_fts, rank) VALUES ('automerge', 0)`);
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    this.#version = corpus.version;
  }

  /** Adds an article under the first free row id of its second; `lastRows`, when given, holds the last row id taken in each second of the tables. */
  #insert(kind: Kind, article: Article, lastRows?: Map<number, number>): void {
    const statements = this.#statements!;
    const { row, columns } = this.#place(kind, article, lastRows);
    statements.addRow[kind].run(row, article.slug, textLength(columns));
    statements.insert[kind].run(row, ...columns);
    if (kind === 'public') this.#countWords(() => columns, 1);
  }

  /**
   * The row an article takes, and its text: the first free row id of its second of publication
   * (`lastRows`, when given, holds the last row id taken in each second; otherwise the tables are
   * asked), mapped to and from its slug.
   */
  #place(kind: Kind, article: Article, lastRows?: Map<number, number>): { row: number; columns: string[] } {
    // The record is read once here, not through the store's cache: a build reads every record.
    const columns = columnsOf(article instanceof StoredArticle ? article.readOnce() : article);
    const first = firstRowOfSecond(article);
    const taken =
      lastRows === undefined
        ? (this.#statements!.lastRowOfSecond.get({ first, last: first + ROWS_PER_SECOND - 1 }) as number | null)
        : lastRows.get(first);
    const row = taken == null ? first : taken + 1;
    if (row >= first + ROWS_PER_SECOND)
      throw new Error(`More than ${ROWS_PER_SECOND} articles are published in the second of ${article.slug}.`);
    lastRows?.set(first, row);
    this.#rowOfSlug[kind].set(article.slug, row);
    this.#slugOfRow[kind].set(row, article.slug);
    return { row, columns };
  }

  /**
   * Removes an article of the version being replaced, with its text as that version holds it (an
   * update pins those records): the text its row was inserted with. Returns false when the text is
   * not that (its length differs, or it cannot be read): the index must then be built again.
   */
  #remove(kind: Kind, article: Article): boolean {
    const { slug } = article;
    const row = this.#rowOfSlug[kind].get(slug);
    if (row === undefined) return true;
    const statements = this.#statements!;
    let columns: string[];
    try {
      columns = columnsOf(article);
    } catch {
      return false;
    }
    if (textLength(columns) !== statements.textLength[kind].get(row)) return false;
    if (kind === 'public') this.#countWords(() => columns, -1);
    statements.remove[kind].run(row, ...columns);
    statements.removeRow[kind].run(row);
    this.#rowOfSlug[kind].delete(slug);
    this.#slugOfRow[kind].delete(row);
    return true;
  }

  /** Applies one published update: the public table follows the public view, the draft table the drafts of the preview view. */
  #apply(update: CorpusUpdate): void {
    if (this.#version === null || !this.#db.open) return; // Not built yet: it will be built from the version current then.
    if (changedArticles(update.changes.public) > RECOUNT_SHARE * this.#rowOfSlug.public.size) {
      // Counting the words of this many articles costs more than reading the counts again when next needed.
      this.#documentFrequency = null;
    }
    // Every removal of a table before any insert: FTS5 writes its pending inserts out before a
    // delete, so alternating the two cost 80-160 µs per delete at 100k articles, against 13-17.
    let exact = true;
    const each = (changes: ViewChanges, kind: Kind, holds: (article: Article) => boolean) => {
      for (const article of [...changes.removed, ...changes.updated.map(({ before }) => before)]) {
        if (exact) exact = this.#remove(kind, article);
      }
      if (!exact) return;
      for (const { after } of changes.updated) if (holds(after)) this.#insert(kind, after);
      for (const article of changes.added) if (holds(article)) this.#insert(kind, article);
    };
    this.#db.transaction(() => {
      each(update.changes.public, 'public', () => true);
      // A draft that is published now is in the preview view's updated list: it leaves the draft table.
      each(update.changes.preview, 'draft', (article) => !article.published);
      this.#statements!.setMeta.run('version', exact ? update.corpus.version : STALE_VERSION);
    })();
    // A row whose text could not be removed exactly would stay findable: built again when next searched.
    this.#version = exact ? update.corpus.version : null;
    this.#mergeSoon();
  }

  /** Merges the segments updates wrote, a step (MERGE_STEP_PAGES) at a time, each after the event loop has run, until none is left to merge. */
  #mergeSoon(): void {
    if (this.#merging) return;
    this.#merging = true;
    const step = () => {
      if (!this.#db.open || this.#statements === null) {
        this.#merging = false;
        return;
      }
      let merged = false;
      for (const merge of Object.values(this.#statements.merge)) {
        // A step that changed fewer than two rows found nothing to merge (FTS5's documented test).
        const before = this.#statements.totalChanges.get() as number;
        merge.run(MERGE_STEP_PAGES);
        if ((this.#statements.totalChanges.get() as number) - before >= 2) merged = true;
      }
      if (merged) setImmediate(step);
      else this.#merging = false;
    };
    setImmediate(step);
  }

  /**
   * The FTS5 expression of a parsed query, with the terms a hit may contain and, when it differs,
   * the expression its matches are ranked by: the query's words and phrases without its excluded
   * words, and without its common words (COMMON_SHARE, COMMON_MIN_ARTICLES) when it has others.
   * Every word of an expression costs FTS5's BM25 a pass over all the articles with that word, to
   * count them; that pass is what made a search with a word most articles have slow, while such a
   * word weighs little in the score (nothing at all beyond half the articles). The last word, when
   * still being typed, ranks only when it is not common and FTS5 need not merge it; otherwise the
   * common words typed in full rank, if there are any.
   */
  #expression(parsed: ParsedQuery, withDrafts: boolean): SearchPlan & { terms: string[] } {
    const count = parsed.words.length + parsed.excluded.length + parsed.phrases.reduce((sum, phrase) => sum + phrase.length, 0);
    if (count > MAX_QUERY_WORDS) throw new SearchQueryError(`A search takes at most ${MAX_QUERY_WORDS} words, found ${count}.`);
    const parts: string[] = [];
    const rankParts: string[] = [];
    // The common words typed in full; whether a prefix stands for other words than itself, and
    // whether it is searched as one (FTS5 merges its words' lists).
    const commonWords: string[] = [];
    let hasPrefix = false;
    let mergesPrefix = false;
    const terms: string[] = [];
    const documents = this.#documentCounts();
    const common = Math.max(COMMON_SHARE * this.#rowOfSlug.public.size, this.#commonMinArticles);
    for (const { word, prefix } of parsed.words) {
      // A prefix is common when the word as typed is: every article with that word has the prefix.
      const isCommon = (documents.get(word) ?? 0) > common;
      if (prefix) {
        const completions = this.#completions(word, withDrafts);
        const part = anyOf(completions ?? [`${quote(word)}*`]);
        parts.push(part);
        terms.push(`${word}*`);
        if (completions?.length === 1 && completions[0] === quote(word)) (isCommon ? commonWords : rankParts).push(part);
        else if (completions === null) hasPrefix = mergesPrefix = true;
        else {
          hasPrefix = true;
          if (!isCommon) rankParts.push(part);
        }
        continue;
      }
      terms.push(word);
      const corrections = [...word].length >= TYPO_MIN_LETTERS && !this.#hasTerm(word) ? this.#knownTerms(oneEditAway(word)) : [];
      terms.push(...corrections);
      const part = anyOf([word, ...corrections].map(quote));
      parts.push(part);
      (isCommon ? commonWords : rankParts).push(part);
    }
    for (const phrase of parsed.phrases) {
      parts.push(quote(phrase.join(' ')));
      rankParts.push(quote(phrase.join(' ')));
      terms.push(...phrase);
    }
    if (parts.length === 0) {
      throw new SearchQueryError(
        parsed.excluded.length > 0
          ? 'A search needs at least one word that is not excluded (`-word` only leaves words out).'
          : 'A search needs at least one word (letters or digits).',
      );
    }
    let expression = parts.join(' AND ');
    if (parsed.excluded.length > 0) expression = `(${expression}) NOT (${parsed.excluded.map(quote).join(' OR ')})`;
    // The words being typed rank only when nothing else can: a prefix FTS5 merges would be merged
    // again by the ranking (about 4 ms for a short one at 100k), and one searched as its words
    // would have BM25 count each of them. So when every word typed in full is common, those rank.
    const rankExpression = (rankParts.length > 0 ? rankParts : hasPrefix && commonWords.length > 0 ? commonWords : parts).join(' AND ');
    const rankedApart = rankExpression !== expression;
    return { expression, rankExpression: rankedApart ? rankExpression : null, readsAllRows: mergesPrefix && rankedApart, terms };
  }

  /**
   * The words of the index a prefix stands for (of the public table, and of the draft table too
   * `withDrafts`), quoted for FTS5; null when none does, or more than PREFIX_WORDS do in fewer than
   * PREFIX_WORD_ARTICLES each on average, or more than DENSE_PREFIX_WORDS do (the prefix is then
   * searched as one). FTS5 answers a prefix query by merging the lists of every word it covers
   * into one, in full, for the matches, again for BM25's count and again for the total; the same
   * words joined by OR are read only as far as a tier needs (bench/RESULTS.md, "Prefixes searched as
   * the words they stand for").
   */
  #completions(prefix: string, withDrafts: boolean): string[] | null {
    // fts5vocab counts each word's articles as it lists it (a common word's 1-2 ms at 100k): the
    // words of a prefix are remembered until the index changes.
    if (this.#prefixWords.version !== this.#version) this.#prefixWords = { version: this.#version, words: new Map() };
    const remembered = this.#prefixWords.words;
    const key = `${withDrafts ? 'preview' : 'public'} ${prefix}`;
    let completions = remembered.get(key);
    if (completions === undefined) {
      completions = this.#readCompletions(prefix, withDrafts);
      if (remembered.size >= PREFIXES_REMEMBERED) remembered.delete(remembered.keys().next().value!);
      remembered.set(key, completions);
    }
    return completions;
  }

  /** #completions, read from the index. */
  #readCompletions(prefix: string, withDrafts: boolean): string[] | null {
    const words = new Set<string>();
    let articles = 0;
    // Every word that begins with the prefix sorts between it and it followed by the last code point.
    const end = `${prefix}\u{10FFFF}`;
    for (const kind of withDrafts ? KINDS : (['public'] as const)) {
      for (const [word, count] of this.#statements!.wordsBetween[kind].all(prefix, end, DENSE_PREFIX_WORDS + 1) as [string, number][]) {
        words.add(word);
        articles += count;
      }
    }
    const dense = words.size <= DENSE_PREFIX_WORDS && articles >= this.#prefixWordArticles * words.size;
    if (words.size === 0 || (words.size > PREFIX_WORDS && !dense)) return null;
    return [...words].sort().map(quote);
  }

  #hasTerm(term: string): boolean {
    const { hasTerm } = this.#statements!;
    return hasTerm.public.get(quote(term)) !== undefined || hasTerm.draft.get(quote(term)) !== undefined;
  }

  /** Which of these terms the index holds, in either table. */
  #knownTerms(candidates: readonly string[]): string[] {
    const known = new Set<string>();
    for (let at = 0; at < candidates.length; at += 500) {
      const chunk = candidates.slice(at, at + 500);
      const marks = chunk.map(() => '?').join(',');
      const rows = this.#db
        .prepare(`SELECT term FROM public_vocab WHERE term IN (${marks}) UNION SELECT term FROM draft_vocab WHERE term IN (${marks})`)
        .all(...chunk, ...chunk) as { term: string }[];
      for (const row of rows) known.add(row.term);
    }
    return [...known].sort();
  }

  /** A search's matches in a view, ranked tier by tier as they are read: from the public table, and for the preview view the draft table too. */
  #matches(view: CorpusView, plan: SearchPlan, terms: readonly string[], key: string): SearchResult {
    const { expression, rankExpression, readsAllRows } = plan;
    const statements = this.#statements!;
    const kinds = view.kind === 'preview' ? (['public', 'draft'] as const) : (['public'] as const);
    // Read by whichever is asked first: the first tier or the total.
    let firstRows: Map<Kind, number[]> | null = null;
    let counted: number | null = null;
    const readFirstRows = (): Map<Kind, number[]> => {
      if (firstRows === null) {
        firstRows = new Map();
        counted = 0;
        for (const kind of kinds) {
          const all = statements.rowsAfter[kind].all(expression, FIRST_ROW, -1) as number[];
          counted += all.length;
          firstRows.set(kind, all.length > this.#tierRows ? all.slice(0, this.#tierRows) : all);
        }
      }
      return firstRows;
    };
    const tableAfter = (kind: Kind, rowid: number, limit: number): [number, number][] => {
      if (rankExpression === null) return statements.after[kind].all(expression, rowid, limit) as [number, number][];
      // The tier's rows, then their ranks by the ranking expression (a superset), which FTS5
      // computes only for the rows it returns.
      let rowids: number[] | undefined;
      if (readsAllRows && rowid === FIRST_ROW && limit === this.#tierRows) {
        const read = readFirstRows();
        rowids = read.get(kind);
        read.delete(kind); // Listed once: not kept with the cached result.
      }
      rowids ??= statements.rowsAfter[kind].all(expression, rowid, limit) as number[];
      if (rowids.length === 0) return [];
      return statements.rankOf[kind].all(rankExpression, rowids[0]! - 1, JSON.stringify(rowids), rowids.length) as [number, number][];
    };
    const after = (rowid: number, limit: number) => {
      const [first, second] = kinds.map((kind) => tableAfter(kind, rowid, limit));
      if (second === undefined) return first!;
      const merged = [...first!, ...second].sort((a, b) => a[0] - b[0]);
      return limit < 0 ? merged : merged.slice(0, limit);
    };
    const version = this.#version;
    const count = (read?: number) => {
      if (this.#version !== version) return null;
      if (read !== undefined) return read;
      if (readsAllRows) readFirstRows();
      return counted ?? kinds.reduce((sum, kind) => sum + (statements.count[kind].get(expression) as number), 0);
    };
    const { public: publicSlugs, draft: draftSlugs } = this.#slugOfRow;
    const slugOfRow = (rowid: number) => publicSlugs.get(rowid) ?? (kinds.length > 1 ? draftSlugs.get(rowid) : undefined);
    return new RankedMatches({ after, count }, view, slugOfRow, this.#tierRows, Object.freeze([...terms]), key);
  }

  /** Runs an FTS5 expression against the tables a view reads; matches the view holds, best first. */
  #run(view: CorpusView, expression: string, limit = -1): { articles: readonly Article[]; scores: ReadonlyMap<Article, number> } {
    const articles: Article[] = [];
    const scores = new Map<Article, number>();
    const kinds = view.kind === 'preview' ? (['public', 'draft'] as const) : (['public'] as const);
    for (const kind of kinds) {
      const slugOfRow = this.#slugOfRow[kind];
      for (const [rowid, rank] of this.#statements!.match[kind].all(expression, limit) as [number, number][]) {
        const slug = slugOfRow.get(rowid);
        const article = slug === undefined ? undefined : view.articleBySlug(slug);
        if (article === undefined || scores.has(article)) continue;
        scores.set(article, -rank);
        articles.push(article);
      }
    }
    articles.sort((a, b) => scores.get(b)! - scores.get(a)! || compareStrings(a.slug, b.slug));
    return { articles: Object.freeze(articles), scores };
  }
}
