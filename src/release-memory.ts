/**
 * Hands back the memory the load and large content updates leave behind. V8 collects garbage as
 * JavaScript allocates, so a server that goes idle after an update keeps the replaced version, the
 * update's own garbage and the heap it grew for them: at 100k articles, 10,000 rewritten files left
 * 440 MB more anonymous memory, unchanged 60 s later. After the load, V8 also keeps the limit the
 * load's heap set, and lets requests' garbage fill the heap up to it. A few full collections soon
 * after give it back (bench/RESULTS.md, "Memory handed back after a large update", "... after the
 * load"). Each pauses the process (about 200 ms at 100k articles), so only the load and updates of
 * LARGE_UPDATE_ARTICLES or more are followed by them.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The fewest articles an update adds, changes or removes for full collections to follow it. */
export const LARGE_UPDATE_ARTICLES = 1_000;
/**
 * How long after the update the first collection runs: what answers requests begun before it, and
 * the checks that read its files again, let go of the replaced version by then.
 */
const FIRST_COLLECTION_DELAY_MS = 1_000;
/** The pause between two collections, in which requests are answered. */
const COLLECTION_SPACING_MS = 200;
/** The fewest and the most full collections after one update: each gives back less, until the heap stops shrinking. */
const MIN_COLLECTIONS = 2;
const MAX_COLLECTIONS = 5;
/** A collection beyond the fewest that shrinks the heap by less than this share of it is the last. */
const LAST_SHRINK_SHARE = 0.02;

/** What the collections after an update gave back. */
export interface MemoryReleased {
  readonly collections: number;
  /** V8's heap, in bytes, before the first collection and after the last. */
  readonly heapBefore: number;
  readonly heapAfter: number;
}

/** V8's full collection, made callable as `node --expose-gc` would make it (in a context of its own: the global `gc` stays undefined). */
let fullCollection: (() => void) | null = null;
/** The collections under way, if any. */
let pending: NodeJS.Timeout | null = null;

/**
 * Runs full collections after a large update: the first FIRST_COLLECTION_DELAY_MS after the call,
 * then COLLECTION_SPACING_MS apart, until one beyond MIN_COLLECTIONS shrinks the heap by less than
 * LAST_SHRINK_SHARE or MAX_COLLECTIONS have run; `onReleased` hears what they gave back. A call
 * while they are under way starts them again. The timers do not keep the process alive.
 */
export function releaseMemorySoon(onReleased?: (released: MemoryReleased) => void): void {
  if (fullCollection === null) {
    v8.setFlagsFromString('--expose-gc');
    fullCollection = runInNewContext('gc') as () => void;
  }
  const collect = fullCollection;
  const heap = () => v8.getHeapStatistics().total_heap_size;
  if (pending !== null) clearTimeout(pending);
  let collections = 0;
  let heapBefore = 0;
  const step = () => {
    const before = heap();
    if (collections === 0) heapBefore = before;
    collect();
    collections++;
    const after = heap();
    if (collections < MIN_COLLECTIONS || (collections < MAX_COLLECTIONS && before - after >= LAST_SHRINK_SHARE * before)) {
      pending = setTimeout(step, COLLECTION_SPACING_MS).unref();
      return;
    }
    pending = null;
    onReleased?.({ collections, heapBefore, heapAfter: after });
  };
  pending = setTimeout(step, FIRST_COLLECTION_DELAY_MS).unref();
}
