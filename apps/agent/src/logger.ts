import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The agent's logger. Off a TTY it writes asynchronously: the router logs a line per request,
 * and lines written in the same tick go out in one write instead of one each.
 */
export function createLogger(level: string): Logger {
  if (process.stdout.isTTY) {
    return pino({
      name: 'agent',
      level,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } },
    });
  }
  return pino({ name: 'agent', level }, pino.destination({ dest: 1, sync: false }));
}
