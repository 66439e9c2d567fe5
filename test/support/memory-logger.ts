import { Writable } from 'stream';
import * as winston from 'winston';

export type LogLine = Record<string, unknown> & { level: string; message: string };

/** A winston logger (debug, JSON) that keeps every line in `lines`, for unit tests of what is logged. */
export function memoryLogger(): { logger: winston.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as LogLine);
      done();
    },
  });
  return {
    logger: winston.createLogger({
      level: 'debug',
      format: winston.format.json(),
      transports: [new winston.transports.Stream({ stream })],
    }),
    lines,
  };
}
