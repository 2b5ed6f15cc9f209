/**
 * Property-based tests of the HTTP surface, with fast-check against the in-process server.
 *
 * 1. Valid queries generated from the schema itself (random fields, arguments, aliases, fragments,
 *    variables, nesting), sent as POST JSON or GET, with no, a wrong, an odd or the preview token.
 * 2. Malformed requests: random bytes, truncated or wrongly shaped JSON, wrong content types and
 *    methods, invalid UTF-8, huge bodies, unknown operation names, broken GraphQL.
 *
 * Every response: a status in {200, 400, 401, 405, 413, 415} (never 500), no stack trace or local
 * path, no masked "Unexpected error.", answered within a time bound, and, without the preview
 * token, no draft data (computed here from content/*.md with js-yaml, not by the loader).
 *
 * Runs are bounded and seeded; set FC_SEED / FC_RUNS to explore other seeds locally.

 */
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  validate,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import { schema } from '../../src/schema/index.js';
import { CONTENT_DIR, execute, GENEROUS_LIMITS, PREVIEW_TOKEN, readRawFiles, serverOf } from '../support.js';

const SEED = Number(process.env.FC_SEED ?? 1_718_042_211);
const NUM_RUNS = Number(process.env.FC_RUNS ?? 200);
/** Each response, body included, must arrive within this many milliseconds. */
const TIME_BOUND_MS = 2_000;
const ALLOWED_STATUSES = [200, 400, 401, 405, 413, 415];
const ENDPOINT = 'http://localhost/graphql';

// ---------------------------------------------------------------------------------------------
// The content, read independently of the loader under test.
// ---------------------------------------------------------------------------------------------

const files = readRawFiles(CONTENT_DIR);
const drafts = files.filter((file) => file.data.published === false);
const published = files.filter((file) => file.data.published !== false);

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** A distinctive prefix of a text, cut before any HTML entity or markup the API may decode. */
function prefixMarker(text: unknown, length: number): string | null {
  if (typeof text !== 'string') return null;
  const line =
    text
      .split('\n')
      .map((part) => part.trim())
      .find((part) => part.length > 0) ?? '';
  const clean = line
    .split(/[&<*_`[\]]/)[0]!
    .slice(0, length)
    .trim();
  return clean.length >= 20 ? clean : null;
}

/** Strings identifying a draft that no public response may hold, anywhere. */
const draftMarkers: string[] = drafts.flatMap((draft) =>
  [draft.slug, base64(`Article:${draft.slug}`), base64url(`Article:${draft.slug}`), prefixMarker(draft.body, 60)].filter(
    (marker): marker is string => marker !== null,
  ),
);
/**
 * Titles and excerpts of drafts: a published article may legitimately summarize a draft in its own
 * `related` list (`RelatedArticle.title`/`excerpt`), so these are allowed there and nowhere else.
 */
const draftSummaries: string[] = drafts.flatMap((draft) =>
  [draft.data.title as string, prefixMarker(draft.data.excerpt, 50)].filter((marker): marker is string => typeof marker === 'string'),
);
/** The opaque `secured` values (and their parts) of every article: never served, even in preview. */
const securedParts: string[] = files.flatMap((file) =>
  typeof file.data.secured === 'string'
    ? [file.data.secured, ...file.data.secured.split(';').filter((part: string) => part.length >= 12)]
    : [],
);

const allSlugs = files.map((file) => file.slug);
const allUrls = files.flatMap((file) =>
  ['webUrl', 'originalUrl', 'ampWebUrl', 'cdnAmpWebUrl']
    .map((key) => file.data[key])
    .filter((url): url is string => typeof url === 'string'),
);
const allDomains = [
  ...new Set(files.map((file) => file.data.provider?.domain).filter((domain): domain is string => typeof domain === 'string')),
];
const allTopics = [...new Set(files.flatMap((file) => (Array.isArray(file.data.topics) ? file.data.topics : [])))] as string[];
const allWords = [
  ...new Set(files.flatMap((file) => String(file.data.title).split(/\s+/)).filter((word) => word.length > 3)),
  'news',
  'opinion',
  'article',
  'video',
  'NEWS',
  '',
];

// ---------------------------------------------------------------------------------------------
// Stable arbitrary builders (fc.gen caches arbitraries by builder identity and arguments, which
// keeps replay and shrinking working).
// ---------------------------------------------------------------------------------------------

const pickFrom = <T>(values: readonly T[]) => fc.constantFrom(...values);
const percent = () => fc.integer({ min: 0, max: 99 });
const randomText = () =>
  fc.oneof(
    fc.string({ maxLength: 24 }),
    fc.string({ unit: 'grapheme', maxLength: 24 }),
    fc.constantFrom('', ' ', '\u0000', 'é', '😀', '%', '\\', '"'),
  );
const pageSize = () => fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: -5, max: 130 }), fc.constantFrom(0, 1, 100, 101, -1));
const score = () => fc.oneof(fc.integer({ min: -10, max: 200 }), fc.constantFrom(-2147483648, 2147483647, 0, -1));
const dateTime = () =>
  fc
    .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
    .map((date) => date.toISOString());
/** ISO-8601 durations as `publishedWithin` takes them: days, hours, months or years back from now. */
const duration = () =>
  fc.oneof(
    fc.integer({ min: 0, max: 400 }).map((days) => `P${days}D`),
    fc.integer({ min: 1, max: 72 }).map((hours) => `PT${hours}H`),
    fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 11 })).map(([years, months]) => `P${years}Y${months}M`),
  );
const globalId = () =>
  fc.oneof(
    fc.constantFrom(...allSlugs).map((slug) => base64(`Article:${slug}`)),
    fc.constantFrom(...allSlugs).map((slug) => base64url(`Article:${slug}`)),
    fc.constantFrom(...allTopics).map((topic) => base64(`Topic:${topic.toLowerCase().replace(/\s+/g, '-')}`)),
    fc.constantFrom(...allDomains).map((domain) => base64(`Provider:${domain}`)),
    fc
      .tuple(fc.constantFrom('Article', 'Topic', 'Provider', 'Image', '', 'Query'), fc.string({ maxLength: 12 }))
      .map(([type, id]) => base64(`${type}:${id}`)),
    fc.string({ maxLength: 16 }),
    fc.base64String({ maxLength: 24 }),
  );
/** Cursors: well-formed ones for each list and order (positions of any type), and garbage. */
const cursor = () =>
  fc.oneof(
    fc
      .tuple(
        fc.constantFrom(
          'topics',
          'providers',
          'articles:PUBLISHED_DATE_TIME:DESC',
          'articles:PUBLISHED_DATE_TIME:ASC',
          'articles:TITLE:ASC',
          'articles:TITLE:DESC',
          'articles:QUALITY:DESC',
          'articles:HEAT:ASC',
          'other',
        ),
        fc.array(
          fc.oneof(fc.constant(null), fc.integer(), fc.double({ noNaN: true }), fc.string({ maxLength: 10 }), fc.constantFrom(...allSlugs)),
          {
            minLength: 0,
            maxLength: 3,
          },
        ),
      )
      .map(([order, position]) => base64url(JSON.stringify([order, ...position]))),
    fc.jsonValue({ maxDepth: 2 }).map((value) => base64url(JSON.stringify(value))),
    fc.string({ maxLength: 20 }),
    fc.base64String({ maxLength: 40 }),
  );
const slugArg = () => fc.oneof(fc.constantFrom(...allSlugs), randomText());
const urlArg = () =>
  fc.oneof(
    fc.constantFrom(...allUrls),
    fc.constantFrom(...allUrls).map((url) => `${url.replace('https://', 'http://')}?utm_source=x#top`),
    fc.webUrl(),
    randomText(),
  );
const domainArg = () =>
  fc.oneof(
    fc.constantFrom(...allDomains),
    fc.constantFrom(...allDomains).map((domain) => `https://WWW.${domain.toUpperCase()}/`),
    fc.domain(),
    randomText(),
  );
const topicArg = () =>
  fc.oneof(
    fc.constantFrom(...allTopics),
    fc.constantFrom(...allTopics).map((topic) => topic.toLowerCase().replace(/\s+/g, '-')),
    randomText(),
  );
const wordArg = () =>
  fc.oneof(
    fc.constantFrom(...allWords),
    randomText(),
    fc.array(fc.constantFrom(...allWords), { maxLength: 3 }).map((words) => words.join(' ')),
  );
const badBearer = () => fc.stringMatching(/^[\x21-\x7e]{1,40}$/).filter((token) => token !== PREVIEW_TOKEN);
const previewHeader = () =>
  fc
    .tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER'), fc.constantFrom(' ', '  ', '\t'), fc.constantFrom('', ' '))
    .map(([scheme, gap, tail]) => `${scheme}${gap}${PREVIEW_TOKEN}${tail}`);
/** Authorization values that carry no bearer token: the public view, not 401. */
const oddAuthorization = () =>
  fc.constantFrom('Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Token abc', '', 'Bearer two words', 'Digest x=y');

// ---------------------------------------------------------------------------------------------
// Valid queries, generated by walking the schema.
// ---------------------------------------------------------------------------------------------

interface FieldSelection {
  readonly kind: 'field';
  readonly parent: string;
  readonly name: string;
  readonly alias: string | null;
  readonly args: string;
  readonly children: Selection[];
}
interface InlineFragment {
  readonly kind: 'inline';
  readonly on: string | null;
  readonly children: Selection[];
}
interface FragmentSpread {
  readonly kind: 'spread';
  readonly name: string;
}
type Selection = FieldSelection | InlineFragment | FragmentSpread;
type Composite = GraphQLObjectType | GraphQLInterfaceType;

type Auth = 'none' | 'wrong' | 'preview' | 'odd';

/** A generated valid request; `tree` and `fragments` describe the query for walking its data. */
interface ValidRequest {
  readonly method: 'POST' | 'GET';
  readonly auth: Auth;
  readonly authorization: string | null;
  readonly accept: string | null;
  readonly query: string;
  readonly variables: Record<string, unknown> | undefined;
  readonly operationName: string | undefined;
  readonly tree: Selection[];
  readonly fragments: ReadonlyMap<string, { on: string; children: Selection[] }>;
}

class QueryBuilder {
  private aliases = 0;
  private variableCount = 0;
  private fragmentCount = 0;
  readonly variables: Record<string, unknown> = {};
  readonly variableDefinitions: string[] = [];
  readonly fragments = new Map<string, { on: string; children: Selection[] }>();

  /** Fields and fragments left to generate: keeps documents near the token limit at most. */
  private budget: number;

  constructor(private readonly g: fc.GeneratorValue) {
    this.budget = this.int(4, 60);
  }

  private spend(): boolean {
    if (this.budget <= 0) return false;
    this.budget -= 1;
    return true;
  }

  chance(percentage: number): boolean {
    return this.g(percent) < percentage;
  }

  int(min: number, max: number): number {
    return this.g(fc.integer, { min, max });
  }

  /** A selection set on `type`; `depth` levels of fields at most; `keys` the response keys of the merged set. */
  selectionSet(type: Composite, depth: number, keys: Set<string>, fragmentNesting = 0): Selection[] {
    const selections: Selection[] = [];
    const usable = Object.values(type.getFields())
      .filter((field) => depth > 1 || isLeafType(getNamedType(field.type)))
      .map((field) => field.name);
    if (usable.length > 0 && this.budget > 0) {
      const count = this.int(0, Math.min(4, usable.length, this.budget));
      this.budget -= count;
      const chosen = this.g(fc.shuffledSubarray, usable, { minLength: count, maxLength: count });
      for (const name of chosen) selections.push(this.field(type, type.getFields()[name]!, depth, keys));
    }
    if (fragmentNesting < 2 && this.budget > 0) {
      if (isInterfaceType(type)) {
        for (const possible of schema.getPossibleTypes(type)) {
          if (this.chance(40) && this.spend())
            selections.push({ kind: 'inline', on: possible.name, children: this.selectionSet(possible, depth, keys, fragmentNesting + 1) });
        }
      } else if (type.getInterfaces().length > 0 && this.chance(20) && this.spend()) {
        const node = type.getInterfaces()[0]!;
        selections.push({ kind: 'inline', on: node.name, children: this.selectionSet(node, depth, keys, fragmentNesting + 1) });
      }
      if (this.chance(10) && this.spend())
        selections.push({
          kind: 'inline',
          on: this.chance(50) ? type.name : null,
          children: this.selectionSet(type, depth, keys, fragmentNesting + 1),
        });
      if (this.chance(15) && this.spend()) {
        const name = `F${++this.fragmentCount}`;
        const on =
          isInterfaceType(type) && this.chance(50)
            ? this.g(
                pickFrom,
                schema.getPossibleTypes(type).map((possible) => possible.name),
              )
            : type.name;
        this.fragments.set(name, { on, children: this.selectionSet(schema.getType(on) as Composite, depth, keys, fragmentNesting + 1) });
        selections.push({ kind: 'spread', name });
      }
    }
    if (selections.length === 0 || this.chance(20)) selections.push(this.leaf(type.name, '__typename', keys));
    return selections;
  }

  /**
   * An alias sometimes, and always when the merged set already has this key for a field that could
   * conflict (arguments or a sub-selection); identical argument-free leaves merge without one.
   */
  private responseKey(name: string, keys: Set<string>, mergeable = false): string | null {
    const alias = (keys.has(name) && !mergeable) || this.chance(6) ? `a${++this.aliases}` : null;
    keys.add(alias ?? name);
    return alias;
  }

  private leaf(parent: string, name: string, keys: Set<string>): FieldSelection {
    return { kind: 'field', parent, name, alias: this.responseKey(name, keys, true), args: '', children: [] };
  }

  private field(parent: Composite, field: GraphQLField<unknown, unknown>, depth: number, keys: Set<string>): FieldSelection {
    const type = getNamedType(field.type);
    const alias = this.responseKey(field.name, keys, field.args.length === 0 && isLeafType(type));
    const args = this.args(parent, field);
    const children = isObjectType(type) || isInterfaceType(type) ? this.selectionSet(type, depth - 1, new Set()) : [];
    return { kind: 'field', parent: parent.name, name: field.name, alias, args, children };
  }

  private args(parent: Composite, field: GraphQLField<unknown, unknown>): string {
    let included: string[];
    if (parent.name === 'Query' && field.name === 'article' && this.chance(70)) {
      included = [this.g(pickFrom, ['id', 'slug', 'url'])]; // Exactly one, as the field wants.
    } else {
      included = field.args.filter((arg) => isNonNullType(arg.type) || this.chance(45)).map((arg) => arg.name);
    }
    const parts: string[] = [];
    for (const arg of field.args) {
      if (!included.includes(arg.name)) continue;
      const value = this.inputValue(arg.type, arg.name);
      if (this.chance(30)) {
        const variable = `v${++this.variableCount}`;
        this.variableDefinitions.push(`$${variable}: ${String(arg.type)}`);
        this.variables[variable] = value.json;
        parts.push(`${arg.name}: $${variable}`);
      } else {
        parts.push(`${arg.name}: ${value.literal}`);
      }
    }
    return parts.length === 0 ? '' : `(${parts.join(', ')})`;
  }

  private inputValue(type: GraphQLInputType, name: string, nullable = true): { literal: string; json: unknown } {
    if (isNonNullType(type)) return this.inputValue(type.ofType, name, false);
    if (nullable && this.chance(5)) return { literal: 'null', json: null };
    if (isListType(type)) {
      const items = Array.from({ length: this.int(0, 4) }, () => this.inputValue(type.ofType, name));
      return { literal: `[${items.map((item) => item.literal).join(', ')}]`, json: items.map((item) => item.json) };
    }
    if (isEnumType(type)) {
      const value = this.g(
        pickFrom,
        type.getValues().map((enumValue) => enumValue.name),
      );
      return { literal: value, json: value };
    }
    if (isInputObjectType(type)) {
      const entries = Object.values(type.getFields())
        .filter((field) => isNonNullType(field.type) || this.chance(40))
        .map((field) => [field.name, this.inputValue(field.type, field.name)] as const);
      return {
        literal: `{${entries.map(([key, value]) => `${key}: ${value.literal}`).join(', ')}}`,
        json: Object.fromEntries(entries.map(([key, value]) => [key, value.json])),
      };
    }
    if (isScalarType(type)) {
      const value = this.scalar(type.name, name);
      return { literal: JSON.stringify(value), json: value };
    }
    throw new Error(`no generator for input type ${String(type)}`);
  }

  private scalar(type: string, name: string): unknown {
    switch (type) {
      case 'Int':
        return this.g(name === 'first' || name === 'last' ? pageSize : score);
      case 'Boolean':
        return this.g(fc.boolean);
      case 'ID':
        return this.g(globalId);
      case 'DateTime':
        return this.g(dateTime);
      case 'Duration':
        return this.g(duration);
      case 'String':
        switch (name) {
          case 'after':
          case 'before':
            return this.g(cursor);
          case 'slug':
            return this.g(this.chance(50) ? topicArg : slugArg);
          case 'url':
            return this.g(urlArg);
          case 'domain':
          case 'providers':
            return this.g(domainArg);
          case 'topics':
            return this.g(topicArg);
          default:
            return this.g(wordArg);
        }
      default:
        throw new Error(`no generator for scalar ${type} (argument ${name})`);
    }
  }
}

function printSelections(selections: Selection[]): string {
  return `{ ${selections
    .map((selection) => {
      switch (selection.kind) {
        case 'field':
          return `${selection.alias ? `${selection.alias}: ` : ''}${selection.name}${selection.args}${selection.children.length > 0 ? ` ${printSelections(selection.children)}` : ''}`;
        case 'inline':
          return `...${selection.on ? ` on ${selection.on}` : ''} ${printSelections(selection.children)}`;
        case 'spread':
          return `...${selection.name}`;
        default:
          throw new Error(`unknown selection ${JSON.stringify(selection satisfies never)}`);
      }
    })
    .join(' ')} }`;
}

function buildValidRequest(g: fc.GeneratorValue): ValidRequest {
  const builder = new QueryBuilder(g);
  const depth = builder.int(1, 6);
  const tree = builder.selectionSet(schema.getQueryType()!, depth + 1, new Set());
  const named = builder.variableDefinitions.length > 0 || builder.chance(50);
  const extraOperation = builder.chance(15);
  const operationName = named ? 'Generated' : undefined;
  const header = named
    ? `query ${operationName}${builder.variableDefinitions.length > 0 ? `(${builder.variableDefinitions.join(', ')})` : ''} `
    : extraOperation
      ? 'query '
      : '';
  const fragments = [...builder.fragments].map(
    ([name, fragment]) => `fragment ${name} on ${fragment.on} ${printSelections(fragment.children)}`,
  );
  const query = [
    `${header}${printSelections(tree)}`,
    ...(named && extraOperation ? ['query Other { __typename }'] : []),
    ...fragments,
  ].join('\n');
  const auth = g(pickFrom, ['none', 'none', 'none', 'wrong', 'wrong', 'preview', 'odd', 'odd'] as Auth[]);
  const authorization =
    auth === 'none' ? null : auth === 'wrong' ? `Bearer ${g(badBearer)}` : auth === 'preview' ? g(previewHeader) : g(oddAuthorization);
  return {
    method: builder.chance(25) ? 'GET' : 'POST',
    auth,
    authorization,
    accept: g(pickFrom, [
      null,
      'application/json',
      'application/graphql-response+json',
      'application/graphql-response+json, application/json;q=0.9',
      '*/*',
    ]),
    query,
    variables: builder.variableDefinitions.length > 0 || builder.chance(20) ? builder.variables : undefined,
    // With two operations the name must be sent; with one it may be.
    operationName: named && (extraOperation || builder.chance(50)) ? operationName : undefined,
    tree,
    fragments: builder.fragments,
  };
}

/** Valid requests, printed without the selection tree in counterexamples. */
const validRequests = fc.gen().map((g) => {
  const request = buildValidRequest(g);
  return Object.assign(request, {
    [fc.toStringMethod]: () =>
      fc.stringify({
        method: request.method,
        authorization: request.authorization,
        accept: request.accept,
        query: request.query,
        variables: request.variables,
        operationName: request.operationName,
      }),
  });
});

// ---------------------------------------------------------------------------------------------
// Malformed requests.
// ---------------------------------------------------------------------------------------------

interface RawRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** The status this request must get, when it is determined. */
  readonly expected?: number;
}

const SMALL_QUERY = '{ articles(first: 2) { totalCount nodes { slug title } } }';
const json = (value: unknown) => JSON.stringify(value);
const contentTypes = [
  'application/json',
  'application/graphql-response+json',
  'text/plain',
  'application/xml',
  'multipart/form-data',
  'multipart/form-data; boundary=xyz',
  'application/graphql',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/jsonx',
  'text/html',
  'application/x-www-form-urlencoded',
] as const;
/** Content types yoga has no parser for: answered 415. */
const unsupportedContentTypes = new Set(['text/plain', 'application/xml', 'application/octet-stream', 'application/jsonx', 'text/html']);
const accepts = fc.constantFrom<string | null>(null, 'application/json', 'application/graphql-response+json', '*/*');
const maybeAuthorization = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | null>(null) },
  { weight: 1, arbitrary: badBearer().map((token) => `Bearer ${token}`) },
  { weight: 1, arbitrary: oddAuthorization() },
);

/** Generated POST requests of this body and content type, with random Accept and Authorization headers. */
function requestOf(body: string | Uint8Array | undefined, contentType: string | null, extra: Partial<RawRequest> = {}) {
  return fc.tuple(accepts, maybeAuthorization).map(([accept, authorization]): RawRequest => {
    const headers: Record<string, string> = {};
    if (contentType !== null) headers['content-type'] = contentType;
    if (accept !== null) headers.accept = accept;
    if (authorization !== null) headers.authorization = authorization;
    const expected = unsupportedContentTypes.has(contentType ?? '') || contentType === null ? 415 : undefined;
    return { method: 'POST', url: ENDPOINT, headers, ...(body === undefined ? {} : { body }), ...(expected ? { expected } : {}), ...extra };
  });
}

/** GraphQL documents that parse badly, are invalid, or are refused by a limit. */
const badDocuments = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom(
    '',
    '{',
    '}',
    '{ articles( }',
    '{ articles { nodes { nope } } }',
    'mutation { articles { totalCount } }',
    'subscription { articles { totalCount } }',
    '{ node(id: 5) { id } }',
    'query ($x: Int) { __typename }',
    '{ article(slug: """unterminated }',
    '{ __schema { queryType { name } } }',
    'fragment F on Article { ...F } { __typename }',
    '{ articles(first: 1) { nodes { ... on Topic { name } } } }',
    'query A { __typename } query A { __typename }',
    `{ ${'__typename @include(if: true) '.repeat(60)}}`,
    `{ ${Array.from({ length: 20 }, (_, index) => `a${index}: __typename`).join(' ')} }`,
    `{ ${'__typename '.repeat(1200)}}`,
    `{ articles { nodes { ${'related { article { '.repeat(6)}__typename${' } }'.repeat(6)} } } }`,
    '{ providers(first: 100) { nodes { articles(first: 100) { nodes { related { article { topics { __typename } } } } } } } }',
  ),
);

const malformedRequests: fc.Arbitrary<RawRequest> = fc.oneof(
  // Random bytes or text, under any content type.
  fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...contentTypes)).chain(([bytes, type]) => requestOf(bytes, type)),
  fc.tuple(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom(...contentTypes)).chain(([text, type]) => requestOf(text, type)),
  // Truncated JSON.
  fc
    .tuple(fc.constantFrom(json({ query: SMALL_QUERY, variables: { a: [1, { b: 'c' }] } }), json({ query: '{ __typename }' })), fc.nat())
    .chain(([text, cut]) => requestOf(text.slice(0, cut % text.length), 'application/json')),
  // JSON of the wrong shape.
  fc.jsonValue({ maxDepth: 3 }).chain((value) => requestOf(json(value), 'application/json')),
  fc
    .oneof(
      fc
        .jsonValue({ maxDepth: 2 })
        .filter((value) => typeof value !== 'string')
        .map((query) => ({ query })),
      fc.jsonValue({ maxDepth: 2 }).map((variables) => ({ query: SMALL_QUERY, variables })),
      fc.jsonValue({ maxDepth: 2 }).map((extensions) => ({ query: SMALL_QUERY, extensions })),
      fc
        .jsonValue({ maxDepth: 2 })
        .filter((name) => name !== null && name !== undefined)
        .map((operationName) => ({ query: SMALL_QUERY, operationName })),
      fc.array(fc.constant({ query: SMALL_QUERY }), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
    )
    .chain((value) => requestOf(json(value), 'application/json')),
  // Invalid or refused GraphQL in a well-formed envelope, by POST and by GET.
  badDocuments.chain((query) => requestOf(json({ query }), 'application/json')),
  fc.tuple(badDocuments, fc.option(fc.string({ maxLength: 10 })), accepts).map(([query, operationName, accept]): RawRequest => {
    const params = new URLSearchParams({ query, ...(operationName !== null ? { operationName } : {}) });
    return { method: 'GET', url: `${ENDPOINT}?${params}`, headers: accept === null ? {} : { accept } };
  }),
  // GET with variables and extensions that are JSON of the wrong shape, or not JSON at all.
  fc.tuple(fc.oneof(fc.jsonValue({ maxDepth: 2 }).map(json), fc.string({ maxLength: 20 })), fc.constantFrom('variables', 'extensions')).map(
    ([value, key]): RawRequest => ({
      method: 'GET',
      url: `${ENDPOINT}?${new URLSearchParams({ query: SMALL_QUERY, [key]: value })}`,
      headers: { accept: 'application/graphql-response+json' },
    }),
  ),
  badDocuments.chain((query) => requestOf(new URLSearchParams({ query }).toString(), 'application/x-www-form-urlencoded')),
  badDocuments.chain((query) => requestOf(query, 'application/graphql')),
  // Huge bodies: beyond the 100 KB cap is 413; below it, an unused variable changes nothing.
  fc
    .integer({ min: 60_000, max: 400_000 })
    .chain((size) =>
      requestOf(
        json({ query: 'query ($x: String) { __typename }', variables: { x: 'a'.repeat(size) } }),
        'application/json',
        size > 100_000 ? { expected: 413 } : {},
      ),
    ),
  fc
    .integer({ min: 100_001, max: 300_000 })
    .chain((size) => requestOf(json({ query: `{ ${' '.repeat(size)} __typename }` }), 'application/json', { expected: 413 })),
  fc.integer({ min: 20, max: 300 }).map(
    (size): RawRequest => ({
      method: 'POST',
      url: ENDPOINT,
      headers: { 'content-type': 'application/json' },
      body: json({
        query: '{ __typename }',
        variables: Object.fromEntries(Array.from({ length: size }, (_, index) => [`v${index}`, { deep: [index, 'x'.repeat(100)] }])),
      }),
    }),
  ),
  // Unknown operation names.
  fc
    .string({ maxLength: 20 })
    .chain((operationName) =>
      requestOf(json({ query: 'query A { __typename } query B { articles(first: 1) { totalCount } }', operationName }), 'application/json'),
    ),
  // Invalid UTF-8 spliced into JSON.
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 6, min: 0x80, max: 0xff }), fc.nat()).chain(([bytes, at]) => {
    const text = Buffer.from(json({ query: '{ article(slug: "X") { title } }' }));
    const index = at % text.length;
    return requestOf(Buffer.concat([text.subarray(0, index), Buffer.from(bytes), text.subarray(index)]), 'application/json');
  }),
  // Empty bodies.
  fc.constantFrom(...contentTypes, null).chain((type) => requestOf('', type)),
  // Other methods.
  fc.tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH'), fc.option(fc.constantFrom(json({ query: SMALL_QUERY }), '', 'garbage'))).map(
    ([method, body]): RawRequest => ({
      method,
      url: ENDPOINT,
      headers: { 'content-type': 'application/json' },
      ...(body === null ? {} : { body }),
      expected: 405,
    }),
  ),
  fc.constant<RawRequest>({ method: 'HEAD', url: ENDPOINT, headers: {}, expected: 405 }),
);

// ---------------------------------------------------------------------------------------------
// Invariants.
// ---------------------------------------------------------------------------------------------

/** Signs of a leaked stack trace, file path or unmasked JavaScript error. */
const LEAK_PATTERNS: RegExp[] = [
  / {4}at /,
  /\bat [\w$.<>]+ \(/,
  /\.[cm]?[tj]s:\d/,
  /\.ts:/,
  /\/work\//,
  /node_modules/,
  /(?<!Syntax )\b(?:[A-Z][A-Za-z]*)?Error: /,
  /Unexpected error\./,
];

interface Sent {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  readonly milliseconds: number;
}

async function send(yoga: NewsgraphServer, url: string, init: RequestInit): Promise<Sent> {
  const started = performance.now();
  const response = await yoga.fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text,
    milliseconds: performance.now() - started,
  };
}

/** The invariants of every response; `requestText` is what the client sent, which errors may echo. */
function checkResponse(sent: Sent, requestText: string, options: { preview: boolean }): unknown {
  expect(ALLOWED_STATUSES, `status ${sent.status}: ${sent.text.slice(0, 500)}`).toContain(sent.status);
  expect(sent.milliseconds, 'response time (ms)').toBeLessThan(TIME_BOUND_MS);
  for (const pattern of LEAK_PATTERNS) {
    if (!pattern.test(requestText)) expect(sent.text, `leak ${pattern}`).not.toMatch(pattern);
  }
  for (const part of securedParts) expect(sent.text, 'a secured value was served').not.toContain(part);
  if (!options.preview) {
    for (const marker of draftMarkers) {
      if (!requestText.includes(marker)) expect(sent.text, 'draft data without the preview token').not.toContain(marker);
    }
  }
  if (!/json/.test(sent.contentType) || sent.text === '') return undefined;
  const body = JSON.parse(sent.text) as unknown; // A JSON response is valid JSON.
  expect(body).toBeTypeOf('object');
  return body;
}

/** The field selections a response key of `selections` can stand for, fragments flattened. */
function fieldsFor(key: string, selections: Selection[], fragments: ValidRequest['fragments']): FieldSelection[] {
  return selections.flatMap((selection) => {
    switch (selection.kind) {
      case 'field':
        return (selection.alias ?? selection.name) === key ? [selection] : [];
      case 'inline':
        return fieldsFor(key, selection.children, fragments);
      case 'spread':
        return fieldsFor(key, fragments.get(selection.name)!.children, fragments);
      default:
        throw new Error(`unknown selection ${JSON.stringify(selection satisfies never)}`);
    }
  });
}

const BASE64ISH = /^[A-Za-z0-9+/_-]{12,}={0,2}$/;

/**
 * Walks the data of a public response along the query: only requested keys, no draft marker in
 * any string (decoded too, for ids and cursors), draft titles and excerpts only where a published
 * article's `related` entry summarizes a draft, `published` always true, `contentHealth` null.
 */
function checkPublicData(value: unknown, selections: Selection[], request: ValidRequest, summaryAllowed: boolean, where: string): void {
  if (value === null) return;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) checkPublicData(item, selections, request, summaryAllowed, `${where}[${index}]`);
    return;
  }
  if (typeof value === 'string') {
    const decoded = BASE64ISH.test(value) ? Buffer.from(value, 'base64').toString('latin1') : '';
    for (const draft of drafts) {
      expect(value, `draft slug at ${where}`).not.toContain(draft.slug);
      expect(decoded, `draft slug encoded at ${where}`).not.toContain(draft.slug);
    }
    for (const marker of draftMarkers) expect(value, `draft data at ${where}`).not.toContain(marker);
    if (!summaryAllowed) for (const summary of draftSummaries) expect(value, `draft title or excerpt at ${where}`).not.toContain(summary);
    return;
  }
  if (typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const fields = fieldsFor(key, selections, request.fragments);
    expect(fields.length, `unrequested key ${where}.${key}`).toBeGreaterThan(0);
    if (fields.every((field) => field.parent === 'Article' && field.name === 'published')) expect(child, `${where}.${key}`).toBe(true);
    if (fields.every((field) => field.parent === 'Query' && field.name === 'contentHealth')) expect(child, `${where}.${key}`).toBeNull();
    const allowed = fields.every((field) => field.parent === 'RelatedArticle' && (field.name === 'title' || field.name === 'excerpt'));
    checkPublicData(
      child,
      fields.flatMap((field) => field.children),
      request,
      allowed,
      `${where}.${key}`,
    );
  }
}

interface GraphQLBody {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function sendValid(yoga: NewsgraphServer, request: ValidRequest): Promise<Sent> {
  const headers: Record<string, string> = {};
  if (request.accept !== null) headers.accept = request.accept;
  if (request.authorization !== null) headers.authorization = request.authorization;
  const params = { query: request.query, variables: request.variables, operationName: request.operationName };
  if (request.method === 'GET') {
    const search = new URLSearchParams({ query: request.query });
    if (request.variables !== undefined) search.set('variables', JSON.stringify(request.variables));
    if (request.operationName !== undefined) search.set('operationName', request.operationName);
    return send(yoga, `${ENDPOINT}?${search}`, { method: 'GET', headers });
  }
  return send(yoga, ENDPOINT, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
}

// ---------------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------------

let yoga: NewsgraphServer;
beforeAll(async () => {
  yoga = await serverOf(CONTENT_DIR);
});

describe('the draft markers this file checks for', () => {
  it('should be found in the content and served with the preview token, so their absence means something', async () => {
    expect(files).toHaveLength(32);
    expect(drafts.map((draft) => draft.slug)).toHaveLength(2);
    const query = '{ articles(first: 100) { totalCount nodes { id slug sourcePath title excerpt body published } edges { cursor } } }';
    const preview = await execute(yoga, query, {}, { preview: true });
    const previewText = JSON.stringify(preview.body);
    for (const draft of drafts) {
      const expected = [
        draft.slug,
        base64(`Article:${draft.slug}`),
        draft.data.title,
        prefixMarker(draft.data.excerpt, 50),
        prefixMarker(draft.body, 60),
      ];
      for (const marker of expected) if (marker !== null) expect(previewText).toContain(marker);
    }
    const publicResponse = await execute(yoga, query);
    expect(publicResponse.body.data.articles.totalCount).toBe(published.length);
    const publicText = JSON.stringify(publicResponse.body);
    for (const marker of [...draftMarkers, ...draftSummaries]) expect(publicText).not.toContain(marker);
  });

  it('should not be reachable by slug, id, url, nodes or contentHealth without the preview token', async () => {
    for (const draft of drafts) {
      const id = base64(`Article:${draft.slug}`);
      const response = await execute(
        yoga,
        `query ($slug: String, $id: ID!, $url: String) {
          bySlug: article(slug: $slug) { title } byId: article(id: $id) { title } byUrl: article(url: $url) { title }
          node(id: $id) { id } nodes(ids: [$id]) { id } contentHealth { draftCount }
        }`,
        { slug: draft.slug, id, url: draft.data.webUrl },
      );
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ bySlug: null, byId: null, byUrl: null, node: null, nodes: [null], contentHealth: null });
    }
  });
});

describe('draft data through every public path', () => {
  it('should be absent from relatedFrom, providers, topics and related article links', async () => {
    const ids = 'slug id sourcePath';
    const list = `totalCount nodes { ${ids} } edges { cursor }`;
    const generous = await serverOf(CONTENT_DIR, { limits: GENEROUS_LIMITS }); // The whole corpus at once.
    const response = await execute(
      generous,
      `{
        articles(first: 100) { nodes { ${ids} relatedFrom(first: 100) { ${list} } related { article { ${ids} } } } }
        providers(first: 100) { nodes { domain articleCount articles(first: 100) { ${list} } } }
        topics(first: 100) { nodes { slug articleCount articles(first: 100) { ${list} } } }
      }`,
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const text = JSON.stringify(response.body);
    for (const marker of [...draftMarkers, ...draftSummaries]) expect(text).not.toContain(marker);
    for (const cursor of text.match(/"cursor":"[^"]+"/g) ?? []) {
      const decoded = Buffer.from(cursor.slice('"cursor":"'.length, -1), 'base64url').toString('utf8');
      for (const draft of drafts) expect(decoded).not.toContain(draft.slug);
    }
  });
});

describe('the public data check', () => {
  const tree: Selection[] = [
    {
      kind: 'field',
      parent: 'Query',
      name: 'article',
      alias: null,
      args: '(slug: "x")',
      children: [
        { kind: 'field', parent: 'Article', name: 'title', alias: 't', args: '', children: [] },
        {
          kind: 'field',
          parent: 'Article',
          name: 'related',
          alias: null,
          args: '',
          children: [{ kind: 'field', parent: 'RelatedArticle', name: 'title', alias: null, args: '', children: [] }],
        },
      ],
    },
  ];
  const request = { tree, fragments: new Map() } as unknown as ValidRequest;
  const title = drafts[0]!.data.title as string;

  it('should allow a draft title only where a related entry summarizes it', () => {
    expect(() => checkPublicData({ article: { t: 'Published', related: [{ title }] } }, tree, request, false, 'data')).not.toThrow();
    expect(() => checkPublicData({ article: { t: title, related: [] } }, tree, request, false, 'data')).toThrow(/draft title/);
  });

  it('should flag draft slugs, encoded ids and unrequested keys', () => {
    expect(() => checkPublicData({ article: { t: drafts[0]!.slug } }, tree, request, false, 'data')).toThrow(/draft slug/);
    expect(() => checkPublicData({ article: { t: base64(`x:${drafts[1]!.slug}`) } }, tree, request, false, 'data')).toThrow(
      /draft slug encoded/,
    );
    expect(() => checkPublicData({ article: { body: 'x' } }, tree, request, false, 'data')).toThrow(/unrequested key/);
  });
});

describe('property: random valid queries generated from the schema', () => {
  it('should answer them 200/400 (401 for a wrong token) within the time bound, without leaks or drafts', async () => {
    await fc.assert(
      fc.asyncProperty(validRequests, async (request) => {
        // The generator's own check: the document is valid against the schema.
        expect(validate(schema, parse(request.query)).map((error) => error.message)).toEqual([]);

        const sent = await sendValid(yoga, request);
        const preview = request.auth === 'preview';
        const requestText = `${request.query}\n${JSON.stringify(request.variables ?? {})}\n${request.authorization ?? ''}`;
        const body = checkResponse(sent, requestText, { preview }) as GraphQLBody;
        expect(body, 'a JSON body').toBeDefined();
        for (const error of body.errors ?? []) {
          expect(error.extensions?.code, error.message).not.toBe('INTERNAL_SERVER_ERROR');
        }
        if (request.auth === 'wrong') {
          // Parsing, validation (the query limits included) and variables come before the token.
          expect([400, 401], sent.text.slice(0, 500)).toContain(sent.status);
          expect(body.data).toBeUndefined();
          if (sent.status === 401) expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
          return;
        }
        expect([200, 400], sent.text.slice(0, 500)).toContain(sent.status);
        if (sent.status === 400) {
          // A valid document is refused only by a query limit or for its variables, before execution.
          expect(body.data, 'a 400 response executes nothing').toBeUndefined();
          for (const error of body.errors ?? []) {
            expect(error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' || error.message.startsWith('Variable "$'), error.message).toBe(
              true,
            );
          }
        } else {
          expect(body, 'a 200 response to a valid document executed it').toHaveProperty('data');
        }
        if (!preview && body.data != null) checkPublicData(body.data, request.tree, request, false, 'data');
        if (!preview) {
          for (const error of body.errors ?? []) {
            for (const summary of draftSummaries) expect(error.message).not.toContain(summary);
          }
        }
      }),
      { numRuns: NUM_RUNS, seed: SEED },
    );
  }, 60_000);
});

describe('property: malformed requests', () => {
  it('should refuse them with 400/405/413/415 (or answered 200/401) within the time bound, never 500, without leaks or drafts', async () => {
    await fc.assert(
      fc.asyncProperty(malformedRequests, async (request) => {
        const body = request.body;
        const sent = await send(yoga, request.url, {
          method: request.method,
          headers: { ...request.headers },
          ...(body === undefined ? {} : { body: body as BodyInit }),
        });
        const bodyText = body === undefined ? '' : typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
        let urlText = request.url;
        try {
          urlText = decodeURIComponent(request.url.replace(/\+/g, ' '));
        } catch {
          // Keep the encoded form.
        }
        checkResponse(sent, `${urlText}\n${bodyText}\n${JSON.stringify(request.headers)}`, { preview: false });
        if (request.expected !== undefined) expect(sent.status, sent.text.slice(0, 300)).toBe(request.expected);
        for (const summary of draftSummaries) expect(sent.text).not.toContain(summary); // No data is requested here.
      }),
      {
        numRuns: NUM_RUNS,
        seed: SEED,
        examples: [
          [{ method: 'POST', url: ENDPOINT, headers: { 'content-type': 'application/json' }, body: '' }],
          [{ method: 'POST', url: ENDPOINT, headers: { 'content-type': 'application/json' }, body: '{"query": 5}' }],
          [{ method: 'POST', url: ENDPOINT, headers: { 'content-type': 'application/json' }, body: '[{"query": "{ __typename }"}]' }],
          [{ method: 'POST', url: ENDPOINT, headers: { 'content-type': 'application/json' }, body: '{"query": "{ __ty' }],
          [
            {
              method: 'POST',
              url: ENDPOINT,
              headers: { 'content-type': 'application/json' },
              body: json({ query: '{ __typename }', operationName: 'Nope' }),
            },
          ],
          [{ method: 'POST', url: ENDPOINT, headers: { 'content-type': 'multipart/form-data' }, body: 'x' }],
          [
            {
              method: 'POST',
              url: ENDPOINT,
              headers: { 'content-type': 'text/plain' },
              body: json({ query: '{ __typename }' }),
              expected: 415,
            },
          ],
          [
            {
              method: 'POST',
              url: ENDPOINT,
              headers: { 'content-type': 'application/json' },
              body: new Uint8Array([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x7d]),
            },
          ],
          [
            {
              method: 'PUT',
              url: ENDPOINT,
              headers: { 'content-type': 'application/json' },
              body: json({ query: '{ __typename }' }),
              expected: 405,
            },
          ],
          [{ method: 'GET', url: `${ENDPOINT}?query=${encodeURIComponent('mutation { x }')}`, headers: {}, expected: 405 }],
          [{ method: 'GET', url: `${ENDPOINT}?query=%7B__typename%7D&variables=%7Bbad`, headers: {}, expected: 400 }],
          [{ method: 'GET', url: `${ENDPOINT}?query=%7B__typename%7D&extensions=%7B`, headers: {}, expected: 400 }],
          [
            {
              method: 'POST',
              url: ENDPOINT,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: 'query=%7B__typename%7D&variables=%7B',
              expected: 400,
            },
          ],
        ],
      },
    );
  }, 60_000);
});
