/**
 * Facet counts over a filtered list of articles, disjunctive as search engines count them: the
 * counts of a facet ignore that facet's own filter (the topic counts ignore `filter.topics`), so a
 * client can show how many articles "also this topic" would add. Every other filter applies.
 */
import type { Article } from './model.js';
import { type ArticleFilter, articlePredicate } from './query.js';
import { slugify } from './slug.js';
import { normalizeDomain } from './urls.js';
import type { CorpusView } from './view.js';

/** The facets an article list can be counted by. */
export type FacetName = 'topics' | 'providers' | 'types' | 'categories' | 'years' | 'months';

/** One value of a facet with the number of articles that have it. */
export interface FacetValue {
  /** What to pass back in a filter (topic slug, provider domain, lowercase type or category, `2023`, `2023-06`). */
  readonly value: string;
  /** How to show it (topic name, provider name, the most frequent spelling, `June 2023`). */
  readonly label: string;
  readonly count: number;
}

/** The facets whose own filter is left out of their counts, and the ArticleFilter field of each. */
const DISJUNCTIVE: readonly { readonly facet: FacetName; readonly field: keyof ArticleFilter }[] = [
  { facet: 'topics', field: 'topics' },
  { facet: 'providers', field: 'providers' },
  { facet: 'types', field: 'type' },
  { facet: 'categories', field: 'category' },
];

const MONTH_LABEL = new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * Facet counts of one filtered list, computed when first asked for: each facet is one pass over
 * the articles that pass the filter without that facet's own condition (matchingArticles).
 */
export class ArticleFacets {
  readonly #counted = new Map<FacetName, readonly FacetValue[]>();

  /**
   * @param articles the list before the filter (a view's, a topic's or a provider's articles, or search matches)
   * @param filter the filter the list is served with
   * @param view the view the list belongs to, for topic and provider names
   */
  constructor(
    readonly articles: readonly Article[],
    readonly filter: ArticleFilter | null | undefined,
    readonly view: CorpusView,
  ) {}

  /** The values of a facet over the filtered list (its own filter left out), most common first, then by value. */
  values(facet: FacetName): readonly FacetValue[] {
    let values = this.#counted.get(facet);
    if (values === undefined) {
      values = this.#count(facet);
      this.#counted.set(facet, values);
    }
    return values;
  }

  #count(facet: FacetName): readonly FacetValue[] {
    const own = DISJUNCTIVE.find((entry) => entry.facet === facet)?.field;
    const scope = own === undefined || this.filter?.[own] == null ? this.filter : { ...this.filter, [own]: null };
    // Without a condition of its own, a facet counts the list under the whole filter; with one, the
    // facets of `scope` count it (and share their passes with every request that filters so).
    if (scope !== this.filter) return facetsOf(this.articles, scope, this.view).values(facet);
    const tally = new FacetTally();
    for (const article of matchingArticles(this.articles, scope, this.view)) countArticle(tally, facet, article);
    return tally.values((value, spellings) => labelOf(facet, value, spellings, this.view));
  }
}

/**
 * The articles of a list that pass a filter, in no particular order. For a view's whole list
 * filtered by topics or providers, only those topics' or providers' articles are tested.
 */
function matchingArticles(articles: readonly Article[], filter: ArticleFilter | null | undefined, view: CorpusView): Iterable<Article> {
  const predicate = articlePredicate(filter);
  if (predicate === null) return articles;
  let candidates: Iterable<Article> = articles;
  if (articles === view.articles && filter != null) {
    const byTopic = filter.topics?.map((topic) => view.topicBySlug(slugify(topic))?.articles ?? []);
    const byProvider = filter.providers?.map(
      (domain) => view.providerByDomain(normalizeDomain(domain) ?? domain.trim().toLowerCase())?.articles ?? [],
    );
    const size = (lists: (readonly Article[])[] | undefined) =>
      lists?.reduce((sum, list) => sum + list.length, 0) ?? Number.POSITIVE_INFINITY;
    const narrowest = size(byTopic) <= size(byProvider) ? byTopic : byProvider;
    if (narrowest !== undefined) candidates = new Set(narrowest.flat());
  }
  const matching: Article[] = [];
  for (const article of candidates) if (predicate(article)) matching.push(article);
  return matching;
}

/** Counts one article under each of its values of a facet. */
function countArticle(tally: FacetTally, facet: FacetName, article: Article): void {
  switch (facet) {
    case 'topics':
      for (const topic of article.topics) tally.add(topic.slug, null);
      return;
    case 'providers':
      if (article.provider !== null) tally.add(article.provider.domain, null);
      return;
    case 'types':
      if (article.type !== null) tally.add(article.type.toLowerCase(), article.type);
      return;
    case 'categories':
      if (article.category !== null) tally.add(article.category.toLowerCase(), article.category);
      return;
    case 'years':
    case 'months':
      if (article.publishedDateTime !== null) tally.add(calendarKey(article.publishedDateTime, facet), null);
      return;
  }
}

/** How to show a facet value. */
function labelOf(facet: FacetName, value: string, spellings: ReadonlyMap<string, number> | undefined, view: CorpusView): string {
  switch (facet) {
    case 'topics':
      return view.topicBySlug(value)?.name ?? value;
    case 'providers':
      return view.providerByDomain(value)?.name ?? value;
    case 'months':
      return MONTH_LABEL.format(Date.UTC(Number(value.slice(0, 4)), Number(value.slice(5)) - 1));
    case 'years':
      return value;
    default:
      return mostFrequentSpelling(spellings) ?? value;
  }
}

/** The most frequent spelling; ties go to the first in code-unit order. */
function mostFrequentSpelling(spellings: ReadonlyMap<string, number> | undefined): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const [spelling, count] of spellings ?? []) {
    if (count > bestCount || (count === bestCount && best !== null && spelling < best)) {
      best = spelling;
      bestCount = count;
    }
  }
  return best;
}

/** Counts per value, with the spellings each value was given in (for types and categories). */
class FacetTally {
  readonly #counts = new Map<string, number>();
  readonly #spellings = new Map<string, Map<string, number>>();

  add(value: string, spelling: string | null): void {
    this.#counts.set(value, (this.#counts.get(value) ?? 0) + 1);
    if (spelling === null) return;
    let spellings = this.#spellings.get(value);
    if (spellings === undefined) {
      spellings = new Map();
      this.#spellings.set(value, spellings);
    }
    spellings.set(spelling, (spellings.get(spelling) ?? 0) + 1);
  }

  values(label: (value: string, spellings: ReadonlyMap<string, number> | undefined) => string): readonly FacetValue[] {
    const values = [...this.#counts].map(([value, count]) => ({ value, label: label(value, this.#spellings.get(value)), count }));
    values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return Object.freeze(values.map((value) => Object.freeze(value)));
  }
}

const DAY_MS = 86_400_000;

/**
 * The UTC year (`2023`) or month (`2023-06`) of an instant, by the days-from-civil algorithm
 * (H. Hinnant), without making a Date per article.
 */
export function calendarKey(epochMs: number, unit: 'years' | 'months'): string {
  const days = Math.floor(epochMs / DAY_MS) + 719_468;
  const era = Math.floor(days / 146_097);
  const dayOfEra = days - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const yearText = year < 0 || year > 9999 ? String(year) : String(year).padStart(4, '0');
  return unit === 'years' ? yearText : `${yearText}-${String(month).padStart(2, '0')}`;
}

/** How many filters of one list keep their facet counts. */
const FILTERS_PER_LIST = 64;

const counted = new WeakMap<CorpusView, WeakMap<readonly Article[], Map<string, ArticleFacets>>>();

/**
 * The facets of a list under a filter, shared by every request to the same view with the same
 * list and filter, so counts are made once per version of the content. A filter relative to the
 * current time (`publishedWithin`) is counted afresh each time.
 */
export function facetsOf(articles: readonly Article[], filter: ArticleFilter | null | undefined, view: CorpusView): ArticleFacets {
  if (filter?.publishedWithin != null) return new ArticleFacets(articles, filter, view);
  let lists = counted.get(view);
  if (lists === undefined) {
    lists = new WeakMap();
    counted.set(view, lists);
  }
  let byFilter = lists.get(articles);
  if (byFilter === undefined) {
    byFilter = new Map();
    lists.set(articles, byFilter);
  }
  // An absent and a null condition are the same filter.
  const key = JSON.stringify(filter ?? {}, (_, value: unknown) => (value === null ? undefined : value));
  let facets = byFilter.get(key);
  if (facets === undefined) {
    if (byFilter.size >= FILTERS_PER_LIST) byFilter.clear();
    facets = new ArticleFacets(articles, filter, view);
    byFilter.set(key, facets);
  }
  return facets;
}
