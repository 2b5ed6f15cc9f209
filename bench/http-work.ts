/** What one request of a benchmark query costs inside ours: DataLoader batch calls, resolver calls, response size. */

import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { type DocumentNode, defaultFieldResolver, execute, type GraphQLFieldResolver, type GraphQLSchema, parse } from 'graphql';
import type { Corpus } from '../src/content/corpus.js';
import { SearchIndex } from '../src/content/search.js';
import { type BatchCall, createContext } from '../src/context.js';
import { createServer } from '../src/http/server.js';
import { schema } from '../src/schema/index.js';
import { firstDifference } from './http-correctness.js';
import type { HttpQuery } from './http-queries.js';

/** For ours, what one request of a query costs inside the server. */
export interface QueryWork {
  /** DataLoader batch calls per request (mean over the query's bodies). */
  readonly batchCalls: number;
  /** Keys over all batch calls per request (mean). */
  readonly batchKeys: number;
  /** Batch calls by loader, of the first body: `loader x keys`. */
  readonly batchDetail: readonly BatchCall[];
  /** Field resolver calls per request (mean), including default resolvers. */
  readonly resolverCalls: number;
  /** The fields resolved most often in one request (first body). */
  readonly topFields: readonly { readonly field: string; readonly calls: number }[];
  /** Bytes of the expected `{"data":...}` response (mean). */
  readonly responseBytes: number;
}

/** A copy of the schema whose every field resolver counts its calls into `counts` (by `Type.field`). */
function countingSchema(source: GraphQLSchema, counts: Map<string, number>): GraphQLSchema {
  return mapSchema(source, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const resolve: GraphQLFieldResolver<unknown, unknown> = fieldConfig.resolve ?? defaultFieldResolver;
      const key = `${typeName}.${fieldName}`;
      return {
        ...fieldConfig,
        resolve: (parent, args, context, info) => {
          counts.set(key, (counts.get(key) ?? 0) + 1);
          return resolve(parent, args, context, info);
        },
      };
    },
  });
}

/** Batch calls (yoga in-process with reportBatchCalls) and resolver calls (a counting copy of the schema) of ours per request; throws if either answers other than `expected`. */
export async function measureWork(corpus: Corpus, query: HttpQuery, expected: readonly unknown[]): Promise<QueryWork> {
  const yoga = createServer({ corpus, previewToken: null, reportBatchCalls: true });
  let calls = 0;
  let keys = 0;
  let batchDetail: BatchCall[] = [];
  let responseBytes = 0;
  for (let i = 0; i < query.bodies.length; i++) {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: query.bodies[i]!,
    });
    const json = (await response.json()) as { data?: unknown; errors?: unknown; extensions?: { batchCalls?: BatchCall[] } };
    if (response.status !== 200 || json.errors)
      throw new Error(`in-process ${query.name}: HTTP ${response.status} ${JSON.stringify(json.errors ?? null).slice(0, 500)}`);
    const difference = firstDifference(json.data, expected[i]);
    if (difference) throw new Error(`CORRECTNESS FAILED (ours in-process / ${query.name} / body ${i}): ${difference}`);
    const batchCalls = json.extensions?.batchCalls;
    if (!Array.isArray(batchCalls)) throw new Error('extensions.batchCalls is missing with reportBatchCalls: true');
    if (i === 0) batchDetail = batchCalls;
    calls += batchCalls.length;
    keys += batchCalls.reduce((sum, call) => sum + call.keys, 0);
    responseBytes += Buffer.byteLength(JSON.stringify({ data: expected[i] }));
  }

  const counts = new Map<string, number>();
  const counted = countingSchema(schema, counts);
  const document: DocumentNode = parse(query.query);
  let resolverCalls = 0;
  let topFields: { field: string; calls: number }[] = [];
  for (let i = 0; i < query.variables.length; i++) {
    counts.clear();
    const result = await execute({
      schema: counted,
      document,
      contextValue: createContext({ corpus, previewToken: null, search: new SearchIndex({ current: corpus }) }, null),
      variableValues: query.variables[i],
    });
    if (result.errors?.length) throw new Error(`counting copy of the schema fails on ${query.name}: ${result.errors[0]!.message}`);
    const difference = firstDifference(JSON.parse(JSON.stringify(result.data)), expected[i]);
    if (difference) throw new Error(`the counting copy of the schema answers ${query.name} differently: ${difference}`);
    for (const n of counts.values()) resolverCalls += n;
    if (i === 0)
      topFields = [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([field, n]) => ({ field, calls: n }));
  }
  const n = query.bodies.length;
  return {
    batchCalls: calls / n,
    batchKeys: keys / n,
    batchDetail,
    resolverCalls: resolverCalls / n,
    topFields,
    responseBytes: responseBytes / n,
  };
}
