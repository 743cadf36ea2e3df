import type { AttachControl } from '@paas/shared';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.js';
import { type AttachEnd, Rendezvous } from './rendezvous.js';

/** A side that records what it was sent. */
function side() {
  const got: (string | AttachControl)[] = [];
  let closed = false;
  const end: AttachEnd = {
    data: (chunk) => got.push(chunk.toString()),
    control: (m) => got.push(m),
    close: () => {
      closed = true;
    },
  };
  return { end, got, closed: () => closed };
}

const make = (ttlMs = 60_000) => {
  const abandoned: string[] = [];
  const r = new Rendezvous({ log: createLogger('silent'), ttlMs, onAbandoned: (id) => abandoned.push(id) });
  return { r, abandoned };
};

describe('Rendezvous', () => {
  it('starts the process only when both sides are there, with the window size, then pipes both ways', () => {
    const { r } = make();
    const secret = r.open('o1', { tty: true, cols: 80, rows: 24 });
    const agent = side();
    const fromAgent = r.joinAgent('o1', agent.end);
    expect(agent.got).toEqual([]);
    const client = side();
    const fromClient = r.joinClient(secret, client.end);
    expect(agent.got).toEqual([{ type: 'start', cols: 80, rows: 24 }]);
    fromClient?.data(Buffer.from('ls\r'));
    fromClient?.control({ type: 'resize', cols: 100, rows: 30 });
    fromAgent?.data(Buffer.from('out'));
    expect(agent.got.slice(1)).toEqual(['ls\r', { type: 'resize', cols: 100, rows: 30 }]);
    expect(client.got).toEqual(['out']);
    fromAgent?.control({ type: 'exit', code: 3 });
    expect(client.got.at(-1)).toEqual({ type: 'exit', code: 3 });
    expect(client.closed()).toBe(true);
  });

  it('holds client input (and its eof) that comes before the agent', () => {
    const { r } = make();
    const secret = r.open('o1', { tty: false });
    const client = side();
    const port = r.joinClient(secret, client.end);
    port?.data(Buffer.from('data\n'));
    port?.control({ type: 'eof' });
    const agent = side();
    r.joinAgent('o1', agent.end);
    expect(agent.got).toEqual([{ type: 'start' }, 'data\n', { type: 'eof' }]);
  });

  it('takes a secret once', () => {
    const { r } = make();
    const secret = r.open('o1', { tty: false });
    expect(r.joinClient(secret, side().end)).toBeDefined();
    expect(r.joinClient(secret, side().end)).toBeUndefined();
    expect(r.joinClient('guess', side().end)).toBeUndefined();
  });

  it('a client that leaves closes the agent side (the agent stops the process)', () => {
    const { r, abandoned } = make();
    const secret = r.open('o1', { tty: true });
    const agent = side();
    r.joinAgent('o1', agent.end);
    r.joinClient(secret, side().end)?.closed();
    expect(agent.closed()).toBe(true);
    expect(abandoned).toEqual([]); // it had started: its end comes from the agent
  });

  it('an agent that leaves before the exit ends the client with an error', () => {
    const { r } = make();
    const secret = r.open('o1', { tty: true });
    const client = side();
    r.joinClient(secret, client.end);
    r.joinAgent('o1', side().end)?.closed();
    expect(client.got.at(-1)).toEqual({ type: 'error', message: 'lost the connection to the process' });
    expect(client.closed()).toBe(true);
  });

  it('abandons a session nobody joined in time, and the secret no longer works', () => {
    vi.useFakeTimers();
    try {
      const { r, abandoned } = make(60_000);
      const secret = r.open('o1', { tty: true });
      const agent = side();
      r.joinAgent('o1', agent.end);
      vi.advanceTimersByTime(60_001);
      expect(abandoned).toEqual(['o1']);
      expect(agent.closed()).toBe(true);
      expect(r.joinClient(secret, side().end)).toBeUndefined();

      // A client that waited for an agent that never came is told why.
      const other = r.open('o2', { tty: true });
      const client = side();
      r.joinClient(other, client.end);
      vi.advanceTimersByTime(60_001);
      expect(client.got).toEqual([
        { type: 'error', message: 'the process did not start: no agent started it within 60 s' },
      ]);
      expect(client.closed()).toBe(true);
      expect(abandoned).toEqual(['o1', 'o2']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('pauses the agent while the client has more than 1 MiB unwritten, and resumes it when it caught up', () => {
    vi.useFakeTimers();
    try {
      const { r } = make();
      const secret = r.open('o1', { tty: false });
      let backlog = 0;
      const calls: string[] = [];
      const client = { ...side().end, backlog: () => backlog };
      const agent = { ...side().end, pause: () => calls.push('pause'), resume: () => calls.push('resume') };
      r.joinClient(secret, client);
      const port = r.joinAgent('o1', agent);
      port?.data(Buffer.alloc(10));
      expect(calls).toEqual([]);
      backlog = 2 * 1024 * 1024;
      port?.data(Buffer.alloc(10));
      port?.data(Buffer.alloc(10));
      expect(calls).toEqual(['pause']);
      backlog = 512 * 1024;
      vi.advanceTimersByTime(100);
      expect(calls).toEqual(['pause']);
      backlog = 0;
      vi.advanceTimersByTime(100);
      expect(calls).toEqual(['pause', 'resume']);
    } finally {
      vi.useRealTimers();
    }
  });
});
