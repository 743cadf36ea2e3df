import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './locks.js';

describe('KeyedMutex', () => {
  it('serialises holders of one key in arrival order and leaves other keys free', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const releaseA = await mutex.acquire('app');
    const second = mutex.acquire('app').then((release) => {
      order.push('second');
      return release;
    });
    const third = mutex.acquire('app').then((release) => {
      order.push('third');
      release();
    });
    const other = await mutex.acquire('other');
    order.push('other');
    expect(mutex.isLocked('app')).toBe(true);
    order.push('first done');
    releaseA();
    (await second)();
    await third;
    other();
    expect(order).toEqual(['other', 'first done', 'second', 'third']);
    expect(mutex.isLocked('app')).toBe(false);
    expect(mutex.isLocked('other')).toBe(false);
  });
});
