import type { Article, Image, ListMaxima, Provider, ProviderRef, RelatedEntry, Topic, ViewKind, ViewStats } from './model.js';
import { compareCountThenKey } from './order.js';
import { ChunkedList } from './sorted-list.js';
import { relatedOrigin, type StoredArticle } from './stored-article.js';
import type { ArticleSummary } from './summary.js';
import { nearKeyOf, ownNearKeyOf, urlKey } from './urls.js';

/** An article of a corpus with the summary it was indexed from. */
export interface IndexedArticle {
  readonly article: StoredArticle;
  readonly summary: ArticleSummary;
}

/** How often each spelling (or logo set) is given; the most frequent wins (ties: the first in code-unit order). */
function mostFrequent<T>(counts: ReadonlyMap<string, T>, countOf: (value: T) => number): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const [key, value] of counts) {
    const count = countOf(value);
    if (count > bestCount || (count === bestCount && best !== null && key < best)) {
      best = key;
      bestCount = count;
    }
  }
  return best;
}

/** Every mention of one provider in a view: by its articles and by related entries. */
export interface ProviderTally {
  readonly mentions: number;
  /** How often each spelling of its name is given. */
  readonly names: ReadonlyMap<string, number>;
  /** How often each set of logos (by its JSON) is given, with the set. */
  readonly logos: ReadonlyMap<string, { readonly images: readonly Image[]; readonly count: number }>;
}

/** What a view counted to name its providers and topics: kept so that an update only adjusts the counts. */
export interface ViewTallies {
  readonly providers: ReadonlyMap<string, ProviderTally>;
  /** For each topic slug, how often each spelling of its name is given. */
  readonly topicNames: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/** A mutable tally while a view is built or updated. */
export class TallyBuilder {
  mentions = 0;
  readonly names: Map<string, number>;
  readonly logos: Map<string, { images: readonly Image[]; count: number }>;

  constructor(from?: ProviderTally) {
    this.mentions = from?.mentions ?? 0;
    this.names = new Map(from?.names ?? []);
    this.logos = new Map(from?.logos ?? []);
  }

  /** Counts (delta 1) or uncounts (delta -1) one mention. */
  count(provider: ProviderRef, delta: 1 | -1): void {
    this.mentions += delta;
    if (provider.name !== null) adjust(this.names, provider.name, delta);
    if (provider.images.length > 0) {
      const key = JSON.stringify(provider.images);
      const count = (this.logos.get(key)?.count ?? 0) + delta;
      if (count > 0) this.logos.set(key, { images: this.logos.get(key)?.images ?? provider.images, count });
      else this.logos.delete(key);
    }
  }

  freeze(): ProviderTally {
    return Object.freeze({ mentions: this.mentions, names: this.names, logos: this.logos });
  }
}

/** Adds delta to a count, dropping it at zero. */
export function adjust(counts: Map<string, number>, key: string, delta: number): void {
  const count = (counts.get(key) ?? 0) + delta;
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}

/** The provider a tally names, with its articles. */
export function providerOf(domain: string, tally: ProviderTally, articles: ChunkedList<Article>): Provider {
  const logos = mostFrequent(tally.logos, (logo) => logo.count);
  return Object.freeze({
    kind: 'provider',
    domain,
    name: mostFrequent(tally.names, (count) => count) ?? domain,
    images: logos === null ? NO_IMAGES : tally.logos.get(logos)!.images,
    articles,
  });
}

/** The topic a tally of spellings names, with its articles. */
export function topicOf(slug: string, names: ReadonlyMap<string, number>, articles: ChunkedList<Article>): Topic {
  return Object.freeze({ kind: 'topic', slug, name: mostFrequent(names, (count) => count) ?? slug, articles });
}

const NO_IMAGES: readonly Image[] = Object.freeze([]);

/**
 * Slug and URL indexes over every article of a corpus, built once and shared by its views: a
 * public view skips drafts when it looks up. Each URL key maps to the newest article that has it,
 * so a shared URL resolves predictably; where that article is a draft, the newest published one
 * with the key is kept beside it for the public view. For the near keys related entries ask for
 * (urls.ts: nearKeyOf), every article with a URL of that near key is kept, so that each view can
 * tell one owner from several.
 */
export class ArticleIndex {
  /**
   * @param bySlug every article by slug
   * @param byUrlKey the newest article with each URL key
   * @param publishedByUrlKey for each key whose newest article is a draft, the newest published one
   * @param byNearKey for each near key of a related entry's URL, the articles with a URL of that near key, newest first
   * @param bySharedUrlKey for each URL key that two or more articles have, those articles, newest first
   */
  constructor(
    readonly bySlug: ReadonlyMap<string, Article>,
    readonly byUrlKey: ReadonlyMap<string, Article>,
    readonly publishedByUrlKey: ReadonlyMap<string, Article>,
    readonly byNearKey: ReadonlyMap<string, readonly Article[]>,
    readonly bySharedUrlKey: ReadonlyMap<string, readonly Article[]>,
  ) {
    Object.freeze(this);
  }

  /** The index of these articles, given newest first. */
  static build(indexed: readonly IndexedArticle[]): ArticleIndex {
    const bySlug = new Map<string, Article>();
    const byUrlKey = new Map<string, Article>();
    const publishedByUrlKey = new Map<string, Article>();
    const bySharedUrlKey = new Map<string, Article[]>();
    const wanted = new Set<string>();
    for (const { article, summary } of indexed) {
      bySlug.set(article.slug, article);
      for (const key of summary.urlKeys) {
        const newest = byUrlKey.get(key);
        if (newest === undefined) {
          byUrlKey.set(key, article);
          continue;
        }
        if (!newest.published && article.published && !publishedByUrlKey.has(key)) publishedByUrlKey.set(key, article);
        const sharers = bySharedUrlKey.get(key);
        if (sharers === undefined) bySharedUrlKey.set(key, [newest, article]);
        else if (sharers.at(-1) !== article) sharers.push(article);
      }
      for (const entry of summary.related) {
        for (const key of entry.urlKeys) {
          const near = nearKeyOf(key);
          if (near !== null) wanted.add(near);
        }
      }
    }
    const byNearKey = new Map<string, Article[]>();
    if (wanted.size > 0) {
      for (const { article, summary } of indexed) {
        for (const key of summary.urlKeys) {
          const near = ownNearKeyOf(key);
          if (!wanted.has(near)) continue;
          const owners = byNearKey.get(near);
          if (owners === undefined) byNearKey.set(near, [article]);
          else if (owners.at(-1) !== article) owners.push(article);
        }
      }
      for (const owners of byNearKey.values()) Object.freeze(owners);
    }
    for (const sharers of bySharedUrlKey.values()) Object.freeze(sharers);
    return new ArticleIndex(bySlug, byUrlKey, publishedByUrlKey, byNearKey, bySharedUrlKey);
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

  /** The articles a view of this kind holds with a URL of this near key (one asked for by a related entry), newest first. */
  byNearKeyIn(kind: ViewKind, nearKey: string): readonly Article[] {
    const owners = this.byNearKey.get(nearKey) ?? NO_ARTICLES;
    return kind === 'preview' ? owners : owners.filter((article) => article.published);
  }
}

const NO_ARTICLES: readonly Article[] = Object.freeze([]);

/** Everything a view holds besides the corpus' ArticleIndex: built by CorpusView.build, or restored from a snapshot. */
export interface ViewParts {
  /** The view's articles, newest first, in chunks that its next versions share. */
  readonly articleList: ChunkedList<Article>;
  /** Providers, most articles first, then by domain. */
  readonly providers: readonly Provider[];
  /** Topics, most articles first, then by slug. */
  readonly topics: readonly Topic[];
  readonly stats: ViewStats;
  readonly maxima: ListMaxima;
  /** For each article with a resolved related entry: the target of each entry, in list order (null: external). */
  readonly targetsOfSource: ReadonlyMap<Article, readonly (Article | null)[]>;
  readonly tallies: ViewTallies;
}

/** The lookups a view derives from its parts; an update passes them on, changed where the parts changed. */
export interface ViewLookups {
  readonly providersByDomain: ReadonlyMap<string, Provider>;
  readonly topicsBySlug: ReadonlyMap<string, Topic>;
  /** For each article that related entries resolve to, the sources of those entries, newest first. */
  readonly sourcesOfTarget: ReadonlyMap<Article, readonly Article[]>;
}

/**
 * An immutable set of articles with every index built once: by slug, by each normalized URL, by
 * provider, by topic, in date order, and the related graph resolved within the view. Nothing
 * outside the view is reachable from it, so a public view cannot leak a draft. Built from the
 * articles' summaries alone: no record is read.
 */
export class CorpusView implements ViewParts, ViewLookups {
  // Documented on ViewParts and ViewLookups.
  readonly articleList: ChunkedList<Article>;
  readonly providers: readonly Provider[];
  readonly topics: readonly Topic[];
  readonly stats: ViewStats;
  readonly maxima: ListMaxima;
  readonly targetsOfSource: ReadonlyMap<Article, readonly (Article | null)[]>;
  readonly tallies: ViewTallies;
  readonly providersByDomain: ReadonlyMap<string, Provider>;
  readonly topicsBySlug: ReadonlyMap<string, Topic>;
  readonly sourcesOfTarget: ReadonlyMap<Article, readonly Article[]>;
  /** The slug and URL index of the corpus, shared by its views. */
  readonly index: ArticleIndex;

  /** A view of these parts, looking articles up in the corpus' index; its lookups are derived from the parts when not given. */
  constructor(
    readonly kind: ViewKind,
    parts: ViewParts,
    index: ArticleIndex,
    lookups: ViewLookups = deriveLookups(parts),
  ) {
    this.articleList = parts.articleList;
    this.providers = parts.providers;
    this.topics = parts.topics;
    this.stats = parts.stats;
    this.maxima = parts.maxima;
    this.targetsOfSource = parts.targetsOfSource;
    this.tallies = parts.tallies;
    this.index = index;
    this.providersByDomain = lookups.providersByDomain;
    this.topicsBySlug = lookups.topicsBySlug;
    this.sourcesOfTarget = lookups.sourcesOfTarget;
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
    // Not frozen: the view keeps it in chunks (ChunkedList.from), and V8 slices a frozen array element by element.
    const articles = indexed.map((item) => item.article);
    const { targetsOfSource, resolved } = resolveRelated(kind, indexed, index, wider);
    const { providers, tallies: providerTallies } = buildProviders(indexed);
    const { topics, names: topicNames } = buildTopics(articles);
    const stats: ViewStats = Object.freeze({
      articles: articles.length,
      drafts: articles.filter((article) => !article.published).length,
      providers: providers.length,
      topics: topics.length,
      relatedEntries: indexed.reduce((sum, { summary }) => sum + summary.related.length, 0),
      relatedResolved: resolved,
    });
    const maxima = measureLists(indexed, providers);
    return new CorpusView(
      kind,
      {
        articleList: ChunkedList.from(articles),
        providers,
        topics,
        stats,
        maxima,
        targetsOfSource,
        tallies: { providers: providerTallies, topicNames },
      },
      index,
    );
  }

  /** The view's articles, newest first, as one array (made when first read after an update). */
  get articles(): readonly Article[] {
    return this.articleList.toArray();
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

/** The lookups of a view, from its parts: sources of each target newest first, each listed once however many of its entries point there. */
function deriveLookups(parts: ViewParts): ViewLookups {
  const sourcesOfTarget = new Map<Article, Article[]>();
  for (const source of parts.articleList) {
    const targets = parts.targetsOfSource.get(source);
    if (targets === undefined) continue;
    for (const [position, target] of targets.entries()) {
      if (target === null || targets.indexOf(target) !== position) continue;
      const sources = sourcesOfTarget.get(target);
      if (sources === undefined) sourcesOfTarget.set(target, [source]);
      else sources.push(source);
    }
  }
  for (const sources of sourcesOfTarget.values()) Object.freeze(sources);
  return {
    providersByDomain: new Map(parts.providers.map((provider) => [provider.domain, provider])),
    topicsBySlug: new Map(parts.topics.map((topic) => [topic.slug, topic])),
    sourcesOfTarget,
  };
}

const NO_LISTS: ListMaxima = Object.freeze({ related: 0, topics: 0, images: 0, relatedImages: 0, providerImages: 0 });

/** The longest list of each kind among these articles and providers, and at least `from` (an update's maxima only grow). */
export function measureLists(indexed: readonly IndexedArticle[], providers: readonly Provider[], from: ListMaxima = NO_LISTS): ListMaxima {
  let { related, topics, images, relatedImages, providerImages } = from;
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
 * Resolves each related entry within a view of `kind` (findTarget). Where a wider view resolved a
 * source's entries to the same targets, its list is shared.
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

/**
 * The article of a view of `kind` that a related entry of `source` with these URL keys resolves to,
 * or undefined (external). An exact match wins: the newest article with one of the keys, tried in
 * order, other than `source`. An entry with no exact match in the view (not even `source`) resolves
 * by near match (urls.ts: nearKeyOf) to the one article of the view with a URL of the same near key
 * as one of its URLs with a query; with two or more such articles it is ambiguous and stays external,
 * and when that one article is `source` it is no link.
 */
export function findTarget(kind: ViewKind, index: ArticleIndex, urlKeys: readonly string[], source: Article): Article | undefined {
  let matchesSource = false;
  for (const key of urlKeys) {
    const target = index.byUrlKeyIn(kind, key);
    if (target === undefined) continue;
    if (target !== source) return target;
    matchesSource = true;
  }
  if (matchesSource || index.byNearKey.size === 0) return undefined;
  let near: Article | undefined;
  for (const key of urlKeys) {
    const nearKey = nearKeyOf(key);
    if (nearKey === null) continue;
    for (const owner of index.byNearKeyIn(kind, nearKey)) {
      if (near === undefined) near = owner;
      else if (owner !== near) return undefined;
    }
  }
  return near === source ? undefined : near;
}

/** Providers named by these articles and their related entries, most articles first, then by domain, with their tallies. */
function buildProviders(indexed: readonly IndexedArticle[]): { providers: Provider[]; tallies: Map<string, ProviderTally> } {
  const builders = new Map<string, { tally: TallyBuilder; articles: Article[] }>();
  const count = (provider: ProviderRef) => {
    let builder = builders.get(provider.domain);
    if (builder === undefined) {
      builder = { tally: new TallyBuilder(), articles: [] };
      builders.set(provider.domain, builder);
    }
    builder.tally.count(provider, 1);
    return builder;
  };
  for (const { article, summary } of indexed) {
    if (article.provider !== null) count(article.provider).articles.push(article);
    for (const entry of summary.related) if (entry.provider !== null) count(entry.provider);
  }
  const tallies = new Map<string, ProviderTally>();
  const providers: Provider[] = [];
  for (const [domain, builder] of builders) {
    const tally = builder.tally.freeze();
    tallies.set(domain, tally);
    providers.push(providerOf(domain, tally, ChunkedList.from(builder.articles)));
  }
  providers.sort(compareProviders);
  return { providers: Object.freeze(providers) as Provider[], tallies };
}

/** Providers by number of articles, most first, then by domain. */
export function compareProviders(a: Provider, b: Provider): number {
  return compareCountThenKey(a.articles.length, a.domain, b.articles.length, b.domain);
}

/** Topics by number of articles, most first, then by slug. */
export function compareTopics(a: Topic, b: Topic): number {
  return compareCountThenKey(a.articles.length, a.slug, b.articles.length, b.slug);
}

/** Topics listed by these articles, most articles first, then by slug, with the tallies of their spellings. */
function buildTopics(articles: readonly Article[]): { topics: Topic[]; names: Map<string, Map<string, number>> } {
  const builders = new Map<string, { names: Map<string, number>; articles: Article[] }>();
  for (const article of articles) {
    for (const topic of article.topics) {
      let builder = builders.get(topic.slug);
      if (builder === undefined) {
        builder = { names: new Map(), articles: [] };
        builders.set(topic.slug, builder);
      }
      adjust(builder.names, topic.name, 1);
      builder.articles.push(article);
    }
  }
  const names = new Map<string, Map<string, number>>();
  const topics = [...builders].map(([slug, builder]) => {
    names.set(slug, builder.names);
    return topicOf(slug, builder.names, ChunkedList.from(builder.articles));
  });
  topics.sort(compareTopics);
  return { topics: Object.freeze(topics) as Topic[], names };
}
