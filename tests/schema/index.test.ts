import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { PROJECT_ROOT } from '../support.js';

const committed = readFileSync(path.join(PROJECT_ROOT, 'schema.graphql'), 'utf8');

describe('the schema', () => {
  it('should have no mutation type, one subscription field, and no secured field', () => {
    expect(schema.getMutationType()).toBeUndefined();
    expect(Object.keys(schema.getSubscriptionType()?.getFields() ?? {})).toEqual(['articleChanges']);
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
