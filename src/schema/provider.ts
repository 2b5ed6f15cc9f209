import type { Provider as ProviderRecord } from '../content/model.js';
import { normalizeDomain } from '../content/urls.js';
import type { RequestContext } from '../context.js';
import { Article, ArticleConnection, articleListArgs, resolveArticleList } from './article.js';
import { builder } from './builder.js';
import { countThenKeyOrder, paginate } from './connection.js';
import { countedConnection } from './counted-connection.js';
import { Image, identifyImages } from './image.js';
import { RelatedArticle } from './related.js';

/** A publisher, identified by its normalized domain. */
export const Provider = builder.node(builder.objectRef<ProviderRecord>('Provider'), {
  description: 'A publisher, identified by its domain. Providers named only in related entries are here too, with no articles.',
  id: { resolve: (provider) => provider.domain },
  loadOne: (domain, context) => context.view.providerByDomain(domain) ?? null,
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'provider',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Its most frequent name in the corpus (the domain when no file names it).' }),
    domain: t.exposeString('domain', { description: "Its domain, lowercase, without `www.`: the provider's identity." }),
    images: t.field({
      type: [Image],
      description: 'Logos; empty when no file gives one.',
      resolve: (provider) => identifyImages(`Provider:${provider.domain}`, provider.images),
    }),
    articleCount: t.int({
      description: 'Articles published by this provider that this request may see.',
      resolve: (provider) => provider.articles.length,
    }),
    articles: t.field({
      type: ArticleConnection,
      description: 'Its articles, newest first unless `orderBy` says otherwise.',
      args: articleListArgs,
      resolve: (provider, args, context) => resolveArticleList(provider.articles, args, context.view),
    }),
  }),
});

const providerOrder = countThenKeyOrder<ProviderRecord>(
  'providers',
  (provider) => provider.articles.length,
  (provider) => provider.domain,
);

/** A page of providers. */
const ProviderConnection = countedConnection(Provider, { name: 'Provider', plural: 'providers', order: 'most articles first' });

/** The provider entity an article or related entry names, as the request's view knows it. */
function providerOf(item: { readonly provider: { readonly domain: string } | null }, context: RequestContext): ProviderRecord | null {
  return item.provider ? (context.view.providerByDomain(item.provider.domain) ?? null) : null;
}

builder.objectFields(Article, (t) => ({
  provider: t.field({
    type: Provider,
    nullable: true,
    description: 'Who published it; null when the file names no provider and has no webUrl to take the domain from.',
    resolve: (article, _args, context) => providerOf(article, context),
  }),
}));

builder.objectFields(RelatedArticle, (t) => ({
  provider: t.field({
    type: Provider,
    nullable: true,
    description: 'Who published it; null when the entry names no provider and has no webUrl.',
    resolve: (entry, _args, context) => providerOf(entry, context),
  }),
}));

builder.queryFields((t) => ({
  providers: t.field({
    type: ProviderConnection,
    description: 'Providers, most articles first (ties by domain); 20 per page by default, at most 100.',
    args: t.arg.connectionArgs(),
    resolve: (_root, args, context) => paginate(context.view.providers, args, providerOrder),
  }),
  provider: t.field({
    type: Provider,
    nullable: true,
    description: 'The provider with this domain; null when there is none.',
    args: { domain: t.arg.string({ required: true, description: 'Its domain (`www.`, case and scheme are ignored).' }) },
    resolve: (_root, args, context) => {
      const domain = normalizeDomain(args.domain);
      return domain === null ? null : (context.view.providerByDomain(domain) ?? null);
    },
  }),
}));
