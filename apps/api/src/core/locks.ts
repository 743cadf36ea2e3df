/** One holder per key at a time, the rest wait in arrival order. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  isLocked(key: string): boolean {
    return this.tails.has(key);
  }

  /** Resolves with a release function once the caller holds the key. */
  async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
