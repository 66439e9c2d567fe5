import * as winston from 'winston';
import type { LogFormat, LogLevel } from './config/agent-config';

export type Logger = winston.Logger;

/**
 * Logs go to stderr (stdout carries `once --stdout` output): JSON lines for
 * the journal and log shippers, or plain text on a terminal.
 */
export function createLogger(level: LogLevel, format: LogFormat): Logger {
  const fmt =
    format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          winston.format.timestamp(),
          winston.format.printf(({ timestamp, level: lvl, message, ...meta }) => {
            const rest = Object.keys(meta).length ? ' ' + JSON.stringify(meta) : '';
            return `${String(timestamp)} ${lvl} ${String(message)}${rest}`;
          }),
        );
  return winston.createLogger({
    level,
    format: fmt,
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}

/** Resolves once every buffered line is written, so nothing is lost at exit. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.on('finish', () => resolve());
    logger.end();
    // A transport that never finishes must not hold up exit.
    setTimeout(resolve, 500).unref();
  });
}
