import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery, lexicographicSortSchema, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printSortedSchema } from '../../src/schema/index.js';
import { CONTENT_DIR, execute, PROJECT_ROOT, serverOf } from '../support.js';

const committed = readFileSync(path.join(PROJECT_ROOT, 'schema.graphql'), 'utf8');

describe('schema.graphql', () => {
  it('should equal the printed, sorted schema (run `npm run schema` when this fails)', () => {
    expect(committed).toBe(printSortedSchema());
  });

  it('should be what tooling rebuilds from the standard introspection query over HTTP', async () => {
    const yoga = await serverOf(CONTENT_DIR);
    const { status, body } = await execute<IntrospectionQuery>(
      yoga,
      getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }),
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const rebuilt = buildClientSchema(body.data!);
    expect(`${printSchema(lexicographicSortSchema(rebuilt))}\n`).toBe(committed);
  });
});
