/**
 * One pass at a time, level-triggered: `trigger()` while a pass runs asks for exactly one more
 * after it (however many calls came), and a pass can ask for another itself (`again()`). A
 * failed pass is reported and the next trigger tries again. Used by the agent's process reconciler,
 * add-on keeper and swarm observer, and by the api's swarm driver.
 */
export class Passes {
  private running: Promise<void> | undefined;
  private more = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  trigger(): Promise<void> {
    if (this.running) {
      this.more = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.more = false;
        try {
          await this.pass();
        } catch (err) {
          this.onError(err);
        }
      } while (this.more);
      this.running = undefined;
    })();
    return this.running;
  }

  /** From inside a pass: run one more after this one. */
  again(): void {
    this.more = true;
  }
}
