/**
 * How the search benchmarks draw query words: the corpus's own words ranked by document frequency
 * into three buckets (common, medium, rare), each word's bucket drawn 30/40/30 % with a fixed seed.
 */
import { mulberry32 } from '../generate.js';

/** The buckets query words are drawn from, most frequent first. */
export const BUCKETS = ['common', 'medium', 'rare'] as const;
/** One bucket of query words. */
export type Bucket = (typeof BUCKETS)[number];
/** Ranks (by document frequency) that bound the buckets: the first 100 words are common, the next up to 3,000 medium. */
export const COMMON_RANKS = 100;
export const MEDIUM_RANKS = 3_000;
/** How often a query word is drawn from each bucket. */
export const BUCKET_MIX: Record<Bucket, number> = { common: 0.3, medium: 0.4, rare: 0.3 };

/** A seeded source of random draws for building query sets. */
export class Draw {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** A number in [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A bucket, by BUCKET_MIX. */
  bucket(): Bucket {
    let roll = this.next();
    for (const bucket of BUCKETS) {
      roll -= BUCKET_MIX[bucket];
      if (roll < 0) return bucket;
    }
    return 'rare';
  }

  /** `items` in a random order. */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }
}
