/**
 * Every error code a client can receive in `errors[].extensions.code`, and the factories of the
 * errors this service raises itself. docs/errors.md explains each code to client developers.
 */
import { type ASTNode, GraphQLError } from 'graphql';

/** Each error code, with when it is sent; the HTTP status is the one a spec-compliant client sees. */
export const ERROR_CODES = {
  GRAPHQL_PARSE_FAILED: 'The document is not valid GraphQL syntax (HTTP 400).',
  GRAPHQL_VALIDATION_FAILED:
    'The document does not fit the schema, is not a query, or exceeds a query limit (tokens, depth, aliases, directives, cost): HTTP 400.',
  BAD_USER_INPUT:
    'A variable or argument is outside what the API allows: a variable of the wrong type or missing, a page size, a cursor, an id that is not a global id, or `article` without exactly one key (a variable: HTTP 400 under application/graphql-response+json).',
  BAD_REQUEST: 'The HTTP request itself is malformed: no query, a parameter that is not valid JSON, a wrong method (HTTP 400 or 405).',
  OPERATION_RESOLUTION_FAILURE: 'The document holds several operations and `operationName` names none of them (HTTP 400).',
  UNAUTHENTICATED: 'A bearer token was sent that does not unlock preview, or preview is disabled (HTTP 401).',
  REQUEST_ENTITY_TOO_LARGE: 'The request body is larger than MAX_BODY_BYTES (HTTP 413).',
  TOO_MANY_SUBSCRIPTIONS: 'The server already holds MAX_SUBSCRIPTIONS open subscriptions (HTTP 503 with Retry-After).',
  SUBSCRIBER_TOO_SLOW: 'A subscription fell too many corpus versions behind: its stream ends with this error.',
  BODY_RENDER_FAILED:
    "An article's Markdown body cannot be rendered as HTML (its HTML would be too large): a field error naming the file; other fields still answer.",
  PERSISTED_QUERY_NOT_FOUND:
    'A document was named by hash only and the server does not know it yet; send it again with the document (HTTP 404).',
  PERSISTED_QUERY_MISMATCH: 'A document was sent with a hash that is not its SHA-256 (HTTP 400).',
  PERSISTED_QUERY_ONLY: 'The server runs only its trusted documents, and a document was sent in full (HTTP 400).',
  PERSISTED_QUERY_ID_REQUIRED: 'The server runs only its trusted documents, and the request names none (HTTP 400).',
  PERSISTED_QUERY_NOT_IN_LIST: 'The server runs only its trusted documents, and none has the hash sent (HTTP 404).',
  INTERNAL_SERVER_ERROR: 'Anything unexpected; the message is always "Unexpected error." and the details are never sent.',
} as const;

/** BAD_USER_INPUT: the request asked for something the API does not allow; `argumentName` names the argument. */
export function badUserInput(message: string, argumentName?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argumentName ? { argumentName } : {}) } });
}

/**
 * BAD_USER_INPUT for graphql-js's error about a variable (wrong type, missing): HTTP 400 under
 * `application/graphql-response+json`, and 200 under legacy `application/json` as the GraphQL over
 * HTTP specification asks (`spec: true`).
 */
export function variableRefused(error: GraphQLError): GraphQLError {
  return withCode(error, 'BAD_USER_INPUT', { http: { status: 400, spec: true } });
}

/** The same error (message, locations, path, cause) with `extensions.code` set to `code`, and `extra` extensions. */
export function withCode(error: GraphQLError, code: keyof typeof ERROR_CODES, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code, ...extra },
  });
}

/** BAD_USER_INPUT: `globalID` is not the `id` of any node of this API. */
export function notAGlobalId(globalID: string): GraphQLError {
  const shown = globalID.length > 80 ? `${globalID.slice(0, 80)}…` : globalID;
  return badUserInput(`"${shown}" is not a global id of this API: pass the \`id\` field of an Article, Provider, Topic or Story.`);
}

/** An error of persisted documents (PERSISTED_QUERY_*), with its HTTP status. */
export function persistedDocumentError(
  message: string,
  code: Extract<keyof typeof ERROR_CODES, `PERSISTED_QUERY_${string}`>,
  status: 400 | 404,
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

/** BODY_RENDER_FAILED: the body of the file at `sourcePath` cannot be rendered; `problem` says why, for the message. */
export function bodyRenderFailed(sourcePath: string, problem: string): GraphQLError {
  return new GraphQLError(`The body of ${sourcePath} cannot be rendered as HTML: ${problem}.`, {
    extensions: { code: 'BODY_RENDER_FAILED', sourcePath },
  });
}

/**
 * GRAPHQL_VALIDATION_FAILED answered HTTP 400 whatever the Accept header: for legacy
 * `application/json` clients the GraphQL over HTTP specification prefers 200 for validation errors
 * (and yoga does so), but a refused query should look refused to proxies and monitors too;
 * `spec: false` keeps yoga from downgrading the status.
 */
export function validationFailed(message: string, nodes?: ASTNode): GraphQLError {
  return new GraphQLError(message, {
    ...(nodes ? { nodes } : {}),
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400, spec: false } },
  });
}

/** BAD_REQUEST, HTTP 400: the HTTP request itself is malformed. */
export function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400, spec: false } } });
}

/** REQUEST_ENTITY_TOO_LARGE, HTTP 413: a request body over the cap (MAX_BODY_BYTES). */
export function bodyTooLarge(): GraphQLError {
  return new GraphQLError('Request body too large', { extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', http: { status: 413 } } });
}

/** UNAUTHENTICATED, HTTP 401 with a `WWW-Authenticate: Bearer` challenge. */
export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="preview"' } } },
  });
}

/** TOO_MANY_SUBSCRIPTIONS, HTTP 503 with Retry-After: every subscription the server allows is open. */
export function tooManySubscriptions(limit: number): GraphQLError {
  return new GraphQLError(
    `This server already holds its limit of ${limit} open subscriptions (MAX_SUBSCRIPTIONS); retry later, or close a subscription you no longer read.`,
    { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', http: { status: 503, headers: { 'Retry-After': '5' } } } },
  );
}

/** SUBSCRIBER_TOO_SLOW: a subscription's events were not read while `limit` corpus versions came; its stream ends. */
export function subscriberBehind(limit: number): GraphQLError {
  return new GraphQLError(
    `This subscription fell more than ${limit} content versions behind and was ended: query the articles again, then subscribe again.`,
    { extensions: { code: 'SUBSCRIBER_TOO_SLOW' } },
  );
}
