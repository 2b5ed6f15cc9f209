import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTempDirectory, PROJECT_ROOT } from './support.js';

describe('releaseMemorySoon', () => {
  it('should give back a heap grown for garbage in an idle process, without a global gc', async () => {
    // In a process of its own: what is measured is its heap, idle but for the collections asked for.
    const script = path.join(createTempDirectory(), 'release.mts');
    writeFileSync(
      script,
      `import v8 from 'node:v8';\n` +
        `import { releaseMemorySoon } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src/release-memory.ts'))};\n` +
        'const heap = () => v8.getHeapStatistics().total_heap_size;\n' +
        'const before = heap();\n' +
        'let garbage = Array.from({ length: 2_000_000 }, (_, at) => ({ at, text: "item " + at }));\n' +
        'const grown = heap();\n' +
        'garbage = null;\n' +
        'let released = null;\n' +
        `if (process.argv[2] === 'release') releaseMemorySoon((what) => { released = what; });\n` +
        'await new Promise((resolve) => setTimeout(resolve, 3_000));\n' +
        'const after = heap();\n' +
        'process.stdout.write(JSON.stringify({ grew: grown > before + 100e6, givenBack: after < before + (grown - before) / 4, globalGc: typeof globalThis.gc, collections: released?.collections ?? 0, told: released === null || (released.heapBefore >= grown && released.heapAfter === after) }));\n',
    );
    const run = async (...args: string[]) =>
      JSON.parse((await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], { cwd: PROJECT_ROOT })).stdout);
    // Left alone, an idle process keeps its heap; released, it gives back at least three quarters of the growth.
    expect(await run()).toEqual({ grew: true, givenBack: false, globalGc: 'undefined', collections: 0, told: true });
    const released = await run('release');
    expect(released).toEqual({ grew: true, givenBack: true, globalGc: 'undefined', collections: released.collections, told: true });
    expect(released.collections).toBeGreaterThanOrEqual(2);
  });
});
