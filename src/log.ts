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
