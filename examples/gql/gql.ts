/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query ArticlePage($slug: String!) {\n  article(slug: $slug) {\n    ...ArticleCard\n    bodyHtml\n    wordCount\n    webUrl\n    headings {\n      id\n      depth\n      text\n      anchor\n    }\n    images {\n      id\n      url\n      width\n      height\n      title\n      attribution\n    }\n    related {\n      id\n      title\n      webUrl\n      publishedDateTime\n      article {\n        id\n        slug\n        title\n      }\n    }\n    story {\n      id\n      articleCount\n      articles(first: 10) {\n        nodes {\n          id\n          slug\n          title\n          publishedDateTime\n          provider {\n            id\n            name\n          }\n        }\n      }\n    }\n    similar(first: 3) {\n      id\n      slug\n      title\n    }\n  }\n}": typeof types.ArticlePageDocument,
    "fragment ArticleCard on Article {\n  id\n  slug\n  title\n  excerpt(maxLength: 240)\n  publishedDateTime\n  readingTimeMinutes\n  provider {\n    id\n    name\n    domain\n  }\n  topics {\n    id\n    slug\n    name\n  }\n  images {\n    id\n    url\n    width\n    height\n  }\n}\n\nfragment PageEnd on PageInfo {\n  hasNextPage\n  endCursor\n}": typeof types.ArticleCardFragmentDoc,
    "query HomeArticles($first: Int = 10, $after: String) {\n  articles(first: $first, after: $after) {\n    totalCount\n    nodes {\n      ...ArticleCard\n    }\n    pageInfo {\n      ...PageEnd\n    }\n  }\n}": typeof types.HomeArticlesDocument,
    "query Search($query: String!, $first: Int = 10, $after: String, $filter: ArticleFilter) {\n  search(query: $query, first: $first, after: $after, filter: $filter) {\n    totalCount\n    nodes {\n      score\n      highlights {\n        field\n        snippet\n      }\n      article {\n        ...ArticleCard\n      }\n    }\n    pageInfo {\n      ...PageEnd\n    }\n    facets {\n      topics(first: 8) {\n        value\n        label\n        count\n      }\n    }\n  }\n}": typeof types.SearchDocument,
    "query TopicPage($slug: String!, $first: Int = 10, $after: String) {\n  topic(slug: $slug) {\n    id\n    slug\n    name\n    articleCount\n    articles(first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...ArticleCard\n        }\n      }\n      pageInfo {\n        ...PageEnd\n      }\n      facets {\n        providers(first: 5) {\n          value\n          label\n          count\n        }\n        years {\n          value\n          label\n          count\n        }\n      }\n    }\n  }\n}\n\nquery TopicList($first: Int = 20) {\n  topics(first: $first) {\n    nodes {\n      id\n      slug\n      name\n      articleCount\n    }\n  }\n}": typeof types.TopicPageDocument,
};
const documents: Documents = {
    "query ArticlePage($slug: String!) {\n  article(slug: $slug) {\n    ...ArticleCard\n    bodyHtml\n    wordCount\n    webUrl\n    headings {\n      id\n      depth\n      text\n      anchor\n    }\n    images {\n      id\n      url\n      width\n      height\n      title\n      attribution\n    }\n    related {\n      id\n      title\n      webUrl\n      publishedDateTime\n      article {\n        id\n        slug\n        title\n      }\n    }\n    story {\n      id\n      articleCount\n      articles(first: 10) {\n        nodes {\n          id\n          slug\n          title\n          publishedDateTime\n          provider {\n            id\n            name\n          }\n        }\n      }\n    }\n    similar(first: 3) {\n      id\n      slug\n      title\n    }\n  }\n}": types.ArticlePageDocument,
    "fragment ArticleCard on Article {\n  id\n  slug\n  title\n  excerpt(maxLength: 240)\n  publishedDateTime\n  readingTimeMinutes\n  provider {\n    id\n    name\n    domain\n  }\n  topics {\n    id\n    slug\n    name\n  }\n  images {\n    id\n    url\n    width\n    height\n  }\n}\n\nfragment PageEnd on PageInfo {\n  hasNextPage\n  endCursor\n}": types.ArticleCardFragmentDoc,
    "query HomeArticles($first: Int = 10, $after: String) {\n  articles(first: $first, after: $after) {\n    totalCount\n    nodes {\n      ...ArticleCard\n    }\n    pageInfo {\n      ...PageEnd\n    }\n  }\n}": types.HomeArticlesDocument,
    "query Search($query: String!, $first: Int = 10, $after: String, $filter: ArticleFilter) {\n  search(query: $query, first: $first, after: $after, filter: $filter) {\n    totalCount\n    nodes {\n      score\n      highlights {\n        field\n        snippet\n      }\n      article {\n        ...ArticleCard\n      }\n    }\n    pageInfo {\n      ...PageEnd\n    }\n    facets {\n      topics(first: 8) {\n        value\n        label\n        count\n      }\n    }\n  }\n}": types.SearchDocument,
    "query TopicPage($slug: String!, $first: Int = 10, $after: String) {\n  topic(slug: $slug) {\n    id\n    slug\n    name\n    articleCount\n    articles(first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...ArticleCard\n        }\n      }\n      pageInfo {\n        ...PageEnd\n      }\n      facets {\n        providers(first: 5) {\n          value\n          label\n          count\n        }\n        years {\n          value\n          label\n          count\n        }\n      }\n    }\n  }\n}\n\nquery TopicList($first: Int = 20) {\n  topics(first: $first) {\n    nodes {\n      id\n      slug\n      name\n      articleCount\n    }\n  }\n}": types.TopicPageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ArticlePage($slug: String!) {\n  article(slug: $slug) {\n    ...ArticleCard\n    bodyHtml\n    wordCount\n    webUrl\n    headings {\n      id\n      depth\n      text\n      anchor\n    }\n    images {\n      id\n      url\n      width\n      height\n      title\n      attribution\n    }\n    related {\n      id\n      title\n      webUrl\n      publishedDateTime\n      article {\n        id\n        slug\n        title\n      }\n    }\n    story {\n      id\n      articleCount\n      articles(first: 10) {\n        nodes {\n          id\n          slug\n          title\n          publishedDateTime\n          provider {\n            id\n            name\n          }\n        }\n      }\n    }\n    similar(first: 3) {\n      id\n      slug\n      title\n    }\n  }\n}"): (typeof documents)["query ArticlePage($slug: String!) {\n  article(slug: $slug) {\n    ...ArticleCard\n    bodyHtml\n    wordCount\n    webUrl\n    headings {\n      id\n      depth\n      text\n      anchor\n    }\n    images {\n      id\n      url\n      width\n      height\n      title\n      attribution\n    }\n    related {\n      id\n      title\n      webUrl\n      publishedDateTime\n      article {\n        id\n        slug\n        title\n      }\n    }\n    story {\n      id\n      articleCount\n      articles(first: 10) {\n        nodes {\n          id\n          slug\n          title\n          publishedDateTime\n          provider {\n            id\n            name\n          }\n        }\n      }\n    }\n    similar(first: 3) {\n      id\n      slug\n      title\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ArticleCard on Article {\n  id\n  slug\n  title\n  excerpt(maxLength: 240)\n  publishedDateTime\n  readingTimeMinutes\n  provider {\n    id\n    name\n    domain\n  }\n  topics {\n    id\n    slug\n    name\n  }\n  images {\n    id\n    url\n    width\n    height\n  }\n}\n\nfragment PageEnd on PageInfo {\n  hasNextPage\n  endCursor\n}"): (typeof documents)["fragment ArticleCard on Article {\n  id\n  slug\n  title\n  excerpt(maxLength: 240)\n  publishedDateTime\n  readingTimeMinutes\n  provider {\n    id\n    name\n    domain\n  }\n  topics {\n    id\n    slug\n    name\n  }\n  images {\n    id\n    url\n    width\n    height\n  }\n}\n\nfragment PageEnd on PageInfo {\n  hasNextPage\n  endCursor\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query HomeArticles($first: Int = 10, $after: String) {\n  articles(first: $first, after: $after) {\n    totalCount\n    nodes {\n      ...ArticleCard\n    }\n    pageInfo {\n      ...PageEnd\n    }\n  }\n}"): (typeof documents)["query HomeArticles($first: Int = 10, $after: String) {\n  articles(first: $first, after: $after) {\n    totalCount\n    nodes {\n      ...ArticleCard\n    }\n    pageInfo {\n      ...PageEnd\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Search($query: String!, $first: Int = 10, $after: String, $filter: ArticleFilter) {\n  search(query: $query, first: $first, after: $after, filter: $filter) {\n    totalCount\n    nodes {\n      score\n      highlights {\n        field\n        snippet\n      }\n      article {\n        ...ArticleCard\n      }\n    }\n    pageInfo {\n      ...PageEnd\n    }\n    facets {\n      topics(first: 8) {\n        value\n        label\n        count\n      }\n    }\n  }\n}"): (typeof documents)["query Search($query: String!, $first: Int = 10, $after: String, $filter: ArticleFilter) {\n  search(query: $query, first: $first, after: $after, filter: $filter) {\n    totalCount\n    nodes {\n      score\n      highlights {\n        field\n        snippet\n      }\n      article {\n        ...ArticleCard\n      }\n    }\n    pageInfo {\n      ...PageEnd\n    }\n    facets {\n      topics(first: 8) {\n        value\n        label\n        count\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TopicPage($slug: String!, $first: Int = 10, $after: String) {\n  topic(slug: $slug) {\n    id\n    slug\n    name\n    articleCount\n    articles(first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...ArticleCard\n        }\n      }\n      pageInfo {\n        ...PageEnd\n      }\n      facets {\n        providers(first: 5) {\n          value\n          label\n          count\n        }\n        years {\n          value\n          label\n          count\n        }\n      }\n    }\n  }\n}\n\nquery TopicList($first: Int = 20) {\n  topics(first: $first) {\n    nodes {\n      id\n      slug\n      name\n      articleCount\n    }\n  }\n}"): (typeof documents)["query TopicPage($slug: String!, $first: Int = 10, $after: String) {\n  topic(slug: $slug) {\n    id\n    slug\n    name\n    articleCount\n    articles(first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...ArticleCard\n        }\n      }\n      pageInfo {\n        ...PageEnd\n      }\n      facets {\n        providers(first: 5) {\n          value\n          label\n          count\n        }\n        years {\n          value\n          label\n          count\n        }\n      }\n    }\n  }\n}\n\nquery TopicList($first: Int = 20) {\n  topics(first: $first) {\n    nodes {\n      id\n      slug\n      name\n      articleCount\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;