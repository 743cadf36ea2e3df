/** One holder per key at a time, the rest wait in arrival order. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  isLocked(key: string): boolean {
    return this.tails.has(key);
  }

  /**
   * Resolves with a release function once the caller holds the key. If `signal` aborts while
   * the caller waits, the promise rejects with the signal's reason and the caller's turn is
   * given up: the next waiter goes as soon as the current holder releases, never blocked by a
   * waiter that left.
   */
  async acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    let holding = false;
    let released = false;
    const forget = () => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    const unlock = () => {
      if (released) return;
      released = true;
      release();
      // A waiter that gave up forgets the key only once its turn has come: until then
      // `previous` still holds it.
      if (holding) forget();
      else void previous.then(forget);
    };

    if (!signal) {
      await previous;
      holding = true;
      return unlock;
    }
    let onAbort!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([previous, aborted]);
    } catch (err) {
      unlock();
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    holding = true;
    return unlock;
  }
}
