/**
 * A corpus snapshot: everything a built corpus holds in memory (the indexed fields of every
 * article, the slug, URL and near-key index, both views with their resolved related graph,
 * providers and topics, the diagnostics) in columns of strings and typed arrays, with a fingerprint
 * of the content files it was built from. A start whose scan has the same fingerprint restores the corpus
 * from it instead of reading every file's entry and building the views again: the restart the
 * content store exists for (bench/RESULTS.md). Articles are numbered by their position in the
 * preview view (newest first); -1 stands for none.
 */
import { createHash } from 'node:crypto';
import v8 from 'node:v8';
import { crc32 } from 'node:zlib';
import { type Corpus, versionOfFingerprint } from './corpus.js';
import { deepFreeze } from './freeze.js';
import type { Article, Diagnostic, ListMaxima, Provider, ProviderRef, Topic, TopicRef, ViewStats } from './model.js';
import type { ScanResult } from './scan.js';
import { ChunkedList, type ListLike } from './sorted-list.js';
import { type RecordSource, StoredArticle } from './stored-article.js';
import { ArticleIndex, CorpusView, type ViewParts, type ViewTallies } from './view.js';

/** The fields a StoredArticle holds, a column each, by article number. */
interface ArticleColumns {
  readonly slug: string[];
  readonly sourcePath: string[];
  readonly title: string[];
  readonly searchText: string[];
  /** NaN for null. */
  readonly publishedDateTime: Float64Array;
  readonly quality: Float64Array;
  readonly heat: Float64Array;
  readonly published: Uint8Array;
  /** Into `strings`. */
  readonly category: Int32Array;
  readonly type: Int32Array;
  /** Into `providerRefs`. */
  readonly provider: Int32Array;
  /** Article n's topics, as numbers into `topicRefs`. */
  readonly topics: NumberLists;
  readonly imageCount: Int32Array;
}

/** A list of lists of article numbers: list i is items[offsets[i]] ... items[offsets[i + 1] - 1]. */
interface NumberLists {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
}

interface ViewColumns {
  readonly articles: Int32Array;
  readonly stats: ViewStats;
  readonly maxima: ListMaxima;
  /** Articles with resolved related entries, and each one's targets in entry order (-1: external). */
  readonly sources: Int32Array;
  readonly targets: NumberLists;
  readonly providers: { readonly domain: string; readonly name: string; readonly images: Provider['images'] }[];
  readonly providerArticles: NumberLists;
  readonly topics: { readonly slug: string; readonly name: string }[];
  readonly topicArticles: NumberLists;
  /** As counted by the view (plain Maps: v8.serialize keeps them). */
  readonly tallies: ViewTallies;
}

/** A corpus as plain data (v8.serialize keeps typed arrays and strings as they are). */
export interface CorpusSnapshot {
  readonly fingerprint: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly strings: string[];
  readonly providerRefs: ProviderRef[];
  readonly topicRefs: TopicRef[];
  readonly articles: ArticleColumns;
  readonly urlKeys: string[];
  readonly urlKeyArticles: Int32Array;
  readonly publishedUrlKeys: string[];
  readonly publishedUrlKeyArticles: Int32Array;
  /** The near keys related entries ask for, and the articles with a URL of each, newest first. */
  readonly nearKeys: string[];
  readonly nearKeyArticles: NumberLists;
  /** The URL keys two or more articles have, and those articles, newest first. */
  readonly sharedUrlKeys: string[];
  readonly sharedUrlKeyArticles: NumberLists;
  readonly views: { readonly preview: ViewColumns; readonly public: ViewColumns };
}

/** A hash of what a load reads: every content file's path, size and mtime, and what the scan refused. */
export function fingerprintOf(scan: ScanResult): string {
  const hash = createHash('sha256');
  for (const file of scan.files) hash.update(`${file.relativePath}\0${file.size}\0${file.mtimeMs}\n`);
  hash.update(JSON.stringify(scan.diagnostics));
  return hash.digest('hex');
}

/** Items handled between two yields of a step (see snapshotSteps): a few milliseconds' work. */
const STEP_ITEMS = 50_000;

/** Calls `each` for 0 ... count - 1, yielding after every STEP_ITEMS calls. */
function* inSteps(count: number, each: (at: number) => void): Generator<void, void> {
  for (let at = 0; at < count; at++) {
    each(at);
    if (at % STEP_ITEMS === STEP_ITEMS - 1) yield;
  }
}

/** A typed array of one value per item. */
function* column<T, C extends Float64Array | Int32Array | Uint8Array>(
  ArrayType: new (length: number) => C,
  items: ListLike<T>,
  numberOf: (item: T) => number,
): Generator<void, C> {
  const values = new ArrayType(items.length);
  yield* inSteps(items.length, (at) => {
    values[at] = numberOf(items.at(at)!);
  });
  return values;
}

/** One value per item (grown by push: V8 serializes an array made with holes less compactly). */
function* mapped<T, U>(items: readonly T[], toValue: (item: T) => U): Generator<void, U[]> {
  const values: U[] = [];
  yield* inSteps(items.length, (at) => {
    values.push(toValue(items[at]!));
  });
  return values;
}

/** A list of exactly `length` items (an array grown by push keeps spare room, a cost per article here). */
function listOf<T>(length: number, itemAt: (at: number) => T): T[] {
  const list = new Array<T>(length);
  for (let at = 0; at < length; at++) list[at] = itemAt(at);
  return list;
}

/** Numbers each distinct value in order of first use. */
class Table<T> {
  readonly values: T[] = [];
  private readonly numbers = new Map<T, number>();

  numberOf(value: T | null): number {
    if (value === null) return -1;
    let number = this.numbers.get(value);
    if (number === undefined) {
      number = this.values.length;
      this.values.push(value);
      this.numbers.set(value, number);
    }
    return number;
  }
}

/** The snapshot of a corpus built from content files with this fingerprint, at once. */
export function snapshotCorpus(corpus: Corpus, fingerprint: string): CorpusSnapshot {
  return runSteps(snapshotSteps(corpus, fingerprint));
}

/**
 * The snapshot of a corpus, then its bytes (encodeSnapshot), letting pending I/O callbacks run
 * between steps of a few tens of milliseconds whatever the corpus' size (STEP_ITEMS, SLICE_ITEMS,
 * CHECKSUM_BYTES), so that a server answers requests while it writes a snapshot of what it serves.
 */
export async function encodeCorpusYielding(corpus: Corpus, fingerprint: string): Promise<Buffer> {
  return runStepsYielding(encodingSteps(await runStepsYielding(snapshotSteps(corpus, fingerprint))));
}

/** Runs steps (a generator that yields between them) to the end, at once. */
function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Runs steps to the end, letting the event loop run between them. */
async function runStepsYielding<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The steps of snapshotCorpus: a column or an index each. */
function* snapshotSteps(corpus: Corpus, fingerprint: string): Generator<void, CorpusSnapshot> {
  const all = corpus.preview.articles as readonly StoredArticle[];
  const numberOf = new Map<Article, number>();
  yield* inSteps(all.length, (number) => {
    numberOf.set(all[number]!, number);
  });
  const strings = new Table<string>();
  const providerRefs = new Table<ProviderRef>();
  const topicRefs = new Table<TopicRef>();
  const articles: ArticleColumns = {
    slug: yield* mapped(all, (article) => article.slug),
    sourcePath: yield* mapped(all, (article) => article.sourcePath),
    title: yield* mapped(all, (article) => article.title),
    searchText: yield* mapped(all, (article) => article.searchText),
    publishedDateTime: yield* column(Float64Array, all, (article) => article.publishedDateTime ?? Number.NaN),
    quality: yield* column(Float64Array, all, (article) => article.quality ?? Number.NaN),
    heat: yield* column(Float64Array, all, (article) => article.heat ?? Number.NaN),
    published: yield* column(Uint8Array, all, (article) => (article.published ? 1 : 0)),
    category: yield* column(Int32Array, all, (article) => strings.numberOf(article.category)),
    type: yield* column(Int32Array, all, (article) => strings.numberOf(article.type)),
    provider: yield* column(Int32Array, all, (article) => providerRefs.numberOf(article.provider)),
    topics: yield* numberLists(all, (article) => article.topics.map((topic) => topicRefs.numberOf(topic))),
    imageCount: yield* column(Int32Array, all, (article) => article.imageCount),
  };
  const { index } = corpus.preview;
  const numbers = (list: readonly Article[]) => list.map((article) => numberOf.get(article)!);
  const urlKeys = [...index.byUrlKey.keys()];
  const urlKeyArticles = yield* column(Int32Array, [...index.byUrlKey.values()], (article) => numberOf.get(article)!);
  const publishedUrlKeys = [...index.publishedByUrlKey.keys()];
  const publishedUrlKeyArticles = yield* column(Int32Array, [...index.publishedByUrlKey.values()], (article) => numberOf.get(article)!);
  const nearKeys = [...index.byNearKey.keys()];
  const nearKeyArticles = yield* numberLists(nearKeys, (key) => numbers(index.byNearKey.get(key)!));
  const sharedUrlKeys = [...index.bySharedUrlKey.keys()];
  const sharedUrlKeyArticles = yield* numberLists(sharedUrlKeys, (key) => numbers(index.bySharedUrlKey.get(key)!));
  const preview = yield* viewColumnSteps(corpus.preview, numberOf);
  const publicView = yield* viewColumnSteps(corpus.public, numberOf);
  return {
    fingerprint,
    diagnostics: corpus.diagnostics,
    strings: strings.values,
    providerRefs: providerRefs.values,
    topicRefs: topicRefs.values,
    articles,
    urlKeys,
    urlKeyArticles,
    publishedUrlKeys,
    publishedUrlKeyArticles,
    nearKeys,
    nearKeyArticles,
    sharedUrlKeys,
    sharedUrlKeyArticles,
    views: { preview, public: publicView },
  };
}

/** The lists of articles of each key, restored from their numbers. */
function articleLists(keys: readonly string[], lists: NumberLists, articles: readonly Article[]): Map<string, readonly Article[]> {
  const { offsets, items } = lists;
  return new Map(
    keys.map((key, at) => {
      const first = offsets[at]!;
      return [key, Object.freeze(listOf(offsets[at + 1]! - first, (item) => articles[items[first + item]!]!))] as const;
    }),
  );
}

function* numberLists<T>(lists: readonly T[], itemsOf: (list: T) => readonly number[]): Generator<void, NumberLists> {
  const offsets = new Int32Array(lists.length + 1);
  const items: number[] = [];
  yield* inSteps(lists.length, (position) => {
    // One at a time: a list can hold more items than a call takes arguments.
    for (const item of itemsOf(lists[position]!)) items.push(item);
    offsets[position + 1] = items.length;
  });
  return { offsets, items: Int32Array.from(items) };
}

/** The columns of a view, in steps. */
function* viewColumnSteps(view: CorpusView, numberOf: ReadonlyMap<Article, number>): Generator<void, ViewColumns> {
  const number = (article: Article | null) => (article === null ? -1 : numberOf.get(article)!);
  const sources = [...view.targetsOfSource.keys()];
  const articles = yield* column(Int32Array, view.articleList, number);
  const sourceNumbers = yield* column(Int32Array, sources, number);
  const targets = yield* numberLists(sources, (source) => view.targetsOfSource.get(source)!.map(number));
  const providerArticles = yield* numberLists(view.providers, (provider) => Array.from(provider.articles, number));
  const topicArticles = yield* numberLists(view.topics, (topic) => Array.from(topic.articles, number));
  return {
    articles,
    stats: view.stats,
    maxima: view.maxima,
    sources: sourceNumbers,
    targets,
    providers: view.providers.map(({ domain, name, images }) => ({ domain, name, images })),
    providerArticles,
    topics: view.topics.map(({ slug, name }) => ({ slug, name })),
    topicArticles,
    tallies: {
      providers: new Map(
        [...view.tallies.providers].map(([domain, tally]) => [
          domain,
          { ...tally, names: new Map(tally.names), logos: new Map(tally.logos) },
        ]),
      ),
      topicNames: new Map([...view.tallies.topicNames].map(([slug, names]) => [slug, new Map(names)])),
    },
  };
}

/** The corpus a snapshot was made of, its articles reading their records from `records`. */
export function restoreCorpus(snapshot: CorpusSnapshot, records: RecordSource): Corpus {
  const columns = snapshot.articles;
  const providerRefs = snapshot.providerRefs.map(deepFreeze);
  const topicRefs = snapshot.topicRefs.map((topic) => Object.freeze(topic));
  const orNull = (value: number) => (Number.isNaN(value) ? null : value);
  const articles = columns.slug.map((slug, number) => {
    const { offsets, items } = columns.topics;
    const first = offsets[number]!;
    const topics = listOf(offsets[number + 1]! - first, (at) => topicRefs[items[first + at]!]!);
    return new StoredArticle(
      {
        slug,
        sourcePath: columns.sourcePath[number]!,
        title: columns.title[number]!,
        searchText: columns.searchText[number]!,
        publishedDateTime: orNull(columns.publishedDateTime[number]!),
        quality: orNull(columns.quality[number]!),
        heat: orNull(columns.heat[number]!),
        published: columns.published[number] === 1,
        category: snapshot.strings[columns.category[number]!] ?? null,
        type: snapshot.strings[columns.type[number]!] ?? null,
        provider: providerRefs[columns.provider[number]!] ?? null,
        topics: Object.freeze(topics),
        imageCount: columns.imageCount[number]!,
      },
      records,
    );
  });
  const keyed = (keys: readonly string[], numbers: Int32Array) => new Map(keys.map((key, at) => [key, articles[numbers[at]!]!] as const));
  const index = new ArticleIndex(
    new Map(articles.map((article) => [article.slug, article])),
    keyed(snapshot.urlKeys, snapshot.urlKeyArticles),
    keyed(snapshot.publishedUrlKeys, snapshot.publishedUrlKeyArticles),
    articleLists(snapshot.nearKeys, snapshot.nearKeyArticles, articles),
    articleLists(snapshot.sharedUrlKeys, snapshot.sharedUrlKeyArticles, articles),
  );
  const preview = new CorpusView('preview', restoreView(snapshot.views.preview, articles), index);
  return Object.freeze({
    public: new CorpusView('public', restoreView(snapshot.views.public, articles, preview), index),
    preview,
    diagnostics: Object.freeze(snapshot.diagnostics.map(deepFreeze)),
    version: versionOfFingerprint(snapshot.fingerprint),
  });
}

/** The parts of a view; where `wider` resolved a source's entries to the same targets, its list is shared (as CorpusView.build does). */
function restoreView(columns: ViewColumns, all: readonly Article[], wider?: CorpusView): ViewParts {
  const article = (number: number) => (number === -1 ? null : all[number]!);
  const listAt = (lists: NumberLists, position: number) => {
    const start = lists.offsets[position]!;
    return listOf(lists.offsets[position + 1]! - start, (at) => article(lists.items[start + at]!));
  };
  const targetsOfSource = new Map<Article, readonly (Article | null)[]>();
  for (const [position, number] of columns.sources.entries()) {
    const source = all[number]!;
    const targets = listAt(columns.targets, position);
    const same = wider?.targetsOfSource.get(source);
    const shared = same?.every((target, at) => target === targets[at]) === true;
    targetsOfSource.set(source, shared ? same! : Object.freeze(targets));
  }
  const providers = columns.providers.map(
    ({ domain, name, images }, position): Provider =>
      Object.freeze({
        kind: 'provider',
        domain,
        name,
        images: deepFreeze(images),
        articles: ChunkedList.from(listAt(columns.providerArticles, position) as Article[]),
      }),
  );
  const topics = columns.topics.map(
    ({ slug, name }, position): Topic =>
      Object.freeze({ kind: 'topic', slug, name, articles: ChunkedList.from(listAt(columns.topicArticles, position) as Article[]) }),
  );
  return {
    articleList: ChunkedList.from(listOf(columns.articles.length, (at) => all[columns.articles[at]!]!)),
    providers: Object.freeze(providers),
    topics: Object.freeze(topics),
    stats: Object.freeze(columns.stats),
    maxima: Object.freeze(columns.maxima),
    targetsOfSource,
    tallies: deepFreeze(columns.tallies),
  };
}

/**
 * Arrays longer than this are written in slices of it after the rest of the snapshot, so that an
 * encoding can yield between them (encodeCorpusYielding): at a million articles one column of
 * strings takes seconds to serialize.
 */
const SLICE_ITEMS = 20_000;
/** Bytes checksummed between two yields. */
const CHECKSUM_BYTES = 32 * 1024 * 1024;
/** The key of what stands for a long array in the first value of the encoding: the array's length. */
const SLICED = 'snapshot: sliced';

/**
 * A copy of the plain objects of `value` with each array longer than SLICE_ITEMS replaced by
 * `{ [SLICED]: length }` and pushed to `long`, in the order of the objects' keys (the order the
 * decoder finds them in again). Typed arrays, Maps and short arrays are kept as they are.
 */
function withoutLongArrays(value: unknown, long: unknown[][]): unknown {
  if (Array.isArray(value)) {
    if (value.length <= SLICE_ITEMS) return value;
    long.push(value);
    return { [SLICED]: value.length };
  }
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) copy[key] = withoutLongArrays(child, long);
  return copy;
}

/** `value` as decoded, with each long array put back from the slices `readSlice` gives, in encoding order. */
function withLongArrays(value: unknown, readSlice: () => unknown[]): unknown {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const record = value as Record<string, unknown>;
  if (SLICED in record) {
    const length = record[SLICED] as number;
    const slices: unknown[][] = [];
    for (let read = 0; read < length; read += SLICE_ITEMS) slices.push(readSlice());
    return slices.flat();
  }
  for (const key of Object.keys(record)) record[key] = withLongArrays(record[key], readSlice);
  return record;
}

/**
 * The steps of encoding a snapshot: its CRC-32, then a v8 serialization of the snapshot without
 * its long arrays, then of each slice of them; each step is short. Returns the bytes.
 */
function* encodingSteps(snapshot: CorpusSnapshot): Generator<void, Buffer> {
  // Four bytes kept for the checksum ahead of the serialization, in the serializer's own buffer:
  // no second copy of a snapshot of a hundred megabytes and more.
  const serializer = new v8.DefaultSerializer();
  serializer.writeRawBytes(Buffer.alloc(4));
  serializer.writeHeader();
  const long: unknown[][] = [];
  serializer.writeValue(withoutLongArrays(snapshot, long));
  for (const array of long) {
    for (let start = 0; start < array.length; start += SLICE_ITEMS) {
      yield;
      serializer.writeValue(array.slice(start, start + SLICE_ITEMS));
    }
  }
  yield;
  const bytes = serializer.releaseBuffer();
  let checksum = 0;
  for (let start = 4; start < bytes.length; start += CHECKSUM_BYTES) {
    checksum = crc32(bytes.subarray(start, start + CHECKSUM_BYTES), checksum);
    yield;
  }
  bytes.writeUInt32LE(checksum, 0);
  return bytes;
}

/** A snapshot as bytes (see encodingSteps), at once. */
export function encodeSnapshot(snapshot: CorpusSnapshot): Buffer {
  return runSteps(encodingSteps(snapshot));
}

/** The snapshot in these bytes, or why there is none to trust. Never throws. */
export function decodeSnapshot(bytes: Uint8Array): { snapshot: CorpusSnapshot } | { problem: string } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 4 || crc32(buffer.subarray(4)) !== buffer.readUInt32LE(0)) return { problem: 'its checksum does not match' };
  try {
    const deserializer = new v8.DefaultDeserializer(buffer.subarray(4));
    deserializer.readHeader();
    const snapshot = withLongArrays(deserializer.readValue(), () => {
      const slice: unknown = deserializer.readValue();
      if (!Array.isArray(slice)) throw new Error('a slice of a long array is missing');
      return slice;
    }) as CorpusSnapshot;
    if (typeof snapshot?.fingerprint !== 'string' || !Array.isArray(snapshot.articles?.slug))
      return { problem: 'it is not a corpus snapshot' };
    return { snapshot };
  } catch (error) {
    return { problem: `it cannot be decoded (${(error as Error).message})` };
  }
}
