import type { Topic as TopicRecord } from '../content/model.js';
import { slugify } from '../content/slug.js';
import { Article, ArticleConnection, articleListArgs, resolveArticleList } from './article.js';
import { builder } from './builder.js';
import { countThenKeyOrder, paginate } from './connection.js';
import { countedConnection } from './counted-connection.js';

/** A topic, identified by the slug of its name. */
export const Topic = builder.node(builder.objectRef<TopicRecord>('Topic'), {
  description: 'A topic, identified by the slug of its name (`Natural Language Processing` -> `natural-language-processing`).',
  id: { resolve: (topic) => topic.slug },
  loadOne: (slug, context) => context.view.topicBySlug(slug) ?? null,
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'topic',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Its most frequent spelling in the corpus.' }),
    slug: t.exposeString('slug', { description: "The slug of its name: lowercase, hyphenated, the topic's identity." }),
    articleCount: t.int({ description: 'Articles with this topic that this request may see.', resolve: (topic) => topic.articles.length }),
    articles: t.field({
      type: ArticleConnection,
      description: 'Its articles, newest first unless `orderBy` says otherwise.',
      args: articleListArgs,
      resolve: (topic, args, context) => resolveArticleList(topic.articles, args, context.view),
    }),
  }),
});

const topicOrder = countThenKeyOrder<TopicRecord>(
  'topics',
  (topic) => topic.articles.length,
  (topic) => topic.slug,
);

/** A page of topics. */
const TopicConnection = countedConnection(Topic, { name: 'Topic', plural: 'topics', order: 'most articles first' });

builder.objectFields(Article, (t) => ({
  topics: t.field({
    type: [Topic],
    description: 'Its topics, in file order; empty when it has none.',
    resolve: (article, _args, context) => article.topics.map((topic) => context.view.topicBySlug(topic.slug)!),
  }),
}));

builder.queryFields((t) => ({
  topics: t.field({
    type: TopicConnection,
    description: 'Topics, most articles first (ties by slug); 20 per page by default, at most 100.',
    args: t.arg.connectionArgs(),
    resolve: (_root, args, context) => paginate(context.view.topics, args, topicOrder),
  }),
  topic: t.field({
    type: Topic,
    nullable: true,
    description: 'The topic with this slug (or name); null when there is none.',
    args: { slug: t.arg.string({ required: true, description: 'Its slug (`machine-learning`); a name is slugified first.' }) },
    resolve: (_root, args, context) => context.view.topicBySlug(slugify(args.slug)) ?? null,
  }),
}));
