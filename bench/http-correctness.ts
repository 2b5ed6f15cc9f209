/** The HTTP benchmark's correctness pass: what graphql-js answers for each body, and whether a server answers the same. */

import { isDeepStrictEqual } from 'node:util';
import { execute, parse, validate } from 'graphql';
import type { Corpus } from '../src/content/corpus.js';
import { SearchIndex } from '../src/content/search.js';
import { createContext } from '../src/context.js';
import { schema } from '../src/schema/index.js';
import type { HttpQuery } from './http-queries.js';
import type { RunningServer } from './http-servers.js';

/** Expected `data` of each body of the query, from graphql-js executing the schema with a fresh public context. */
export async function expectedData(corpus: Corpus, query: HttpQuery): Promise<unknown[]> {
  const document = parse(query.query);
  const errors = validate(schema, document);
  if (errors.length > 0) throw new Error(`the ${query.name} query is invalid: ${errors.map((error) => error.message).join('; ')}`);
  const results: unknown[] = [];
  for (const variables of query.variables) {
    const result = await execute({
      schema,
      document,
      contextValue: createContext({ corpus, previewToken: null, search: new SearchIndex({ current: corpus }) }, null),
      variableValues: variables,
    });
    if (result.errors?.length)
      throw new Error(`the ${query.name} query fails in graphql-js: ${result.errors.map((error) => error.message).join('; ')}`);
    results.push(JSON.parse(JSON.stringify(result.data)));
  }
  return results;
}

/** The first path where two JSON values differ, described for a failure message; '' when they are equal. */
export function firstDifference(actual: unknown, expected: unknown, at = 'data'): string {
  if (isDeepStrictEqual(actual, expected)) return '';
  if (
    typeof actual !== 'object' ||
    typeof expected !== 'object' ||
    actual === null ||
    expected === null ||
    Array.isArray(actual) !== Array.isArray(expected)
  ) {
    return `${at}: got ${JSON.stringify(actual)?.slice(0, 200)}, expected ${JSON.stringify(expected)?.slice(0, 200)}`;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  if (Array.isArray(a) && Array.isArray(e) && a.length !== e.length) return `${at}: ${a.length} items, expected ${e.length}`;
  for (const key of new Set([...Object.keys(a), ...Object.keys(e)])) {
    const difference = firstDifference(a[key], e[key], `${at}.${key}`);
    if (difference) return difference;
  }
  return `${at}: differs`;
}

/** POSTs each body twice (the second round exercises JIT-compiled plans); throws unless every answer is a 200 with the expected `data` and no errors. */
export async function checkCorrectness(server: RunningServer, query: HttpQuery, expected: readonly unknown[]): Promise<void> {
  for (let round = 1; round <= 2; round++) {
    for (let i = 0; i < query.bodies.length; i++) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: query.bodies[i],
      });
      const text = await response.text();
      const where = `${server.name} / ${query.name} / body ${i} / round ${round}`;
      if (response.status !== 200) throw new Error(`CORRECTNESS FAILED (${where}): HTTP ${response.status}: ${text.slice(0, 500)}`);
      let json: { data?: unknown; errors?: unknown };
      try {
        json = JSON.parse(text) as { data?: unknown; errors?: unknown };
      } catch {
        throw new Error(`CORRECTNESS FAILED (${where}): not JSON: ${text.slice(0, 500)}`);
      }
      if (json.errors !== undefined) throw new Error(`CORRECTNESS FAILED (${where}): errors ${JSON.stringify(json.errors).slice(0, 500)}`);
      const difference = firstDifference(json.data, expected[i]);
      if (difference) throw new Error(`CORRECTNESS FAILED (${where}): ${difference}`);
    }
  }
}
