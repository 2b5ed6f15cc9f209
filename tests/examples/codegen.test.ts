/**
 * The example's generated client code (examples/gql) is what graphql-codegen makes of schema.graphql
 * and examples/operations today, with every custom scalar mapped to the type its JSON has.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config, { NEWSGRAPH_SCALARS } from '../../examples/codegen.js';
import { schema } from '../../src/schema/index.js';
import { PROJECT_ROOT } from '../support.js';

describe('the example graphql-codegen setup', () => {
  it('should have generated files that match schema.graphql and the example operations (else run `npm run codegen`)', async () => {
    const outputs: { filename: string; content: string }[] = await generate({ ...config, silent: true }, false);
    expect(outputs.map((output) => path.relative(PROJECT_ROOT, path.resolve(output.filename))).sort()).toEqual([
      'examples/gql/gql.ts',
      'examples/gql/graphql.ts',
      'examples/gql/index.ts',
      'examples/gql/introspection.ts',
      'examples/gql/persisted-documents.json',
      'examples/gql/possible-types.ts',
    ]);
    for (const output of outputs) expect(readFileSync(output.filename, 'utf8'), output.filename).toBe(output.content);
  });

  it('should map every custom scalar of the schema', () => {
    const custom = Object.values(schema.getTypeMap())
      .filter((type) => type.constructor.name === 'GraphQLScalarType' && !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name))
      .map((type) => type.name)
      .sort();
    expect(Object.keys(NEWSGRAPH_SCALARS).sort()).toEqual(custom);
  });
});
