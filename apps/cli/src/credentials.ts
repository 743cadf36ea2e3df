/**
 * Where `paas login` keeps things, as Heroku does: the token in ~/.netrc under the api's
 * host (which also lets plain `git push` authenticate), the api URL in ~/.config/paas.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_API_URL, env } from './env.js';

interface NetrcEntry {
  machine: string;
  login?: string;
  password?: string;
}

const netrcPath = () => path.join(env.home, '.netrc');
const configPath = () => path.join(env.configDir, 'config.json');

/** Parses netrc text into machine entries (other tokens, e.g. `default`, are kept out). */
export function parseNetrc(text: string): NetrcEntry[] {
  const tokens = text.split(/\s+/).filter(Boolean);
  const entries: NetrcEntry[] = [];
  let current: NetrcEntry | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const value = tokens[i + 1];
    if (token === 'machine' && value !== undefined) {
      current = { machine: value };
      entries.push(current);
      i++;
    } else if ((token === 'login' || token === 'password') && current && value !== undefined) {
      current[token] = value;
      i++;
    } else if (token === 'default') {
      current = undefined;
    }
  }
  return entries;
}

/** Replaces (or adds) one machine's entry, leaving the rest of the file as it was. */
export function upsertNetrc(text: string, entry: Required<NetrcEntry>): string {
  const lines = text.split('\n');
  const kept: string[] = [];
  let skipping = false;
  for (const line of lines) {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'machine') skipping = words[1] === entry.machine;
    else if (words[0] === 'default') skipping = false;
    if (!skipping) kept.push(line);
  }
  const body = kept.join('\n').trimEnd();
  const block = `machine ${entry.machine}\n  login ${entry.login}\n  password ${entry.password}\n`;
  return body ? `${body}\n${block}` : block;
}

export function savedApiUrl(): string | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(configPath(), 'utf8')) as { apiUrl?: unknown };
    return typeof parsed.apiUrl === 'string' ? parsed.apiUrl : undefined;
  } catch {
    return undefined;
  }
}

export function apiUrl(): string {
  return (env.apiUrl ?? savedApiUrl() ?? DEFAULT_API_URL).replace(/\/+$/, '');
}

export function savedToken(url: string): string | undefined {
  try {
    const host = new URL(url).hostname;
    return parseNetrc(fs.readFileSync(netrcPath(), 'utf8')).find((e) => e.machine === host)?.password;
  } catch {
    return undefined;
  }
}

export function apiToken(url: string): string | undefined {
  return env.apiToken ?? savedToken(url);
}

export function saveLogin(url: string, login: string, token: string): void {
  let text = '';
  try {
    text = fs.readFileSync(netrcPath(), 'utf8');
  } catch {}
  fs.writeFileSync(netrcPath(), upsertNetrc(text, { machine: new URL(url).hostname, login, password: token }), {
    mode: 0o600,
  });
  fs.chmodSync(netrcPath(), 0o600);
  fs.mkdirSync(env.configDir, { recursive: true });
  fs.writeFileSync(configPath(), `${JSON.stringify({ apiUrl: url }, null, 2)}\n`);
}
