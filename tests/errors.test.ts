import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GraphQLError, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { badRequest, badUserInput, ERROR_CODES, unauthenticated, validationFailed } from '../src/errors.js';
import { PROJECT_ROOT } from './support.js';

describe('error factories', () => {
  it('should give badUserInput the code BAD_USER_INPUT and the argument name when given, with no HTTP status', () => {
    const error = badUserInput('`first` must be from 0 to 100, found 500', 'first');
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.message).toBe('`first` must be from 0 to 100, found 500');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'first' });
    expect(badUserInput('no argument').extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('should give validationFailed the code GRAPHQL_VALIDATION_FAILED and HTTP 400 whatever the Accept header', () => {
    const node = parse('{ a }').definitions[0]!;
    const error = validationFailed('too deep', node);
    expect(error.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400, spec: false } });
    expect(error.nodes).toEqual([node]);
    expect(error.locations).toEqual([{ line: 1, column: 1 }]);
    expect(validationFailed('no node').nodes).toBeUndefined();
  });

  it('should give badRequest the code BAD_REQUEST and HTTP 400', () => {
    expect(badRequest('no query').extensions).toEqual({ code: 'BAD_REQUEST', http: { status: 400, spec: false } });
  });

  it('should give unauthenticated the code UNAUTHENTICATED, HTTP 401 and a Bearer challenge', () => {
    expect(unauthenticated('wrong token').extensions).toEqual({
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="preview"' } },
    });
  });
});

describe('ERROR_CODES', () => {
  it('should describe every code clients can receive, each factory code among them', () => {
    for (const code of [
      'GRAPHQL_PARSE_FAILED',
      'GRAPHQL_VALIDATION_FAILED',
      'BAD_USER_INPUT',
      'BAD_REQUEST',
      'UNAUTHENTICATED',
      'INTERNAL_SERVER_ERROR',
    ]) {
      expect(ERROR_CODES).toHaveProperty(code);
    }
    for (const [code, description] of Object.entries(ERROR_CODES)) expect(description.length, code).toBeGreaterThan(20);
    const factoryCodes = [badUserInput('m'), validationFailed('m'), badRequest('m'), unauthenticated('m')].map(
      (error) => error.extensions.code,
    );
    for (const code of factoryCodes) expect(Object.keys(ERROR_CODES)).toContain(code);
  });

  it('should cover every code the source sends in an extensions code', () => {
    const sources = ['src/errors.ts', 'src/http/plugins.ts', 'src/http/limits.ts', 'src/context.ts'].map((file) =>
      readFileSync(path.join(PROJECT_ROOT, file), 'utf8'),
    );
    const used = new Set(sources.flatMap((text) => [...text.matchAll(/code: '([A-Z_]+)'/g)].map((match) => match[1]!)));
    expect(used.size).toBeGreaterThan(0);
    for (const code of used) expect(Object.keys(ERROR_CODES)).toContain(code);
  });
});
