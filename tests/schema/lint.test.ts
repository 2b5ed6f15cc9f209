/** graphql-eslint as `npm run lint` runs it (eslint.config.mjs), through ESLint's Node API. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { buildSchema, getNamedType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { FIXTURES, PROJECT_ROOT } from '../support.js';

const eslint = new ESLint({ cwd: PROJECT_ROOT });

describe('graphql-eslint', () => {
  it('should report nothing in schema.graphql under schema-recommended and schema-relay', async () => {
    const [result] = await eslint.lintFiles(['schema.graphql']);
    expect(result!.messages).toEqual([]);
  });

  it('should run the schema rules, with their exceptions, on text linted as schema.graphql', async () => {
    const schema = readFileSync(path.join(FIXTURES, 'lint/bad-schema.graphql'), 'utf8');
    const [result] = await eslint.lintText(schema, { filePath: 'schema.graphql' });
    expect(result!.messages.map((message) => [message.ruleId, message.line])).toEqual([
      ['@graphql-eslint/strict-id-in-types', 2],
      ['@graphql-eslint/no-unreachable-types', 2],
      ['@graphql-eslint/relay-connection-types', 8],
      ['@graphql-eslint/relay-connection-types', 8],
      ['@graphql-eslint/no-unreachable-types', 8],
      ['@graphql-eslint/require-description', 13],
      ['@graphql-eslint/no-unreachable-types', 13],
    ]);
  });

  it('should report each rule a bad operation document breaks, under examples/ and under docs/', async () => {
    const document = readFileSync(path.join(FIXTURES, 'lint/bad-operations.graphql'), 'utf8');
    for (const filePath of ['examples/bad-operations.graphql', 'docs/bad-operations.graphql']) {
      const [result] = await eslint.lintText(document, { filePath });
      expect(
        result!.messages.map((message) => [message.ruleId, message.line]),
        filePath,
      ).toEqual([
        ['@graphql-eslint/naming-convention', 5],
        ['@graphql-eslint/fields-on-correct-type', 10],
        ['@graphql-eslint/require-selections', 12],
        ['@graphql-eslint/no-unused-variables', 20],
        ['@graphql-eslint/lone-anonymous-operation', 27],
        ['@graphql-eslint/no-anonymous-operations', 27],
      ]);
    }
  });

  it('should lint the schema and the documents under examples/ and docs/, and no code, build output, scratch file or fixture', async () => {
    const linted = ['schema.graphql', 'examples/operations/home.graphql', 'examples/a/b.graphql', 'docs/queries/page.graphql'];
    const ignored = [
      'src/main.ts',
      'scripts/build.mjs',
      'eslint.config.mjs',
      'examples/apollo/client.ts',
      'dist/main.mjs',
      'node_modules/graphql/index.js',
      '.scratch/draft.graphql',
      'tests/fixtures/lint/bad-operations.graphql',
      'bench/other.graphql',
    ];
    for (const file of linted) expect(await eslint.isPathIgnored(file), file).toBe(false);
    for (const file of ignored) expect(await eslint.isPathIgnored(file), file).toBe(true);
  });

  it("should have every edge's node implement Node but SearchEdge's, the one edge relay-edge-types' shouldImplementNode would refuse", () => {
    const schema = buildSchema(readFileSync(path.join(PROJECT_ROOT, 'schema.graphql'), 'utf8'));
    const edges = Object.values(schema.getTypeMap())
      .filter(isObjectType)
      .filter((type) => type.name.endsWith('Connection'))
      .map((connection) => getNamedType(connection.getFields().edges!.type))
      .filter(isObjectType);
    const withoutNode = edges.filter((edge) => {
      const node = getNamedType(edge.getFields().node!.type);
      return !(isObjectType(node) && node.getInterfaces().some((implemented) => implemented.name === 'Node'));
    });
    expect(edges.length).toBeGreaterThanOrEqual(4);
    expect(withoutNode.map((edge) => edge.name)).toEqual(['SearchEdge']);
  });
});
