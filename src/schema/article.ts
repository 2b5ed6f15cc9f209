import type { BodyCache, BodyText, RenderedBody } from '../content/body.js';
import { queryViewArticles } from '../content/columns.js';
import type { Article as ArticleRecord } from '../content/model.js';
import { type ArticleOrder as ArticleOrderValue, comparePositions, DEFAULT_ARTICLE_ORDER, orderValue } from '../content/order.js';
import type { ArticleFilter as ArticleFilterValue } from '../content/query.js';
import type { SortedList } from '../content/sorted-list.js';
import type { CorpusView } from '../content/view.js';
import { badUserInput, bodyRenderFailed } from '../errors.js';
import { builder } from './builder.js';
import { type ConnectionArgs, type ListOrder, paginate } from './connection.js';
import { countedConnection } from './counted-connection.js';
import { Heading, identifyHeadings } from './heading.js';
import { Image, identifyImages } from './image.js';

/** A news article: one content file. Loaded by slug through a per-request DataLoader. */
export const Article = builder.loadableNodeRef('Article', {
  id: { resolve: (article: ArticleRecord) => article.slug },
  load: (slugs: string[], context) => {
    context.batchCalls.push({ loader: 'articlesBySlugs', keys: slugs.length });
    return Promise.resolve(context.view.articlesBySlugs(slugs));
  },
});

/** The fields articles can be ordered by. */
const ArticleOrderField = builder.enumType('ArticleOrderField', {
  description: 'A field to order articles by. Ties are always broken by slug, ascending, so cursors are stable.',
  values: {
    PUBLISHED_DATE_TIME: { description: 'Publication date-time; articles without one come last.' },
    QUALITY: { description: 'Quality score; articles without one come last.' },
    HEAT: { description: 'Heat (trending) score; articles without one come last.' },
    TITLE: { description: 'Title, alphabetically (case- and accent-insensitive, numbers in numeric order).' },
  } as const,
});

/** A sort direction. */
const OrderDirection = builder.enumType('OrderDirection', {
  description: 'A sort direction.',
  values: {
    ASC: { description: 'Smallest, oldest or A first.' },
    DESC: { description: 'Largest, newest or Z first.' },
  } as const,
});

/** How to order a list of articles. */
const ArticleOrder = builder.inputType('ArticleOrder', {
  description: 'How to order articles. Default: newest first (`{ field: PUBLISHED_DATE_TIME, direction: DESC }`).',
  fields: (t) => ({
    field: t.field({ type: ArticleOrderField, required: true, description: 'The field to order by.' }),
    direction: t.field({
      type: OrderDirection,
      required: false,
      description: 'The direction; default DESC, except ASC for TITLE.',
    }),
  }),
});

/** Conditions on articles. */
export const ArticleFilter = builder.inputType('ArticleFilter', {
  description: 'Conditions on articles: every given condition must hold; an omitted or null one is ignored.',
  fields: (t) => ({
    topics: t.stringList({
      required: false,
      description: 'Any of these topics, each by slug (`machine-learning`) or name (`Machine Learning`).',
    }),
    providers: t.stringList({
      required: false,
      description: 'Any of these provider domains (`bbc.co.uk`; `www.`, case and scheme are ignored).',
    }),
    category: t.string({ required: false, description: 'This category, case-insensitive (`news`).' }),
    type: t.string({ required: false, description: 'This type, case-insensitive (`article`, `video`).' }),
    publishedAfter: t.field({
      type: 'DateTime',
      required: false,
      description:
        'Published strictly after this instant: a date-time (`2021-03-11T09:30:00Z`) or a date (`2021-03-11`, the start of that day in UTC). ' +
        'Articles without a date are excluded.',
    }),
    publishedBefore: t.field({
      type: 'DateTime',
      required: false,
      description:
        'Published strictly before this instant: a date-time (`2021-03-11T09:30:00Z`) or a date (`2021-03-11`, the start of that day in UTC). ' +
        'Articles without a date are excluded.',
    }),
    publishedWithin: t.field({
      type: 'Duration',
      required: false,
      description:
        'Published at or after now minus this ISO-8601 duration, now being the time of the request: `P7D` (the last 7 days), ' +
        '`PT12H`, `P1M` (since this day last month), `P1Y2M3DT4H`. Years and months are whole and count calendar years and ' +
        'months in UTC. Articles without a date are excluded.',
    }),
    minQuality: t.int({ required: false, description: 'Quality score at least this; articles without a score are excluded.' }),
    minHeat: t.int({ required: false, description: 'Heat score at least this; articles without a score are excluded.' }),
    hasImages: t.boolean({ required: false, description: 'True: only articles with an image; false: only articles without.' }),
    search: t.string({
      required: false,
      description:
        'Every word appears in the title or excerpt (case- and accent-insensitive; typographic quotes and dashes match their ASCII forms).',
    }),
  }),
});

/** A page of articles. */
export const ArticleConnection = countedConnection(Article, {
  name: 'Article',
  plural: 'articles',
  order: 'filtered and ordered as requested (newest first by default)',
});

/** Arguments for every field that returns an ArticleConnection. */
export const articleListArgs = builder.args((t) => ({
  ...t.connectionArgs(),
  filter: t.field({ type: ArticleFilter, required: false, description: 'Only articles that match all of these conditions.' }),
  orderBy: t.field({ type: ArticleOrder, required: false, description: 'The order of the list; default newest first.' }),
}));

/** An order made complete: its direction defaulted. */
function resolveOrder(
  order: { field: ArticleOrderValue['field']; direction?: ArticleOrderValue['direction'] | null } | null | undefined,
): ArticleOrderValue {
  if (!order) return DEFAULT_ARTICLE_ORDER;
  return { field: order.field, direction: order.direction ?? (order.field === 'TITLE' ? 'ASC' : 'DESC') };
}

/** The positions of a list of articles in one order, for cursors. */
function articleListOrder(order: ArticleOrderValue): ListOrder<ArticleRecord> {
  return {
    name: `articles:${order.field}:${order.direction}`,
    positionOf: (article) => [orderValue(article, order.field), article.slug],
    compare: (a, b) => comparePositions(order, a[0] ?? null, String(a[1]), b[0] ?? null, String(b[1])),
  };
}

/** Arguments of an article list field, as resolvers receive them. */
type ArticleListArgs = ConnectionArgs & {
  filter?: ArticleFilterValue | null;
  orderBy?: { field: ArticleOrderValue['field']; direction?: ArticleOrderValue['direction'] | null } | null;
};

/** What a page of a filtered list counts its facets over: the list before the filter, the filter, and their view. */
export interface FacetScope {
  readonly articles: SortedList<ArticleRecord>;
  readonly filter: ArticleFilterValue | null | undefined;
  readonly view: CorpusView;
}

/**
 * One page of `articles` (newest first, all of `view`'s), filtered, ordered and paginated by the
 * list arguments, with the scope its facets are counted over.
 */
export function resolveArticleList(articles: SortedList<ArticleRecord>, args: ArticleListArgs, view: CorpusView) {
  const order = resolveOrder(args.orderBy);
  const facetScope: FacetScope = { articles, filter: args.filter, view };
  return { ...paginate(queryViewArticles(view, articles, args.filter, order), args, articleListOrder(order)), facetScope };
}

/** The body renderer (src/content/body.ts) and its cache, as a module loaded on first use. */
interface BodyRenderer {
  readonly module: typeof import('../content/body.js');
  readonly cache: BodyCache;
}

let bodyRenderer: Promise<BodyRenderer> | undefined;

/** The body renderer, imported when a body field is first asked for: markdown-it and sanitize-html take about 0.1 s to load. */
function loadBodyRenderer(): Promise<BodyRenderer> {
  bodyRenderer ??= import('../content/body.js').then((module) => ({ module, cache: module.createBodyCache() }));
  return bodyRenderer;
}

/** A read of the body cache, with a body the renderer fails on as a BODY_RENDER_FAILED error naming the file. */
async function fromBodyCache<T>(read: (cache: BodyCache) => T): Promise<T> {
  const { module, cache } = await loadBodyRenderer();
  try {
    return read(cache);
  } catch (error) {
    if (error instanceof module.BodyRenderError) throw bodyRenderFailed(error.sourcePath, 'the Markdown renderer failed');
    throw error;
  }
}

/** The article's body rendered, HTML included, from the cache of article versions (null when the file has no body). */
function renderedBodyOf(article: ArticleRecord): Promise<RenderedBody | null> {
  return fromBodyCache((cache) => cache.bodyOf(article));
}

/** The article's body text, word count and headings, from the same cache, without rendering its HTML (null when the file has no body). */
export function bodyTextOf(article: ArticleRecord): Promise<BodyText | null> {
  return fromBodyCache((cache) => cache.textOf(article));
}

/** The longest `excerpt(maxLength:)` allowed. */
const MAX_EXCERPT_LENGTH = 1000;
/** The length of an excerpt taken from the body when `maxLength` is not given. */
const DEFAULT_BODY_EXCERPT_LENGTH = 200;

/** `excerpt(maxLength:)`: the file's excerpt, else the start of the body's text; cut at a word boundary when maxLength is given. */
async function resolveExcerpt(article: ArticleRecord, maxLength: number | null | undefined): Promise<string | null> {
  if (maxLength != null && (maxLength < 1 || maxLength > MAX_EXCERPT_LENGTH)) {
    throw badUserInput(`\`maxLength\` must be from 1 to ${MAX_EXCERPT_LENGTH}, found ${maxLength}`, 'maxLength');
  }
  const { excerpt } = article;
  if (excerpt !== null && maxLength == null) return excerpt;
  const { module } = await loadBodyRenderer();
  if (excerpt !== null) return module.truncateText(excerpt, maxLength!);
  const text = (await bodyTextOf(article))?.text.replace(/\s+/g, ' ');
  return text ? module.truncateText(text, maxLength ?? DEFAULT_BODY_EXCERPT_LENGTH) : null;
}

Article.implement({
  description: 'A news article: one Markdown file of the content directory, normalized.',
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'article',
  fields: (t) => ({
    slug: t.exposeString('slug', { description: 'The file name without its extension: unique, stable, URL-safe.' }),
    title: t.exposeString('title', { description: 'The headline, as plain text.' }),
    excerpt: t.string({
      nullable: true,
      description:
        "A short summary as plain text: the file's `excerpt`, or, when the file has none, the start of `bodyText` " +
        `(whitespace collapsed to single spaces) cut to \`maxLength\`, or to ${DEFAULT_BODY_EXCERPT_LENGTH} characters without it. ` +
        'Null only when the file has neither an excerpt nor a body.',
      args: {
        maxLength: t.arg.int({
          required: false,
          description:
            `At most this many characters (Unicode code points; 1 to ${MAX_EXCERPT_LENGTH}), \`…\` included. A longer text is cut ` +
            'at a word boundary: it keeps its words up to the last whitespace among its first `maxLength` characters, loses ' +
            'trailing whitespace, commas, semicolons, colons and dashes, and gets `…`; when its first word alone is too long, ' +
            "it is cut after `maxLength - 1` characters. Without it, the file's excerpt is served whole.",
        }),
      },
      resolve: (article, args) => resolveExcerpt(article, args.maxLength),
    }),
    body: t.exposeString('body', { nullable: true, description: 'The Markdown after the front matter; null when the file has none.' }),
    bodyHtml: t.string({
      nullable: true,
      description:
        'The body rendered as HTML (CommonMark, with GitHub-style tables, strikethrough and task lists; bare `http(s)://` ' +
        'URLs and email addresses become links), then sanitized with an allow-list: raw HTML in the Markdown is shown as ' +
        'text; only formatting tags, `http`, `https` and ' +
        '`mailto` links (external ones with `rel="noopener noreferrer"`) and `http`, `https` or raster `data:` images are kept; ' +
        'no script, style, frame, event handler or inline style. Each heading has an `id` equal to its `headings.anchor`. ' +
        'Null when the file has no body; a BODY_RENDER_FAILED error when its HTML would be more than 8 times the Markdown plus 64 KiB.',
      resolve: async (article) => {
        const rendered = await renderedBodyOf(article);
        if (rendered === null) return null;
        if (rendered.html === null) throw bodyRenderFailed(article.sourcePath, rendered.htmlProblem ?? 'its HTML is too large');
        return rendered.html;
      },
    }),
    bodyText: t.string({
      nullable: true,
      description:
        'The body as plain text, without Markdown syntax or HTML: one line per paragraph, heading, list item, table row and ' +
        'code block; table cells separated by a space; images by their description. Null when the file has no body.',
      resolve: async (article) => (await bodyTextOf(article))?.text ?? null,
    }),
    wordCount: t.int({
      description:
        'The words of `bodyText`, as Unicode word segmentation counts them (`Intl.Segmenter`: `don’t`, `4.5` and `U.S` are ' +
        'one word each; punctuation and symbols are none). 0 when there is no body.',
      resolve: async (article) => (await bodyTextOf(article))?.wordCount ?? 0,
    }),
    readingTimeMinutes: t.int({
      description: 'Minutes to read the body at 265 words a minute: `max(1, round(wordCount / 265))`, and 0 when there are no words.',
      resolve: async (article) => (await bodyTextOf(article))?.readingTimeMinutes ?? 0,
    }),
    headings: t.field({
      type: [Heading],
      description: 'The headings of the body in document order, for a table of contents; empty when there are none or no body.',
      resolve: async (article) => identifyHeadings(article.slug, (await bodyTextOf(article))?.headings ?? []),
    }),
    category: t.exposeString('category', { nullable: true, description: 'The category (`news`); null when the file has none.' }),
    type: t.exposeString('type', { nullable: true, description: 'The kind of item (`article`, `video`); null when the file has none.' }),
    locale: t.exposeString('locale', { nullable: true, description: 'Language tag (`en-US`); null when the file has none.' }),
    publishedDateTime: t.expose('publishedDateTime', {
      type: 'DateTime',
      nullable: true,
      description: 'When the article was published; null when the file has no valid date.',
    }),
    updatedDateTime: t.expose('updatedDateTime', {
      type: 'DateTime',
      nullable: true,
      description: 'When the article was last updated; null when the file does not say.',
    }),
    webUrl: t.expose('webUrl', {
      type: 'URL',
      nullable: true,
      description: 'The canonical web page; null when the file has no valid one.',
    }),
    originalUrl: t.expose('originalUrl', {
      type: 'URL',
      nullable: true,
      description: 'Where the aggregator found the article, when it differs in source; null when the file has none.',
    }),
    ampWebUrl: t.expose('ampWebUrl', { type: 'URL', nullable: true, description: 'The AMP version of the page; null when there is none.' }),
    cdnAmpWebUrl: t.expose('cdnAmpWebUrl', {
      type: 'URL',
      nullable: true,
      description: 'The AMP page on the AMP cache; null when there is none.',
    }),
    quality: t.exposeInt('quality', { nullable: true, description: 'Editorial quality score (higher is better); null when unscored.' }),
    heat: t.exposeInt('heat', {
      nullable: true,
      description: 'Trending score (higher is hotter); null when unscored, including the source value -1.',
    }),
    published: t.exposeBoolean('published', {
      description: 'False for a draft, visible only with the preview token. Any `published` value other than a boolean makes a draft.',
    }),
    tags: t.exposeStringList('tags', { description: 'Free-form tags; empty when there are none.' }),
    categories: t.exposeStringList('categories', { description: 'Further categories; empty when there are none.' }),
    images: t.field({
      type: [Image],
      description: 'Illustrations, in file order; empty when there are none.',
      resolve: (article) => identifyImages(`Article:${article.slug}`, article.images),
    }),
    sourcePath: t.exposeString('sourcePath', { description: 'Path of the file relative to the content directory.' }),
    extra: t.field({
      type: 'JSONObject',
      nullable: true,
      description: 'Front-matter keys this API does not model, as JSON, for tooling; null when there are none.',
      resolve: (article) => article.extra,
    }),
  }),
});

builder.queryFields((t) => ({
  article: t.field({
    type: Article,
    nullable: true,
    description:
      'One article, by exactly one of `id`, `slug` or `url`; ' +
      'null when there is none (or it is a draft and the request has no preview token).',
    args: {
      id: t.arg.globalID({ required: false, for: Article, description: 'Its global id.' }),
      slug: t.arg.string({ required: false, description: 'Its slug (file name without extension).' }),
      url: t.arg.string({
        required: false,
        description:
          'Any of its URLs (web, original, AMP, AMP cache); scheme, `www.`, trailing slash, fragment and tracking parameters are ignored.',
      }),
    },
    resolve: (_root, args, context) => {
      const given = [args.id, args.slug, args.url].filter((value) => value != null).length;
      if (given !== 1) throw badUserInput(`Pass exactly one of \`id\`, \`slug\` or \`url\`; found ${given}.`);
      if (args.id != null) return args.id.id;
      if (args.slug != null) return args.slug;
      return context.view.articleByUrl(args.url!) ?? null;
    },
  }),
  articles: t.field({
    type: ArticleConnection,
    description: 'Articles, newest first unless `orderBy` says otherwise, optionally filtered; 20 per page by default, at most 100.',
    args: articleListArgs,
    resolve: (_root, args, context) => resolveArticleList(context.view.articleList, args, context.view),
  }),
}));
