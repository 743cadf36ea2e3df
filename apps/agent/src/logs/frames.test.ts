import { describe, expect, it } from 'vitest';
import { dockerSince, FrameParser, isoMicros, notAfter } from './frames.js';

const frame = (stream: 1 | 2, text: string) => {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
};

const TS1 = '2026-11-24T06:00:00.123456789Z';
const TS2 = '2026-11-24T06:00:01.000000001Z';

describe('FrameParser', () => {
  it('splits Docker frames into stream, time and text, across chunks cut anywhere', () => {
    const all = Buffer.concat([frame(1, `${TS1} hello\n`), frame(2, `${TS2} oops\n`), frame(1, `${TS2} part`)]);
    for (const cut of [1, 5, 8, 20, 40, all.length - 1]) {
      const p = new FrameParser();
      const frames = [...p.push(all.subarray(0, cut)), ...p.push(all.subarray(cut))];
      expect(frames.map((f) => [f.stream, f.ts, f.payload.toString()])).toEqual([
        ['stdout', TS1, 'hello\n'],
        ['stderr', TS2, 'oops\n'],
        ['stdout', TS2, 'part'],
      ]);
    }
  });

  it('keeps a frame without a time as it is', () => {
    const [f] = new FrameParser().push(frame(1, 'no time here\n'));
    expect(f).toMatchObject({ stream: 'stdout', ts: '' });
    expect(f?.payload.toString()).toBe('no time here\n');
  });
});

it('turns Docker times into since= values, microsecond ISO times, and compares positions', () => {
  expect(dockerSince(TS1)).toBe(`${Date.parse('2026-11-24T06:00:00Z') / 1000}.123456789`);
  expect(isoMicros(TS1)).toBe('2026-11-24T06:00:00.123456Z');
  expect(notAfter({ ts: TS1, part: 3 }, { ts: TS2, part: 0 })).toBe(true);
  expect(notAfter({ ts: TS2, part: 0 }, { ts: TS2, part: 0 })).toBe(true);
  expect(notAfter({ ts: TS2, part: 1 }, { ts: TS2, part: 0 })).toBe(false);
  expect(notAfter({ ts: TS2, part: 0 }, { ts: TS1, part: 9 })).toBe(false);
});
