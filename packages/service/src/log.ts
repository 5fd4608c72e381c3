/**
 * The service's one logger: JSON lines on stderr, with a level from config.
 *
 * Callers pass structured fields, never secrets: tokens, keys and cookies
 * have no place in a log line. Fields whose names look secret are dropped
 * as a second line of defence.
 */

/** Log levels, from the most to the least verbose. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 100
};

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** A structured logger. */
export interface ILogger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Field names that must never reach a log line. */
const SECRET_FIELD = /token|secret|key|cookie|password|authorization/i;

/** Whether a string names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return Object.prototype.hasOwnProperty.call(LEVELS, value);
}

/**
 * Create a logger writing JSON lines to `write` (stderr by default).
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = line => process.stderr.write(line)
): ILogger {
  const threshold = LEVELS[level];

  const emit = (lvl: LogLevel, msg: string, fields: LogFields = {}) => {
    if (LEVELS[lvl] < threshold) {
      return;
    }
    const record: LogFields = {
      time: new Date().toISOString(),
      level: lvl,
      name: 'share-link',
      msg
    };
    for (const [name, value] of Object.entries(fields)) {
      if (!SECRET_FIELD.test(name)) {
        record[name] = value instanceof Error ? value.message : value;
      }
    }
    write(JSON.stringify(record) + '\n');
  };

  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields)
  };
}
