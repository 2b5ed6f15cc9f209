import type { Article, Image, ListMaxima, Provider, RelatedEntry, Topic, ViewKind, ViewStats } from './model.js';
import { compareCountThenKey } from './order.js';
import { relatedOrigin, type StoredArticle } from './stored-article.js';
import type { ArticleSummary } from './summary.js';
import { urlKey } from './urls.js';

/** An article of a corpus with the summary it was indexed from. */
export interface IndexedArticle {
  readonly article: StoredArticle;
  readonly summary: ArticleSummary;
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
 * outside the view is reachable from it, so a public view cannot leak a draft. Built from the
 * articles' summaries alone: no record is read.
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
  /** For each article with a resolved related entry: the target of each entry, in list order (null: external). */
  private readonly targetsOfSource = new Map<Article, readonly (Article | null)[]>();
  private readonly sourcesOfTarget = new Map<Article, Article[]>();

  /** @param indexed the view's articles with their summaries, newest first (compareNewestFirst) */
  constructor(
    readonly kind: ViewKind,
    indexed: readonly IndexedArticle[],
  ) {
    this.articles = Object.freeze(indexed.map((item) => item.article));
    for (const article of this.articles) this.bySlug.set(article.slug, article);
    this.indexUrls(indexed);
    const relatedResolved = this.resolveRelated(indexed);
    this.providers = this.buildProviders(indexed);
    this.topics = this.buildTopics();
    this.stats = Object.freeze({
      articles: this.articles.length,
      drafts: this.articles.filter((article) => !article.published).length,
      providers: this.providers.length,
      topics: this.topics.length,
      relatedEntries: indexed.reduce((sum, { summary }) => sum + summary.related.length, 0),
      relatedResolved,
    });
    this.maxima = this.measureLists(indexed);
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

  /** Batch getter: the corpus article each related entry (as an article of this corpus served it) resolves to in this view, or null. */
  articlesByRelatedEntries(entries: readonly RelatedEntry[]): (Article | null)[] {
    return entries.map((entry) => {
      const origin = relatedOrigin(entry);
      return origin === undefined ? null : (this.targetsOfSource.get(origin.source)?.[origin.index] ?? null);
    });
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

  private measureLists(indexed: readonly IndexedArticle[]): ListMaxima {
    let related = 0;
    let topics = 0;
    let images = 0;
    let relatedImages = 0;
    let providerImages = 0;
    for (const { summary } of indexed) {
      related = Math.max(related, summary.related.length);
      topics = Math.max(topics, summary.topics.length);
      images = Math.max(images, summary.imageCount);
      for (const entry of summary.related) relatedImages = Math.max(relatedImages, entry.imageCount);
    }
    for (const provider of this.providers) providerImages = Math.max(providerImages, provider.images.length);
    return Object.freeze({ related, topics, images, relatedImages, providerImages });
  }

  /** Each URL key maps to the newest article that has it, so a shared URL resolves predictably. */
  private indexUrls(indexed: readonly IndexedArticle[]): void {
    for (const { article, summary } of indexed) {
      for (const key of summary.urlKeys) if (!this.byUrlKey.has(key)) this.byUrlKey.set(key, article);
    }
  }

  /** Resolves each related entry by any of its URLs; an entry resolving to its own article is no link. */
  private resolveRelated(indexed: readonly IndexedArticle[]): number {
    let resolved = 0;
    const targets: Article[] = [];
    for (const { article: source, summary } of indexed) {
      targets.length = 0;
      let targetsOfEntries: (Article | null)[] | null = null;
      summary.related.forEach((entry, index) => {
        const target = this.findTarget(entry.urlKeys, source);
        if (target === undefined) return;
        targetsOfEntries ??= new Array<Article | null>(summary.related.length).fill(null);
        targetsOfEntries[index] = target;
        // Lists are short (a few entries), so a scan beats a Set per article.
        if (!targets.includes(target)) targets.push(target);
        resolved++;
      });
      if (targetsOfEntries !== null) this.targetsOfSource.set(source, Object.freeze(targetsOfEntries));
      for (const target of targets) {
        const sources = this.sourcesOfTarget.get(target);
        if (sources === undefined) this.sourcesOfTarget.set(target, [source]);
        else sources.push(source);
      }
    }
    for (const sources of this.sourcesOfTarget.values()) Object.freeze(sources);
    return resolved;
  }

  private findTarget(urlKeys: readonly string[], source: Article): Article | undefined {
    for (const key of urlKeys) {
      const target = this.byUrlKey.get(key);
      if (target !== undefined && target !== source) return target;
    }
    return undefined;
  }

  private buildProviders(indexed: readonly IndexedArticle[]): Provider[] {
    const builders = new Map<string, { names: SpellingVote; images: readonly Image[]; articles: Article[] }>();
    const builderFor = (domain: string) => {
      let builder = builders.get(domain);
      if (builder === undefined) {
        builder = { names: new SpellingVote(), images: [], articles: [] };
        builders.set(domain, builder);
      }
      return builder;
    };
    for (const { article, summary } of indexed) {
      if (article.provider !== null) {
        const builder = builderFor(article.provider.domain);
        builder.names.add(article.provider.name);
        builder.articles.push(article);
        if (builder.images.length === 0) builder.images = article.provider.images;
      }
      for (const entry of summary.related) {
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
