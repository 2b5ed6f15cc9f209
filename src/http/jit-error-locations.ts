import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  type Source,
  type SourceLocation,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The start of each line after the first: GraphQL ends a line with `\n`, `\r\n` or a lone `\r`. */
const LINE_END = /\r\n|[\n\r]/g;

/** The character offset of a 1-based line and column in a source. */
function offsetOf(source: Source, line: number, column: number): number {
  let offset = 0;
  LINE_END.lastIndex = 0;
  for (let current = 1; current < line; current++) {
    const end = LINE_END.exec(source.body);
    if (end === null) break;
    offset = end.index + end[0].length;
  }
  return offset + column - 1;
}

/** graphql-js's errors for the operation's variables, marked HTTP 400 as yoga marks a request it cannot execute; undefined when they are valid. */
function graphqlJsVariableErrors(args: {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variableValues?: { readonly [name: string]: unknown } | null;
}): readonly GraphQLError[] | undefined {
  const definitions = getOperationAST(args.document, args.operationName)?.variableDefinitions ?? [];
  if (definitions.length === 0) return undefined;
  const { errors } = getVariableValues(args.schema, definitions, args.variableValues ?? {}, { maxErrors: 50 });
  for (const error of errors ?? []) Object.defineProperty(error, 'extensions', { value: { ...error.extensions, http: { status: 400 } } });
  return errors;
}

/**
 * Gives errors of graphql-jit's execution their `source` and `positions` again, and serializes
 * such results the ordinary way, so clients get the same `locations` as from graphql-js: graphql-jit
 * reports `locations` without the source they come from, yoga rebuilds every error from its
 * source and positions, and graphql-jit's compiled serializer writes none. Results without errors
 * keep the compiled serializer. A result without data whose variables graphql-js refuses gets
 * graphql-js's errors (which keep the scalar's message and name the path of an input field) instead
 * of graphql-jit's (which keep neither); valid variables are never coerced twice.
 */
export function useJitErrorLocations(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          if (Symbol.asyncIterator in result || !result.errors?.length) return;
          // No data: the operation did not run, as when graphql-jit refuses its variables.
          if (result.data == null) {
            const variableErrors = graphqlJsVariableErrors(args);
            if (variableErrors !== undefined) {
              setResult(
                result.extensions === undefined ? { errors: variableErrors } : { errors: variableErrors, extensions: result.extensions },
              );
              return;
            }
          }
          const source = args.document.loc?.source;
          const errors = result.errors.map((error) => {
            if (source === undefined || !error.locations?.length || error.positions) return error;
            return new GraphQLError(error.message, {
              source,
              positions: error.locations.map((location: SourceLocation) => offsetOf(source, location.line, location.column)),
              path: error.path,
              originalError: error.originalError ?? undefined,
              extensions: error.extensions,
            });
          });
          const { stringify: _compiledSerializer, ...plain } = result as typeof result & { stringify?: unknown };
          setResult({ ...plain, errors });
        },
      };
    },
  };
}
