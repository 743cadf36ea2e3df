import { describe, expect, it } from 'vitest';
import { applyRange, parseRange } from './range.js';

const releases = [3, 1, 5, 2, 4].map((version) => ({ version, id: `id-${version}` }));

describe('Range', () => {
  it('parses what the Heroku CLI sends', () => {
    expect(parseRange('version ..; max=15, order=desc')).toEqual({ field: 'version', max: 15, order: 'desc' });
    expect(parseRange('version ..; order=desc,max=1')).toEqual({ field: 'version', max: 1, order: 'desc' });
    expect(parseRange('id ..')).toEqual({ field: 'id', max: 200, order: 'asc' });
    expect(parseRange('name ]b..; max=2')).toEqual({
      field: 'name',
      start: { value: 'b', exclusive: true },
      max: 2,
      order: 'asc',
    });
  });

  it('refuses nonsense with a clear message', () => {
    expect(() => parseRange('version ..; max=0')).toThrow(/max=0: must be a whole number from 1 to 1000/);
    expect(() => parseRange('version ..; order=up')).toThrow(/order=up/);
    expect(() => parseRange('version ..; colour=red')).toThrow(/unknown option "colour"/);
    expect(() => applyRange(releases, parseRange('size ..'))).toThrow(/cannot be ordered by "size"/);
  });

  it('orders, limits and says where the next page starts', () => {
    const first = applyRange(releases, parseRange('version ..; max=2, order=desc'));
    expect(first.page.map((r) => r.version)).toEqual([5, 4]);
    expect(first.next).toBe('version ]4..; max=2, order=desc');
    const second = applyRange(releases, parseRange(first.next as string));
    expect(second.page.map((r) => r.version)).toEqual([3, 2]);
    const third = applyRange(releases, parseRange(second.next as string));
    expect(third.page.map((r) => r.version)).toEqual([1]);
    expect(third.next).toBeUndefined();
    expect(applyRange(releases, parseRange('version 2..4')).page.map((r) => r.version)).toEqual([2, 3, 4]);
    expect(applyRange(releases, parseRange('version ..; order=desc,max=1')).page.map((r) => r.version)).toEqual([5]);
  });
});
