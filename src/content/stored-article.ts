/**
 * An article of a loaded corpus: what the index needs (see summary.ts) is held in memory, and the
 * rest of its record (body, URLs, images, related entries, ...) is read from a record source when a
 * field asks for it. With the content store as the source, a corpus of a million articles keeps
 * about a kilobyte per article on the heap, and records live in the store's memory map.
 */
import type { Article, EpochMs, Image, JsonValue, ProviderRef, RelatedEntry, TopicRef } from './model.js';
import type { ArticleSummary } from './summary.js';

/** Where the full records of a corpus are read from, by the file's path relative to the content directory. */
export interface RecordSource {
  /** The record of this file (frozen), or undefined when the source has none. */
  record(sourcePath: string): Article | undefined;
  /**
   * The record of this file for a single read in a pass over many (not frozen, not kept in any
   * cache: garbage once read), or undefined when the source has none; record() when absent.
   */
  readOnce?(sourcePath: string): Article | undefined;
}

/** Records held in memory: the source of a corpus loaded without a content store. */
export class HeapRecords implements RecordSource {
  private readonly records = new Map<string, Article>();

  /** Keeps a record, by its sourcePath. */
  add(article: Article): void {
    this.records.set(article.sourcePath, article);
  }

  /** Forgets the record of a file. */
  delete(sourcePath: string): void {
    this.records.delete(sourcePath);
  }

  record(sourcePath: string): Article | undefined {
    return this.records.get(sourcePath);
  }
}

/** Which article a related entry belongs to, and where in its list: what related resolution is indexed by. */
export interface RelatedOrigin {
  readonly source: StoredArticle;
  readonly index: number;
}

const origins = new WeakMap<RelatedEntry, RelatedOrigin>();

/** The article and list position of a related entry served by a StoredArticle, or undefined for any other. */
export function relatedOrigin(entry: RelatedEntry): RelatedOrigin | undefined {
  return origins.get(entry);
}

const sharedParts = new Map<string, string>();

/** One copy of each folder and extension string. */
function shared(part: string): string {
  let kept = sharedParts.get(part);
  if (kept === undefined) {
    kept = part;
    sharedParts.set(part, kept);
  }
  return kept;
}

/** Thrown when an article's record cannot be read from its source; names the file. */
class RecordUnavailableError extends Error {}

/** An Article whose indexed fields are in memory and whose other fields come from its record. */
export class StoredArticle implements Article {
  readonly kind = 'article';
  readonly slug: string;
  /** The folder of the file, with a trailing `/` (empty at the top), shared by the articles in it. */
  readonly sourceDirectory: string;
  /** The file's extension as written (`.md`), shared. */
  readonly sourceExtension: string;
  readonly title: string;
  readonly publishedDateTime: EpochMs | null;
  readonly quality: number | null;
  readonly heat: number | null;
  readonly published: boolean;
  readonly category: string | null;
  readonly type: string | null;
  readonly provider: ProviderRef | null;
  readonly topics: readonly TopicRef[];
  /** Title and excerpt, folded for `filter.search` (summary.ts). */
  readonly searchText: string;
  readonly imageCount: number;
  readonly #records: RecordSource;
  /** The record as it was when the file changed (see pin): what this version of the article serves from then on. */
  #pinned: Article | undefined;
  /**
   * The record last read, for as long as anything else holds it: a request reads several fields of
   * an article, and each lookup in the content store's cache hashes the path again (15 % of the CPU
   * of a hot-list request in process).
   */
  #recent: WeakRef<Article> | undefined;

  constructor(summary: Omit<ArticleSummary, 'urlKeys' | 'related'>, records: RecordSource) {
    this.#records = records;
    this.slug = summary.slug;
    // The path is the folder, the slug and the extension (slug.ts): kept as its shared parts.
    const folderEnd = summary.sourcePath.lastIndexOf('/') + 1;
    this.sourceDirectory = shared(summary.sourcePath.slice(0, folderEnd));
    this.sourceExtension = shared(summary.sourcePath.slice(folderEnd + summary.slug.length));
    this.title = summary.title;
    this.publishedDateTime = summary.publishedDateTime;
    this.quality = summary.quality;
    this.heat = summary.heat;
    this.published = summary.published;
    this.category = summary.category;
    this.type = summary.type;
    this.provider = summary.provider;
    this.topics = summary.topics;
    this.searchText = summary.searchText;
    this.imageCount = summary.imageCount;
    Object.freeze(this);
  }

  get sourcePath(): string {
    return `${this.sourceDirectory}${this.slug}${this.sourceExtension}`;
  }

  /**
   * Keeps the record as it is now, for as long as this article lives: called before its file's
   * record is replaced or removed, so that a request still holding this version of the article
   * never reads the next version's fields.
   */
  pin(): void {
    if (this.#pinned !== undefined) return;
    try {
      this.#pinned = this.record();
    } catch {
      // A record the source had lost already is read again from the file by record() as before.
    }
  }

  /** The full record. Throws RecordUnavailableError when the source has lost it. */
  record(): Article {
    if (this.#pinned !== undefined) return this.#pinned;
    const recent = this.#recent?.deref();
    if (recent !== undefined) return recent;
    const record = this.#records.record(this.sourcePath);
    if (record === undefined) throw new RecordUnavailableError(`the record of ${this.sourcePath} cannot be read from the content store`);
    const { related } = record;
    if (related.length > 0 && !origins.has(related[0]!)) {
      for (const [index, entry] of related.entries()) origins.set(entry, { source: this, index });
    }
    this.#recent = new WeakRef(record);
    return record;
  }

  /**
   * The full record for a single read, as a pass over many articles reads them (the search index
   * build): not frozen nor cached by the source when it can help it. Throws as record() does.
   */
  readOnce(): Article {
    return (this.#pinned === undefined ? this.#records.readOnce?.(this.sourcePath) : undefined) ?? this.record();
  }

  get excerpt(): string | null {
    return this.record().excerpt;
  }
  get body(): string | null {
    return this.record().body;
  }
  get locale(): string | null {
    return this.record().locale;
  }
  get updatedDateTime(): EpochMs | null {
    return this.record().updatedDateTime;
  }
  get originalUrl(): string | null {
    return this.record().originalUrl;
  }
  get webUrl(): string | null {
    return this.record().webUrl;
  }
  get ampWebUrl(): string | null {
    return this.record().ampWebUrl;
  }
  get cdnAmpWebUrl(): string | null {
    return this.record().cdnAmpWebUrl;
  }
  get tags(): readonly string[] {
    return this.record().tags;
  }
  get categories(): readonly string[] {
    return this.record().categories;
  }
  get images(): readonly Image[] {
    return this.record().images;
  }
  get related(): readonly RelatedEntry[] {
    return this.record().related;
  }
  get secured(): string | null {
    return this.record().secured;
  }
  get extra(): { readonly [key: string]: JsonValue } | null {
    return this.record().extra;
  }
}
