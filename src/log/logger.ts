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

let stampedSecond = Number.NaN;
let secondPrefix = '';

/**
 * pino's ISO timestamp (`,"time":"2026-01-05T10:00:00.123Z"`): the date and time up
 * to the second are formatted once per second, the milliseconds appended.
 */
function isoTime(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== stampedSecond) {
    stampedSecond = second;
    secondPrefix = `,"time":"${new Date(second * 1000).toISOString().slice(0, 20)}`;
  }
  const ms = now - second * 1000;
  return `${secondPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

/** A logger that drops everything (library use, quiet tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
