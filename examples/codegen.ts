/**
 * graphql-codegen for a Newsgraph frontend: typed documents (client preset) with every custom scalar
 * mapped, a persisted-documents manifest, Apollo's possibleTypes and urql's schema. Run from the
 * project root: `npx graphql-codegen --config examples/codegen.ts`.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

/**
 * How Newsgraph's custom scalars look in TypeScript. Outputs are what the JSON carries (strings and
 * objects); inputs also accept the JavaScript values that serialize to them (`Date`, `URL`).
 */
export const NEWSGRAPH_SCALARS = {
  DateTime: { input: 'string | Date', output: 'string' },
  Duration: { input: 'string', output: 'string' },
  URL: { input: 'string | URL', output: 'string' },
  JSONObject: { input: 'Record<string, unknown>', output: 'Record<string, unknown>' },
} as const;

/** The whole configuration: one client-preset folder plus two schema-derived files. */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['examples/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'examples/gql/': {
      preset: 'client',
      presetConfig: { persistedDocuments: true, fragmentMasking: false },
      // Apollo Client and Graphcache add `__typename` to what they send; the manifest must hold the same documents.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      // `.js` in relative imports, as Node's ES modules (and TypeScript's NodeNext) require.
      config: { scalars: NEWSGRAPH_SCALARS, strictScalars: true, enumsAsTypes: true, useTypeImports: true, importExtension: '.js' },
    },
    // Apollo Client needs to know which types implement `Node` to read `... on Node` from its cache.
    'examples/gql/possible-types.ts': { plugins: ['fragment-matcher'], config: { apolloClientVersion: 3, useExplicitTyping: true } },
    // urql's Graphcache reads the schema to tell a missing optional field from an incomplete cache.
    'examples/gql/introspection.ts': {
      plugins: ['urql-introspection'],
      config: { module: 'es2015', includeScalars: false, useTypeImports: true },
    },
  },
};

export default config;
