import { expect, it } from 'vitest';
import { octetFrame, parseFrames, syslogMessage } from './syslog.js';

const line = (text: string, process = 'web.1') => ({
  ts: '2026-11-22T10:00:00.123456Z',
  source: 'app' as const,
  process,
  line: text,
});

it('frames lines as octet-counted RFC 5424 messages that parse back', () => {
  const body = Buffer.from(
    [line('listening on 5000'), line('héllo ✓ wörld'), line('State changed', 'web.2')]
      .map((l) => octetFrame(syslogMessage(l, 'd.abc')))
      .join(''),
  );
  const frames = parseFrames(body);
  expect(frames).toHaveLength(3);
  expect(frames[0]).toEqual({
    pri: 190,
    timestamp: '2026-11-22T10:00:00.123456+00:00',
    hostname: 'd.abc',
    appName: 'app',
    procId: 'web.1',
    message: 'listening on 5000',
  });
  expect(frames[1]?.message).toBe('héllo ✓ wörld'); // length counts bytes, not characters
  expect(frames[2]?.procId).toBe('web.2');
  expect(octetFrame('é')).toBe('2 é');
});

it('refuses a cut or garbled body', () => {
  expect(() => parseFrames(Buffer.from('20 <190>1 short'))).toThrow(/cut short/);
  expect(() => parseFrames(Buffer.from('x <190>1'))).toThrow(/bad frame length/);
});
