import path from 'node:path';
import type { ShippedLine } from '@paas/shared';
import { tempDir } from '@paas/testkit';
import pino from 'pino';
import { expect, it } from 'vitest';
import { insertApp } from '../store/apps.js';
import { migrate, openDb } from '../store/db.js';
import { LogIntake } from './log-intake.js';
import { LogRouter } from './logs.js';

const TS = (s: number) => `2026-11-24T06:00:${String(s).padStart(2, '0')}.000000000Z`;

function setUp(file = path.join(tempDir('paas-store-'), 'paas.db')) {
  const db = openDb(file);
  migrate(db);
  const log = pino({ level: 'silent' });
  const logs = new LogRouter({ db, log, flushMs: 1_000_000 });
  const intake = new LogIntake({ db, logs, log });
  return { db, logs, intake, file };
}

const container = (seq: number, second: number, part = 0): ShippedLine => ({
  seq,
  app: 'shop',
  ts: `2026-11-24T06:00:${String(second).padStart(2, '0')}.000000Z`,
  source: 'app',
  process: 'worker.1',
  line: `tick ${second}.${part}`,
  cursor: { container: 'c1', stream: 'stdout', ts: TS(second), part },
});
const event = (seq: number, line: string): ShippedLine => ({
  seq,
  app: 'shop',
  ts: '2026-11-24T06:00:00.000000Z',
  source: 'paas',
  process: 'web.1',
  line,
});

it('stores new lines, acknowledges them once stored, and drops what it already has', () => {
  const { db, logs, intake, file } = setUp();
  const app = insertApp(db, 'shop');
  const acks: [string, number][] = [];
  const ack = (run: string, seq: number) => acks.push([run, seq]);

  intake.receive(
    'agent-1',
    { type: 'logs', run: 'run-a', lines: [container(1, 1), event(2, 'up'), container(3, 2)] },
    ack,
  );
  expect(acks).toEqual([]); // not stored yet
  logs.flush();
  expect(acks).toEqual([['run-a', 3]]);

  // A resend (the ack was lost) and new lines: only the new ones are kept.
  intake.receive(
    'agent-1',
    { type: 'logs', run: 'run-a', lines: [container(1, 1), event(2, 'up'), container(3, 2), container(4, 2, 1)] },
    ack,
  );
  logs.flush();
  expect(acks.at(-1)).toEqual(['run-a', 4]);
  const lines = () => logs.recent(app, {}, 100).map((e) => e.line);
  expect(lines()).toEqual(['tick 1.0', 'up', 'tick 2.0', 'tick 2.1']);

  // A restarted api reads what is stored; a restarted agent (new run) reads the container's
  // log again from an older place: the container lines it has are dropped, its events kept.
  logs.close();
  db.close();
  const again = setUp(file);
  again.intake.receive(
    'agent-1',
    { type: 'logs', run: 'run-b', lines: [container(1, 2), container(2, 2, 1), container(3, 3), event(4, 'adopted')] },
    ack,
  );
  again.logs.flush();
  expect(again.logs.recent(app, {}, 100).map((e) => e.line)).toEqual([
    'tick 1.0',
    'up',
    'tick 2.0',
    'tick 2.1',
    'tick 3.0',
    'adopted',
  ]);
  // The old run's numbers mean nothing to the new run: a resend of run-b is recognised.
  again.intake.receive('agent-1', { type: 'logs', run: 'run-b', lines: [event(4, 'adopted')] }, ack);
  again.logs.flush();
  expect(again.logs.recent(app, {}, 100)).toHaveLength(6);
  again.logs.close();
});

it('acknowledges lines of an app destroyed meanwhile without keeping them', () => {
  const { logs, intake } = setUp();
  const acks: number[] = [];
  intake.receive('agent-1', { type: 'logs', run: 'r', lines: [event(1, 'x')] }, (_r, seq) => acks.push(seq));
  logs.flush();
  expect(acks).toEqual([1]);
  logs.close();
});
