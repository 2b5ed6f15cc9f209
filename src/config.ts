import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_FILE_BYTES, type LoadOptions } from './content/load.js';
import type { WatchMode } from './content/watch.js';
import { DEFAULT_HTTP_CACHE, DEFAULT_RESPONSE_CACHE_BYTES } from './http/http-cache.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_SUBSCRIPTIONS, DEFAULT_QUERY_LIMITS, type QueryLimits } from './http/limits.js';

/** Log levels, most verbose first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The service's configuration: every setting typed, validated and defaulted. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly contentDir: string;
  /** Where the content store keeps records between starts; null (`CACHE_DIR=off`) keeps them on the heap. */
  readonly cacheDir: string | null;
  /** Bearer token that unlocks the preview view (drafts); null disables preview. */
  readonly previewToken: string | null;
  /** Base URL for relative URLs in front matter; null drops them with a warning. */
  readonly siteUrl: string | null;
  readonly logLevel: LogLevel;
  readonly maxFileBytes: number;
  /** Exit non-zero at start when the content has any diagnostic. */
  readonly strict: boolean;
  /** How file changes reach the served corpus: file events (default), a periodic rescan, or not at all. */
  readonly watch: WatchMode;
  /** Limits on each operation, checked before execution. */
  readonly limits: QueryLimits;
  /** Largest request body in bytes; larger ones are answered 413. */
  readonly maxBodyBytes: number;
  /** The most subscriptions open at once; one more is refused (503). */
  readonly maxSubscriptions: number;
  /** Serve Prometheus metrics at `/metrics`. */
  readonly metrics: boolean;
  /** `Cache-Control: max-age` of public GET responses, in seconds. */
  readonly cacheMaxAge: number;
  /** `Cache-Control: stale-while-revalidate` of public GET responses, in seconds. */
  readonly cacheStaleWhileRevalidate: number;
  /** Bound of the server-side response cache in bytes; 0 turns it off. */
  readonly responseCacheBytes: number;
  /** Accept Apollo's automatic persisted queries. */
  readonly apq: boolean;
  /** A graphql-codegen persisted-documents manifest (hash to document) to serve by hash; null for none. */
  readonly persistedDocuments: string | null;
  /** Refuse every document that is not in `persistedDocuments`. */
  readonly persistedDocumentsOnly: boolean;
  /** Serve the schema as an Apollo Federation v2 subgraph (entity keys, `_entities`, `_service`). */
  readonly federation: boolean;
  /** Server processes sharing the port (node:cluster); 1 runs no cluster at all. */
  readonly workers: number;
}

type LimitKey = keyof QueryLimits;
type SettingKey = Exclude<keyof Config, 'limits'> | LimitKey;
type SettingValue<K extends SettingKey> = K extends LimitKey ? number : K extends keyof Config ? Config[K] : never;

/** One setting: its environment variable, its flag, and how to read it. */
interface Setting<K extends SettingKey> {
  readonly key: K;
  readonly env: string;
  readonly flag: string;
  readonly parse: (raw: string) => SettingValue<K>;
}

/** A configuration problem, reported with the variable or flag it came from. */
export class ConfigError extends Error {}

function integer(name: string, min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, found "${raw}"`);
    return value;
  };
}

function nonEmpty(name: string) {
  return (raw: string): string => {
    if (raw.trim() === '') throw new ConfigError(`${name} must not be empty`);
    return raw.trim();
  };
}

function cacheDirectory(name: string) {
  const directory = nonEmpty(name);
  return (raw: string): string | null => (raw.trim().toLowerCase() === 'off' ? null : directory(raw));
}

/** The user's cache directory (XDG_CACHE_HOME, else ~/.cache) for Newsgraph: outside any content directory. */
function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'newsgraph');
}

function httpUrl(name: string) {
  return (raw: string): string => {
    let url: URL | null = null;
    try {
      url = new URL(raw);
    } catch {
      url = null;
    }
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new ConfigError(`${name} must be an absolute http(s) URL, found "${raw}"`);
    return raw;
  };
}

function boolean(name: string) {
  return (raw: string): boolean => {
    const value = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(value)) return false;
    throw new ConfigError(`${name} must be true or false, found "${raw}"`);
  };
}

/** A number of worker processes, or `auto`: one per CPU the process may use (os.availableParallelism). */
function workerCount(name: string) {
  return (raw: string): number => {
    if (raw.trim().toLowerCase() === 'auto') return os.availableParallelism();
    const count = Number(raw);
    if (!Number.isInteger(count) || count < 1 || count > 1024)
      throw new ConfigError(`${name} must be a whole number from 1 to 1024, or auto, found "${raw}"`);
    return count;
  };
}

function watchMode(name: string) {
  return (raw: string): WatchMode => {
    const value = raw.trim().toLowerCase();
    if (['on', 'true', '1', 'yes', 'events'].includes(value)) return 'events';
    if (['off', 'false', '0', 'no'].includes(value)) return 'off';
    if (value === 'poll') return 'poll';
    throw new ConfigError(`${name} must be on, off or poll, found "${raw}"`);
  };
}

const SETTINGS = [
  { key: 'port', env: 'PORT', flag: 'port', parse: integer('PORT', 0, 65535) },
  { key: 'host', env: 'HOST', flag: 'host', parse: nonEmpty('HOST') },
  { key: 'contentDir', env: 'CONTENT_DIR', flag: 'content-dir', parse: nonEmpty('CONTENT_DIR') },
  { key: 'cacheDir', env: 'CACHE_DIR', flag: 'cache-dir', parse: cacheDirectory('CACHE_DIR') },
  { key: 'previewToken', env: 'PREVIEW_TOKEN', flag: 'preview-token', parse: nonEmpty('PREVIEW_TOKEN') },
  { key: 'siteUrl', env: 'SITE_URL', flag: 'site-url', parse: httpUrl('SITE_URL') },
  {
    key: 'logLevel',
    env: 'LOG_LEVEL',
    flag: 'log-level',
    parse: (raw: string): LogLevel => {
      const level = raw.trim().toLowerCase();
      if (!(LOG_LEVELS as readonly string[]).includes(level))
        throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, found "${raw}"`);
      return level as LogLevel;
    },
  },
  { key: 'maxFileBytes', env: 'MAX_FILE_BYTES', flag: 'max-file-bytes', parse: integer('MAX_FILE_BYTES', 1, 1024 * 1024 * 1024) },
  { key: 'strict', env: 'STRICT', flag: 'strict', parse: boolean('STRICT') },
  { key: 'metrics', env: 'METRICS', flag: 'metrics', parse: boolean('METRICS') },
  { key: 'watch', env: 'WATCH', flag: 'watch', parse: watchMode('WATCH') },
  { key: 'maxBodyBytes', env: 'MAX_BODY_BYTES', flag: 'max-body-bytes', parse: integer('MAX_BODY_BYTES', 1_000, 100 * 1024 * 1024) },
  {
    key: 'maxSubscriptions',
    env: 'MAX_SUBSCRIPTIONS',
    flag: 'max-subscriptions',
    parse: integer('MAX_SUBSCRIPTIONS', 0, 1_000_000),
  },
  { key: 'maxTokens', env: 'MAX_TOKENS', flag: 'max-tokens', parse: integer('MAX_TOKENS', 100, 1_000_000) },
  { key: 'maxDepth', env: 'MAX_DEPTH', flag: 'max-depth', parse: integer('MAX_DEPTH', 2, 1_000) },
  { key: 'maxAliases', env: 'MAX_ALIASES', flag: 'max-aliases', parse: integer('MAX_ALIASES', 0, 100_000) },
  { key: 'maxDirectives', env: 'MAX_DIRECTIVES', flag: 'max-directives', parse: integer('MAX_DIRECTIVES', 0, 100_000) },
  { key: 'maxCost', env: 'MAX_COST', flag: 'max-cost', parse: integer('MAX_COST', 1, 100_000_000) },
  { key: 'cacheMaxAge', env: 'CACHE_MAX_AGE', flag: 'cache-max-age', parse: integer('CACHE_MAX_AGE', 0, 31_536_000) },
  {
    key: 'cacheStaleWhileRevalidate',
    env: 'CACHE_STALE_WHILE_REVALIDATE',
    flag: 'cache-stale-while-revalidate',
    parse: integer('CACHE_STALE_WHILE_REVALIDATE', 0, 31_536_000),
  },
  {
    key: 'responseCacheBytes',
    env: 'RESPONSE_CACHE_BYTES',
    flag: 'response-cache-bytes',
    parse: integer('RESPONSE_CACHE_BYTES', 0, 64 * 1024 * 1024 * 1024),
  },
  { key: 'apq', env: 'APQ', flag: 'apq', parse: boolean('APQ') },
  { key: 'persistedDocuments', env: 'PERSISTED_DOCUMENTS', flag: 'persisted-documents', parse: nonEmpty('PERSISTED_DOCUMENTS') },
  {
    key: 'persistedDocumentsOnly',
    env: 'PERSISTED_DOCUMENTS_ONLY',
    flag: 'persisted-documents-only',
    parse: boolean('PERSISTED_DOCUMENTS_ONLY'),
  },
  { key: 'federation', env: 'FEDERATION', flag: 'federation', parse: boolean('FEDERATION') },
  { key: 'workers', env: 'WORKERS', flag: 'workers', parse: workerCount('WORKERS') },
] as const satisfies readonly Setting<SettingKey>[];

const LIMIT_KEYS: readonly string[] = Object.keys(DEFAULT_QUERY_LIMITS);
/** The settings whose flag takes no value (`--strict`): present means true. */
const BOOLEAN_FLAGS: ReadonlySet<string> = new Set(['strict', 'metrics', 'apq', 'persistedDocumentsOnly', 'federation']);
/** The boolean settings that are on by default, each with a `--no-` flag (its key is its flag). */
const NEGATABLE_FLAGS = ['metrics', 'apq'] as const;

/** The defaults: what `npm start` uses with no environment. */
export const DEFAULT_CONFIG: Config = {
  port: 4000,
  host: 'localhost',
  contentDir: 'content',
  cacheDir: defaultCacheDir(),
  previewToken: null,
  siteUrl: null,
  logLevel: 'info',
  maxFileBytes: DEFAULT_MAX_FILE_BYTES,
  strict: false,
  watch: 'events',
  limits: DEFAULT_QUERY_LIMITS,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  maxSubscriptions: DEFAULT_MAX_SUBSCRIPTIONS,
  metrics: true,
  cacheMaxAge: DEFAULT_HTTP_CACHE.maxAgeSeconds,
  cacheStaleWhileRevalidate: DEFAULT_HTTP_CACHE.staleWhileRevalidateSeconds,
  responseCacheBytes: DEFAULT_RESPONSE_CACHE_BYTES,
  apq: true,
  persistedDocuments: null,
  persistedDocumentsOnly: false,
  federation: false,
  workers: 1,
};

/** A command line read: the configuration, and what else a command accepted. */
export interface CommandLine {
  readonly config: Config;
  /** Arguments that are not flags, when the command accepts them. */
  readonly positionals: readonly string[];
  /** True for `--help` / `-h`, when the command accepts it. */
  readonly help: boolean;
}

/** What a command accepts besides the settings' flags. */
export interface CommandLineShape {
  readonly positionals?: boolean;
  readonly help?: boolean;
}

/**
 * Reads the configuration from command-line flags (`--port 4001`), then environment variables
 * (`PORT=4001`), then defaults, for the server and every CLI alike. Throws ConfigError naming the
 * setting for any invalid value, and for an argument the command does not accept.
 */
export function readCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv, shape: CommandLineShape = {}): CommandLine {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(SETTINGS.map((setting) => [setting.flag, { type: BOOLEAN_FLAGS.has(setting.key) ? 'boolean' : 'string' }])),
        // `--no-watch`: the usual spelling of `--watch off`; `--no-metrics` and `--no-apq` turn off what is on by default.
        'no-watch': { type: 'boolean' },
        ...Object.fromEntries(NEGATABLE_FLAGS.map((flag) => [`no-${flag}`, { type: 'boolean' }])),
        ...(shape.help ? { help: { type: 'boolean', short: 'h' } } : {}),
      },
      allowPositionals: shape.positionals ?? false,
      strict: true,
    });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const flags = parsed.values;
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG, cacheDir: defaultCacheDir(env) };
  const limits: Record<string, unknown> = { ...DEFAULT_QUERY_LIMITS };
  for (const setting of SETTINGS) {
    const flag = flags[setting.flag];
    // An empty environment variable counts as unset, as in most shells' `VAR= command` idiom.
    const fromEnv = env[setting.env] === '' ? undefined : env[setting.env];
    const raw = typeof flag === 'boolean' ? String(flag) : (flag ?? fromEnv);
    if (raw !== undefined) (LIMIT_KEYS.includes(setting.key) ? limits : config)[setting.key] = setting.parse(raw);
  }
  if (flags['no-watch'] === true) {
    if (flags.watch !== undefined) throw new ConfigError('--no-watch and --watch cannot be given together');
    config.watch = 'off';
  }
  for (const flag of NEGATABLE_FLAGS) {
    if (flags[`no-${flag}`] !== true) continue;
    if (flags[flag] !== undefined) throw new ConfigError(`--no-${flag} and --${flag} cannot be given together`);
    config[flag] = false;
  }
  if (config.persistedDocumentsOnly === true && config.persistedDocuments === null)
    throw new ConfigError('PERSISTED_DOCUMENTS_ONLY needs PERSISTED_DOCUMENTS: the manifest of the documents to allow');
  return { config: { ...config, limits } as unknown as Config, positionals: parsed.positionals, help: flags.help === true };
}

/** The server's configuration from its command line and environment (readCommandLine, no other arguments). */
export function readConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  return readCommandLine(argv, env).config;
}

/** How the configuration loads a content directory: the same for the server and check-content. */
export function loadOptionsOf(config: Config): LoadOptions {
  return { siteUrl: config.siteUrl, maxFileBytes: config.maxFileBytes, cacheDir: config.cacheDir };
}
