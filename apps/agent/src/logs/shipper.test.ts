import type { AgentMessage } from '@paas/shared';
import pino from 'pino';
import { expect, it } from 'vitest';
import type { Runtime } from '../runtime/runtime.js';
import { LogShipper } from './shipper.js';

type Logs = Extract<AgentMessage, { type: 'logs' }>;

// The outbox alone: platform lines go in, messages come out; no container is followed here,
// so the runtime is never called.
function shipper(options: { maxLines?: number; maxBytes?: number } = {}) {
  const sent: Logs[] = [];
  let connected = true;
  const s = new LogShipper({
    runtime: {} as Runtime,
    log: pino({ level: 'silent' }),
    agentId: 'agent-1',
    send: (m) => {
      if (!connected) return false;
      sent.push(m as Logs);
      return true;
    },
    flushMs: 1_000_000,
    ...options,
  });
  return { s, sent, setConnected: (c: boolean) => (connected = c) };
}

const texts = (sent: Logs[]) => sent.flatMap((m) => m.lines.map((l) => l.line));

it('numbers lines, keeps them until acknowledged, and resends the rest after a reconnect', () => {
  const { s, sent } = shipper();
  for (let i = 1; i <= 5; i++) s.line('shop', 'paas', 'router', `line ${i}`);
  s.flush();
  expect(sent).toHaveLength(1);
  expect(sent[0]?.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
  expect(s.pending()).toBe(5);
  s.ack(s.run, 3);
  expect(s.pending()).toBe(2);
  s.ack('another-run', 5); // not ours
  expect(s.pending()).toBe(2);
  s.line('shop', 'paas', 'router', 'line 6');
  s.resend();
  s.flush();
  expect(texts(sent.slice(1))).toEqual(['line 4', 'line 5', 'line 6']);
  s.ack(s.run, 6);
  expect(s.pending()).toBe(0);
  s.close();
});

it('waits while the api is unreachable, then sends in order', () => {
  const { s, sent, setConnected } = shipper();
  setConnected(false);
  s.line('shop', 'paas', 'api', 'a');
  s.flush();
  s.line('shop', 'paas', 'api', 'b');
  expect(sent).toEqual([]);
  setConnected(true);
  s.flush();
  expect(texts(sent)).toEqual(['a', 'b']);
  s.close();
});

it('bounds the outbox in lines and bytes, and says how many it dropped', () => {
  const { s, sent, setConnected } = shipper({ maxLines: 3 });
  setConnected(false);
  for (let i = 1; i <= 5; i++) s.line('shop', 'app', 'web.1', `l${i}`);
  setConnected(true);
  s.flush();
  expect(texts(sent)).toEqual(['l4', 'l5', 'Error L12 (local buffer overflow): agent agent-1 dropped 2 messages']);
  s.close();

  const big = shipper({ maxBytes: 10_000 });
  big.setConnected(false);
  for (let i = 0; i < 10; i++) big.s.line('shop', 'app', 'web.1', 'x'.repeat(3000));
  big.setConnected(true);
  big.s.flush();
  const lines = texts(big.sent);
  expect(lines.filter((l) => l.startsWith('x'))).toHaveLength(3);
  expect(lines.at(-1)).toMatch(/dropped 7 messages$/);
  big.s.close();
});

it('follows a container only created (its stream ends at once) again once it ran, and ships its output', async () => {
  // Docker: logs of a container not started yet end at once, empty; once it ran, they hold its output.
  let state: { running: boolean; startedAt: string | null } = { running: false, startedAt: null };
  let follows = 0;
  const frame = (line: string) => {
    const body = Buffer.from(`2026-12-02T01:43:36.990000000Z ${line}\n`);
    const header = Buffer.alloc(8);
    header[0] = 1;
    header.writeUInt32BE(body.length, 4);
    return Buffer.concat([header, body]);
  };
  const runtime = {
    follow(_id: string, _since: string | null, onData: (b: Buffer) => void, onEnd: () => void) {
      follows++;
      const ran = state.startedAt !== null;
      setImmediate(() => {
        if (ran) onData(frame('crashing'));
        onEnd();
      });
      return () => {};
    },
    inspect: async (id: string) => ({ id, exitCode: state.running ? null : 1, ...state }),
  } as unknown as Runtime;
  const sent: Logs[] = [];
  const s = new LogShipper({
    runtime,
    log: pino({ level: 'silent' }),
    agentId: 'agent-1',
    send: (m) => {
      sent.push(m as Logs);
      return true;
    },
    flushMs: 1_000_000,
  });
  const target = { containerId: 'c3', app: 'shop', process: 'crasher.1' };
  const settle = () => new Promise((r) => setTimeout(r, 20));
  s.sync([target]);
  await settle();
  state = { running: false, startedAt: '2026-12-02T01:43:36.9Z' }; // it ran and crashed meanwhile
  s.sync([target]);
  await settle();
  s.sync([target]); // read to its end: not followed again
  await settle();
  s.flush();
  expect(follows).toBe(2);
  expect(texts(sent)).toEqual(['crashing']);
  s.close();
});
