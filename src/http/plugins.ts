/** The yoga plugins of this API that are not query limits (limits.ts) or graphql-jit's (jit-error-locations.ts). */
import { PothosValidationError } from '@pothos/core';
import { type ASTVisitor, type GraphQLError, getOperationAST, getVariableValues, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { authorizedView, type ContextOptions, type RequestContext } from '../context.js';
import { badRequest, tooManySubscriptions, validationFailed, variableRefused, withCode } from '../errors.js';

/** Reports the DataLoader batch calls of each request in `extensions.batchCalls`. */
export function useBatchCallReport(): Plugin<RequestContext> {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const context = args.contextValue as RequestContext;
          setResult({ ...result, extensions: { ...result.extensions, batchCalls: context.batchCalls } });
        },
      };
    },
  };
}

/** Refuses mutations as validation errors: the API is read-only (queries and subscriptions). */
export function useReadOnly(): Plugin {
  const readOnlyRule = (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      if (node.operation === 'mutation') {
        context.reportError(validationFailed('This API is read-only: it answers queries and subscriptions, found a mutation.', node));
      }
    },
  });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(readOnlyRule);
    },
  };
}

/**
 * yoga parses the `variables` and `extensions` of GET and form requests with a bare JSON.parse,
 * so malformed JSON there surfaced as a masked 500; it is a client error, answered 400 as it is
 * for a malformed POST body.
 */
export function useJsonParameterErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (requestParser === undefined) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw badRequest(`A request parameter is not valid JSON: ${error.message}`);
        }
      });
    },
  };
}

/**
 * Refuses a wrong bearer token (401) as soon as the request's parameters are read, before the
 * document is parsed or checked against the limits: a request with a bad token learns only that.
 * The context factory checks the same header again, for requests that reach it.
 */
export function useAuthenticationFirst(contextOptions: ContextOptions): Plugin {
  return {
    onParams({ request }) {
      authorizedView(contextOptions, request.headers.get('authorization'));
    },
  };
}

/**
 * Holds at most `limit` subscriptions open at once: one more is refused with TOO_MANY_SUBSCRIPTIONS
 * (HTTP 503, Retry-After) before its stream starts; a stream that ends, for any reason, frees its place.
 */
export function useSubscriptionLimit(limit: number): Plugin {
  let open = 0;
  return {
    onSubscribe({ setResultAndStopExecution }) {
      if (open >= limit) {
        setResultAndStopExecution({ errors: [tooManySubscriptions(limit)] });
        return;
      }
      return {
        onSubscribeResult({ result }) {
          if (!(Symbol.asyncIterator in result)) return;
          open++;
          return {
            onEnd() {
              open--;
            },
          };
        },
      };
    },
  };
}

/**
 * Answers a request whose variables do not fit the operation with graphql-js's errors, each coded
 * BAD_USER_INPUT: HTTP 400 under `application/graphql-response+json`, 200 under legacy
 * `application/json` (the GraphQL over HTTP rules). graphql-js's messages keep the scalar's reason
 * and the path of an input field, which graphql-jit's drop. Only a result without data is checked,
 * so valid variables are never coerced twice.
 */
export function useVariableErrors(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          if (Symbol.asyncIterator in result || result.data != null || !result.errors?.length) return;
          const definitions = getOperationAST(args.document, args.operationName)?.variableDefinitions ?? [];
          if (definitions.length === 0) return;
          const { errors } = getVariableValues(args.schema, definitions, args.variableValues ?? {}, { maxErrors: 50 });
          if (errors === undefined) return;
          const coded = errors.map(variableRefused);
          setResult(result.extensions === undefined ? { errors: coded } : { errors: coded, extensions: result.extensions });
        },
      };
    },
  };
}

/**
 * Gives every execution error an `extensions.code`: an argument Pothos refuses (a global id of the
 * wrong type) is BAD_USER_INPUT; any other error without a code is INTERNAL_SERVER_ERROR. (Errors
 * raised by our resolvers carry their code already; yoga codes the ones it masks.)
 */
export function useErrorCodes(): Plugin {
  const codeOf = (error: GraphQLError): 'BAD_USER_INPUT' | 'INTERNAL_SERVER_ERROR' =>
    error instanceof PothosValidationError || error.originalError instanceof PothosValidationError
      ? 'BAD_USER_INPUT'
      : 'INTERNAL_SERVER_ERROR';
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result || !result.errors?.some((error) => error.extensions?.code === undefined)) return;
          setResult({
            ...result,
            errors: result.errors.map((error) => (error.extensions?.code === undefined ? withCode(error, codeOf(error)) : error)),
          });
        },
      };
    },
  };
}
