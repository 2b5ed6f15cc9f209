import { GraphQLError, type Source, type SourceLocation } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The character offset of a 1-based line and column in a source. */
function offsetOf(source: Source, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) offset = source.body.indexOf('\n', offset) + 1;
  return offset + column - 1;
}

/**
 * graphql-jit reports errors with `locations` but without the `source` and `positions` they come
 * from, and yoga rebuilds every error from those when it serializes, so the locations were lost;
 * graphql-jit's compiled serializer writes none either. Errors are given their source and
 * positions again and serialized the ordinary way, so clients get the same errors as from
 * graphql-js; results without errors keep the fast path.
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
