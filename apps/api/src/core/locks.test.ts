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

  it('gives up the turn of a waiter whose signal aborts, so later waiters are not blocked by it', async () => {
    const mutex = new KeyedMutex();
    const releaseA = await mutex.acquire('app');
    const leaving = new AbortController();
    const b = mutex.acquire('app', leaving.signal);
    let cHolds = false;
    const c = mutex.acquire('app').then((release) => {
      cHolds = true;
      return release;
    });
    leaving.abort(new Error('pusher hung up'));
    await expect(b).rejects.toThrow('pusher hung up');
    // A still holds the key: B leaving does not let C in early.
    await new Promise((r) => setImmediate(r));
    expect(cHolds).toBe(false);
    expect(mutex.isLocked('app')).toBe(true);
    releaseA();
    (await c)();
    expect(cHolds).toBe(true);
    expect(mutex.isLocked('app')).toBe(false);
  });

  it('frees the key when the last waiter left before its turn', async () => {
    const mutex = new KeyedMutex();
    const releaseA = await mutex.acquire('app');
    const leaving = new AbortController();
    const b = mutex.acquire('app', leaving.signal);
    leaving.abort();
    await expect(b).rejects.toThrow();
    expect(mutex.isLocked('app')).toBe(true);
    releaseA();
    await new Promise((r) => setImmediate(r));
    expect(mutex.isLocked('app')).toBe(false);
    const next = await mutex.acquire('app', new AbortController().signal);
    expect(mutex.isLocked('app')).toBe(true);
    next();
    expect(mutex.isLocked('app')).toBe(false);
  });

  it('refuses an already aborted signal without taking a turn', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.acquire('app', AbortSignal.abort())).rejects.toThrow();
    expect(mutex.isLocked('app')).toBe(false);
  });
});
