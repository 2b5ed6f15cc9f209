/**
 * Reads a V8 `.cpuprofile` (as written by `node --cpu-prof`) and ranks functions by self time,
 * optionally only over the samples taken inside a time window (so a profile of a whole server
 * process can be cut down to the seconds it was under load).
 */
import { readFileSync } from 'node:fs';

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

/** The parts of a V8 CPU profile this module reads. Times in microseconds. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One function's share of the samples. */
export interface SelfTimeEntry {
  readonly name: string;
  /** `file:line` (shortened to the package or the project file). */
  readonly location: string;
  readonly samples: number;
  /** Percentage of the samples in the window. */
  readonly percent: number;
  /** The functions that called it in those samples, most samples first (at most three). */
  readonly callers?: readonly { readonly name: string; readonly percent: number }[];
}

/** The ranking of one profile (or of the window of it). */
export interface SelfTimeReport {
  readonly totalSamples: number;
  /** Milliseconds covered by the counted samples. */
  readonly windowMs: number;
  /** True when the window given did not overlap the profile and every sample was counted instead. */
  readonly windowIgnored: boolean;
  readonly functions: readonly SelfTimeEntry[];
  /** Self time summed by package (`graphql`, `graphql-yoga`, ...) or project folder, or V8 category. */
  readonly groups: readonly SelfTimeEntry[];
  /** Total (inclusive) time: the share of samples with the function anywhere on the stack. */
  readonly inclusive: readonly SelfTimeEntry[];
}

/** Reads a `.cpuprofile` file. */
export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** Where a script URL belongs: `pkg` for node_modules, `src/...` for project files, `node:...` for built-ins. */
export function groupOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node:internal';
  const project = /\/(src|bench)\/(.*)$/.exec(url);
  if (project) return `${project[1]}/${project[2]!.split('/')[0]}`;
  return url;
}

function shortLocation(frame: CallFrame): string {
  if (frame.url === '') return '';
  const modules = frame.url.lastIndexOf('/node_modules/');
  const file =
    modules >= 0 ? frame.url.slice(modules + '/node_modules/'.length) : (/\/((?:src|bench)\/.*)$/.exec(frame.url)?.[1] ?? frame.url);
  return `${file}:${frame.lineNumber + 1}`;
}

/**
 * Self time per function over the samples whose timestamps fall in [fromMicros, toMicros] (the
 * profile's clock: CLOCK_MONOTONIC microseconds on Linux, the same as `process.hrtime`), or over
 * all samples when no window is given or the window misses the profile.
 */
export function selfTime(
  profile: CpuProfile,
  window?: { readonly fromMicros: number; readonly toMicros: number },
  top = 25,
): SelfTimeReport {
  const byId = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const keyOf = (frame: CallFrame) => `${frame.functionName || '(anonymous)'}@${shortLocation(frame)}`;
  const inWindow = (time: number) => window === undefined || (time >= window.fromMicros && time <= window.toMicros);
  let windowIgnored = false;
  if (window !== undefined && (window.toMicros < profile.startTime || window.fromMicros > profile.endTime)) windowIgnored = true;

  const counts = new Map<number, number>();
  let total = 0;
  let first = Infinity;
  let last = -Infinity;
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0;
    if (!windowIgnored && !inWindow(time)) continue;
    const id = profile.samples[i]!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    total++;
    if (time < first) first = time;
    if (time > last) last = time;
  }

  const functions = new Map<string, { name: string; location: string; samples: number; callers: Map<string, number> }>();
  const groups = new Map<string, number>();
  for (const [id, samples] of counts) {
    const frame = byId.get(id)!.callFrame;
    const name = frame.functionName || '(anonymous)';
    const location = shortLocation(frame);
    const key = keyOf(frame);
    let entry = functions.get(key);
    if (entry) entry.samples += samples;
    else functions.set(key, (entry = { name, location, samples, callers: new Map() }));
    const parent = parentOf.get(id);
    const caller = parent === undefined ? '(root)' : keyOf(byId.get(parent)!.callFrame);
    entry.callers.set(caller, (entry.callers.get(caller) ?? 0) + samples);
    const group = groupOf(frame.url, name);
    groups.set(group, (groups.get(group) ?? 0) + samples);
  }
  // Inclusive time: each function counted once per sample, wherever it is on the stack.
  const inclusive = new Map<string, { name: string; location: string; samples: number }>();
  for (const [id, samples] of counts) {
    const seen = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
      const frame = byId.get(node)!.callFrame;
      if (frame.functionName === '(root)') continue;
      const key = keyOf(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = inclusive.get(key);
      if (entry) entry.samples += samples;
      else inclusive.set(key, { name: frame.functionName || '(anonymous)', location: shortLocation(frame), samples });
    }
  }
  const percent = (samples: number) => (total === 0 ? 0 : (100 * samples) / total);
  return {
    totalSamples: total,
    windowMs: total === 0 ? 0 : (last - first) / 1000,
    windowIgnored,
    functions: [...functions.values()]
      .sort((a, b) => b.samples - a.samples)
      .slice(0, top)
      .map(({ callers, ...entry }) => ({
        ...entry,
        percent: percent(entry.samples),
        callers: [...callers]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([caller, samples]) => ({ name: caller, percent: (100 * samples) / entry.samples })),
      })),
    inclusive: [...inclusive.values()]
      .sort((a, b) => b.samples - a.samples)
      .slice(0, top * 8)
      .map((entry) => ({ ...entry, percent: percent(entry.samples) })),
    groups: [...groups]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, samples]) => ({ name, location: '', samples, percent: percent(samples) })),
  };
}
