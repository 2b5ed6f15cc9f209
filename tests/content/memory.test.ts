import { describe, expect, it } from 'vitest';
import { currentMemoryLimits, estimateHeapBytes, type MemoryLimits, planMemory } from '../../src/content/memory.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

describe('estimateHeapBytes', () => {
  it('should grow with the number of files and with their bytes, from a base for the service itself', () => {
    const base = estimateHeapBytes(0, 0, false);
    expect(base).toBe(64 * MIB);
    expect(estimateHeapBytes(1000, 0, false) - base).toBe(1000 * 4096);
    expect(estimateHeapBytes(0, 10 * MIB, false) - base).toBe(10 * MIB);
  });

  it('should count files only, and less per file, when the records live in the content store', () => {
    const base = estimateHeapBytes(0, 0, true);
    expect(base).toBe(64 * MIB);
    expect(estimateHeapBytes(1000, 10 * MIB, true) - base).toBe(1000 * 5 * 1024);
  });
});

describe('planMemory', () => {
  const limits = (heapLimitBytes: number, availableBytes: number, heapLimitIsExplicit = false): MemoryLimits => ({
    heapLimitBytes,
    availableBytes,
    heapLimitIsExplicit,
  });

  it('should let a corpus that fits under the heap limit load as is', () => {
    expect(planMemory(100_000, 333 * MIB, limits(4 * GIB, 20 * GIB), false)).toEqual({
      files: 100_000,
      bytes: 333 * MIB,
      neededHeapBytes: estimateHeapBytes(100_000, 333 * MIB, false),
      decision: 'fits',
      heapLimitMb: null,
      message: null,
    });
  });

  it('should raise a default heap limit to the estimate with headroom when the machine has the memory', () => {
    const plan = planMemory(1_000_000, 3.3 * GIB, limits(4 * GIB, 22 * GIB), false);
    expect(plan.decision).toBe('raise');
    expect(plan.heapLimitMb).toBe(Math.ceil((estimateHeapBytes(1_000_000, 3.3 * GIB, false) * 1.5) / MIB));
  });

  it('should raise no further than the machine can give, as long as that still fits', () => {
    const needed = estimateHeapBytes(1_000_000, 3.3 * GIB, false);
    const plan = planMemory(1_000_000, 3.3 * GIB, limits(4 * GIB, needed * 1.5), false);
    expect(plan.decision).toBe('raise');
    expect(plan.heapLimitMb).toBe(Math.ceil((needed * 1.5 * 0.8) / MIB));
  });

  it('should refuse under a limit the user set, saying what to set', () => {
    const plan = planMemory(5000, 400 * 1024, limits(64 * MIB, 21.8 * GIB, true), false);
    expect(plan.decision).toBe('refuse');
    expect(plan.message).toBe(
      'the content has 5,000 files (400 KB); serving them needs about 84 MB of heap, but the heap limit is 64 MB, ' +
        'the machine has 21.8 GB available: start with NODE_OPTIONS=--max-old-space-size=126, or serve fewer files',
    );
  });

  it('should refuse when the machine lacks the memory, saying to serve fewer files', () => {
    const plan = planMemory(1_000_000, 3.3 * GIB, limits(4 * GIB, 6 * GIB), false);
    expect(plan.decision).toBe('refuse');
    expect(plan.message).toBe(
      'the content has 1,000,000 files (3.3 GB); serving them needs about 7.2 GB of heap, but the heap limit is 4.0 GB, ' +
        'the machine has 6.0 GB available: serve fewer files (a CONTENT_DIR with a part of them), or use a machine with more memory',
    );
  });
});

describe('currentMemoryLimits', () => {
  it.each([
    [[], '', false],
    [['--max-old-space-size=2048'], '', true],
    [['--max_old_space_size=2048'], '', true],
    [[], '--enable-source-maps --max-old-space-size=8000', true],
    [['--expose-gc'], '--enable-source-maps', false],
  ])('should take execArgv %j with NODE_OPTIONS %j as an explicit heap limit: %s', (execArgv, nodeOptions, explicit) => {
    const limits = currentMemoryLimits({ NODE_OPTIONS: nodeOptions }, execArgv);
    expect(limits.heapLimitIsExplicit).toBe(explicit);
    expect(limits.heapLimitBytes).toBeGreaterThan(0);
    expect(limits.availableBytes).toBeGreaterThan(0);
  });
});
