import type { RelatedEntry } from '../content/model.js';
import { Article, ArticleConnection, articleListArgs, resolveArticleList } from './article.js';
import { builder } from './builder.js';
import { Image } from './image.js';

/** An embedded summary of another article, as an article's `related` list holds it. */
export const RelatedArticle = builder.objectRef<RelatedEntry>('RelatedArticle').implement({
  description:
    "A summary of another article, embedded in an article's `related` list. " +
    '`article` is the corpus article it points to, or null for an external one.',
  fields: (t) => ({
    title: t.exposeString('title', { description: 'The headline, as plain text.' }),
    excerpt: t.exposeString('excerpt', { nullable: true, description: 'A short summary as plain text; null when the entry has none.' }),
    publishedDateTime: t.expose('publishedDateTime', {
      type: 'DateTime',
      nullable: true,
      description: 'When the article was published; null when the entry has no valid date.',
    }),
    webUrl: t.expose('webUrl', { type: 'URL', nullable: true, description: 'The web page; null when the entry has no valid one.' }),
    ampWebUrl: t.expose('ampWebUrl', { type: 'URL', nullable: true, description: 'The AMP page; null when there is none.' }),
    cdnAmpWebUrl: t.expose('cdnAmpWebUrl', {
      type: 'URL',
      nullable: true,
      description: 'The AMP page on the AMP cache; null when there is none.',
    }),
    type: t.exposeString('type', { nullable: true, description: 'The kind of item (`article`); null when the entry does not say.' }),
    quality: t.exposeInt('quality', { nullable: true, description: 'Quality score; null when unscored.' }),
    images: t.field({ type: [Image], description: 'Thumbnails; empty when there are none.', resolve: (entry) => entry.images }),
    article: t.loadable({
      type: Article,
      nullable: true,
      description:
        "The corpus article this entry points to, loaded in one batch per level: an article one of whose URLs is one of the entry's URLs " +
        "(an exact match always wins); failing that, the one article with a URL that, without its query, is one of the entry's URLs with " +
        'a query without it (`?amp`, `?amp=1`, `?d_id=...` variants). Null for an external article, when two or more articles are that ' +
        'near match (ambiguous), or for an article this request may not see.',
      load: (entries: RelatedEntry[], context) => {
        context.batchCalls.push({ loader: 'articlesByRelatedEntries', keys: entries.length });
        return Promise.resolve(context.view.articlesByRelatedEntries(entries));
      },
      resolve: (entry) => entry,
    }),
  }),
});

builder.objectFields(Article, (t) => ({
  related: t.field({
    type: [RelatedArticle],
    description:
      'Summaries of related coverage, in file order; each resolves to a corpus article or stays external. Empty when there are none.',
    resolve: (article) => article.related,
  }),
  relatedFrom: t.field({
    type: ArticleConnection,
    description: 'Articles whose `related` lists point to this one, newest first unless `orderBy` says otherwise.',
    args: articleListArgs,
    resolve: (article, args, context) => resolveArticleList(context.view.relatedFrom(article), args, context.view),
  }),
}));
