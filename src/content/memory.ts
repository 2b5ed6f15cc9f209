/**
 * What loading a corpus needs in memory, estimated from the scan before anything is parsed, against
 * what the process and the machine have: so a corpus too large for them is refused with one clear
 * line instead of crashing with a V8 heap dump minutes later.
 */
import os from 'node:os';
import v8 from 'node:v8';

/** Heap the service needs besides the corpus: the GraphQL server, its caches and requests in flight. */
const BASE_HEAP_BYTES = 64 * 1024 * 1024;
/** Heap per loaded file beyond its text, records on the heap: the record, its indexes, and what parsing it takes on the way. */
const HEAP_BYTES_PER_FILE = 4 * 1024;
/** Heap per byte of file, records on the heap: titles, excerpts, bodies and URLs are kept as strings. */
const HEAP_BYTES_PER_FILE_BYTE = 1;
/**
 * Heap per loaded file, records in the content store: the indexed fields and indexes kept, and the
 * summary that is read or parsed on the way (bench/RESULTS.md).
 */
const STORE_HEAP_BYTES_PER_FILE = 5 * 1024;
/** A raised heap limit leaves the machine this share of its memory. */
const MACHINE_MEMORY_SHARE = 0.8;
/** A raised heap limit is the estimate times this: the peak of a load is above what it keeps. */
const HEAP_HEADROOM = 1.5;

/** The memory a process has to load a corpus in. */
export interface MemoryLimits {
  /** The V8 heap limit of this process, in bytes. */
  readonly heapLimitBytes: number;
  /** Memory the machine has available now, in bytes. */
  readonly availableBytes: number;
  /** True when the heap limit was set by the user (`--max-old-space-size`), so it is not to be raised. */
  readonly heapLimitIsExplicit: boolean;
}

/** What a corpus needs, and whether and how it fits. */
export interface MemoryPlan {
  readonly files: number;
  readonly bytes: number;
  /** The estimated heap needed to load and serve the corpus, in bytes. */
  readonly neededHeapBytes: number;
  /** `fits`: load as is; `raise`: start again with a heap limit of `heapLimitMb`; `refuse`: `message` says why. */
  readonly decision: 'fits' | 'raise' | 'refuse';
  /** For `raise`: the heap limit to start with, in MiB. */
  readonly heapLimitMb: number | null;
  /** For `refuse`: one line naming the files, what they need, what there is and what to do. */
  readonly message: string | null;
}

/** The memory limits of this process: its heap limit, the machine's available memory, and whether the user set the limit. */
export function currentMemoryLimits(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): MemoryLimits {
  const flags = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  return {
    heapLimitBytes: v8.getHeapStatistics().heap_size_limit,
    availableBytes: os.freemem(),
    heapLimitIsExplicit: flags.some((flag) => /^--max[-_]old[-_]space[-_]size(?:=|$)/.test(flag)),
  };
}

/**
 * The heap a corpus of `files` files of `bytes` bytes in all is estimated to need, in bytes, with
 * its records in the content store or (recordsInStore false) on the heap.
 */
export function estimateHeapBytes(files: number, bytes: number, recordsInStore: boolean): number {
  if (recordsInStore) return BASE_HEAP_BYTES + files * STORE_HEAP_BYTES_PER_FILE;
  return BASE_HEAP_BYTES + files * HEAP_BYTES_PER_FILE + bytes * HEAP_BYTES_PER_FILE_BYTE;
}

/**
 * Decides whether a corpus fits: as is under the heap limit; else, when the user did not set the
 * limit and the machine has the memory, with a raised limit; else not at all, with the line to show.
 */
export function planMemory(files: number, bytes: number, limits: MemoryLimits, recordsInStore: boolean): MemoryPlan {
  const neededHeapBytes = estimateHeapBytes(files, bytes, recordsInStore);
  const base = { files, bytes, neededHeapBytes };
  if (neededHeapBytes <= limits.heapLimitBytes) return { ...base, decision: 'fits', heapLimitMb: null, message: null };
  const raisedBytes = Math.min(neededHeapBytes * HEAP_HEADROOM, limits.availableBytes * MACHINE_MEMORY_SHARE);
  if (!limits.heapLimitIsExplicit && raisedBytes >= neededHeapBytes) {
    return { ...base, decision: 'raise', heapLimitMb: Math.ceil(raisedBytes / MIB), message: null };
  }
  const what = `the content has ${files.toLocaleString('en')} files (${formatBytes(bytes)}); serving them needs about ${formatBytes(neededHeapBytes)} of heap`;
  const heap = `the heap limit is ${formatBytes(limits.heapLimitBytes)}, the machine has ${formatBytes(limits.availableBytes)} available`;
  const fix =
    neededHeapBytes * HEAP_HEADROOM <= limits.availableBytes
      ? `start with NODE_OPTIONS=--max-old-space-size=${Math.ceil((neededHeapBytes * HEAP_HEADROOM) / MIB)}, or serve fewer files`
      : 'serve fewer files (a CONTENT_DIR with a part of them), or use a machine with more memory';
  return { ...base, decision: 'refuse', heapLimitMb: null, message: `${what}, but ${heap}: ${fix}` };
}

/** Thrown by a load whose corpus does not fit in memory; the message is the one line to show. */
export class CorpusTooLargeError extends Error {}

const MIB = 1024 * 1024;

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(1)} GB`;
  if (bytes >= MIB) return `${Math.round(bytes / MIB)} MB`;
  return `${Math.ceil(bytes / 1024)} KB`;
}
