import pino, { type Logger } from 'pino';

export type { Logger };

/** The one root logger of a process: JSON lines on stdout, pretty only on a TTY. */
export function createLogger(level: string, name = 'api'): Logger {
  const pretty = process.stdout.isTTY;
  return pino({
    name,
    level,
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } }
      : {}),
  });
}
