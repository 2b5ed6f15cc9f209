import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import DirectivesPlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError, GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';
import { DateResolver, DateTimeResolver, DurationResolver, JSONObjectResolver, URLResolver } from 'graphql-scalars';
import { DURATION_EXPECTED, parseDuration } from '../content/query.js';
import type { RequestContext } from '../context.js';
import { notAGlobalId } from '../errors.js';

/** A global id read back as its type name and key; throws NOT_A_GLOBAL_ID (BAD_USER_INPUT) for anything else. */
export function decodeNodeId(globalID: string): { typename: string; id: string } {
  try {
    return decodeGlobalID(globalID);
  } catch {
    throw notAGlobalId(globalID);
  }
}

/**
 * The Pothos schema builder: plugins, scalars and relay defaults only; types live in their own files.
 * The federation plugin records entity keys (federation.ts) as directives, which the directives
 * plugin writes into the types' AST nodes: the printed schema and introspection do not show them;
 * only the subgraph's SDL does.
 */
export const builder = new SchemaBuilder<{
  Context: RequestContext;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  Scalars: {
    // Output: stored dates are epoch milliseconds; graphql-scalars serializes numbers as such.
    DateTime: { Input: Date; Output: Date | number };
    Duration: { Input: string; Output: string };
    URL: { Input: URL; Output: string };
    JSONObject: { Input: Record<string, unknown>; Output: object };
  };
}>({
  plugins: [RelayPlugin, DataloaderPlugin, DirectivesPlugin, FederationPlugin],
  defaultFieldNullability: false,
  relay: {
    decodeGlobalID: decodeNodeId,
    // Records are frozen, so they cannot carry a type brand; node types declare isTypeOf instead.
    brandLoadedObjects: false,
    cursorType: 'String',
    nodesOnConnection: { description: 'The nodes of the page, in order: a shortcut for `edges { node }`.' },
    edgesFieldOptions: { nullable: { list: false, items: false }, description: 'The edges of the page, in order.' },
    nodeFieldOptions: { nullable: false, description: 'The item at this position.' },
    cursorFieldOptions: { description: 'An opaque cursor for this position; pass it as `after` or `before` to page from here.' },
    pageInfoFieldOptions: { description: 'Where this page lies in the whole list.' },
    pageInfoTypeOptions: { description: 'Where a page lies in its connection (Relay cursor connections specification).' },
    hasNextPageFieldOptions: { description: 'True when more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when more items precede this page.' },
    startCursorFieldOptions: { description: 'The cursor of the first item of the page; null when the page is empty.' },
    endCursorFieldOptions: { description: 'The cursor of the last item of the page; null when the page is empty.' },
    firstArgOptions: { description: 'Return the first n items after `after` (0 to 100; default 20 when neither first nor last is given).' },
    lastArgOptions: { description: 'Return the last n items before `before` (0 to 100).' },
    afterArgOptions: { description: 'Start after the item with this cursor (from `cursor` or `pageInfo.endCursor`).' },
    beforeArgOptions: { description: 'End before the item with this cursor (from `cursor` or `pageInfo.startCursor`).' },
    idFieldOptions: { description: 'A globally unique, opaque identifier; pass it to `node(id:)` to fetch this object again.' },
    nodeTypeOptions: { description: 'An object with a globally unique, opaque id, fetchable with `node(id:)`.' },
    nodeQueryOptions: {
      description: 'The object with this global id, or null when there is none (or it is a draft and the request has no preview token).',
      args: { id: { description: 'A global id, as returned by any `id` field.' } },
    },
    nodesQueryOptions: {
      description: 'The objects with these global ids, in the same order; null for each id that matches nothing.',
      args: { ids: { description: 'Global ids, as returned by any `id` field.' } },
    },
  },
});

/** A full date with no time: the input DateTime also accepts, as the start of that day in UTC. */
const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Runs a graphql-scalars parser on a variable's value, or on a literal (`node`); what it refuses is
 * refused with a message saying what `scalar` accepts (for a variable, graphql-js puts the variable
 * and the path of the input field before it; a literal's error has the literal's location).
 */
function refusing<T>(scalar: string, expected: string, value: unknown, node: ValueNode | null, parse: () => T): T {
  let parsed: T;
  try {
    parsed = parse();
  } catch {
    const found = node === null ? JSON.stringify(value) : print(node);
    throw new GraphQLError(`${scalar} cannot represent ${found}: ${expected}.`, node === null ? {} : { nodes: node });
  }
  return parsed;
}

const DATE_TIME_EXPECTED = 'expected an RFC 3339 date-time such as 2021-03-11T09:30:00Z, or a date such as 2021-03-11';

// parseLiteral takes one parameter: graphql-jit refuses a literal parser that asks for variables.

/** graphql-scalars' DateTime, whose input also accepts a full date (`2021-03-11`: the start of that day, UTC); output unchanged. */
const DateTimeScalar = new GraphQLScalarType<Date, Date | string>({
  ...DateTimeResolver.toConfig(),
  description:
    'An instant, as an RFC 3339 date-time string. Served at UTC with milliseconds (`2021-03-11T09:30:00.000Z`); ' +
    'accepted as a date-time with an offset (`2021-03-11T09:30:00Z`, `2021-03-11T10:30:00+01:00`) ' +
    'or as a full date (`2021-03-11`), meaning the start of that day in UTC.',
  parseValue: (value) =>
    refusing('DateTime', DATE_TIME_EXPECTED, value, null, () =>
      typeof value === 'string' && FULL_DATE.test(value)
        ? (DateResolver.parseValue(value) as Date)
        : (DateTimeResolver.parseValue(value) as Date),
    ),
  parseLiteral: (ast: ValueNode) =>
    refusing('DateTime', DATE_TIME_EXPECTED, null, ast, () =>
      ast.kind === Kind.STRING && FULL_DATE.test(ast.value)
        ? (DateResolver.parseLiteral(ast) as Date)
        : (DateTimeResolver.parseLiteral(ast) as Date),
    ),
});

/** graphql-scalars' Duration, with whole years and months (what the content layer's parseDuration reads). */
const DurationScalar = new GraphQLScalarType<string, string>({
  ...DurationResolver.toConfig(),
  description:
    'An ISO-8601 duration: `P7D` (7 days), `PT12H` (12 hours), `P1M` (1 month), `P2W` (2 weeks), `P1Y2M3DT4H`. ' +
    'Years and months are whole numbers and count calendar years and months in UTC; weeks, days, hours, minutes and ' +
    'seconds may have a fraction (`PT1.5H`). A leading `-` negates it.',
  parseValue: (value) =>
    refusing('Duration', DURATION_EXPECTED, value, null, () => checkedDuration(DurationResolver.parseValue(value) as string)),
  parseLiteral: (ast: ValueNode) =>
    refusing('Duration', DURATION_EXPECTED, null, ast, () => checkedDuration(DurationResolver.parseLiteral(ast) as string)),
});

/** The duration itself when parseDuration reads it; throws otherwise. */
function checkedDuration(text: string): string {
  if (parseDuration(text) === null) throw new RangeError(DURATION_EXPECTED);
  return text;
}

builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('Duration', DurationScalar);
builder.addScalarType('URL', URLResolver);
builder.addScalarType('JSONObject', JSONObjectResolver);
