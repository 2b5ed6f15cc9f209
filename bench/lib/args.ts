/** Reading the benchmarks' command-line flags. */

/** The value after `--name` in `args`, or undefined when the flag is absent; throws when it has no value. */
export function flagValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const found = args[index + 1];
  if (found === undefined || found.startsWith('--')) throw new Error(`${name} needs a value`);
  return found;
}

/** A positive number written with optional `_` separators (`100_000`); throws naming the flag otherwise. */
export function positiveNumber(text: string, name: string, { integer = true } = {}): number {
  const number = Number(text.replace(/_/g, ''));
  if (!(number > 0) || (integer && !Number.isInteger(number))) {
    throw new Error(`${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(text)}`);
  }
  return number;
}

/** The `parseArgs` options of a benchmark that loads a server over HTTP (bench/http.ts, bench/http-cache.ts). */
export const LOAD_RUN_FLAGS = {
  quick: { type: 'boolean', default: false },
  corpus: { type: 'string' },
  seed: { type: 'string' },
  warmup: { type: 'string' },
  duration: { type: 'string' },
  repetitions: { type: 'string' },
  connections: { type: 'string' },
} as const;
