import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * The structured logger of the edges (server, commands): JSON lines on stderr, credentials redacted.
 * Domain code never logs; it returns values and throws typed errors.
 */
export function createLogger(
  level: string,
  destination: NodeJS.WritableStream = process.stderr,
): Logger {
  return pino(
    {
      level,
      base: { service: 'custody' },
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'token'],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream,
  );
}
