/**
 * The API as an Apollo Federation v2 subgraph: `Article`, `Provider` and `Topic` are entities
 * (@pothos/plugin-federation's `asEntity`), each by keys users already have, and a representation is
 * looked up in the request's view, as `node(id:)` is: a draft's key without the preview token finds
 * nothing (null). `toSubgraphSchema` adds `_entities` and `_service` to a build of the schema.
 *
 * Not the plugin's `toSubGraphSchema`: its `_entities` is Apollo's resolver, which defines
 * `__typename` on each object it returns, and the corpus records are frozen (it would throw); its
 * federation types also have no descriptions.
 */
import { printSubgraphSchema } from '@apollo/subgraph';
import {
  type GraphQLFieldResolver,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLResolveInfo,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
  isObjectType,
  lexicographicSortSchema,
  parse,
  type SchemaExtensionNode,
} from 'graphql';
import { slugify } from '../content/slug.js';
import { normalizeDomain } from '../content/urls.js';
import type { RequestContext } from '../context.js';
import { badUserInput } from '../errors.js';
import { Article } from './article.js';
import { builder, decodeNodeId } from './builder.js';
import { Provider } from './provider.js';
import { Topic } from './topic.js';

/** The Apollo Federation specification the subgraph links (`@link(url:)`): version 2.6. */
export const FEDERATION_SPEC_URL = 'https://specs.apollo.dev/federation/v2.6';

/**
 * The key a representation of `typename` carries: its global `id` read back (null when that id
 * names another type), else its `other` key field as given. Throws NOT_A_GLOBAL_ID for an id that is
 * not one, and BAD_USER_INPUT when the representation has neither key as a string.
 */
function keyOf(representation: Readonly<Record<string, unknown>>, typename: string, other: string): string | null {
  const { id } = representation;
  if (typeof id === 'string') {
    const decoded = decodeNodeId(id);
    return decoded.typename === typename ? decoded.id : null;
  }
  const value = representation[other];
  if (typeof value === 'string') return value;
  throw badUserInput(`A representation of ${typename} needs its \`id\` or its \`${other}\`, as a string.`, 'representations');
}

builder.asEntity(Article, {
  key: [builder.selection<{ id: string }>('id'), builder.selection<{ slug: string }>('slug')],
  // Through the per-request loader, as `article(slug:)`: the articles of one `_entities` list are read in one batch.
  resolveReference: (representation, context) => {
    const slug = keyOf(representation, 'Article', 'slug');
    return slug === null ? null : Article.getDataloader(context).load(slug);
  },
});

builder.asEntity(Provider, {
  key: [builder.selection<{ id: string }>('id'), builder.selection<{ domain: string }>('domain')],
  // A domain is read as `provider(domain:)` reads it: `www.`, case and scheme are ignored.
  resolveReference: (representation, context) => {
    const domain = keyOf(representation, 'Provider', 'domain');
    const normalized = domain === null ? null : normalizeDomain(domain);
    return normalized === null ? null : (context.view.providerByDomain(normalized) ?? null);
  },
});

builder.asEntity(Topic, {
  key: [builder.selection<{ id: string }>('id'), builder.selection<{ slug: string }>('slug')],
  // A slug is read as `topic(slug:)` reads it: a name is slugified first.
  resolveReference: (representation, context) => {
    const slug = keyOf(representation, 'Topic', 'slug');
    return slug === null ? null : (context.view.topicBySlug(slugify(slug)) ?? null);
  },
});

/** How `asEntity` finds an entity's object from a representation (kept in the type's `extensions.apollo`). */
type ReferenceResolver = (representation: unknown, context: RequestContext, info: GraphQLResolveInfo) => unknown;

/** The reference resolver `asEntity` gave a type; undefined for a type that is no entity. */
function referenceResolverOf(type: GraphQLObjectType): ReferenceResolver | undefined {
  const apollo = (type.extensions as { apollo?: { subgraph?: { resolveReference?: ReferenceResolver } } }).apollo;
  return apollo?.subgraph?.resolveReference;
}

/**
 * `_entities(representations:)`: each representation's object, in order; null for one the view does
 * not have. A representation that names no entity type, or lacks its keys, is an error of its own
 * item (null there), not of the whole list.
 */
function entitiesResolver(
  resolvers: ReadonlyMap<string, ReferenceResolver>,
): GraphQLFieldResolver<unknown, RequestContext, { representations: readonly unknown[] }> {
  return (_root, args, context, info) =>
    args.representations.map((representation) => {
      try {
        const typename = (representation as { __typename?: unknown } | null)?.__typename;
        const resolveReference = typeof typename === 'string' ? resolvers.get(typename) : undefined;
        if (resolveReference === undefined) {
          throw badUserInput(
            `A representation must name an entity type of this subgraph in \`__typename\`: ${[...resolvers.keys()].join(', ')}.`,
            'representations',
          );
        }
        return resolveReference(representation, context, info);
      } catch (error) {
        return Promise.reject(error);
      }
    });
}

/** `_Any`: a representation, taken as given. */
const AnyScalar = new GraphQLScalarType({
  name: '_Any',
  description: 'An entity representation (Apollo Federation): `__typename` and the fields of one of its keys, as JSON.',
  serialize: (value) => value,
});

/** `_Service`: what a router asks a subgraph about itself. */
const ServiceType = new GraphQLObjectType({
  name: '_Service',
  description: 'This subgraph, as Apollo Federation tooling reads it.',
  fields: {
    sdl: { type: GraphQLString, description: 'The subgraph schema as SDL, with its federation directives (`@link`, `@key`).' },
  },
});

/**
 * The subgraph of a build of this builder's schema: its types and resolvers, `@link` to federation
 * v2.6, `Query._entities` over the entity types and `Query._service`. Printing its SDL checks it as a
 * federation subgraph, so an invalid one fails here, at start.
 */
export function toSubgraphSchema(built: GraphQLSchema): GraphQLSchema {
  const entityTypes = Object.values(built.getTypeMap()).filter(
    (type): type is GraphQLObjectType => isObjectType(type) && referenceResolverOf(type) !== undefined,
  );
  const resolvers = new Map(entityTypes.map((type) => [type.name, referenceResolverOf(type)!]));
  const entityUnion = new GraphQLUnionType({
    name: '_Entity',
    description: 'Every entity type of this subgraph (Apollo Federation): what `_entities` returns.',
    types: entityTypes,
  });
  const query = built.getQueryType()!;
  let sdl = '';
  const subgraphQuery = new GraphQLObjectType({
    ...query.toConfig(),
    fields: () => ({
      ...query.toConfig().fields,
      _entities: {
        type: new GraphQLNonNull(new GraphQLList(entityUnion)),
        description:
          'The entities these representations name, in the same order (Apollo Federation); null for each one this request ' +
          'may not see: a draft without the preview token is null, as in `node(id:)`.',
        args: {
          representations: {
            type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(AnyScalar))),
            description: 'Each entity by `__typename` and one of its keys: `{ "__typename": "Article", "slug": "…" }`.',
          },
        },
        resolve: entitiesResolver(resolvers),
      },
      _service: {
        type: new GraphQLNonNull(ServiceType),
        description: 'This subgraph as Apollo Federation tooling reads it: its SDL.',
        resolve: () => ({ sdl }),
      },
    }),
  });
  const link = parse(`extend schema @link(url: "${FEDERATION_SPEC_URL}", import: ["@key"])`).definitions[0] as SchemaExtensionNode;
  const subgraph = lexicographicSortSchema(
    new GraphQLSchema({
      query: subgraphQuery,
      subscription: built.getSubscriptionType(),
      types: [...Object.values(built.getTypeMap()).filter((type) => type !== query), subgraphQuery, entityUnion, AnyScalar, ServiceType],
      directives: built.getDirectives(),
      extensionASTNodes: [link],
    }),
  );
  sdl = printSubgraphSchema(subgraph);
  return subgraph;
}
