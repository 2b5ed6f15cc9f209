/**
 * Stories: the coverage of one event. A story is a connected component of a view's articles, where
 * two articles are connected when a related entry of one resolves to the other, or when they share
 * a URL. Each view's stories are found once, when first asked for, and kept for the life of the view.
 */
import type { Article, EpochMs, RelatedEntry } from './model.js';
import { articleComparator, comparePositions, DEFAULT_ARTICLE_ORDER } from './order.js';
import type { CorpusView } from './view.js';

/** The coverage of one event in one view. */
export interface Story {
  readonly kind: 'story';
  /** The first report: the earliest published article (articles without a date last, ties by slug). */
  readonly lead: Article;
  /** Its articles in the view, newest first. */
  readonly articles: readonly Article[];
  /** When its earliest dated article was published; null when none is dated. */
  readonly firstPublishedDateTime: EpochMs | null;
  /** When its newest dated article was published; null when none is dated. */
  readonly lastPublishedDateTime: EpochMs | null;
}

/** Earliest first, articles without a date last, ties by slug: who leads a story. */
const compareEarliestFirst = articleComparator({ field: 'PUBLISHED_DATE_TIME', direction: 'ASC' });

/** Stories by their newest article, newest first, undated last, ties by the lead's slug: the order of `stories`. */
function compareStoriesNewestFirst(a: Story, b: Story): number {
  return comparePositions(DEFAULT_ARTICLE_ORDER, a.lastPublishedDateTime, a.lead.slug, b.lastPublishedDateTime, b.lead.slug);
}

/** A story of these articles (given newest first). */
function storyOf(articles: readonly Article[]): Story {
  let lead = articles[0]!;
  for (const article of articles) if (compareEarliestFirst(article, lead) < 0) lead = article;
  let first: EpochMs | null = null;
  let last: EpochMs | null = null;
  for (const { publishedDateTime: date } of articles) {
    if (date === null) continue;
    if (first === null || date < first) first = date;
    if (last === null || date > last) last = date;
  }
  return Object.freeze({
    kind: 'story',
    lead,
    articles: Object.freeze(articles),
    firstPublishedDateTime: first,
    lastPublishedDateTime: last,
  });
}

/** The stories of one view: each article's story, and the stories of two or more articles, newest first. */
export class ViewStories {
  /** The story of each article that shares one with another article. */
  readonly #storyOfArticle: ReadonlyMap<Article, Story>;
  /** The stories of two or more articles, newest first. */
  readonly clusters: readonly Story[];
  readonly #singles = new WeakMap<Article, Story>();
  readonly #listed = new Map<number, readonly Story[]>();
  readonly #view: CorpusView;

  private constructor(view: CorpusView) {
    this.#view = view;
    const position = new Map<Article, number>(view.articles.map((article, index) => [article, index]));
    const parent = new Int32Array(view.articles.length).map((_, index) => index);
    const find = (index: number): number => {
      let root = index;
      while (parent[root] !== root) root = parent[root]!;
      while (parent[index] !== root) {
        const next = parent[index]!;
        parent[index] = root;
        index = next;
      }
      return root;
    };
    const union = (a: Article, b: Article) => {
      const x = position.get(a);
      const y = position.get(b);
      if (x === undefined || y === undefined) return;
      const rootX = find(x);
      const rootY = find(y);
      if (rootX !== rootY) parent[Math.max(rootX, rootY)] = Math.min(rootX, rootY);
    };
    for (const [source, targets] of view.targetsOfSource) for (const target of targets) if (target !== null) union(source, target);
    for (const sharers of view.index.bySharedUrlKey.values()) {
      // Only the sharers this view holds (a public view holds no draft) are joined.
      const held = sharers.filter((sharer) => position.has(sharer));
      for (const sharer of held.slice(1)) union(held[0]!, sharer);
    }

    const members = new Map<number, Article[]>();
    for (const [index, article] of view.articles.entries()) {
      const root = find(index);
      const list = members.get(root);
      if (list === undefined) members.set(root, [article]);
      else list.push(article);
    }
    const storyOfArticle = new Map<Article, Story>();
    const clusters: Story[] = [];
    for (const list of members.values()) {
      if (list.length < 2) continue;
      const story = storyOf(list); // view.articles is newest first, so each list is too.
      clusters.push(story);
      for (const article of list) storyOfArticle.set(article, story);
    }
    clusters.sort(compareStoriesNewestFirst);
    this.#storyOfArticle = storyOfArticle;
    this.clusters = Object.freeze(clusters);
  }

  /** The stories of a view, found when first asked for. */
  static of(view: CorpusView): ViewStories {
    let stories = found.get(view);
    if (stories === undefined) {
      stories = new ViewStories(view);
      found.set(view, stories);
    }
    return stories;
  }

  /** The stories of at least `minArticles` articles (1 or more), newest first. */
  withAtLeast(minArticles: number): readonly Story[] {
    let listed = this.#listed.get(minArticles);
    if (listed === undefined) {
      const stories =
        minArticles >= 2
          ? this.clusters.filter((story) => story.articles.length >= minArticles)
          : [
              ...this.clusters,
              ...this.#view.articles.filter((article) => !this.#storyOfArticle.has(article)).map((article) => this.storyOf(article)),
            ].sort(compareStoriesNewestFirst);
      listed = Object.freeze(stories);
      this.#listed.set(minArticles, listed);
    }
    return listed;
  }

  /** The story an article of the view belongs to; an article connected to no other is a story of its own. */
  storyOf(article: Article): Story {
    const shared = this.#storyOfArticle.get(article);
    if (shared !== undefined) return shared;
    let single = this.#singles.get(article);
    if (single === undefined) {
      single = storyOf([article]);
      this.#singles.set(article, single);
    }
    return single;
  }
}

const found = new WeakMap<CorpusView, ViewStories>();

/**
 * The external coverage of a story: the related entries of its articles (newest article first, in
 * list order) that resolve to no article of the view, each URL once (entries without a URL, each
 * title once). Reads the articles' records.
 */
export function externalCoverage(story: Story, view: CorpusView): readonly RelatedEntry[] {
  // A story belongs to one view, so its coverage is found once for both `externalCoverage` and its count.
  let external = coverage.get(story);
  if (external === undefined) {
    external = Object.freeze(findExternalCoverage(story, view));
    coverage.set(story, external);
  }
  return external;
}

const coverage = new WeakMap<Story, readonly RelatedEntry[]>();

function findExternalCoverage(story: Story, view: CorpusView): RelatedEntry[] {
  const seen = new Set<string>();
  const external: RelatedEntry[] = [];
  for (const article of story.articles) {
    const { related } = article;
    const targets = view.articlesByRelatedEntries(related);
    for (const [index, entry] of related.entries()) {
      if (targets[index] !== null) continue;
      const key = entry.webUrl ?? entry.ampWebUrl ?? entry.cdnAmpWebUrl ?? `title:${entry.title}`;
      if (seen.has(key)) continue;
      seen.add(key);
      external.push(entry);
    }
  }
  return external;
}
