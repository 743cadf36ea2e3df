import { describe, expect, it } from 'vitest';
import { place, type Slot } from './placement.js';

const web = (n: number): Slot[] =>
  Array.from({ length: n }, (_, i) => ({ key: `a:web.${i + 1}`, appId: 'a', type: 'web' }));
const agents = (...ids: string[]) => ids.map((id) => ({ id, capacity: 100 }));
const count = (placed: Map<string, string>) => {
  const counts: Record<string, number> = {};
  for (const agent of placed.values()) counts[agent] = (counts[agent] ?? 0) + 1;
  return counts;
};

describe('place', () => {
  it('spreads a type over the agents', () => {
    expect(count(place(web(4), agents('a1', 'a2'), new Map()))).toEqual({ a1: 2, a2: 2 });
  });

  it('keeps processes where they are and spreads only the new ones', () => {
    const previous = new Map([['a:web.1', 'a2']]);
    const placed = place(web(4), agents('a1', 'a2'), previous);
    expect(placed.get('a:web.1')).toBe('a2');
    expect(count(placed)).toEqual({ a1: 2, a2: 2 });
  });

  it("moves a gone agent's processes to the live ones", () => {
    const previous = new Map([
      ['a:web.1', 'a1'],
      ['a:web.2', 'gone'],
    ]);
    const placed = place(web(2), agents('a1'), previous);
    expect([...placed.values()]).toEqual(['a1', 'a1']);
  });

  it('spreads each type on its own, and respects capacity', () => {
    const slots: Slot[] = [...web(2), { key: 'a:worker.1', appId: 'a', type: 'worker' }];
    const placed = place(
      slots,
      [
        { id: 'a1', capacity: 1 },
        { id: 'a2', capacity: 1 },
      ],
      new Map(),
    );
    expect(placed.size).toBe(2);
    expect(place([], agents('a1'), new Map()).size).toBe(0);
    expect(place(web(1), [], new Map()).size).toBe(0);
  });
});
