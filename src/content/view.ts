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
 * Slug and URL indexes over every article of a corpus, built once and shared by its views: a
 * public view skips drafts when it looks up. Each URL key maps to the newest article that has it,
 * so a shared URL resolves predictably; where that article is a draft, the newest published one
 * with the key is kept beside it for the public view.
 */
export class ArticleIndex {
  /**
   * @param bySlug every article by slug
   * @param byUrlKey the newest article with each URL key
   * @param publishedByUrlKey for each key whose newest article is a draft, the newest published one
   */
  constructor(
    readonly bySlug: ReadonlyMap<string, Article>,
    readonly byUrlKey: ReadonlyMap<string, Article>,
    readonly publishedByUrlKey: ReadonlyMap<string, Article>,
  ) {
    Object.freeze(this);
  }

  /** The index of these articles, given newest first. */
  static build(indexed: readonly IndexedArticle[]): ArticleIndex {
    const bySlug = new Map<string, Article>();
    const byUrlKey = new Map<string, Article>();
    const publishedByUrlKey = new Map<string, Article>();
    for (const { article, summary } of indexed) {
      bySlug.set(article.slug, article);
      for (const key of summary.urlKeys) {
        const newest = byUrlKey.get(key);
        if (newest === undefined) byUrlKey.set(key, article);
        else if (!newest.published && article.published && !publishedByUrlKey.has(key)) publishedByUrlKey.set(key, article);
      }
    }
    return new ArticleIndex(bySlug, byUrlKey, publishedByUrlKey);
  }

  /** The article with this slug that a view of this kind holds, or undefined. */
  bySlugIn(kind: ViewKind, slug: string): Article | undefined {
    const article = this.bySlug.get(slug);
    return article !== undefined && (kind === 'preview' || article.published) ? article : undefined;
  }

  /** The newest article with this URL key that a view of this kind holds, or undefined. */
  byUrlKeyIn(kind: ViewKind, key: string): Article | undefined {
    const article = this.byUrlKey.get(key);
    if (article === undefined || kind === 'preview' || article.published) return article;
    return this.publishedByUrlKey.get(key);
  }
}

/** Everything a view holds besides the corpus' ArticleIndex: built by CorpusView.build, or restored from a snapshot. */
export interface ViewParts {
  /** The view's articles, newest first. */
  readonly articles: readonly Article[];
  /** Providers, most articles first, then by domain. */
  readonly providers: readonly Provider[];
  /** Topics, most articles first, then by slug. */
  readonly topics: readonly Topic[];
  readonly stats: ViewStats;
  readonly maxima: ListMaxima;
  /** For each article with a resolved related entry: the target of each entry, in list order (null: external). */
  readonly targetsOfSource: ReadonlyMap<Article, readonly (Article | null)[]>;
}

/**
 * An immutable set of articles with every index built once: by slug, by each normalized URL, by
 * provider, by topic, in date order, and the related graph resolved within the view. Nothing
 * outside the view is reachable from it, so a public view cannot leak a draft. Built from the
 * articles' summaries alone: no record is read.
 */
export class CorpusView implements ViewParts {
  // Documented on ViewParts.
  readonly articles: readonly Article[];
  readonly providers: readonly Provider[];
  readonly topics: readonly Topic[];
  readonly stats: ViewStats;
  readonly maxima: ListMaxima;
  readonly targetsOfSource: ReadonlyMap<Article, readonly (Article | null)[]>;
  /** The slug and URL index of the corpus, shared by its views. */
  readonly index: ArticleIndex;
  private readonly providersByDomain = new Map<string, Provider>();
  private readonly topicsBySlug = new Map<string, Topic>();
  private readonly sourcesOfTarget = new Map<Article, Article[]>();

  /** A view of these parts, looking articles up in the corpus' index. */
  constructor(
    readonly kind: ViewKind,
    parts: ViewParts,
    index: ArticleIndex,
  ) {
    this.articles = parts.articles;
    this.providers = parts.providers;
    this.topics = parts.topics;
    this.stats = parts.stats;
    this.maxima = parts.maxima;
    this.targetsOfSource = parts.targetsOfSource;
    this.index = index;
    for (const provider of this.providers) this.providersByDomain.set(provider.domain, provider);
    for (const topic of this.topics) this.topicsBySlug.set(topic.slug, topic);
    // Sources newest first, each listed once per target however many of its entries point there.
    for (const source of this.articles) {
      const targets = this.targetsOfSource.get(source);
      if (targets === undefined) continue;
      for (const [position, target] of targets.entries()) {
        if (target === null || targets.indexOf(target) !== position) continue;
        const sources = this.sourcesOfTarget.get(target);
        if (sources === undefined) this.sourcesOfTarget.set(target, [source]);
        else sources.push(source);
      }
    }
    for (const sources of this.sourcesOfTarget.values()) Object.freeze(sources);
    Object.freeze(this);
  }

  /**
   * Builds a view of these articles from their summaries.
   * @param indexed the view's articles with their summaries, newest first (compareNewestFirst)
   * @param index the slug and URL index of the corpus (of these articles when not given)
   * @param wider a view of the same corpus holding these articles and more: where an article's
   *   related entries resolve the same in both, this view shares its list of targets
   */
  static build(kind: ViewKind, indexed: readonly IndexedArticle[], index = ArticleIndex.build(indexed), wider?: CorpusView): CorpusView {
    const articles = Object.freeze(indexed.map((item) => item.article));
    const { targetsOfSource, resolved } = resolveRelated(kind, indexed, index, wider);
    const providers = buildProviders(indexed);
    const topics = buildTopics(articles);
    const stats: ViewStats = Object.freeze({
      articles: articles.length,
      drafts: articles.filter((article) => !article.published).length,
      providers: providers.length,
      topics: topics.length,
      relatedEntries: indexed.reduce((sum, { summary }) => sum + summary.related.length, 0),
      relatedResolved: resolved,
    });
    return new CorpusView(kind, { articles, providers, topics, stats, maxima: measureLists(indexed, providers), targetsOfSource }, index);
  }

  /** The article with this slug, or undefined. */
  articleBySlug(slug: string): Article | undefined {
    return this.index.bySlugIn(this.kind, slug);
  }

  /** The article reachable by this URL (any of its URLs, after normalization), or undefined. */
  articleByUrl(url: string): Article | undefined {
    const key = urlKey(url);
    return key === null ? undefined : this.index.byUrlKeyIn(this.kind, key);
  }

  /** Batch getter: the articles for these slugs, same length and order, null for a miss. */
  articlesBySlugs(slugs: readonly string[]): (Article | null)[] {
    return slugs.map((slug) => this.index.bySlugIn(this.kind, slug) ?? null);
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
}

/** The longest list of each kind among these articles. */
function measureLists(indexed: readonly IndexedArticle[], providers: readonly Provider[]): ListMaxima {
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
  for (const provider of providers) providerImages = Math.max(providerImages, provider.images.length);
  return Object.freeze({ related, topics, images, relatedImages, providerImages });
}

/**
 * Resolves each related entry by any of its URLs within a view of `kind`; an entry resolving to its
 * own article is no link. Where a wider view resolved a source's entries to the same targets, its
 * list is shared.
 */
function resolveRelated(kind: ViewKind, indexed: readonly IndexedArticle[], index: ArticleIndex, wider: CorpusView | undefined) {
  let resolved = 0;
  const targetsOfSource = new Map<Article, readonly (Article | null)[]>();
  for (const { article: source, summary } of indexed) {
    let targets: (Article | null)[] | null = null;
    for (const [position, entry] of summary.related.entries()) {
      const target = findTarget(kind, index, entry.urlKeys, source);
      if (target === undefined) continue;
      targets ??= new Array<Article | null>(summary.related.length).fill(null);
      targets[position] = target;
      resolved++;
    }
    if (targets === null) continue;
    const same = wider?.targetsOfSource.get(source);
    const shared = same?.every((target, position) => target === targets[position]) === true;
    targetsOfSource.set(source, shared ? same : Object.freeze(targets));
  }
  return { targetsOfSource, resolved };
}

function findTarget(kind: ViewKind, index: ArticleIndex, urlKeys: readonly string[], source: Article): Article | undefined {
  for (const key of urlKeys) {
    const target = index.byUrlKeyIn(kind, key);
    if (target !== undefined && target !== source) return target;
  }
  return undefined;
}

/** Providers named by these articles and their related entries, most articles first, then by domain. */
function buildProviders(indexed: readonly IndexedArticle[]): Provider[] {
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
  return Object.freeze(providers) as Provider[];
}

/** Topics listed by these articles, most articles first, then by slug. */
function buildTopics(articles: readonly Article[]): Topic[] {
  const builders = new Map<string, { names: SpellingVote; articles: Article[] }>();
  for (const article of articles) {
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
  return Object.freeze(topics) as Topic[];
}
