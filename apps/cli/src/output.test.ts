import { describe, expect, it } from 'vitest';
import { columns, keyValues, shortTime } from './output.js';

describe('output', () => {
  it('aligns key/value pairs', () => {
    expect(
      keyValues([
        ['A', '1'],
        ['LONGER', '2'],
      ]),
    ).toBe('A:      1\nLONGER: 2');
  });
  it('aligns columns without trailing spaces', () => {
    expect(
      columns([
        ['v10', 'Deploy abc', 'x'],
        ['v9', 'Set A', ''],
      ]),
    ).toBe('v10  Deploy abc  x\nv9   Set A');
  });
  it('formats times in UTC', () => {
    expect(shortTime('2026-11-23T01:02:03.456Z')).toBe('2026/11/23 01:02:03 +0000');
  });
});
