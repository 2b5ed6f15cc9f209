import type { ObjectRef, SchemaTypes } from '@pothos/core';
import type { FacetName } from '../content/columns.js';
import { type ArticleFacets as ArticleFacetsRecord, type FacetValue as FacetValueRecord, facetsOf } from '../content/facets.js';
import { ArticleConnection, type FacetScope } from './article.js';
import { builder } from './builder.js';
import { listLength, MAX_PAGE_SIZE } from './connection.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

/** Values listed per facet unless `first` says otherwise. */
const DEFAULT_FACET_VALUES = 10;

/** One value of a facet with its count. */
const FacetValue = builder.objectRef<FacetValueRecord>('FacetValue').implement({
  description: 'One value of a facet and how many articles of the filtered list have it.',
  fields: (t) => ({
    value: t.exposeString('value', {
      description:
        'The value to filter by: a topic slug, a provider domain, a type or category in lowercase, a year (`2023`) or a month (`2023-06`).',
    }),
    label: t.exposeString('label', {
      description: 'How to show the value: the topic or provider name, the most frequent spelling, the year, or the month (`June 2023`).',
    }),
    count: t.exposeInt('count', { description: 'Articles with this value.' }),
  }),
});

/** Facet counts of a list. */
const ArticleFacets = builder.objectRef<ArticleFacetsRecord>('ArticleFacets');

ArticleFacets.implement({
  description:
    "Counts of the values of a filtered list, for a sidebar of filters. Disjunctive, as search engines count facets: each facet's " +
    'counts apply every filter except its own (`topics` ignores `filter.topics`, `providers` ignores `filter.providers`, ' +
    '`types` ignores `filter.type`, `categories` ignores `filter.category`), so each count says how many articles choosing ' +
    'that value instead (or as well) would give. `years` and `months` apply every filter.',
  fields: (t) => {
    /** The list field of one facet, most common value first. */
    const facetField = (facet: FacetName, description: string) =>
      t.field({
        type: [FacetValue],
        description: `${description} Most common first, ties by value.`,
        args: {
          first: t.arg.int({
            required: false,
            defaultValue: DEFAULT_FACET_VALUES,
            description: `How many values to list (0 to ${MAX_PAGE_SIZE}; default ${DEFAULT_FACET_VALUES}).`,
          }),
        },
        resolve: (facets, args) => {
          return facets.values(facet).slice(0, listLength(args.first, DEFAULT_FACET_VALUES));
        },
      });
    return {
      topics: facetField('topics', 'Topics of the articles, by slug, counted without `filter.topics`.'),
      providers: facetField('providers', 'Providers of the articles, by domain, counted without `filter.providers`.'),
      types: facetField('types', 'Types of the articles (`article`, `video`), counted without `filter.type`.'),
      categories: facetField('categories', 'Categories of the articles, counted without `filter.category`.'),
      years: facetField('years', 'Years of publication (UTC); articles without a date are not counted.'),
      months: facetField('months', 'Months of publication (UTC); articles without a date are not counted.'),
    };
  },
});

/** Adds `facets` to a connection type whose pages carry the scope their facets are counted over (resolveArticleList). */
export function addFacetsField(connection: typeof ArticleConnection | ObjectRef<Types, unknown>): void {
  builder.objectFields(connection as typeof ArticleConnection, (t) => ({
    facets: t.field({
      type: ArticleFacets,
      description: 'Counts of topics, providers, types, categories, years and months over the whole filtered list (all pages).',
      resolve: (page) => {
        const { articles, filter, view } = (page as unknown as { facetScope: FacetScope }).facetScope;
        return facetsOf(articles, filter, view);
      },
    }),
  }));
}

addFacetsField(ArticleConnection);
