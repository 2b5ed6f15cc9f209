/**
 * Facet counts over a filtered list of articles, disjunctive as search engines count them: the
 * counts of a facet ignore that facet's own filter (the topic counts ignore `filter.topics`), so a
 * client can show how many articles "also this topic" would add. Every other filter applies.
 */
import { type FacetName, TermColumn, viewColumns } from './columns.js';
import type { Article } from './model.js';
import { type ArticleFilter, articlePredicate } from './query.js';
import { asArray, type SortedList } from './sorted-list.js';
import type { CorpusView } from './view.js';

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
 * Facet counts of one filtered list, computed when first asked for: each facet counts the articles
 * that pass the filter without that facet's own condition. Over a view's whole list they are found
 * and counted through the view's columns (columns.ts); over any other list, article by article.
 */
export class ArticleFacets {
  readonly #counted = new Map<FacetName, readonly FacetValue[]>();
  /** The positions in the view of the articles that pass the filter (null: all), once found. */
  #positions: Int32Array | null | undefined;
  /** The articles of any other list that pass the filter, once found. */
  #matching: readonly Article[] | undefined;

  /**
   * @param articles the list before the filter (a view's, a topic's or a provider's articles, or search matches)
   * @param filter the filter the list is served with
   * @param view the view the list belongs to, for topic and provider names
   */
  constructor(
    readonly articles: SortedList<Article>,
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
    if (this.articles === this.view.articleList) {
      const columns = viewColumns(this.view);
      if (this.#positions === undefined) this.#positions = columns.matching(scope);
      const column = columns.terms(facet);
      return valuesOf(facet, column.terms, column.count(this.#positions), this.view);
    }
    if (this.#matching === undefined) {
      const predicate = articlePredicate(scope);
      const articles = asArray(this.articles);
      this.#matching = predicate === null ? articles : articles.filter(predicate);
    }
    const column = new TermColumn(facet, this.#matching);
    return valuesOf(facet, column.terms, column.count(null), this.view);
  }
}

/**
 * The values of a facet from the counts of its terms (`counts[id]` articles have `terms[id]`),
 * most common first, then by value. A type or category counts under its lowercase form, shown in
 * its most frequent spelling.
 */
function valuesOf(facet: FacetName, terms: readonly string[], counts: Int32Array, view: CorpusView): readonly FacetValue[] {
  const spelled = facet === 'types' || facet === 'categories';
  const totals = new Map<string, number>();
  const spellings = new Map<string, Map<string, number>>();
  for (const [id, count] of counts.entries()) {
    if (count === 0) continue;
    const term = terms[id]!;
    const value = spelled ? term.toLowerCase() : term;
    totals.set(value, (totals.get(value) ?? 0) + count);
    if (!spelled) continue;
    let ofValue = spellings.get(value);
    if (ofValue === undefined) {
      ofValue = new Map();
      spellings.set(value, ofValue);
    }
    ofValue.set(term, count);
  }
  const values = [...totals].map(([value, count]) => ({ value, label: labelOf(facet, value, spellings.get(value), view), count }));
  values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return Object.freeze(values.map((value) => Object.freeze(value)));
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

/** How many filters of one list keep their facet counts. */
const FILTERS_PER_LIST = 64;

const counted = new WeakMap<CorpusView, WeakMap<SortedList<Article>, Map<string, ArticleFacets>>>();

/**
 * The facets of a list under a filter, shared by every request to the same view with the same
 * list and filter, so counts are made once per version of the content. A filter relative to the
 * current time (`publishedWithin`) is counted afresh each time.
 */
export function facetsOf(articles: SortedList<Article>, filter: ArticleFilter | null | undefined, view: CorpusView): ArticleFacets {
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
