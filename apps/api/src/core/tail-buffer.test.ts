import { describe, expect, it } from 'vitest';
import { shownOutput, TailBuffer } from './tail-buffer.js';

describe('tail buffer', () => {
  it('keeps everything up to its bound', () => {
    const b = new TailBuffer(100);
    b.append('one\n');
    b.append('two\n');
    expect(b.snapshot()).toEqual({ text: 'one\ntwo\n', dropped: 0 });
    expect(shownOutput(b.snapshot())).toBe('one\ntwo\n');
  });

  it('drops the oldest, at a line start, and says how much', () => {
    const b = new TailBuffer(10);
    b.append('aaaa\nbbbb\n');
    b.append('cccc\n');
    expect(b.snapshot()).toEqual({ text: 'bbbb\ncccc\n', dropped: 5 });
    expect(shownOutput(b.snapshot())).toBe('[5 characters of earlier output were dropped]\nbbbb\ncccc\n');
    expect(b.endsInLine()).toBe(true);
    b.append('d');
    expect(b.endsInLine()).toBe(false);
    expect(b.snapshot().text.length).toBeLessThanOrEqual(10);
  });
});
