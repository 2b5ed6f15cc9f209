import { comparePositions, DEFAULT_ARTICLE_ORDER } from '../content/order.js';
import { externalCoverage, type Story as StoryRecord, ViewStories } from '../content/stories.js';
import { badUserInput } from '../errors.js';
import { Article, ArticleConnection, articleListArgs, resolveArticleList } from './article.js';
import { builder } from './builder.js';
import { type ListOrder, listLength, MAX_PAGE_SIZE, paginate } from './connection.js';
import { countedConnection } from './counted-connection.js';
import { RelatedArticle } from './related.js';

/** External coverage entries listed unless `first` says otherwise. */
const DEFAULT_EXTERNAL_COVERAGE = 20;

/** The coverage of one event, identified by its lead article's slug. */
const Story = builder.node(builder.objectRef<StoryRecord>('Story'), {
  description:
    'The coverage of one event: the articles connected by related links that resolve between them, or by a shared URL ' +
    '(a connected component), with the related entries of those articles that point outside the corpus. ' +
    'An article connected to no other is a story of its own. Drafts are members only with the preview token.',
  id: { resolve: (story) => story.lead.slug },
  loadOne: (slug, context) => {
    const article = context.view.articleBySlug(slug);
    if (article === undefined) return null;
    const story = ViewStories.of(context.view).storyOf(article);
    return story.lead === article ? story : null;
  },
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'story',
  fields: (t) => ({
    lead: t.field({
      type: Article,
      description: 'The first report: its earliest published article (articles without a date come last; ties by slug).',
      resolve: (story) => story.lead,
    }),
    articleCount: t.int({ description: 'Its articles that this request may see.', resolve: (story) => story.articles.length }),
    articles: t.field({
      type: ArticleConnection,
      description: 'Its articles, newest first unless `orderBy` says otherwise.',
      args: articleListArgs,
      resolve: (story, args, context) => resolveArticleList(story.articles, args, context.view),
    }),
    externalCoverage: t.field({
      type: [RelatedArticle],
      description:
        'Related entries of its articles that point to no article this request may see (newest article first, in list order), each URL once.',
      args: {
        first: t.arg.int({
          required: false,
          defaultValue: DEFAULT_EXTERNAL_COVERAGE,
          description: `How many entries to list (0 to ${MAX_PAGE_SIZE}; default ${DEFAULT_EXTERNAL_COVERAGE}).`,
        }),
      },
      resolve: (story, args, context) => {
        return externalCoverage(story, context.view).slice(0, listLength(args.first, DEFAULT_EXTERNAL_COVERAGE));
      },
    }),
    externalCoverageCount: t.int({
      description: 'How many entries `externalCoverage` holds in all.',
      resolve: (story, _args, context) => externalCoverage(story, context.view).length,
    }),
    firstPublishedDateTime: t.expose('firstPublishedDateTime', {
      type: 'DateTime',
      nullable: true,
      description: 'When its earliest article was published; null when none of its articles has a date.',
    }),
    lastPublishedDateTime: t.expose('lastPublishedDateTime', {
      type: 'DateTime',
      nullable: true,
      description: 'When its newest article was published; null when none of its articles has a date.',
    }),
  }),
});

/** The order of `stories`: by newest article, then by lead slug. */
const storyOrder: ListOrder<StoryRecord> = {
  name: 'stories',
  positionOf: (story) => [story.lastPublishedDateTime, story.lead.slug],
  compare: (a, b) => comparePositions(DEFAULT_ARTICLE_ORDER, a[0] ?? null, String(a[1]), b[0] ?? null, String(b[1])),
};

/** A page of stories. */
const StoryConnection = countedConnection(Story, { name: 'Story', plural: 'stories', order: 'newest first' });

builder.objectFields(Article, (t) => ({
  story: t.field({
    type: Story,
    description: 'The story this article belongs to: every article connected to it by resolved related links or a shared URL.',
    resolve: (article, _args, context) => ViewStories.of(context.view).storyOf(article),
  }),
}));

builder.queryFields((t) => ({
  stories: t.field({
    type: StoryConnection,
    description:
      'Stories of at least `minArticles` articles, by their newest article, newest first (ties by the lead slug); 20 per page by default, at most 100.',
    args: {
      ...t.arg.connectionArgs(),
      minArticles: t.arg.int({
        required: false,
        defaultValue: 2,
        description: 'Only stories with at least this many articles (default 2; 1 lists every article as a story of its own as well).',
      }),
    },
    resolve: (_root, args, context) => {
      const minArticles = args.minArticles ?? 2;
      if (minArticles < 1) throw badUserInput(`\`minArticles\` must be at least 1, found ${minArticles}.`, 'minArticles');
      const listed = ViewStories.of(context.view).withAtLeast(minArticles);
      return paginate(listed, args, storyOrder);
    },
  }),
}));
