import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import type { LogLevel } from '../src/config.js';
import { createLogger, logWhileBusy } from '../src/log.js';
import { createTempDirectory } from './support.js';

let stdout: MockInstance<typeof process.stdout.write>;
let stderr: MockInstance<typeof process.stderr.write>;

beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** What was written to a stream, one string per write. */
function written(stream: MockInstance<typeof process.stdout.write>): string[] {
  return stream.mock.calls.map(([chunk]) => String(chunk));
}

/** Logs one message at each level through a logger at `level`. */
function logEach(level: LogLevel): void {
  const logger = createLogger(level);
  logger.debug('a debug message');
  logger.info('an info message');
  logger.warn('a warning message');
  logger.error('an error message');
}

/** A written line without its timestamp. */
function withoutTime(line: string): string {
  return line.replace(/^\S+ /, '');
}

describe('createLogger', () => {
  it.each([
    ['debug', ['debug a debug message\n', 'info  an info message\n'], ['warn  a warning message\n', 'error an error message\n']],
    ['info', ['info  an info message\n'], ['warn  a warning message\n', 'error an error message\n']],
    ['warn', [], ['warn  a warning message\n', 'error an error message\n']],
    ['error', [], ['error an error message\n']],
    ['silent', [], []],
  ] as const)('should print at %s and above: info and debug to stdout, warnings and errors to stderr', (level, out, err) => {
    logEach(level);
    expect(written(stdout).map(withoutTime)).toEqual(out);
    expect(written(stderr).map(withoutTime)).toEqual(err);
  });

  it('should write one line per message: the ISO time, the level padded to 5, the message', () => {
    const before = Date.now();
    createLogger('info').info('serving GraphQL at http://localhost:4000/graphql');
    const after = Date.now();
    const [line] = written(stdout);
    const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (.*)\n$/.exec(line!);
    expect(match).not.toBeNull();
    expect(match![2]).toBe('info  serving GraphQL at http://localhost:4000/graphql');
    const time = Date.parse(match![1]!);
    expect(new Date(time).toISOString()).toBe(match![1]);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(after);
  });

  it('should write a message as it is, one write per message', () => {
    const logger = createLogger('debug');
    logger.error('line one\nline two');
    logger.error('');
    expect(written(stderr).map(withoutTime)).toEqual(['error line one\nline two\n', 'error \n']);
    expect(stdout).not.toHaveBeenCalled();
  });
});

describe('logWhileBusy', () => {
  /** Runs logWhileBusy into a file while this thread spins for `busyMs`, and returns the lines written. */
  async function linesWhileBusy(level: LogLevel, busyMs: number): Promise<string[]> {
    const file = path.join(createTempDirectory('newsgraph-log-'), 'busy.log');
    const fd = openSync(file, 'w');
    const busy = logWhileBusy(level, 'loading: building the indexes', 100, fd);
    const until = Date.now() + busyMs;
    while (Date.now() < until) {
      // Blocks this thread, as building the indexes of a large corpus does.
    }
    await busy.stop();
    closeSync(fd);
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  }

  it('should log from its own thread while this one is blocked, every interval, until stopped', async () => {
    const lines = await linesWhileBusy('info', 1200);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z info {2}loading: building the indexes \(\d+ s so far\)$/);
    }
  });

  it('should log nothing at a level above info', async () => {
    expect(await linesWhileBusy('warn', 400)).toEqual([]);
  });
});
