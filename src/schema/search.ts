import { createHash } from 'node:crypto';
import { highlight } from '../content/highlight.js';
import type { Article as ArticleRecord } from '../content/model.js';
import { compareStrings } from '../content/order.js';
import { type ArticleFilter as ArticleFilterValue, articlePredicate } from '../content/query.js';
import { COMMON_MIN_ARTICLES, SearchQueryError, type SearchResult, TIER_ROWS } from '../content/search.js';
import { badUserInput } from '../errors.js';
import { Article, ArticleFilter, bodyTextOf, type FacetScope } from './article.js';
import { builder } from './builder.js';
import {
  type ConnectionArgs,
  type ConnectionPage,
  DEFAULT_PAGE_SIZE,
  type ListOrder,
  listLength,
  MAX_PAGE_SIZE,
  paginate,
} from './connection.js';
import { countedConnection } from './counted-connection.js';
import { addFacetsField } from './facet.js';

/** One article matching a search, with its score and the terms it matched. */
interface SearchHitRecord {
  readonly article: ArticleRecord;
  readonly score: number;
  readonly terms: readonly string[];
}

/** Where a highlighted snippet comes from. */
const SearchField = builder.enumType('SearchField', {
  description: 'A field of an article that search looks in.',
  values: {
    TITLE: { description: 'The title (weighs three times as much as the body in the ranking).' },
    EXCERPT: { description: 'The excerpt.' },
    BODY: { description: 'The body, as plain text.' },
    TOPICS: { description: 'The topic names, one per line (weighs twice as much as the body).' },
    PROVIDER: { description: 'The provider name.' },
  } as const,
});

type SearchFieldValue = 'TITLE' | 'EXCERPT' | 'BODY' | 'TOPICS' | 'PROVIDER';

/** A field's text with the matched words marked. */
const SearchHighlight = builder.objectRef<{ field: SearchFieldValue; snippet: string }>('SearchHighlight').implement({
  description: 'Where a hit matched: one field, with the matched words marked.',
  fields: (t) => ({
    field: t.field({ type: SearchField, description: 'The field the snippet comes from.', resolve: (highlight) => highlight.field }),
    snippet: t.exposeString('snippet', {
      description:
        'The field as HTML: the text escaped (`&lt;`, `&amp;`, ...) and each matched word wrapped in `<mark>`; a long field is cut to ' +
        'about 32 words around the first match, with `…` where it was cut.',
    }),
  }),
});

/** The text of each field of an article that search looks in (the body as its cached text, read without rendering HTML; none when it cannot be read). */
async function fieldTexts(article: ArticleRecord): Promise<[SearchFieldValue, string | null][]> {
  const body = await bodyTextOf(article).catch(() => null);
  return [
    ['TITLE', article.title],
    ['EXCERPT', article.excerpt],
    ['BODY', body?.text ?? null],
    ['TOPICS', article.topics.map((topic) => topic.name).join('\n')],
    ['PROVIDER', article.provider?.name ?? null],
  ];
}

/** One article matching a search. */
const SearchHit = builder.objectRef<SearchHitRecord>('SearchHit').implement({
  description: 'One article matching a search, with its relevance and where it matched.',
  fields: (t) => ({
    score: t.exposeFloat('score', {
      description:
        'Relevance: BM25 over title (weight 3), excerpt, body, topics (weight 2) and provider name. It counts the words of the search ' +
        `except those in more than a tenth of the articles (and ${COMMON_MIN_ARTICLES.toLocaleString('en')} or more), which must occur but ` +
        'weigh little, and except the last word while it is still being typed if it is such a word or begins more words than are ' +
        'searched one by one; when that leaves nothing, it counts the words typed in full (the last one too when it begins no other ' +
        'word), or else every word. Higher is better; comparable only ' +
        `within one search, and the order follows it only within each tier of ${TIER_ROWS.toLocaleString('en')} matches (see \`Query.search\`).`,
    }),
    article: t.field({ type: Article, description: 'The article.', resolve: (hit) => hit.article }),
    highlights: t.field({
      type: [SearchHighlight],
      description: 'Each field where a searched word (or its prefix, or its typo correction) occurs, in the order of SearchField.',
      resolve: async (hit) =>
        (await fieldTexts(hit.article)).flatMap(([field, text]) => {
          const snippet = text === null ? null : highlight(text, hit.terms);
          return snippet === null ? [] : [{ field, snippet }];
        }),
    }),
  }),
});

/** A page of hits. */
const SearchConnection = countedConnection(SearchHit, { name: 'Search', plural: 'hits', order: 'best first' });
addFacetsField(SearchConnection);

builder.queryFields((t) => ({
  search: t.field({
    type: SearchConnection,
    description:
      'Articles matching a search, best first (ties by slug); 20 per page by default, at most 100. A search that matches more ' +
      `than ${TIER_ROWS.toLocaleString('en')} articles is ranked in tiers: its ${TIER_ROWS.toLocaleString('en')} most recently published matches ` +
      'come first, best first among them, then the next ones as many, and so on, so that a broad search (a word most articles ' +
      'have) lists the most relevant recent coverage first, at the cost of ranking a few thousand articles. Every word must occur ' +
      '(case and accents ignored); the last word also matches as a prefix unless the query ends with a space; a word of ' +
      '5 or more letters that occurs nowhere also matches the words one typo away; `"quoted phrases"` must occur as written; ' +
      '`-word` leaves out articles with that word. The public search never sees a draft: its ranking, counts, facets and ' +
      'snippets come from published articles only.',
    args: {
      ...t.arg.connectionArgs(),
      query: t.arg.string({
        required: true,
        description: 'What to search for, at most 500 characters and 32 words: `sepsis trial`, `"language model" -chatbot`, `robo`.',
      }),
      filter: t.arg({ type: ArticleFilter, required: false, description: 'Only articles that also match all of these conditions.' }),
    },
    resolve: (_root, args, context) => {
      if (args.query.length > 500) throw badUserInput(`\`query\` must be at most 500 characters, found ${args.query.length}.`, 'query');
      let result: ReturnType<typeof context.search.search>;
      try {
        result = context.search.search(context.view, args.query);
      } catch (error) {
        if (error instanceof SearchQueryError) throw badUserInput(error.message, 'query');
        throw error;
      }
      const order: ListOrder<ArticleRecord> = {
        name: `search:${createHash('sha1').update(result.key).digest('base64url').slice(0, 12)}`,
        positionOf: (article) => [result.tiers.get(article)!, result.scores.get(article)!, article.slug],
        compare: (a, b) =>
          (a[0] as number) - (b[0] as number) || (b[1] as number) - (a[1] as number) || compareStrings(a[2] as string, b[2] as string),
      };
      const page = pageOfMatches(result, args, order);
      const hitOf = (article: ArticleRecord): SearchHitRecord => ({ article, score: result.scores.get(article)!, terms: result.terms });
      return {
        edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: hitOf(edge.node) })),
        pageInfo: page.pageInfo,
        // Counted, and every match listed for the facets, only when the selection asks.
        get totalCount() {
          return page.totalCount();
        },
        facetScope: {
          get articles() {
            return result.articles;
          },
          filter: args.filter,
          view: context.view,
        } satisfies FacetScope,
      };
    },
  }),
}));

/**
 * The page of a search's matches the list arguments ask for. Without a filter, paging forwards, only
 * the best matches up to the page and one more are ranked into a list (SearchResult.best): ranking
 * reads on until the page is followed by a match or every match is listed.
 */
function pageOfMatches(
  result: SearchResult,
  args: ConnectionArgs & { readonly filter?: ArticleFilterValue | null },
  order: ListOrder<ArticleRecord>,
): Omit<ConnectionPage<ArticleRecord>, 'totalCount'> & { totalCount(): number } {
  const predicate = articlePredicate(args.filter);
  if (predicate !== null || args.last != null || args.before != null) {
    const page = paginate(predicate === null ? result.articles : result.articles.filter(predicate), args, order);
    return { ...page, totalCount: () => page.totalCount };
  }
  for (let wanted = (args.first ?? DEFAULT_PAGE_SIZE) + 1; ; wanted *= 4) {
    const listed = result.best(wanted);
    const page = paginate(listed, args, order);
    if (page.pageInfo.hasNextPage || listed.length < wanted) return { ...page, totalCount: () => result.total };
  }
}

builder.objectFields(Article, (t) => ({
  similar: t.field({
    type: [Article],
    description:
      'Articles most alike this one by text (title, excerpt, body, topics and provider: its most telling words, weighed by TF-IDF, ' +
      'searched for together) and by shared topics, best first. Never this article, nor another file with one of its URLs.',
    args: {
      first: t.arg.int({ required: false, defaultValue: 5, description: `How many to list (0 to ${MAX_PAGE_SIZE}; default 5).` }),
    },
    resolve: (article, args, context) => {
      return context.search.alike(context.view, article).slice(0, listLength(args.first, 5));
    },
  }),
}));
