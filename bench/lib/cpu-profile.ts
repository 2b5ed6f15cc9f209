/**
 * Reads V8 CPU profiles (`node --cpu-prof`) and ranks where the samples went: self time by
 * function and by package or file, and total (inclusive) time, optionally over a time window only
 * (so a profile of a whole process can be cut down to what was measured).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_DIR } from './paths.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

/** The parts of a V8 CPU profile read here. Times in microseconds, on the clock of `process.hrtime` (CLOCK_MONOTONIC on Linux). */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A span of a profile's clock, in microseconds. */
export interface ProfileWindow {
  readonly fromMicros: number;
  readonly toMicros: number;
}

/** One function's, package's or file's share of the counted samples. */
export interface ProfileEntry {
  readonly name: string;
  /** `file:line:column` of a JS function (file shortened to the package or project path); `[native, called from ...]` or `[eval, called from ...]` for code without a script; or empty. */
  readonly location: string;
  readonly samples: number;
  /** Percentage of the counted samples. */
  readonly percent: number;
  /** Milliseconds those samples stand for. */
  readonly ms: number;
  /** For self time: the functions that called it in those samples, most samples first (at most three), as share of its samples. */
  readonly callers?: readonly { readonly name: string; readonly percent: number }[];
}

/** Where the counted samples of one profile went. */
export interface ProfileSummary {
  readonly totalSamples: number;
  /** Milliseconds covered by the counted samples (the window, or the whole profile). */
  readonly windowMs: number;
  /** True when a window was given but missed the profile, so every sample was counted. */
  readonly windowIgnored: boolean;
  /** Self time by function, most first (at most `top`). */
  readonly functions: readonly ProfileEntry[];
  /** Self time by package, project file, node built-in or V8 category (native code is charged to its JS caller's), most first (at most `top`). */
  readonly groups: readonly ProfileEntry[];
  /** Total time by function and file (location without line): the share of samples with it anywhere on the stack, most first. */
  readonly inclusive: readonly ProfileEntry[];
}

/** Packages counted as one group, under the first one's name. */
const PACKAGE_FAMILIES: Record<string, string> = Object.fromEntries(
  ['gray-matter', 'kind-of', 'section-matter', 'strip-bom-string', 'extend-shallow', 'is-extendable'].map((name) => [
    name,
    'gray-matter (+ deps)',
  ]),
);

/** Now, on the clock of the profiles (for a ProfileWindow). */
export function profileClockMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Reads a `.cpuprofile` file. */
export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/**
 * The main thread's profile among those `--cpu-prof-dir` wrote in `directory` (worker threads get
 * their own files, `CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile`; the main thread is tid 0),
 * else the largest; null when there is none.
 */
export function mainThreadProfileFile(directory: string): string | null {
  const files = existsSync(directory) ? readdirSync(directory).filter((file) => file.endsWith('.cpuprofile')) : [];
  if (files.length === 0) return null;
  const size = (file: string) => statSync(path.join(directory, file)).size;
  const main = files.find((name) => name.split('.')[4] === '0') ?? files.sort((a, b) => size(b) - size(a))[0]!;
  return path.join(directory, main);
}

/** A script URL shortened to its path inside node_modules, or inside the project, or left as is (`node:...`). */
function shortUrl(url: string): string {
  const text = url.replace(/^file:\/\//, '');
  const modules = text.lastIndexOf('node_modules/');
  if (modules !== -1) return text.slice(modules + 'node_modules/'.length);
  if (text.startsWith(`${PROJECT_DIR}/`)) return text.slice(PROJECT_DIR.length + 1);
  return text;
}

/** The package, project file or node built-in a script URL belongs to. */
function groupOfUrl(url: string): string {
  const short = shortUrl(url);
  const modules = /^((?:@[^/]+\/)?[^/]+)\//.exec(short);
  if (url.includes('node_modules/') && modules) return PACKAGE_FAMILIES[modules[1]!] ?? modules[1]!;
  if (short.startsWith('node:internal/url') || short === 'node:url') return 'node:url (URL, URLSearchParams)';
  return short;
}

/**
 * Ranks the samples taken in `window` (all of them without one, or when it misses the profile).
 * Anonymous functions are named after their enclosing function; frames without a script (native
 * code, eval'd code) are located at, and grouped with, the JS function that called them.
 */
export function summarizeProfile(
  profile: CpuProfile,
  options: { readonly window?: ProfileWindow; readonly top?: number } = {},
): ProfileSummary {
  const { window, top = 25 } = options;
  const byId = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const windowIgnored = window !== undefined && (window.toMicros < profile.startTime || window.fromMicros > profile.endTime);
  const counted = window !== undefined && !windowIgnored ? window : { fromMicros: profile.startTime, toMicros: profile.endTime };
  const counts = new Map<number, number>();
  let total = 0;
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0;
    if (time < counted.fromMicros || time > counted.toMicros) continue;
    const id = profile.samples[i]!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    total++;
  }
  const windowMs = (Math.min(counted.toMicros, profile.endTime) - Math.max(counted.fromMicros, profile.startTime)) / 1000;
  const msPerSample = windowMs / Math.max(1, total);

  const isPseudo = (frame: CallFrame) => frame.url === '' && frame.functionName.startsWith('(');
  const nearestJs = (id: number): ProfileNode | null => {
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const node = byId.get(current)!;
      if (node.callFrame.url !== '') return node;
    }
    return null;
  };
  const names = new Map<number, string>();
  const nameOf = (node: ProfileNode): string => {
    let name = names.get(node.id);
    if (name !== undefined) return name;
    const frame = node.callFrame;
    if (frame.functionName !== '') name = frame.functionName;
    else if (frame.url === '') name = '(native)';
    else {
      const up = parentOf.get(node.id);
      const enclosing = up === undefined ? null : nearestJs(up);
      name = enclosing === null ? '(anonymous)' : `(anonymous in ${nameOf(enclosing)})`;
    }
    names.set(node.id, name);
    return name;
  };
  const locationOf = (node: ProfileNode, withLine = true): string => {
    const frame = node.callFrame;
    if (frame.url !== '')
      return withLine ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : shortUrl(frame.url);
    if (isPseudo(frame)) return '';
    const caller = nearestJs(node.id);
    const kind = frame.lineNumber >= 0 ? 'eval' : 'native';
    return `[${kind}, called from ${caller === null ? '?' : `${nameOf(caller)} in ${shortUrl(caller.callFrame.url)}`}]`;
  };
  const groupOf = (node: ProfileNode): string => {
    const frame = node.callFrame;
    if (frame.url !== '') return groupOfUrl(frame.url);
    if (isPseudo(frame)) return frame.functionName;
    const caller = nearestJs(node.id);
    return caller === null ? `native: ${frame.functionName}` : groupOfUrl(caller.callFrame.url);
  };
  const keyOf = (node: ProfileNode) => {
    const location = locationOf(node);
    return location === '' ? nameOf(node) : `${nameOf(node)}@${location}`;
  };

  type Tally = { name: string; location: string; samples: number; callers: Map<string, number> };
  const add = (tallies: Map<string, Tally>, key: string, name: string, location: string, samples: number): Tally => {
    const tally = tallies.get(key) ?? { name, location, samples: 0, callers: new Map() };
    tally.samples += samples;
    tallies.set(key, tally);
    return tally;
  };
  const functions = new Map<string, Tally>();
  const groups = new Map<string, Tally>();
  const inclusive = new Map<string, Tally>();
  for (const [id, samples] of counts) {
    const node = byId.get(id)!;
    const entry = add(functions, keyOf(node), nameOf(node), locationOf(node), samples);
    const parent = parentOf.get(id);
    const caller = parent === undefined ? '(root)' : keyOf(byId.get(parent)!);
    entry.callers.set(caller, (entry.callers.get(caller) ?? 0) + samples);
    const group = groupOf(node);
    add(groups, group, group, '', samples);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const frame = byId.get(current)!;
      if (frame.callFrame.functionName === '(root)') continue;
      const location = frame.callFrame.url === '' ? '' : locationOf(frame, false);
      const key = `${nameOf(frame)} ${location}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(inclusive, key, nameOf(frame), location, samples);
    }
  }

  const rank = (tallies: Map<string, Tally>, limit: number, withCallers = false): ProfileEntry[] =>
    [...tallies.values()]
      .sort((a, b) => b.samples - a.samples)
      .slice(0, limit)
      .map(({ callers, ...tally }) => ({
        ...tally,
        percent: (100 * tally.samples) / Math.max(1, total),
        ms: tally.samples * msPerSample,
        ...(withCallers
          ? {
              callers: [...callers]
                .sort((a, b) => b[1] - a[1])
                .slice(0, 3)
                .map(([name, samples]) => ({ name, percent: (100 * samples) / tally.samples })),
            }
          : {}),
      }));
  return {
    totalSamples: total,
    windowMs,
    windowIgnored,
    functions: rank(functions, top, true),
    groups: rank(groups, top),
    inclusive: rank(inclusive, Infinity),
  };
}
