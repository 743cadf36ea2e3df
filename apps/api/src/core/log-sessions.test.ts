import { describe, expect, it } from 'vitest';
import { LogSessions } from './log-sessions.js';
import type { LogRouter } from './logs.js';

const app = { id: 'a1', name: 'shop' } as Parameters<LogSessions['start']>[0];
const logs = { recent: () => [], since: () => [] } as unknown as LogRouter;

describe('LogSessions', () => {
  it('opens a session once; a second open is refused', () => {
    const sessions = new LogSessions({ logs });
    const { token } = sessions.start(app, {});
    sessions.open(token).closed();
    expect(() => sessions.open(token)).toThrow('This log session has expired: start a new one.');
    const tail = sessions.start(app, { tail: true }).token;
    sessions.open(tail);
    expect(() => sessions.open(tail)).toThrow('This log session was already used: start a new one.');
    expect(() => sessions.open(tail, 5)).toThrow('already used'); // its client is still connected
    sessions.close();
  });

  it("lets a tail's client reconnect with where it was, once its connection is gone, until the session ends", async () => {
    const sessions = new LogSessions({ logs }, 1000, 60);
    const { token } = sessions.start(app, { tail: true });
    const first = sessions.open(token);
    expect(() => sessions.open(token)).toThrow('already used'); // no Last-Event-ID: not a reconnect
    first.closed();
    sessions.open(token, 3).closed();
    const short = new LogSessions({ logs }, 20, 20);
    const ended = short.start(app, { tail: true }).token;
    short.open(ended).closed();
    await new Promise((r) => setTimeout(r, 40));
    expect(() => short.open(ended, 3)).toThrow('This log session has expired');
    sessions.close();
    short.close();
  });

  it('must be opened within its time', async () => {
    const sessions = new LogSessions({ logs }, 20, 10_000);
    const { token } = sessions.start(app, { tail: true });
    await new Promise((r) => setTimeout(r, 40));
    expect(() => sessions.open(token)).toThrow('This log session has expired');
    sessions.close();
  });
});
