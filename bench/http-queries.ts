/**
 * The queries of the HTTP benchmark (bench/http.ts): each one a GraphQL document and the request
 * bodies a load generator cycles through (one body, or one per article slug for the detail query).
 * Every server of the benchmark is sent exactly these bytes.
 */
import type { CorpusView } from '../src/content/view.js';

/** One benchmark query: what it is called, its document, and the POST bodies to rotate through. */
export interface HttpQuery {
  /** Short key: `detail`, `hotList`, `plainList50`, `related2`. */
  readonly name: string;
  /** One line for the report. */
  readonly title: string;
  /** The GraphQL document. */
  readonly query: string;
  /** Variables of each request, in rotation order (one entry for a query without variables). */
  readonly variables: readonly (Record<string, unknown> | null)[];
  /** `JSON.stringify({ query, variables })` of each entry of `variables`: the exact request bodies. */
  readonly bodies: readonly string[];
}

/** Article detail by slug: scalar fields, provider, topics, images and the related summaries. */
export const DETAIL_QUERY = `query ArticleDetail($slug: String!) {
  article(slug: $slug) {
    id slug title excerpt body category type locale publishedDateTime updatedDateTime
    webUrl ampWebUrl quality heat tags
    provider { name domain }
    topics { name slug }
    images { url width height title }
    related { title excerpt publishedDateTime webUrl provider { name } article { slug title } }
  }
}`;

/** The hot list: a front page of 20 articles with everything a card shows. */
export const HOT_LIST_QUERY = `query HotList {
  articles(first: 20) {
    nodes {
      title excerpt publishedDateTime webUrl
      provider { name domain }
      topics { name }
      images { url width height }
      related { title webUrl article { title provider { name } } }
    }
  }
}`;

/** 50 articles, plain scalar fields only: the cost of the list machinery without nesting. */
export const PLAIN_LIST_50_QUERY = `query PlainList50 {
  articles(first: 50) {
    nodes { slug title excerpt category type locale publishedDateTime webUrl quality heat published }
  }
}`;

/** Related articles two levels deep: the DataLoader path, level by level. */
export const RELATED_DEPTH_2_QUERY = `query RelatedDepth2 {
  articles(first: 10) { nodes { related { article { related { article { title } } } } } }
}`;

/** How many distinct slugs the detail query rotates through, at most. */
export const DETAIL_SLUG_COUNT = 100;

/**
 * `count` slugs of the view, evenly spread over its newest-first order (so not only the newest
 * articles), each once.
 */
export function pickSlugs(view: CorpusView, count: number = DETAIL_SLUG_COUNT): string[] {
  const articles = view.articles;
  if (articles.length === 0) throw new Error('the corpus has no published article: the detail query needs at least one slug');
  const n = Math.min(count, articles.length);
  const slugs: string[] = [];
  for (let i = 0; i < n; i++) slugs.push(articles[Math.floor((i * articles.length) / n)]!.slug);
  return slugs;
}

function makeQuery(name: string, title: string, query: string, variables: readonly (Record<string, unknown> | null)[]): HttpQuery {
  const bodies = variables.map((vars) => JSON.stringify(vars === null ? { query } : { query, variables: vars }));
  return { name, title, query, variables, bodies };
}

/** The four benchmark queries over a corpus view (the detail query rotates through its slugs). */
export function buildHttpQueries(view: CorpusView, slugCount: number = DETAIL_SLUG_COUNT): HttpQuery[] {
  const slugs = pickSlugs(view, slugCount);
  return [
    makeQuery(
      'detail',
      `article(slug) detail, rotating through ${slugs.length} slugs`,
      DETAIL_QUERY,
      slugs.map((slug) => ({ slug })),
    ),
    makeQuery('hotList', 'hot list: articles(first: 20) with provider, topics, images, related -> article', HOT_LIST_QUERY, [null]),
    makeQuery('plainList50', 'articles(first: 50), plain fields', PLAIN_LIST_50_QUERY, [null]),
    makeQuery('related2', 'articles(first: 10) related -> article -> related -> article (depth 2)', RELATED_DEPTH_2_QUERY, [null]),
  ];
}
