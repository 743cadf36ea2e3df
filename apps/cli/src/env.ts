/** The CLI's environment, read once (the only module of the CLI that reads process.env). */
import os from 'node:os';
import path from 'node:path';

export const env = Object.freeze({
  apiUrl: process.env.PAAS_API_URL || undefined,
  apiToken: process.env.PAAS_API_TOKEN || undefined,
  home: process.env.HOME || os.homedir(),
  configDir: process.env.XDG_CONFIG_HOME
    ? path.join(process.env.XDG_CONFIG_HOME, 'paas')
    : path.join(process.env.HOME || os.homedir(), '.config', 'paas'),
  color: process.stdout.isTTY && !process.env.NO_COLOR,
  /** The terminal type, passed on to `paas run`'s process. */
  term: process.env.TERM || undefined,
});

export const DEFAULT_API_URL = 'http://127.0.0.1:5000';
