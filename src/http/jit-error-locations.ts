import { GraphQLError, type Source, type SourceLocation } from 'graphql';
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

/**
 * Gives errors of graphql-jit's execution their `source` and `positions` again, and serializes
 * such results the ordinary way, so clients get the same `locations` as from graphql-js: graphql-jit
 * reports `locations` without the source they come from, yoga rebuilds every error from its
 * source and positions, and graphql-jit's compiled serializer writes none. Results without errors
 * keep the compiled serializer. (useVariableErrors replaces graphql-jit's errors for variables.)
 */
export function useJitErrorLocations(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          if (Symbol.asyncIterator in result || !result.errors?.length) return;
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
