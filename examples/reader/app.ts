/**
 * The Newsgraph reader: latest articles, topic pages with facet counts, search with highlighted hits,
 * and article pages with the body, related coverage and the story. Routes live in the URL hash
 * (`#/`, `#/topic/<slug>`, `#/search/<words>`, `#/article/<slug>`); data comes from the public API
 * through the typed documents of examples/gql and the urql client of examples/urql.
 */
import type { AnyVariables, TypedDocumentNode } from '@urql/core';
import {
  type ArticleCardFragment,
  ArticlePageDocument,
  HomeArticlesDocument,
  SearchDocument,
  TopicListDocument,
  TopicPageDocument,
} from '../gql/graphql.js';
import { createNewsgraphUrqlClient } from '../urql/client.js';

declare global {
  interface Window {
    /** The GraphQL endpoint, set by the page that serves the reader. */
    NEWSGRAPH_URL?: string;
  }
}

const client = createNewsgraphUrqlClient(window.NEWSGRAPH_URL ?? 'http://localhost:4000/graphql');
const page = document.getElementById('page')!;

/** Children of an element: nodes, text, or nothing. */
type Child = Node | string | null | undefined | false;

/** An element with attributes and children (text children are never parsed as HTML). */
function h(tag: string, attributes: Record<string, string> = {}, ...children: (Child | Child[])[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** An element whose content is HTML the API has already sanitized (`bodyHtml`) or escaped (`snippet`). */
function trustedHtml(tag: string, className: string, html: string): HTMLElement {
  const element = h(tag, { class: className });
  element.innerHTML = html;
  return element;
}

/** Runs a typed query; shows the error in the page and returns null when it fails. */
async function load<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<Data | null> {
  const result = await client.query(document, variables).toPromise();
  if (result.error !== undefined || result.data === undefined) {
    page.replaceChildren(h('p', { class: 'error wide' }, `Could not load: ${result.error?.message ?? 'no data'}`));
    return null;
  }
  return result.data;
}

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });

/** "BBC · 3 Jun 2023 · 4 min read" */
function metaLine(article: Pick<ArticleCardFragment, 'provider' | 'publishedDateTime' | 'readingTimeMinutes'>): string {
  const parts = [article.provider?.name, article.publishedDateTime && dateFormat.format(new Date(article.publishedDateTime))];
  if (article.readingTimeMinutes > 0) parts.push(`${article.readingTimeMinutes} min read`);
  return parts.filter(Boolean).join(' · ');
}

/** One article in a list: thumbnail, linked headline, meta line, excerpt and topics. */
function card(article: ArticleCardFragment, snippets: Child[] = []): HTMLElement {
  const image = article.images[0];
  const thumbnail = image && h('img', { src: image.url, alt: '', loading: 'lazy' });
  // A thumbnail that cannot be loaded leaves no broken-image box.
  thumbnail?.addEventListener('error', () => thumbnail.remove());
  return h(
    'article',
    { class: 'card' },
    thumbnail,
    h(
      'div',
      {},
      h('h2', {}, h('a', { href: `#/article/${article.slug}` }, article.title)),
      h('div', { class: 'meta' }, metaLine(article)),
      snippets.length > 0 ? snippets : article.excerpt && h('p', {}, article.excerpt),
      h(
        'div',
        { class: 'topics' },
        article.topics.map((topic) => h('a', { href: `#/topic/${topic.slug}` }, topic.name)),
      ),
    ),
  );
}

/** A sidebar list of values with counts; each value links where `href` says. */
function countList(title: string, values: { value: string; label: string; count: number }[], href?: (value: string) => string): Child[] {
  if (values.length === 0) return [];
  const items = values.map(({ value, label, count }) =>
    h('li', {}, href ? h('a', { href: href(value) }, label) : h('span', {}, label), h('span', { class: 'count' }, String(count))),
  );
  return [h('h3', {}, title), h('ul', { class: 'facet' }, items)];
}

async function showHome(): Promise<void> {
  const [home, topics] = await Promise.all([load(HomeArticlesDocument, { first: 10 }), load(TopicListDocument, { first: 12 })]);
  if (home === null || topics === null) return;
  const list = h('section', {});
  /** Shows the list as the cache has it: Graphcache returns every page fetched so far, in order. */
  const render = (articles: NonNullable<typeof home>['articles']): void => {
    const more = articles.pageInfo.hasNextPage && h('button', { class: 'more' }, 'More articles');
    if (more) {
      more.addEventListener('click', async () => {
        more.remove();
        const next = await load(HomeArticlesDocument, { first: 10, after: articles.pageInfo.endCursor });
        if (next !== null) render(next.articles);
      });
    }
    list.replaceChildren(h('h1', {}, 'Latest'), ...articles.nodes.map((article) => card(article)), more || '');
  };
  render(home.articles);
  const sidebar = h(
    'aside',
    {},
    countList(
      'Topics',
      topics.topics.nodes.map((topic) => ({ value: topic.slug, label: topic.name, count: topic.articleCount })),
      (slug) => `#/topic/${slug}`,
    ),
  );
  page.replaceChildren(list, sidebar);
}

async function showTopic(slug: string): Promise<void> {
  const data = await load(TopicPageDocument, { slug, first: 10 });
  if (data === null) return;
  if (data.topic === null || data.topic === undefined) return void page.replaceChildren(h('h1', { class: 'wide' }, 'No such topic'));
  const { name, articleCount, articles } = data.topic;
  page.replaceChildren(
    h(
      'section',
      {},
      h('h1', {}, name),
      h('p', { class: 'meta' }, `${articleCount} articles`),
      articles.edges.map((edge) => card(edge.node)),
    ),
    h('aside', {}, countList('Providers', articles.facets.providers), countList('Years', articles.facets.years)),
  );
}

async function showSearch(words: string): Promise<void> {
  const data = await load(SearchDocument, { query: words, first: 10 });
  if (data === null) return;
  const { totalCount, nodes, facets } = data.search;
  page.replaceChildren(
    h(
      'section',
      {},
      h('h1', {}, `${totalCount} results for “${words}”`),
      nodes.map((hit) => {
        // The headline and topics are on the card already: the snippets show the words in the text.
        const inText = hit.highlights.filter((highlight) => highlight.field === 'EXCERPT' || highlight.field === 'BODY');
        return card(
          hit.article,
          inText.map((highlight) => trustedHtml('p', 'snippet', highlight.snippet)),
        );
      }),
    ),
    h(
      'aside',
      {},
      countList('Topics', facets.topics, (slug) => `#/topic/${slug}`),
    ),
  );
}

async function showArticle(slug: string): Promise<void> {
  const data = await load(ArticlePageDocument, { slug });
  if (data === null) return;
  const { article } = data;
  if (article === null || article === undefined) return void page.replaceChildren(h('h1', { class: 'wide' }, 'No such article'));
  const related = article.related.map((entry) =>
    h(
      'li',
      {},
      entry.article
        ? h('a', { href: `#/article/${entry.article.slug}` }, entry.article.title)
        : h('a', { href: entry.webUrl ?? '#', rel: 'noopener noreferrer' }, `${entry.title} ↗`),
    ),
  );
  const story = article.story.articles.nodes
    .filter((member) => member.id !== article.id)
    .map((member) =>
      h('li', {}, h('a', { href: `#/article/${member.slug}` }, member.title), h('span', { class: 'count' }, member.provider?.name ?? '')),
    );
  page.replaceChildren(
    h(
      'section',
      {},
      h('h1', {}, article.title),
      h('div', { class: 'meta' }, metaLine(article)),
      article.bodyHtml ? trustedHtml('div', 'body', article.bodyHtml) : h('p', {}, article.excerpt ?? ''),
      article.webUrl && h('p', {}, h('a', { href: article.webUrl, rel: 'noopener noreferrer' }, 'Read at the source ↗')),
    ),
    h(
      'aside',
      {},
      related.length > 0 && [h('h3', {}, 'Related coverage'), h('ul', { class: 'related' }, related)],
      story.length > 0 && [h('h3', {}, `In this story (${article.story.articleCount})`), h('ul', { class: 'story' }, story)],
      article.similar.length > 0 && [
        h('h3', {}, 'Similar'),
        h(
          'ul',
          { class: 'similar' },
          article.similar.map((other) => h('li', {}, h('a', { href: `#/article/${other.slug}` }, other.title))),
        ),
      ],
    ),
  );
}

/** Shows the page the URL hash names. */
function route(): void {
  const [, kind = '', argument = ''] = /^#\/([^/]*)\/?(.*)$/.exec(location.hash) ?? [];
  const value = decodeURIComponent(argument);
  window.scrollTo(0, 0);
  if (kind === 'topic') void showTopic(value);
  else if (kind === 'search') void showSearch(value);
  else if (kind === 'article') void showArticle(value);
  else void showHome();
}

document.getElementById('search')!.addEventListener('submit', (event) => {
  event.preventDefault();
  const words = new FormData(event.target as HTMLFormElement).get('q');
  if (typeof words === 'string' && words.trim() !== '') location.hash = `#/search/${encodeURIComponent(words.trim())}`;
});
window.addEventListener('hashchange', route);
route();
