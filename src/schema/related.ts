import type { ProviderRef, RelatedEntry } from '../content/model.js';
import { relatedOrigin } from '../content/stored-article.js';
import { Article, ArticleConnection, articleListArgs, resolveArticleList } from './article.js';
import { builder } from './builder.js';
import { cacheIdentities, Image, identifyImages, imageFields } from './image.js';

/** Every field of the provider a related entry names, in a fixed order. */
function providerFields(provider: ProviderRef): Record<keyof ProviderRef, unknown> {
  return { name: provider.name, domain: provider.domain, images: provider.images.map(imageFields) };
}

/** Every field of a related entry as JSON, in a fixed order (its provider and images included): what its identity is derived from. */
function relatedEntryContent(entry: RelatedEntry): string {
  const { title, excerpt, publishedDateTime, webUrl, ampWebUrl, cdnAmpWebUrl, type, quality, provider, images } = entry;
  const fields: Record<keyof RelatedEntry, unknown> = {
    title,
    excerpt,
    publishedDateTime,
    webUrl,
    ampWebUrl,
    cdnAmpWebUrl,
    type,
    quality,
    provider: provider && providerFields(provider),
    images: images.map(imageFields),
  };
  return JSON.stringify(fields);
}

/**
 * The cache identity of a related entry: its item of `cacheIdentities('RelatedArticle', 'Article:<slug>',
 * related, relatedEntryContent)`, where `<slug>` names the article whose `related` list holds the entry.
 */
function relatedEntryId(entry: RelatedEntry): string {
  const origin = relatedOrigin(entry);
  // Every served article is a StoredArticle, which records where each of its entries comes from.
  if (origin === undefined) throw new Error(`the related entry "${entry.title}" is served without the article that holds it`);
  const { related, slug } = origin.source;
  return cacheIdentities('RelatedArticle', `Article:${slug}`, related, relatedEntryContent)[origin.index]!;
}

/** An embedded summary of another article, as an article's `related` list holds it. */
export const RelatedArticle = builder.objectRef<RelatedEntry>('RelatedArticle').implement({
  description:
    "A summary of another article, embedded in an article's `related` list. " +
    '`article` is the corpus article it points to, or null for an external one.',
  fields: (t) => ({
    id: t.id({
      description:
        'An opaque identity for client caches (Apollo Client and urql Graphcache normalize objects by `id`); not a global id, ' +
        'so `node(id:)` does not fetch it. Derived from the article whose `related` list holds the entry and from all of the ' +
        "entry's fields (provider and images included): the same in `related` and `externalCoverage`, in every query and content " +
        'version while the entry is unchanged, and unique in the corpus, so the same coverage in two articles gives two ids. ' +
        'An edited entry gets a new id.',
      resolve: (entry) => relatedEntryId(entry),
    }),
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
    images: t.field({
      type: [Image],
      description: 'Thumbnails; empty when there are none.',
      resolve: (entry) => (entry.images.length === 0 ? [] : identifyImages(`RelatedArticle:${relatedEntryId(entry)}`, entry.images)),
    }),
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
