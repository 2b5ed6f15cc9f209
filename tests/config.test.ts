import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, loadOptionsOf, readCommandLine, readConfig } from '../src/config.js';
import { DEFAULT_MAX_FILE_BYTES } from '../src/content/load.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_QUERY_LIMITS } from '../src/http/limits.js';

/** The message of the ConfigError reading these arguments throws; fails the test when nothing is thrown. */
function configError(argv: string[], env: NodeJS.ProcessEnv = {}, shape = {}): string {
  try {
    readCommandLine(argv, env, shape);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify({ argv, env })}`);
}

describe('readConfig', () => {
  it('should give the defaults with no flags and no environment', () => {
    expect(readConfig([], {})).toEqual({
      port: 4000,
      host: 'localhost',
      contentDir: 'content',
      previewToken: null,
      siteUrl: null,
      logLevel: 'info',
      maxFileBytes: DEFAULT_MAX_FILE_BYTES,
      strict: false,
      watch: 'events',
      limits: DEFAULT_QUERY_LIMITS,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      maxSubscriptions: 1_000,
      metrics: true,
      cacheMaxAge: 60,
      cacheStaleWhileRevalidate: 300,
      responseCacheBytes: 64 * 1024 * 1024,
      apq: true,
      persistedDocuments: null,
      persistedDocumentsOnly: false,
      workers: 1,
      federation: false,
      cacheDir: path.join(os.homedir(), '.cache', 'newsgraph'),
    });
    expect(readConfig([], { HOME: os.homedir() })).toEqual(DEFAULT_CONFIG);
  });

  it('should read every setting from its environment variable', () => {
    const config = readConfig([], {
      PORT: '4001',
      HOST: ' 0.0.0.0 ',
      CONTENT_DIR: '/srv/news',
      CACHE_DIR: '/var/cache/news',
      PREVIEW_TOKEN: 'secret',
      SITE_URL: 'https://example.org/ai',
      LOG_LEVEL: 'WARN',
      MAX_FILE_BYTES: '2048',
      STRICT: 'yes',
      WATCH: 'Poll',
      MAX_BODY_BYTES: '5000',
      MAX_SUBSCRIPTIONS: '7',
      METRICS: 'off',
      CACHE_MAX_AGE: '5',
      CACHE_STALE_WHILE_REVALIDATE: '0',
      RESPONSE_CACHE_BYTES: '0',
      APQ: 'no',
      PERSISTED_DOCUMENTS: 'manifest.json',
      PERSISTED_DOCUMENTS_ONLY: 'true',
      MAX_TOKENS: '500',
      MAX_DEPTH: '5',
      MAX_ALIASES: '3',
      MAX_DIRECTIVES: '4',
      MAX_COST: '1000',
      WORKERS: '3',
    });
    expect(config).toEqual({
      port: 4001,
      host: '0.0.0.0',
      contentDir: '/srv/news',
      cacheDir: '/var/cache/news',
      previewToken: 'secret',
      siteUrl: 'https://example.org/ai',
      logLevel: 'warn',
      maxFileBytes: 2048,
      strict: true,
      watch: 'poll',
      limits: { maxTokens: 500, maxDepth: 5, maxAliases: 3, maxDirectives: 4, maxCost: 1000 },
      maxBodyBytes: 5000,
      maxSubscriptions: 7,
      metrics: false,
      cacheMaxAge: 5,
      cacheStaleWhileRevalidate: 0,
      responseCacheBytes: 0,
      apq: false,
      persistedDocuments: 'manifest.json',
      persistedDocumentsOnly: true,
      workers: 3,
      federation: false,
    });
  });

  it('should let a flag beat the environment, and the environment beat the default', () => {
    const config = readConfig(['--port', '4002', '--max-cost', '50'], { PORT: '4001', HOST: 'example.local', MAX_COST: '60' });
    expect([config.port, config.host, config.limits.maxCost, config.contentDir]).toEqual([4002, 'example.local', 50, 'content']);
  });

  it('should read --strict as a boolean flag that beats STRICT', () => {
    expect(readConfig(['--strict'], { STRICT: 'false' }).strict).toBe(true);
    expect(readConfig([], { STRICT: 'on' }).strict).toBe(true);
    expect(readConfig([], { STRICT: 'off' }).strict).toBe(false);
  });

  it('should read METRICS, --metrics and --no-metrics, on by default', () => {
    expect(readConfig([], {}).metrics).toBe(true);
    expect(readConfig([], { METRICS: 'no' }).metrics).toBe(false);
    expect(readConfig(['--metrics'], { METRICS: 'off' }).metrics).toBe(true);
    expect(readConfig(['--no-metrics'], { METRICS: 'on' }).metrics).toBe(false);
    expect(configError(['--no-metrics', '--metrics'])).toBe('--no-metrics and --metrics cannot be given together');
  });

  it('should read APQ and --no-apq, and refuse PERSISTED_DOCUMENTS_ONLY without a manifest', () => {
    expect(readConfig(['--no-apq'], { APQ: 'on' }).apq).toBe(false);
    expect(readConfig(['--persisted-documents', 'm.json', '--persisted-documents-only'], {})).toMatchObject({
      persistedDocuments: 'm.json',
      persistedDocumentsOnly: true,
    });
    expect(configError([], { PERSISTED_DOCUMENTS_ONLY: 'true' })).toBe(
      'PERSISTED_DOCUMENTS_ONLY needs PERSISTED_DOCUMENTS: the manifest of the documents to allow',
    );
  });

  it('should read WATCH, --watch and --no-watch', () => {
    expect(readConfig([], { WATCH: 'off' }).watch).toBe('off');
    expect(readConfig([], { WATCH: 'on' }).watch).toBe('events');
    expect(readConfig(['--watch', 'poll'], { WATCH: 'off' }).watch).toBe('poll');
    expect(readConfig(['--no-watch'], { WATCH: 'poll' }).watch).toBe('off');
    expect(configError(['--no-watch', '--watch', 'on'])).toBe('--no-watch and --watch cannot be given together');
  });

  it('should read WORKERS and --workers: a count from 1, or auto for one per CPU', () => {
    expect(readConfig([], {}).workers).toBe(1);
    expect(readConfig([], { WORKERS: '2' }).workers).toBe(2);
    expect(readConfig(['--workers', '4'], { WORKERS: '2' }).workers).toBe(4);
    expect(readConfig([], { WORKERS: 'auto' }).workers).toBe(os.availableParallelism());
    expect(readConfig(['--workers', ' Auto '], {}).workers).toBe(os.availableParallelism());
  });

  it('should count an empty environment variable as unset', () => {
    expect(readConfig([], { PORT: '', PREVIEW_TOKEN: '', SITE_URL: '', STRICT: '', METRICS: '' })).toEqual(DEFAULT_CONFIG);
  });
});

describe('readCommandLine validation', () => {
  it.each([
    ['PORT', { PORT: 'forty' }, 'PORT must be a whole number from 0 to 65535, found "forty"'],
    ['PORT out of range', { PORT: '65536' }, 'PORT must be a whole number from 0 to 65535, found "65536"'],
    ['HOST', { HOST: '   ' }, 'HOST must not be empty'],
    ['CONTENT_DIR', { CONTENT_DIR: ' ' }, 'CONTENT_DIR must not be empty'],
    ['PREVIEW_TOKEN', { PREVIEW_TOKEN: '  ' }, 'PREVIEW_TOKEN must not be empty'],
    ['SITE_URL', { SITE_URL: 'ftp://example.org' }, 'SITE_URL must be an absolute http(s) URL, found "ftp://example.org"'],
    ['SITE_URL relative', { SITE_URL: '/ai' }, 'SITE_URL must be an absolute http(s) URL, found "/ai"'],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of debug, info, warn, error, silent, found "loud"'],
    ['MAX_FILE_BYTES', { MAX_FILE_BYTES: '0' }, 'MAX_FILE_BYTES must be a whole number from 1 to 1073741824, found "0"'],
    ['STRICT', { STRICT: 'maybe' }, 'STRICT must be true or false, found "maybe"'],
    ['METRICS', { METRICS: 'maybe' }, 'METRICS must be true or false, found "maybe"'],
    ['WATCH', { WATCH: 'sometimes' }, 'WATCH must be on, off or poll, found "sometimes"'],
    ['MAX_BODY_BYTES', { MAX_BODY_BYTES: '999' }, 'MAX_BODY_BYTES must be a whole number from 1000 to 104857600, found "999"'],
    ['MAX_TOKENS', { MAX_TOKENS: '1.5' }, 'MAX_TOKENS must be a whole number from 100 to 1000000, found "1.5"'],
    ['MAX_DEPTH', { MAX_DEPTH: '1' }, 'MAX_DEPTH must be a whole number from 2 to 1000, found "1"'],
    ['MAX_ALIASES', { MAX_ALIASES: '-1' }, 'MAX_ALIASES must be a whole number from 0 to 100000, found "-1"'],
    ['MAX_DIRECTIVES', { MAX_DIRECTIVES: 'x' }, 'MAX_DIRECTIVES must be a whole number from 0 to 100000, found "x"'],
    ['MAX_COST', { MAX_COST: '100000001' }, 'MAX_COST must be a whole number from 1 to 100000000, found "100000001"'],
    ['WORKERS', { WORKERS: 'abc' }, 'WORKERS must be a whole number from 1 to 1024, or auto, found "abc"'],
    ['WORKERS zero', { WORKERS: '0' }, 'WORKERS must be a whole number from 1 to 1024, or auto, found "0"'],
    ['WORKERS fractional', { WORKERS: '1.5' }, 'WORKERS must be a whole number from 1 to 1024, or auto, found "1.5"'],
  ])('should refuse an invalid %s, naming the setting', (_name, env, message) => {
    expect(configError([], env)).toBe(message);
  });

  it('should name the setting for an invalid flag value too', () => {
    expect(configError(['--port', 'x'])).toBe('PORT must be a whole number from 0 to 65535, found "x"');
  });

  it.each([
    ['an unknown flag', ['--colour', 'red']],
    ['a flag without its value', ['--port']],
    ['a positional where none is accepted', ['content']],
    ['--help where it is not accepted', ['--help']],
  ])('should refuse %s with a ConfigError', (_name, argv) => {
    expect(configError(argv).length).toBeGreaterThan(0);
  });

  it('should accept positionals and --help / -h only where the command accepts them', () => {
    expect(readCommandLine(['content', '--strict', 'more'], {}, { positionals: true })).toMatchObject({
      positionals: ['content', 'more'],
      help: false,
      config: { strict: true },
    });
    expect(readCommandLine(['--help'], {}, { help: true }).help).toBe(true);
    expect(readCommandLine(['-h'], {}, { help: true }).help).toBe(true);
    expect(readCommandLine([], {}, { help: true, positionals: true })).toEqual({ config: DEFAULT_CONFIG, positionals: [], help: false });
  });
});

describe('loadOptionsOf', () => {
  it('should take the site URL and file size cap from the configuration', () => {
    expect(loadOptionsOf(DEFAULT_CONFIG)).toEqual({
      siteUrl: null,
      maxFileBytes: DEFAULT_MAX_FILE_BYTES,
      cacheDir: DEFAULT_CONFIG.cacheDir,
    });
    expect(loadOptionsOf(readConfig(['--site-url', 'https://example.org', '--max-file-bytes', '10', '--cache-dir', 'off'], {}))).toEqual({
      siteUrl: 'https://example.org',
      maxFileBytes: 10,
      cacheDir: null,
    });
  });

  it.each([
    [{}, path.join(os.homedir(), '.cache', 'newsgraph')],
    [{ XDG_CACHE_HOME: '/home/me/.caches' }, '/home/me/.caches/newsgraph'],
    [{ CACHE_DIR: ' /tmp/newsgraph-cache ' }, '/tmp/newsgraph-cache'],
    [{ CACHE_DIR: 'OFF' }, null],
  ])('should keep the parse cache, with %j, in %s', (env, cacheDir) => {
    expect(readConfig([], env).cacheDir).toBe(cacheDir);
  });
});
