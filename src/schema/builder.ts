import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import { DateTimeResolver, JSONObjectResolver, URLResolver } from 'graphql-scalars';
import type { RequestContext } from '../context.js';

/** The Pothos schema builder: plugins, scalars and relay defaults only; types live in their own files. */
export const builder = new SchemaBuilder<{
  Context: RequestContext;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  Scalars: {
    // Output: stored dates are epoch milliseconds; graphql-scalars serializes numbers as such.
    DateTime: { Input: Date; Output: Date | number };
    URL: { Input: URL; Output: string };
    JSONObject: { Input: Record<string, unknown>; Output: object };
  };
}>({
  plugins: [RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  relay: {
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

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('URL', URLResolver);
builder.addScalarType('JSONObject', JSONObjectResolver);
