import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  readonly level?: string;
  /** Where lines go; stdout (asynchronously flushed) when absent. */
  readonly destination?: DestinationStream;
}

/**
 * One JSON object per line, with `msg` naming the event (`call.started`,
 * `step.entered`, `block.sent`, `notification`, `call.ended`, ...) so log
 * pipelines can filter on it.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { name: 'callscript' },
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

let stampedAt = Number.NaN;
let stamp = '';

/** pino's ISO timestamp, formatted once per millisecond: a busy server writes many lines in one. */
function isoTime(): string {
  const now = Date.now();
  if (now !== stampedAt) {
    stampedAt = now;
    stamp = `,"time":"${new Date(now).toISOString()}"`;
  }
  return stamp;
}

/** A logger that drops everything (library use, quiet tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
