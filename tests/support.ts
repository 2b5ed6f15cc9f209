/**
 * Everything the tests share: where things are, the shared real sample and whether it is there,
 * temporary content directories, an independent reading of front matter (js-yaml alone) to check
 * the loader against, in-process servers with the graphql-jit/graphql-js parity check, and server
 * processes started as `npm start` starts them, with a request helper for their real port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { afterAll, expect } from 'vitest';
import type { Corpus } from '../src/content/corpus.js';
import { DEFAULT_FRONT_MATTER_LIMITS } from '../src/content/front-matter.js';
import { LiveCorpus } from '../src/content/live.js';
import { DEFAULT_MAX_FILE_BYTES, type LoadResult, loadCorpus } from '../src/content/load.js';
import type { Article } from '../src/content/model.js';
import { StoredArticle } from '../src/content/stored-article.js';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../src/http/limits.js';
import { createServer, type NewsgraphServer, type ServerOptions } from '../src/http/server.js';

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

/** The project root. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The shared real-world sample (220 files), beside the project as in CI. */
export const SAMPLE_CORPUS = path.resolve(PROJECT_ROOT, '../shared/corpus/everyday-ai');
/** The founding example: one file, beside the project with the sample. */
export const SEED_CORPUS = path.resolve(PROJECT_ROOT, '../shared/corpus/seed');
/** The project's own sample articles. */
export const CONTENT_DIR = path.resolve(PROJECT_ROOT, 'content');
/** Small fixtures, one per edge case. */
export const FIXTURES = path.resolve(PROJECT_ROOT, 'tests/fixtures');
/** The hostile fixtures: one file per way a content file can be wrong or dangerous. */
export const HOSTILE_FIXTURES = path.join(FIXTURES, 'hostile');

// ---------------------------------------------------------------------------------------------
// The shared real sample
// ---------------------------------------------------------------------------------------------

/** Set to 1 (as CI does) to make a missing shared sample a failure instead of a skip. */
const REQUIRE_SHARED_CORPUS_VARIABLE = 'NEWSGRAPH_REQUIRE_SHARED_CORPUS';

let sharedCorpusReported = false;

/**
 * Whether the shared real sample (../shared/corpus/everyday-ai and ../shared/corpus/seed) is
 * beside the project: tests over SAMPLE_CORPUS or SEED_CORPUS run only then
 * (`describe.skipIf(!sharedCorpus)`). When it is missing, logs once why those tests are skipped;
 * with NEWSGRAPH_REQUIRE_SHARED_CORPUS=1 it throws that message instead, so CI never skips them.
 */
export function requireSharedCorpus(): boolean {
  const missing = [
    [SAMPLE_CORPUS, 'the shared real sample'],
    [SEED_CORPUS, 'the shared seed'],
  ].filter(([directory]) => !existsSync(directory!));
  if (missing.length === 0) return true;
  const what = missing.map(([directory, name]) => `${path.relative(PROJECT_ROOT, directory!)} not found (${name})`).join(', ');
  if (process.env[REQUIRE_SHARED_CORPUS_VARIABLE] === '1') {
    throw new Error(`${what}, and ${REQUIRE_SHARED_CORPUS_VARIABLE}=1 requires it`);
  }
  if (!sharedCorpusReported) {
    sharedCorpusReported = true;
    console.warn(`skipping: ${what}`);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Temporary directories
// ---------------------------------------------------------------------------------------------

const temporaryDirectories: string[] = [];
afterAll(() => {
  for (const directory of temporaryDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** A fresh, empty directory under the OS temp directory, removed after the test file's tests. */
export function createTempDirectory(prefix = 'newsgraph-test-'): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), prefix));
  temporaryDirectories.push(directory);
  return directory;
}

/** One entry of a temporary corpus: text, bytes, or a symbolic link to `symlink` (kept as given). */
export type TempEntry = string | Uint8Array | { readonly symlink: string };

/**
 * A temporary content directory holding `files` (relative path -> content; parent folders are
 * created), removed after the test file's tests.
 */
export function createTempCorpus(files: Readonly<Record<string, TempEntry>> = {}, prefix = 'newsgraph-corpus-'): string {
  const directory = createTempDirectory(prefix);
  for (const [relativePath, entry] of Object.entries(files)) {
    const target = path.join(directory, relativePath);
    mkdirSync(path.dirname(target), { recursive: true });
    if (typeof entry === 'object' && 'symlink' in entry) symlinkSync(entry.symlink, target);
    else writeFileSync(target, entry);
  }
  return directory;
}

/** The bytes of a hostile fixture, by file name. */
export function hostileFixture(name: string): Buffer {
  return readFileSync(path.join(HOSTILE_FIXTURES, name));
}

/**
 * The hostile fixtures with executable front matter (`---js` and kin): each sets `global` to
 * `value` if anything evaluates it. Its first line is `firstLine`.
 */
export const EXECUTABLE_FIXTURES = [
  { file: 'js-front-matter.md', global: '__newsgraphPwnedJs', firstLine: '---js', value: 'js' },
  { file: 'javascript-front-matter.md', global: '__newsgraphPwnedJavascript', firstLine: '---javascript', value: 'javascript' },
  { file: 'uppercase-js-front-matter.md', global: '__newsgraphPwnedUppercaseJs', firstLine: '---JS', value: 'JS' },
  { file: 'bom-js-front-matter.md', global: '__newsgraphPwnedBomJs', firstLine: '---js', value: 'bom-js' },
] as const;

/** The global object as a record, to look for what executable front matter would set. */
export const globals = globalThis as unknown as Record<string, unknown>;

/** A temporary corpus holding copies of these hostile fixtures, under `folder` when given. */
export function hostileCorpus(names: readonly string[], folder = ''): string {
  return createTempCorpus(
    Object.fromEntries(names.map((name) => [path.posix.join(folder, name), hostileFixture(name)])),
    'newsgraph-hostile-',
  );
}

/** Copies the chosen hostile fixtures into a fresh content directory and loads it. */
export function loadFixtures(names: readonly string[]): Promise<LoadResult> {
  return loadCorpus(hostileCorpus(names));
}

/** The article with this slug in the preview view of a load; throws when there is none. */
export function previewArticle(result: LoadResult, slug: string): Article {
  const article = result.corpus.preview.articleBySlug(slug);
  if (article === undefined) throw new Error(`expected the article ${slug} in the preview view`);
  return recordOf(article);
}

/** The full record of a corpus article, as plain data (a corpus article reads most fields from it). */
export function recordOf(article: Article): Article {
  return article instanceof StoredArticle ? article.record() : article;
}

/** Everything a load produces that the API serves, with each view's order. */
export function servedContent(result: Pick<LoadResult, 'corpus'>) {
  const { corpus } = result;
  return {
    diagnostics: corpus.diagnostics,
    views: [corpus.public, corpus.preview].map((view) => ({
      articles: view.articles.map(recordOf),
      providers: view.providers.map((provider) => ({ ...provider, articles: provider.articles.toArray().map((article) => article.slug) })),
      topics: view.topics,
      stats: view.stats,
      maxima: view.maxima,
      related: view.articles.map((article) => view.articlesByRelatedEntries(article.related).map((target) => target?.slug ?? null)),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// The independent front-matter oracle
// ---------------------------------------------------------------------------------------------

/** A corpus where one word gives long runs of equal scores: 30 articles with the same title, 10 with it said twice, 5 without it. */
export function tiedScoresCorpus(): string {
  const files: Record<string, string> = {};
  for (let at = 0; at < 45; at++) {
    const title = at < 30 ? 'Quokka sighting' : at < 40 ? 'Quokka quokka sighting' : 'Wombat sighting';
    // Dates in another order than the names: the index holds articles newest first, so ties do not come back by slug.
    const day = String(1 + ((at * 7) % 28)).padStart(2, '0');
    files[`tie-${String(at).padStart(2, '0')}.md`] =
      `---\ntitle: ${title}\npublishedDateTime: 2024-0${1 + (at % 3)}-${day}T00:00:00Z\n---\n`;
  }
  return createTempCorpus(files, 'newsgraph-ties-');
}

/** One content file as a plain YAML reading sees it: its front matter and Markdown body. */
export interface RawFile {
  /** The file name, e.g. `2024-01-02-story.md`. */
  readonly name: string;
  /** The file name without `.md`. */
  readonly slug: string;
  readonly data: Record<string, any>;
  readonly body: string;
}

/** Reads every `*.md` file of a flat directory, sorted by name, with js-yaml alone: no help from the loader under test. */
export function readRawFiles(directory: string): RawFile[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => {
      const text = readFileSync(path.join(directory, name), 'utf8');
      const [, frontMatter = '', ...rest] = text.split(/^---$/m);
      return {
        name,
        slug: name.slice(0, -'.md'.length),
        data: (yaml.load(frontMatter) ?? {}) as Record<string, any>,
        body: rest.join('---'),
      };
    });
}

/** One content file's article fields as a plain YAML reading sees them. */
export interface RawArticle {
  /** The file name, e.g. `2024-01-02-story.md`: the article's source path in a flat directory. */
  file: string;
  slug: string;
  title: string;
  excerpt: string | null;
  published: boolean;
  publishedTime: number | null;
  quality: number | null;
  heat: number | null;
  category: string | null;
  type: string | null;
  domain: string | null;
  topics: string[];
  imageCount: number;
  webUrl: string | null;
  ampWebUrl: string | null;
  related: { title: string; webUrl: string | null; ampWebUrl: string | null }[];
}

/** Reads every `*.md` file of a flat directory with js-yaml alone (readRawFiles), as articles, for cross-checks. */
export function readRawArticles(directory: string): RawArticle[] {
  return readRawFiles(directory).map(({ name, slug, data }) => {
    // js-yaml reads unquoted timestamps as Dates, quoted ones as strings: `new Date` takes both.
    const date = data.publishedDateTime === undefined ? null : new Date(data.publishedDateTime).getTime();
    return {
      file: name,
      slug,
      title: data.title,
      excerpt: data.excerpt ?? null,
      published: data.published !== false,
      publishedTime: date,
      quality: typeof data.quality === 'number' ? data.quality : null,
      heat: typeof data.heat === 'number' && data.heat !== -1 ? data.heat : null,
      category: data.category ?? null,
      type: data.type ?? null,
      domain: data.provider?.domain?.replace(/^www\./, '').toLowerCase() ?? null,
      topics: data.topics ?? [],
      imageCount: (data.images ?? []).length,
      webUrl: data.webUrl ?? null,
      ampWebUrl: data.ampWebUrl ?? null,
      related: (data.related ?? []).map((entry: any) => ({
        title: entry.title,
        webUrl: entry.webUrl ?? null,
        ampWebUrl: entry.ampWebUrl ?? null,
      })),
    };
  });
}

/** Sorts by a key (nulls last) in a direction, ties by slug ascending. */
export function sortRaw(
  articles: RawArticle[],
  key: (article: RawArticle) => number | string | null,
  direction: 'ASC' | 'DESC',
): RawArticle[] {
  return [...articles].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      const base = typeof x === 'string' ? x.localeCompare(y as string, 'en', { sensitivity: 'base', numeric: true }) : x - (y as number);
      if (base !== 0) return direction === 'ASC' ? base : -base;
    }
    return a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0;
  });
}

/** Articles per key, most first, ties by key: the order of providers and topics, counted independently. */
export function countBy(keys: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** Newest first, ties by slug: the default order of every article list. */
export function newestFirst(articles: RawArticle[]): RawArticle[] {
  return sortRaw(articles, (article) => article.publishedTime, 'DESC');
}

// ---------------------------------------------------------------------------------------------
// In-process servers
// ---------------------------------------------------------------------------------------------

/** The preview token the test servers use. */
export const PREVIEW_TOKEN = 'test-preview-token';

/** A GraphQL response as the tests read it. */
export interface GraphQLResponse<TData = any> {
  status: number;
  headers: Headers;
  body: {
    data?: TData;
    errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
    extensions?: Record<string, any>;
  };
}

const corpora = new Map<string, Promise<Corpus>>();

/** Loads a content directory once per test file and shares the (immutable) corpus. */
export function corpusOf(directory: string): Promise<Corpus> {
  let corpus = corpora.get(directory);
  if (corpus === undefined) {
    corpus = loadCorpus(directory).then((result) => result.corpus);
    corpora.set(directory, corpus);
  }
  return corpus;
}

/** Limits high enough for tests whose point is not the limits (whole-corpus queries). */
export const GENEROUS_LIMITS: QueryLimits = { ...DEFAULT_QUERY_LIMITS, maxCost: 100_000_000 };

/** Each JIT server's twin executing with graphql-js, for the parity check in `execute`. */
const graphqlJsTwins = new WeakMap<NewsgraphServer, NewsgraphServer>();

/**
 * An in-process server over a content directory, reporting batch calls, with preview enabled,
 * executing through graphql-jit as shipped. `execute` sends every request to a graphql-js twin too
 * and fails the test when the two answers differ.
 */
export async function serverOf(directory: string, options: Partial<ServerOptions> = {}): Promise<NewsgraphServer> {
  const serverOptions: ServerOptions = {
    corpus: await corpusOf(directory),
    previewToken: PREVIEW_TOKEN,
    reportBatchCalls: true,
    ...options,
  };
  const server = createServer(serverOptions);
  if (serverOptions.jit !== false) graphqlJsTwins.set(server, createServer({ ...serverOptions, jit: false }));
  return server;
}

/**
 * A live corpus over a fresh copy of `content/`: edit the files under `root`, then `live.apply(names)`.
 * Loaded with a content store in a fresh cache directory when `withStore`; files are read as soon
 * as they are written unless `settleMs` says otherwise ('default': the live corpus' own).
 */
export async function liveContentCopy(
  options: { withStore?: boolean; settleMs?: number | 'default' } = {},
): Promise<{ root: string; live: LiveCorpus }> {
  const root = createTempDirectory('newsgraph-live-');
  cpSync(CONTENT_DIR, root, { recursive: true });
  const loaded = await loadCorpus(root, { cacheDir: options.withStore === true ? createTempDirectory('newsgraph-live-cache-') : null });
  const live = new LiveCorpus(loaded.corpus, loaded.content, {
    root,
    maxFileBytes: DEFAULT_MAX_FILE_BYTES,
    parseSettings: { siteUrl: null, frontMatterLimits: DEFAULT_FRONT_MATTER_LIMITS },
    settleMs: options.settleMs === 'default' ? undefined : (options.settleMs ?? 0),
  });
  return { root, live };
}

/** Runs one GraphQL document through `yoga.fetch`, as a client would over HTTP (POST, JSON). */
export async function execute<TData = any>(
  yoga: NewsgraphServer,
  query: string,
  variables: Record<string, unknown> = {},
  options: { preview?: boolean; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<TData>> {
  const send = async (server: NewsgraphServer): Promise<GraphQLResponse<TData>> => {
    const response = await server.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(options.preview ? { authorization: `Bearer ${PREVIEW_TOKEN}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
  const result = await send(yoga);
  const twin = graphqlJsTwins.get(yoga);
  if (twin !== undefined) {
    const reference = await send(twin);
    expect({ status: result.status, body: result.body }, 'graphql-jit and graphql-js must answer alike').toEqual({
      status: reference.status,
      body: reference.body,
    });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Server processes
// ---------------------------------------------------------------------------------------------

/** A server process started with `npm start`'s entry point on an ephemeral port. */
export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  readonly process: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** How `npm start` runs the server once built (tests/global-setup.ts builds dist/). */
export const SERVER_ARGS = ['--enable-source-maps', path.join(PROJECT_ROOT, 'dist/main.mjs')];

/**
 * Starts the built server (dist/main.mjs) as a child process on 127.0.0.1 with an ephemeral port
 * and resolves once it logs the URL it serves; rejects if it exits first or takes longer than `timeoutMs`.
 */
export async function startServerProcess(env: Record<string, string> = {}, timeoutMs = 20_000): Promise<RunningServer> {
  const child = spawn(process.execPath, SERVER_ARGS, {
    cwd: PROJECT_ROOT,
    // Each server keeps its parse cache in a directory of its own unless the test names one.
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', CACHE_DIR: createTempDirectory('newsgraph-cache-'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const record = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout!.on('data', record);
  child.stderr!.on('data', record);
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = () => {
      const match = /serving GraphQL and GraphiQL at http:\/\/[^:]+:(\d+)\/graphql/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before serving:\n${output}`));
    });
  });
  return {
    origin,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
  };
}

/** POSTs a GraphQL document (JSON) to a running server's real port, with the preview token when asked. */
export async function post(
  origin: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: { preview?: boolean } = {},
): Promise<{ status: number; body: GraphQLResponse['body'] }> {
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.preview ? { authorization: `Bearer ${PREVIEW_TOKEN}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

// ---------------------------------------------------------------------------------------------
// Chromium, for the browser tests
// ---------------------------------------------------------------------------------------------

/** The Chromium to drive: CHROMIUM_PATH if set, else Debian's /usr/bin/chromium; null if missing. */
export function findChromium(): string | null {
  const candidate = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return existsSync(candidate) ? candidate : null;
}

/** Chromium's flags for a headless test run in a container, offline. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---------------------------------------------------------------------------------------------
// Processes as Linux shows them (/proc)
// ---------------------------------------------------------------------------------------------

/** Whether this platform shows processes' memory, descriptors and inotify watches under /proc (Linux). */
export const HAS_PROC = existsSync('/proc/self/status') && existsSync('/proc/self/fdinfo');

/** The resident memory of a process now (VmRSS), or the most it has had (VmHWM), in bytes. */
export function residentBytes(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const kilobytes = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kilobytes === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kilobytes) * 1024;
}

/** The open file descriptors of a process: how many, and what each points at (`socket:[...]`, `anon_inode:inotify`, a path). */
export function openDescriptors(pid: number): { count: number; targets: string[] } {
  const targets: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      targets.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // Closed between the listing and the read.
    }
  }
  return { count: targets.length, targets: targets.sort() };
}
