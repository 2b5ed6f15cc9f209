import { Worker } from 'node:worker_threads';
import { LOG_LEVELS, type LogLevel } from './config.js';

/** A leveled logger writing one line per message: info and debug to stdout, warnings and errors to stderr. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that prints messages at `level` and above. */
export function createLogger(level: LogLevel): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const writer = (messageLevel: Exclude<LogLevel, 'silent'>, stream: NodeJS.WriteStream) => (message: string) => {
    if (LOG_LEVELS.indexOf(messageLevel) >= threshold) stream.write(`${new Date().toISOString()} ${messageLevel.padEnd(5)} ${message}\n`);
  };
  return {
    debug: writer('debug', process.stdout),
    info: writer('info', process.stdout),
    warn: writer('warn', process.stderr),
    error: writer('error', process.stderr),
  };
}

/** A repeated log line, written until stopped. */
export interface BusyLog {
  stop(): Promise<void>;
}

// Runs on its own thread: its timer fires, and its lines are written, while the main thread is busy.
const BUSY_LOG_WORKER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const started = Date.now();
setInterval(() => {
  const seconds = Math.round((Date.now() - started) / 1000);
  writeSync(workerData.fd, new Date().toISOString() + ' info  ' + workerData.message + ' (' + seconds + ' s so far)\\n');
}, workerData.everyMs);
`;

/**
 * Logs `message` at info level every `everyMs` from a worker thread, so that a long synchronous step
 * of this thread (building the indexes of a large corpus) still shows it is alive. Writes to `fd`
 * (stdout by default) directly; nothing at a level above info.
 */
export function logWhileBusy(level: LogLevel, message: string, everyMs: number, fd = 1): BusyLog {
  if (LOG_LEVELS.indexOf('info') < LOG_LEVELS.indexOf(level)) return { stop: async () => {} };
  const worker = new Worker(BUSY_LOG_WORKER, { eval: true, workerData: { fd, message, everyMs } });
  worker.unref();
  return {
    stop: async () => {
      await worker.terminate();
    },
  };
}
