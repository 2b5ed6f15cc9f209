import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { generateCorpus, mulberry32 } from '../bench/generate.js';
import { inotifyWatches } from '../bench/lib/proc.js';
import {
  createTempDirectory,
  HAS_PROC,
  openDescriptors,
  PREVIEW_TOKEN,
  type RunningServer,
  residentBytes,
  startServerProcess,
} from './support.js';

/**
 * A soak of the built server process (`npm start`): 200 generated articles served under HTTP load
 * while a churn loop changes, renames, adds and deletes files, and adds and removes folders, every
 * 50 ms: 8 s of warm-up, then 17 s measured (longer in the benchmark: SOAK_MS). No request may fail, no response may mix two versions
 * of the content, and once the churn stops the server must serve exactly the files on disk, with
 * its descriptors and inotify watches back to where they were and its memory within a bound of
 * where it was after the warm-up.
 */

const ARTICLES = 200;
const CHURN_EVERY_MS = 50;
/**
 * The measured part: 17 s in `npm test`; `SOAK_SECONDS` stretches it (`npm run bench` runs 300 s),
 * with a warm-up of a fifth of it (at least 8 s).
 */
const SOAK_MS = Number(process.env.SOAK_SECONDS ?? 17) * 1_000;
const WARM_UP_MS = Math.max(8_000, SOAK_MS / 5);
/** The warm-up, the soak, and the server's start, settling and stop. */
const TIMEOUT_MS = WARM_UP_MS + SOAK_MS + 95_000;
vi.setConfig({ testTimeout: TIMEOUT_MS });
/** The target for RSS once the churn stops, reported (the test asserts RSS_GROWTH_BOUND, which a short run needs). */
const RSS_TARGET_GROWTH = 0.1;
const LOAD_LOOPS = 3;
/** Date ranges the query splits the articles into, each small enough for one page of 100. */
const BUCKETS = 4;
/** Churn folders kept at once; older ones are removed with their files. */
const FOLDERS_KEPT = 2;
/**
 * How much the server's RSS may grow from the end of the warm-up to the end of the soak. Without a
 * leak it grew by -1% to +38% over 30 runs, 8 of them beside busy processes (155-231 MB after the
 * warm-up, 175-258 MB after the soak; longer runs level off at 255-260 MB after 60-90 s): V8 keeps
 * growing its heap for the first half minute of such a load and gives little back. The bound
 * (270-400 MB) lies 10-140 MB above where it levels off, depending on where the warm-up left it: a
 * leak of that much over the soak (about 200 versions, 10,000 requests) fails it.
 */
const RSS_GROWTH_BOUND = 0.75;

if (!HAS_PROC)
  console.warn('skipping the soak test: it reads memory, descriptors and inotify watches from /proc, which this platform lacks');

/** Every `.md` file under `root`, relative with `/`. */
function contentFiles(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.md'))
    .map((name) => name.split(path.sep).join('/'))
    .sort();
}

/** The publication time in the front matter of a generated file, in ms. */
function publishedTime(text: string): number {
  const match = /^publishedDateTime: (\S+)$/m.exec(text);
  if (match === null) throw new Error('a generated file without publishedDateTime');
  return Date.parse(match[1]!);
}

/**
 * Instants that split `times` into BUCKETS ranges of about equal size, each halfway between two
 * different times, so no article sits on a boundary (the filters are strict).
 */
function bucketBoundaries(times: readonly number[]): string[] {
  const sorted = [...times].sort((a, b) => a - b);
  const boundaries: string[] = [];
  for (let bucket = 1; bucket < BUCKETS; bucket++) {
    let index = Math.floor((bucket * sorted.length) / BUCKETS);
    while (index < sorted.length - 1 && sorted[index - 1] === sorted[index]) index++;
    boundaries.push(new Date((sorted[index - 1]! + sorted[index]!) / 2).toISOString());
  }
  return boundaries;
}

/**
 * One document that reads the version and the whole list of articles in one request: the total,
 * and each date range as one page (`field` of each node).
 */
function wholeListQuery(boundaries: readonly string[], field: 'id' | 'slug'): string {
  const ranges = Array.from({ length: BUCKETS }, (_, bucket) => {
    const conditions = [
      bucket > 0 ? `publishedAfter: "${boundaries[bucket - 1]}"` : '',
      bucket < BUCKETS - 1 ? `publishedBefore: "${boundaries[bucket]}"` : '',
    ].filter(Boolean);
    return `b${bucket}: articles(first: 100, filter: { ${conditions.join(', ')} }) { totalCount nodes { ${field} } }`;
  });
  return `{ contentHealth { version } all: articles(first: 0) { totalCount } ${ranges.join(' ')} }`;
}

/** One date range of a whole-list response. */
interface DateRange {
  readonly totalCount: number;
  readonly nodes: readonly Record<string, string>[];
}

/** A whole-list response as the checks read it. */
interface WholeList {
  readonly contentHealth: { readonly version: string };
  readonly all: { readonly totalCount: number };
  readonly [range: `b${number}`]: DateRange;
}

/** The ranges' nodes of a whole-list response (one `field` each), or why they do not add up to the whole list. */
function wholeListValues(data: WholeList, field: 'id' | 'slug'): { values: string[] } | { problem: string } {
  const values: string[] = [];
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    const range: DateRange | undefined = data[`b${bucket}`];
    if (range === undefined) return { problem: `range ${bucket} is missing` };
    if (range.nodes.length !== range.totalCount) return { problem: `range ${bucket}: ${range.nodes.length} nodes of ${range.totalCount}` };
    values.push(...range.nodes.map((node) => node[field]!));
  }
  if (values.length !== data.all.totalCount)
    return { problem: `the ranges hold ${values.length} articles, the total is ${data.all.totalCount}` };
  if (new Set(values).size !== values.length) return { problem: 'an article is in two ranges' };
  return { values: values.sort() };
}

/** POSTs a GraphQL document with the preview token through `agent` (a fresh connection, closed after, without one). */
function postGraphQL(origin: string, query: string, agent?: Agent): Promise<{ status: number; text: string }> {
  const body = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${origin}/graphql`,
      {
        method: 'POST',
        agent: agent ?? false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${PREVIEW_TOKEN}`,
          ...(agent === undefined ? { connection: 'close' } : {}),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** What the load loops saw. */
interface LoadRecord {
  requests: number;
  /** Requests that did not answer 200 with data and no errors. */
  readonly failures: string[];
  /** Responses whose ranges do not add up to their own total. */
  readonly inconsistent: string[];
  /** Each version seen -> `<total>:<hash of the sorted ids>`. */
  readonly versions: Map<string, string>;
  /** Responses that gave a version seen before with other articles. */
  readonly mixed: string[];
}

/** Runs LOAD_LOOPS request loops with the whole-list query until `stop()` is called; resolves when they have ended. */
function startLoad(origin: string, query: string, agent: Agent, record: LoadRecord): { stop: () => Promise<void> } {
  let stopping = false;
  const loop = async () => {
    while (!stopping) {
      record.requests++;
      let response: { status: number; text: string };
      try {
        response = await postGraphQL(origin, query, agent);
      } catch (error) {
        record.failures.push(`request failed: ${(error as Error).message}`);
        continue;
      }
      let body: { data?: WholeList; errors?: unknown };
      try {
        body = JSON.parse(response.text);
      } catch {
        record.failures.push(`HTTP ${response.status}, not JSON: ${response.text.slice(0, 200)}`);
        continue;
      }
      if (response.status !== 200 || body.errors !== undefined || body.data === undefined) {
        record.failures.push(`HTTP ${response.status}: ${response.text.slice(0, 300)}`);
        continue;
      }
      const version = body.data.contentHealth.version;
      const checked = wholeListValues(body.data, 'id');
      if ('problem' in checked) {
        record.inconsistent.push(`version ${version}: ${checked.problem}`);
        continue;
      }
      const content = `${body.data.all.totalCount}:${createHash('sha1').update(checked.values.join('\n')).digest('hex')}`;
      const known = record.versions.get(version);
      if (known === undefined) record.versions.set(version, content);
      else if (known !== content) record.mixed.push(`version ${version}: ${known} and ${content}`);
    }
  };
  const loops = Array.from({ length: LOAD_LOOPS }, loop);
  return {
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

/** A small valid article of its own URL, published at `time`. */
function churnArticle(name: string, time: number): string {
  return [
    '---',
    `title: "Soak article ${name}"`,
    `publishedDateTime: ${new Date(time).toISOString()}`,
    `webUrl: "https://soak.example/news/${name}"`,
    'provider:',
    '  name: Soak',
    '  domain: soak.example',
    'topics:',
    '  - Soak',
    '---',
    '',
    `Written by the soak test (${name}).`,
    '',
  ].join('\n');
}

/**
 * Changes the content of `root` every CHURN_EVERY_MS, cycling through: retitle a file, rename a
 * file, add a folder with a new article (and restore a deleted file), delete a file (often the one
 * just restored; and remove the oldest churn folder). `finish()` stops it and puts back every deleted file and removes every
 * churn folder, leaving as many articles as at the start; `history` says what it did when.
 */
function startChurn(root: string, times: readonly number[], seed: number): { finish: () => Promise<number>; history: string[] } {
  // Seeded, so a failing churn can be replayed.
  const random = mulberry32(seed);
  const started = Date.now();
  const history: string[] = [];
  const record = (what: string) => history.push(`${Date.now() - started} ms: ${what}`);
  const present = contentFiles(root);
  const deleted: { file: string; text: string }[] = [];
  const folders: string[] = [];
  const pick = () => present[Math.floor(random() * present.length)]!;
  let restoredLast: string | null = null;
  let step = 0;
  const act = () => {
    const name = `${seed}-${step}`;
    switch (step++ % 4) {
      case 0: {
        const file = pick();
        const absolute = path.join(root, file);
        writeFileSync(absolute, readFileSync(absolute, 'utf8').replace(/^title: .*$/m, `title: "Soak change ${name}"`));
        record(`retitled ${file}`);
        break;
      }
      case 1: {
        const from = pick();
        const to = `${from.replace(/(-r[\d-]+)?\.md$/, '')}-r${name}.md`;
        renameSync(path.join(root, from), path.join(root, to));
        record(`renamed ${from} to ${to}`);
        present.splice(present.indexOf(from), 1, to);
        break;
      }
      case 2: {
        const folder = `churn-${name}`;
        mkdirSync(path.join(root, folder, 'inner'), { recursive: true });
        writeFileSync(path.join(root, folder, 'inner', `soak-${name}.md`), churnArticle(name, times[Math.floor(random() * times.length)]!));
        folders.push(folder);
        const restored = deleted.shift();
        if (restored !== undefined) {
          writeFileSync(path.join(root, restored.file), restored.text);
          record(`wrote ${restored.file} again`);
          present.push(restored.file);
        }
        restoredLast = restored?.file ?? null;
        break;
      }
      default: {
        // A third of the time the file written again 50 ms ago: @parcel/watcher nets a create and a
        // delete of one path within its batch (up to 500 ms) to nothing.
        const file = restoredLast !== null && random() < 1 / 3 ? restoredLast : pick();
        deleted.push({ file, text: readFileSync(path.join(root, file), 'utf8') });
        unlinkSync(path.join(root, file));
        record(`deleted ${file}`);
        present.splice(present.indexOf(file), 1);
        if (folders.length > FOLDERS_KEPT) rmSync(path.join(root, folders.shift()!), { recursive: true, force: true });
      }
    }
  };
  const timer = setInterval(act, CHURN_EVERY_MS);
  return {
    finish: async () => {
      clearInterval(timer);
      for (const folder of folders.splice(0)) rmSync(path.join(root, folder), { recursive: true, force: true });
      for (const { file, text } of deleted.splice(0)) {
        writeFileSync(path.join(root, file), text);
        record(`wrote ${file} again`);
      }
      return step;
    },
    history,
  };
}

/** Waits until the server serves exactly the files of `root` (by slug) and its version has held for a moment; fails after `timeoutMs`. */
async function untilServingTheFiles(
  server: RunningServer,
  root: string,
  boundaries: readonly string[],
  history: readonly string[],
  timeoutMs = 20_000,
) {
  const query = wholeListQuery(boundaries, 'slug');
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let stableSince = Date.now();
  for (;;) {
    const expected = contentFiles(root).map((file) => path.posix.basename(file, '.md'));
    const { status, text } = await postGraphQL(server.origin, query);
    const data = status === 200 ? (JSON.parse(text).data as WholeList) : undefined;
    const checked = data === undefined ? undefined : wholeListValues(data, 'slug');
    const serving = checked !== undefined && 'values' in checked ? checked.values : null;
    const state = `${data?.contentHealth.version}:${serving?.join(',')}`;
    if (state !== last) {
      last = state;
      stableSince = Date.now();
    }
    if (serving !== null && serving.join('\n') === expected.sort().join('\n') && Date.now() - stableSince >= 500) return;
    if (Date.now() > deadline) {
      const missing = expected.filter((slug) => !serving?.includes(slug));
      const extra = (serving ?? []).filter((slug) => !expected.includes(slug));
      const named = history.filter((line) => [...missing, ...extra].some((slug) => line.includes(`/${slug}.md`)));
      throw new Error(
        `the server does not serve the files on disk: missing ${missing.join(', ')}; extra ${extra.join(', ')}; ` +
          `what the churn did to them:\n${named.join('\n')}\n${text.slice(0, 300)}\nthe server's last lines:\n${server.output().slice(-3000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls `read` until it returns `expected` or `timeoutMs` passes; the last value read. */
async function settlesTo<T>(read: () => T, expected: T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value === expected || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A fresh load record. */
function emptyRecord(): LoadRecord {
  return { requests: 0, failures: [], inconsistent: [], versions: new Map(), mixed: [] };
}

describe.skipIf(!HAS_PROC)('a soak of the server process under load while its content churns', () => {
  it('should answer every request with one whole version, and give back memory, descriptors and watches after the churn', async () => {
    const root = createTempDirectory('newsgraph-soak-');
    await generateCorpus({ directory: root, articles: ARTICLES, seed: 7 });
    const times = contentFiles(root).map((file) => publishedTime(readFileSync(path.join(root, file), 'utf8')));
    const boundaries = bucketBoundaries(times);
    const query = wholeListQuery(boundaries, 'id');
    const server = await startServerProcess({ CONTENT_DIR: root, PREVIEW_TOKEN });
    const pid = server.process.pid!;
    try {
      expect(server.output()).toContain('changes are served as they are saved');

      // Warm-up: the same load and churn, so what the first updates allocate once is in the baseline.
      const warmUpAgent = new Agent({ keepAlive: true });
      const warmUp = emptyRecord();
      const warmUpLoad = startLoad(server.origin, query, warmUpAgent, warmUp);
      const warmUpChurn = startChurn(root, times, 1);
      await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
      await warmUpChurn.finish();
      await warmUpLoad.stop();
      warmUpAgent.destroy();
      await untilServingTheFiles(server, root, boundaries, warmUpChurn.history);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const before = {
        rss: residentBytes(pid),
        peak: residentBytes(pid, 'VmHWM'),
        descriptors: openDescriptors(pid),
        watches: inotifyWatches(pid),
      };

      const agent = new Agent({ keepAlive: true });
      const soak = emptyRecord();
      const load = startLoad(server.origin, query, agent, soak);
      const churn = startChurn(root, times, 2);
      await new Promise((resolve) => setTimeout(resolve, SOAK_MS));
      const churnSteps = await churn.finish();
      await load.stop();
      agent.destroy();
      await untilServingTheFiles(server, root, boundaries, [...warmUpChurn.history, ...churn.history]);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const descriptors = await settlesTo(() => openDescriptors(pid).count, before.descriptors.count, 10_000);
      const watches = await settlesTo(() => inotifyWatches(pid), before.watches, 10_000);
      const rss = residentBytes(pid);

      const versionLines = server.output().match(/content version \S+ in \d+ ms/g)?.length ?? 0;
      console.info(
        `soak: ${soak.requests} requests, ${soak.versions.size} versions seen of ${versionLines} published, ${churnSteps} churn steps; ` +
          `RSS ${(before.rss / 1048576).toFixed(1)} MB after the warm-up (peak ${(before.peak / 1048576).toFixed(1)}), ${(rss / 1048576).toFixed(1)} MB after the soak (peak ${(residentBytes(pid, 'VmHWM') / 1048576).toFixed(1)}) ` +
          `(${(((rss - before.rss) / before.rss) * 100).toFixed(1)}%); descriptors ${before.descriptors.count} -> ${descriptors}; ` +
          `inotify watches ${before.watches} -> ${watches}; RSS growth target ≤ ${RSS_TARGET_GROWTH * 100}%: ${rss <= before.rss * (1 + RSS_TARGET_GROWTH) ? 'PASS' : 'MISS'}`,
      );
      expect(warmUp.failures.concat(soak.failures).slice(0, 5)).toEqual([]);
      expect(warmUp.inconsistent.concat(soak.inconsistent).slice(0, 5)).toEqual([]);
      expect(warmUp.mixed.concat(soak.mixed).slice(0, 5)).toEqual([]);
      // The load and the churn overlapped: many requests, over many versions.
      expect(soak.requests).toBeGreaterThan(100);
      expect(soak.versions.size).toBeGreaterThan(10);
      expect(
        { descriptors, watches },
        `descriptors before: ${before.descriptors.targets.join(' ')}; after: ${openDescriptors(pid).targets.join(' ')}`,
      ).toEqual({ descriptors: before.descriptors.count, watches: before.watches });
      expect(rss).toBeLessThan(before.rss * (1 + RSS_GROWTH_BOUND));
    } finally {
      await server.stop();
    }
  });
});
