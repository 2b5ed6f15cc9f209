/**
 * ESLint runs graphql-eslint only (Biome lints the code): the schema and Relay rules on
 * schema.graphql, the operation rules on the GraphQL documents under examples/ and docs/, checked
 * against that schema. Exceptions are configured rule options, each with its reason.
 */
import graphqlPlugin from '@graphql-eslint/eslint-plugin';

/** The operation documents: examples for clients, and any document the docs ship as a file. */
const OPERATION_DOCUMENTS = ['examples/**/*.graphql', 'docs/**/*.graphql'];

const { rules: schemaRecommended } = graphqlPlugin.configs['flat/schema-recommended'];
const { rules: schemaRelay } = graphqlPlugin.configs['flat/schema-relay'];
const { rules: operationsRecommended } = graphqlPlugin.configs['flat/operations-recommended'];

export default [
  // GraphQL files only: TypeScript and JavaScript are Biome's; build output, scratch files and fixtures (bad on purpose) are not linted.
  { ignores: ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}', 'dist/', 'dist-bench/', 'coverage/', '.scratch/', 'tests/fixtures/'] },
  {
    files: ['schema.graphql', ...OPERATION_DOCUMENTS],
    languageOptions: {
      parser: graphqlPlugin.parser,
      // Two projects: schema.graphql is linted without loading the documents (loading none fails); every other file is an operation.
      parserOptions: {
        graphQLConfig: {
          projects: {
            schema: { schema: './schema.graphql', include: 'schema.graphql' },
            operations: { schema: './schema.graphql', documents: OPERATION_DOCUMENTS },
          },
        },
      },
    },
    plugins: { '@graphql-eslint': graphqlPlugin },
  },
  {
    files: ['schema.graphql'],
    rules: {
      ...schemaRecommended,
      ...schemaRelay,
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          exceptions: {
            // A page and a position in a list: the identity is the node's; caches keep them under the field and its arguments.
            suffixes: ['Connection', 'Edge'],
            types: [
              // Where a page lies in its connection: part of the page.
              'PageInfo',
              // Counts over one filtered list (and each count of it): values of the query's arguments, not objects.
              'ArticleFacets',
              'FacetValue',
              // One event of a subscription: a message, never fetched or cached again.
              'ArticleChanges',
              // A report on the loaded content, one per corpus version, and its entries: values, no object to refetch.
              'ContentHealth',
              'Diagnostic',
              // A search result (an article's relevance to one query) and its snippets: values of the search; the article is the object.
              'SearchHit',
              'SearchHighlight',
            ],
          },
        },
      ],
      '@graphql-eslint/relay-edge-types': [
        'error',
        {
          // Short lists of an object (images, topics, related entries, headings), `first:`-capped lists and the `nodes` shortcut are plain by design.
          listTypeCanWrapOnlyEdgeType: false,
          // SearchEdge's node is a SearchHit, a value (see above); every other edge's node implements Node, as tests/schema/lint.test.ts checks.
          shouldImplementNode: false,
        },
      ],
    },
  },
  {
    files: OPERATION_DOCUMENTS,
    rules: operationsRecommended,
  },
];
