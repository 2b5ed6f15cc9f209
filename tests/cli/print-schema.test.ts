import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildClientSchema,
  getIntrospectionQuery,
  type IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  lexicographicSortSchema,
  printSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { printSortedSchema, schema } from '../../src/schema/index.js';
import { CONTENT_DIR, PROJECT_ROOT } from '../paths.js';
import { execute, serverOf } from '../support.js';

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

  it('should have no mutation or subscription type and no secured field', () => {
    expect(schema.getMutationType()).toBeUndefined();
    expect(schema.getSubscriptionType()).toBeUndefined();
    expect(committed).not.toMatch(/secured/i);
  });

  it('should describe every type, field, argument and enum value', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const argument of field.args) if (!argument.description) missing.push(`${type.name}.${field.name}(${argument.name})`);
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
