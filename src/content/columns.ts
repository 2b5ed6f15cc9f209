/**
 * A view's articles as columns: typed arrays indexed by each article's position in the view's
 * list (newest first), each made the first time a filter or a facet needs it. At 100k articles the
 * article objects lie scattered over hundreds of megabytes of heap, and reading one field of each
 * costs a cache miss per article; a filter by one topic and the facet counts of what passes then
 * read arrays instead, in time proportional to the topic's articles.
 */
import type { Article } from './model.js';
import { type ArticleOrder, isDefaultOrder } from './order.js';
import { type ArticleFilter, durationStart, imageCount, queryArticles, searchTest } from './query.js';
import { slugify } from './slug.js';
import { asArray, type ListLike, type SortedList } from './sorted-list.js';
import { normalizeDomain } from './urls.js';
import type { CorpusView } from './view.js';

/** The facets an article list can be counted by. */
export type FacetName = 'topics' | 'providers' | 'types' | 'categories' | 'years' | 'months';

/**
 * What an article counts under in a facet, as written: its topic slugs, its provider's domain,
 * its type or category as spelled (the facet's value is the lowercase form), its year or month key.
 */
export function termsOf(facet: FacetName, article: Article): readonly string[] {
  switch (facet) {
    case 'topics':
      return article.topics.map((topic) => topic.slug);
    case 'providers':
      return article.provider === null ? [] : [article.provider.domain];
    case 'types':
      return article.type === null ? [] : [article.type];
    case 'categories':
      return article.category === null ? [] : [article.category];
    case 'years':
    case 'months':
      return article.publishedDateTime === null ? [] : [calendarKey(article.publishedDateTime, facet)];
  }
}

/**
 * The terms of one facet for a list of articles, as integers: each distinct term has an id
 * (`terms[id]`), and the i-th article's term ids are `ids[starts[i]]` to `ids[starts[i + 1] - 1]`.
 */
export class TermColumn {
  readonly terms: string[] = [];
  readonly starts: Int32Array;
  readonly ids: Int32Array;
  readonly #idOfTerm = new Map<string, number>();
  #positionsOfTerm: Int32Array[] | undefined;

  constructor(facet: FacetName, articles: readonly Article[]) {
    const ids: number[] = [];
    this.starts = new Int32Array(articles.length + 1);
    for (const [position, article] of articles.entries()) {
      for (const term of termsOf(facet, article)) {
        let id = this.#idOfTerm.get(term);
        if (id === undefined) {
          id = this.terms.length;
          this.terms.push(term);
          this.#idOfTerm.set(term, id);
        }
        ids.push(id);
      }
      this.starts[position + 1] = ids.length;
    }
    this.ids = Int32Array.from(ids);
  }

  /** The id of a term, or undefined when no article has it. */
  idOf(term: string): number | undefined {
    return this.#idOfTerm.get(term);
  }

  /** The positions of the articles that have the term `id`, ascending. */
  positionsOf(id: number): Int32Array {
    if (this.#positionsOfTerm === undefined) {
      const sizes = new Int32Array(this.terms.length);
      for (const termId of this.ids) sizes[termId]!++;
      const lists = Array.from(sizes, (size) => new Int32Array(size));
      const filled = new Int32Array(this.terms.length);
      for (let position = 0; position < this.starts.length - 1; position++) {
        for (let at = this.starts[position]!; at < this.starts[position + 1]!; at++) {
          const termId = this.ids[at]!;
          lists[termId]![filled[termId]!++] = position;
        }
      }
      this.#positionsOfTerm = lists;
    }
    return this.#positionsOfTerm[id]!;
  }

  /** How many of the articles at `positions` (null: all) have each term, by term id. */
  count(positions: Int32Array | null): Int32Array {
    const counts = new Int32Array(this.terms.length);
    const { starts, ids } = this;
    if (positions === null) {
      for (const id of ids) counts[id]!++;
      return counts;
    }
    for (const position of positions) {
      for (let at = starts[position]!, end = starts[position + 1]!; at < end; at++) counts[ids[at]!]!++;
    }
    return counts;
  }

  /** The ids of the terms `accept` keeps, as a mask by term id. */
  mask(accept: (term: string) => boolean): Uint8Array {
    return Uint8Array.from(this.terms, (term) => (accept(term) ? 1 : 0));
  }
}

/** A number column: NaN where the article has no value, so every comparison with it is false. */
function numberColumn(articles: readonly Article[], read: (article: Article) => number | null): Float64Array {
  return Float64Array.from(articles, (article) => read(article) ?? Number.NaN);
}

/** The columns of one view; see the module comment. */
export class ViewColumns {
  readonly #terms = new Map<FacetName, TermColumn>();
  readonly #numbers = new Map<'published' | 'quality' | 'heat' | 'images', Float64Array>();

  constructor(readonly view: CorpusView) {}

  /** The term column of a facet over the view's articles. */
  terms(facet: FacetName): TermColumn {
    let column = this.#terms.get(facet);
    if (column === undefined) {
      column = new TermColumn(facet, this.view.articles);
      this.#terms.set(facet, column);
    }
    return column;
  }

  #number(name: 'published' | 'quality' | 'heat' | 'images'): Float64Array {
    let column = this.#numbers.get(name);
    if (column === undefined) {
      const read = {
        published: (article: Article) => article.publishedDateTime,
        quality: (article: Article) => article.quality,
        heat: (article: Article) => article.heat,
        images: imageCount,
      }[name];
      column = numberColumn(this.view.articles, read);
      this.#numbers.set(name, column);
    }
    return column;
  }

  /**
   * The positions (ascending, so newest first) of the view's articles that pass `filter`, or
   * null when the filter holds for every article. Agrees with articlePredicate, whose RangeError
   * it throws for a `publishedWithin` it refuses; `now` is what `publishedWithin` counts back from.
   */
  matching(filter: ArticleFilter | null | undefined, now = Date.now()): Int32Array | null {
    if (filter == null) return null;
    const topics = filter.topics?.map(slugify);
    const providers = filter.providers?.map((domain) => normalizeDomain(domain) ?? domain.trim().toLowerCase());
    const byTopic = topics === undefined ? undefined : this.#positionsWithAny('topics', topics);
    const byProvider = providers === undefined ? undefined : this.#positionsWithAny('providers', providers);
    // Start from the smaller of the two lists (each holds exactly the articles that pass its condition).
    const startFromTopics = byTopic !== undefined && (byProvider === undefined || byTopic.length <= byProvider.length);
    const candidates = startFromTopics ? byTopic : byProvider;
    const tests: ((position: number) => boolean)[] = [];
    if (topics !== undefined && !startFromTopics) tests.push(this.#hasTerm('topics', (term) => topics.includes(term)));
    if (providers !== undefined && startFromTopics) tests.push(this.#hasTerm('providers', (term) => providers.includes(term)));
    for (const [facet, wanted] of [
      ['categories', filter.category],
      ['types', filter.type],
    ] as const) {
      if (wanted == null) continue;
      const folded = wanted.trim().toLowerCase();
      tests.push(this.#hasTerm(facet, (term) => term.toLowerCase() === folded));
    }
    const published = filter.publishedAfter != null || filter.publishedBefore != null || filter.publishedWithin != null;
    if (published) {
      const column = this.#number('published');
      const after = filter.publishedAfter?.getTime() ?? Number.NEGATIVE_INFINITY;
      const before = filter.publishedBefore?.getTime() ?? Number.POSITIVE_INFINITY;
      const since = filter.publishedWithin == null ? Number.NEGATIVE_INFINITY : durationStart(filter.publishedWithin, now);
      tests.push((position) => {
        const value = column[position]!;
        return value > after && value < before && value >= since;
      });
    }
    for (const [name, min] of [
      ['quality', filter.minQuality],
      ['heat', filter.minHeat],
    ] as const) {
      if (min == null) continue;
      const column = this.#number(name);
      tests.push((position) => column[position]! >= min);
    }
    if (filter.hasImages != null) {
      const column = this.#number('images');
      const wanted = filter.hasImages;
      tests.push((position) => column[position]! > 0 === wanted);
    }
    // Text is read from the articles themselves: last, so only what passed the rest is read.
    const matchesText = filter.search == null ? null : searchTest(filter.search);
    const { articles } = this.view;
    if (matchesText !== null) tests.push((position) => matchesText(articles[position]!));
    // No condition at all (every one absent, or a search of no word): the filter holds for every article.
    if (candidates === undefined && tests.length === 0) return null;

    const size = candidates?.length ?? articles.length;
    const passing = new Int32Array(size);
    let passed = 0;
    for (let at = 0; at < size; at++) {
      const position = candidates === undefined ? at : candidates[at]!;
      if (tests.every((test) => test(position))) passing[passed++] = position;
    }
    return passing.subarray(0, passed);
  }

  /** The positions of the articles with any of these terms, ascending, each once. */
  #positionsWithAny(facet: 'topics' | 'providers', terms: readonly string[]): Int32Array {
    const column = this.terms(facet);
    const lists = [...new Set(terms)].flatMap((term) => {
      const id = column.idOf(term);
      return id === undefined ? [] : [column.positionsOf(id)];
    });
    if (lists.length === 1) return lists[0]!;
    const all = new Int32Array(lists.reduce((sum, list) => sum + list.length, 0));
    let at = 0;
    for (const list of lists) {
      all.set(list, at);
      at += list.length;
    }
    all.sort();
    let kept = 0;
    for (let read = 0; read < all.length; read++) if (read === 0 || all[read] !== all[read - 1]) all[kept++] = all[read]!;
    return all.subarray(0, kept);
  }

  /** A test of whether the article at a position has a term of the facet that `accept` keeps (each term is asked once). */
  #hasTerm(facet: FacetName, accept: (term: string) => boolean): (position: number) => boolean {
    const column = this.terms(facet);
    const mask = column.mask(accept);
    return (position) => {
      for (let at = column.starts[position]!, end = column.starts[position + 1]!; at < end; at++)
        if (mask[column.ids[at]!] === 1) return true;
      return false;
    };
  }
}

const columnsOfView = new WeakMap<CorpusView, ViewColumns>();

/** The columns of a view (see ViewColumns), one set per view, each column made when first needed. */
export function viewColumns(view: CorpusView): ViewColumns {
  let columns = columnsOfView.get(view);
  if (columns === undefined) {
    columns = new ViewColumns(view);
    columnsOfView.set(view, columns);
  }
  return columns;
}

/**
 * queryArticles for a list of `view`: the same articles in the same order, found through the
 * view's columns when the list is the view's whole list in its own order.
 */
export function queryViewArticles(
  view: CorpusView,
  articles: SortedList<Article>,
  filter: ArticleFilter | null | undefined,
  order: ArticleOrder,
): ListLike<Article> {
  if (articles !== view.articleList || !isDefaultOrder(order)) return queryArticles(asArray(articles), filter, order);
  const positions = viewColumns(view).matching(filter);
  if (positions === null) return view.articleList;
  const all = view.articles;
  return Array.from(positions, (position) => all[position]!);
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
