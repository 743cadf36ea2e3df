import { LOG_LINE_CUT_MARKER } from '@paas/shared';
import { describe, expect, it } from 'vitest';
import { clean, LineSplitter } from './lines.js';

describe('LineSplitter', () => {
  it('keeps partial lines until their newline, in any split', () => {
    const text = 'first line\nsecond\r\nthird without end';
    for (const step of [1, 3, 100]) {
      const s = new LineSplitter();
      const lines: string[] = [];
      for (let i = 0; i < text.length; i += step) lines.push(...s.push(Buffer.from(text.slice(i, i + step))));
      lines.push(...s.end());
      expect(lines).toEqual(['first line', 'second', 'third without end']);
    }
  });

  it('never splits a multi-byte character across chunks', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('héllo wörld ✓\n');
    const lines = [...s.push(bytes.subarray(0, 2)), ...s.push(bytes.subarray(2, 9)), ...s.push(bytes.subarray(9))];
    expect(lines).toEqual(['héllo wörld ✓']);
  });

  it('cuts a long line at the limit, marks it, and drops the rest of it', () => {
    const s = new LineSplitter(10);
    const lines = [...s.push(Buffer.from('0123456789abcdef')), ...s.push(Buffer.from('ghi\nnext\n'))];
    expect(lines).toEqual([`0123456789${LOG_LINE_CUT_MARKER}`, 'next']);
  });

  it('turns binary junk into one printable line', () => {
    const s = new LineSplitter();
    const [line] = s.push(Buffer.from([0x41, 0xff, 0xfe, 0x00, 0x1b, 0x5b, 0x42, 0x09, 0x43, 0x0a]));
    expect(line).toBe('A\uFFFD\uFFFD\x1b[B\tC');
    expect(clean('a\x07b\r')).toBe('ab');
  });

  it('keeps empty lines', () => {
    expect(new LineSplitter().push(Buffer.from('\n\nx\n'))).toEqual(['', '', 'x']);
  });
});
