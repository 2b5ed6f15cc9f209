import type { ObjectRef, SchemaTypes } from '@pothos/core';
import { builder } from './builder.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

/** How a connection's items are named in its descriptions. */
export interface ConnectionNouns {
  /** Type name prefix: `Article` gives ArticleConnection and ArticleEdge. */
  readonly name: string;
  /** Plural, lowercase: "articles". */
  readonly plural: string;
  /** How the list is ordered, for the description: "most articles first". */
  readonly order: string;
}

/** A Relay connection type with `totalCount`: the size of the whole list, across all pages. */
export function countedConnection<Shape, Parent = Shape>(type: ObjectRef<Types, Shape, Parent>, nouns: ConnectionNouns) {
  const plural = nouns.plural.charAt(0).toUpperCase() + nouns.plural.slice(1);
  return builder.connectionObject(
    {
      type,
      name: `${nouns.name}Connection`,
      description: `A page of ${nouns.plural}, ${nouns.order}, with the size of the whole list.`,
      fields: (t) => ({
        totalCount: t.int({
          description: `${plural} in the whole list, across all pages.`,
          resolve: (connection) => (connection as unknown as { totalCount: number }).totalCount,
        }),
      }),
    },
    { name: `${nouns.name}Edge`, description: `One of a page of ${nouns.plural}, with its cursor.` },
  );
}
