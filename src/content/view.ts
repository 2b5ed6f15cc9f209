import type { Article, Image, ListMaxima, Provider, RelatedEntry, Topic, ViewKind, ViewStats } from './model.js';
import { compareCountThenKey } from './order.js';
import { urlKey, urlKeyOfHref } from './urls.js';

/** Something reachable by URLs: an article or a related entry. */
type Linkable = Pick<Article, 'webUrl' | 'ampWebUrl' | 'cdnAmpWebUrl'> & { readonly originalUrl?: string | null };

/**
 * The URL keys (see urlKey) of articles and related entries, each computed once and shared by
 * the views of a corpus (bench/RESULTS.md: URL parsing dominates building the views).
 */
export class UrlKeys {
  private readonly keys = new WeakMap<Linkable, readonly string[]>();

  /** The keys of every URL an item is reachable by: web, original, AMP and CDN AMP, in that order. */
  of(item: Linkable): readonly string[] {
    let keys = this.keys.get(item);
    if (keys === undefined) {
      const found: string[] = [];
      addKey(found, item.webUrl);
      addKey(found, item.originalUrl);
      addKey(found, item.ampWebUrl);
      addKey(found, item.cdnAmpWebUrl);
      keys = found;
      this.keys.set(item, keys);
    }
    return keys;
  }
}

function addKey(keys: string[], url: string | null | undefined): void {
  const key = url ? urlKeyOfHref(url) : null;
  if (key !== null) keys.push(key);
}

/** Counts spellings and returns the most frequent (ties: the alphabetically first). */
class SpellingVote {
  private readonly counts = new Map<string, number>();

  add(spelling: string | null): void {
    if (spelling !== null) this.counts.set(spelling, (this.counts.get(spelling) ?? 0) + 1);
  }

  winner(fallback: string): string {
    let best: string | null = null;
    let bestCount = 0;
    for (const [spelling, count] of this.counts) {
      if (count > bestCount || (count === bestCount && best !== null && spelling < best)) {
        best = spelling;
        bestCount = count;
      }
    }
    return best ?? fallback;
  }
}

/**
 * An immutable set of articles with every index built once: by slug, by each normalized URL, by
 * provider, by topic, in date order, and the related graph resolved within the view. Nothing
 * outside the view is reachable from it, so a public view cannot leak a draft.
 */
export class CorpusView {
  /** The view's articles, newest first. */
  readonly articles: readonly Article[];
  /** Providers, most articles first, then by domain. */
  readonly providers: readonly Provider[];
  /** Topics, most articles first, then by slug. */
  readonly topics: readonly Topic[];
  readonly stats: ViewStats;
  readonly maxima: ListMaxima;

  private readonly bySlug = new Map<string, Article>();
  private readonly byUrlKey = new Map<string, Article>();
  private readonly providersByDomain = new Map<string, Provider>();
  private readonly topicsBySlug = new Map<string, Topic>();
  private readonly targetOfEntry = new Map<RelatedEntry, Article>();
  private readonly sourcesOfTarget = new Map<Article, Article[]>();

  /**
   * @param articles the view's articles, newest first (compareNewestFirst)
   * @param urlKeys URL keys shared with the other view of the corpus
   */
  constructor(
    readonly kind: ViewKind,
    articles: readonly Article[],
    urlKeys: UrlKeys = new UrlKeys(),
  ) {
    this.articles = Object.freeze([...articles]);
    for (const article of this.articles) this.bySlug.set(article.slug, article);
    // The URL keys are needed while building only; the view keeps just its index of them.
    this.indexUrls(urlKeys);
    const relatedResolved = this.resolveRelated(urlKeys);
    this.providers = this.buildProviders();
    this.topics = this.buildTopics();
    this.stats = Object.freeze({
      articles: this.articles.length,
      drafts: this.articles.filter((article) => !article.published).length,
      providers: this.providers.length,
      topics: this.topics.length,
      relatedEntries: this.articles.reduce((sum, article) => sum + article.related.length, 0),
      relatedResolved,
    });
    this.maxima = this.measureLists();
    Object.freeze(this);
  }

  /** The article with this slug, or undefined. */
  articleBySlug(slug: string): Article | undefined {
    return this.bySlug.get(slug);
  }

  /** The article reachable by this URL (any of its URLs, after normalization), or undefined. */
  articleByUrl(url: string): Article | undefined {
    const key = urlKey(url);
    return key === null ? undefined : this.byUrlKey.get(key);
  }

  /** Batch getter: the articles for these slugs, same length and order, null for a miss. */
  articlesBySlugs(slugs: readonly string[]): (Article | null)[] {
    return slugs.map((slug) => this.bySlug.get(slug) ?? null);
  }

  /** Batch getter: the corpus article each related entry resolves to in this view, or null. */
  articlesByRelatedEntries(entries: readonly RelatedEntry[]): (Article | null)[] {
    return entries.map((entry) => this.targetOfEntry.get(entry) ?? null);
  }

  /** Articles of this view whose related lists resolve to this article, newest first. */
  relatedFrom(article: Article): readonly Article[] {
    return this.sourcesOfTarget.get(article) ?? [];
  }

  /** The provider with this domain (normalized by the caller), or undefined. */
  providerByDomain(domain: string): Provider | undefined {
    return this.providersByDomain.get(domain);
  }

  /** The topic with this slug, or undefined. */
  topicBySlug(slug: string): Topic | undefined {
    return this.topicsBySlug.get(slug);
  }

  private measureLists(): ListMaxima {
    let related = 0;
    let topics = 0;
    let images = 0;
    let relatedImages = 0;
    let providerImages = 0;
    for (const article of this.articles) {
      related = Math.max(related, article.related.length);
      topics = Math.max(topics, article.topics.length);
      images = Math.max(images, article.images.length);
      for (const entry of article.related) relatedImages = Math.max(relatedImages, entry.images.length);
    }
    for (const provider of this.providers) providerImages = Math.max(providerImages, provider.images.length);
    return Object.freeze({ related, topics, images, relatedImages, providerImages });
  }

  /** Each URL key maps to the newest article that has it, so a shared URL resolves predictably. */
  private indexUrls(urlKeys: UrlKeys): void {
    for (const article of this.articles) {
      for (const key of urlKeys.of(article)) if (!this.byUrlKey.has(key)) this.byUrlKey.set(key, article);
    }
  }

  /** Resolves each related entry by any of its URLs; an entry resolving to its own article is no link. */
  private resolveRelated(urlKeys: UrlKeys): number {
    let resolved = 0;
    const targets: Article[] = [];
    for (const source of this.articles) {
      targets.length = 0;
      for (const entry of source.related) {
        const target = this.findTarget(entry, source, urlKeys);
        if (target === undefined) continue;
        this.targetOfEntry.set(entry, target);
        // Lists are short (a few entries), so a scan beats a Set per article.
        if (!targets.includes(target)) targets.push(target);
        resolved++;
      }
      for (const target of targets) {
        const sources = this.sourcesOfTarget.get(target);
        if (sources === undefined) this.sourcesOfTarget.set(target, [source]);
        else sources.push(source);
      }
    }
    for (const sources of this.sourcesOfTarget.values()) Object.freeze(sources);
    return resolved;
  }

  private findTarget(entry: RelatedEntry, source: Article, urlKeys: UrlKeys): Article | undefined {
    for (const key of urlKeys.of(entry)) {
      const target = this.byUrlKey.get(key);
      if (target !== undefined && target !== source) return target;
    }
    return undefined;
  }

  private buildProviders(): Provider[] {
    const builders = new Map<string, { names: SpellingVote; images: readonly Image[]; articles: Article[] }>();
    const builderFor = (domain: string) => {
      let builder = builders.get(domain);
      if (builder === undefined) {
        builder = { names: new SpellingVote(), images: [], articles: [] };
        builders.set(domain, builder);
      }
      return builder;
    };
    for (const article of this.articles) {
      if (article.provider !== null) {
        const builder = builderFor(article.provider.domain);
        builder.names.add(article.provider.name);
        builder.articles.push(article);
        if (builder.images.length === 0) builder.images = article.provider.images;
      }
      for (const entry of article.related) {
        if (entry.provider === null) continue;
        const builder = builderFor(entry.provider.domain);
        builder.names.add(entry.provider.name);
        if (builder.images.length === 0) builder.images = entry.provider.images;
      }
    }
    const providers = [...builders].map(
      ([domain, builder]): Provider =>
        Object.freeze({
          kind: 'provider',
          domain,
          name: builder.names.winner(domain),
          images: builder.images,
          articles: Object.freeze(builder.articles),
        }),
    );
    providers.sort((a, b) => compareCountThenKey(a.articles.length, a.domain, b.articles.length, b.domain));
    for (const provider of providers) this.providersByDomain.set(provider.domain, provider);
    return Object.freeze(providers) as Provider[];
  }

  private buildTopics(): Topic[] {
    const builders = new Map<string, { names: SpellingVote; articles: Article[] }>();
    for (const article of this.articles) {
      for (const topic of article.topics) {
        let builder = builders.get(topic.slug);
        if (builder === undefined) {
          builder = { names: new SpellingVote(), articles: [] };
          builders.set(topic.slug, builder);
        }
        builder.names.add(topic.name);
        builder.articles.push(article);
      }
    }
    const topics = [...builders].map(
      ([slug, builder]): Topic =>
        Object.freeze({ kind: 'topic', slug, name: builder.names.winner(slug), articles: Object.freeze(builder.articles) }),
    );
    topics.sort((a, b) => compareCountThenKey(a.articles.length, a.slug, b.articles.length, b.slug));
    for (const topic of topics) this.topicsBySlug.set(topic.slug, topic);
    return Object.freeze(topics) as Topic[];
  }
}
