/**
 * The crash back-off of the `swarm` runtime's tasks, pure. Swarm restarts a crashed task at
 * once (its restart policy has one fixed delay, and changing it rolls the whole service); each
 * task's command starts with a gate (the api's swarm-command.ts, `gatedCommand`) that waits for
 * this node's agent to say how long to wait before the process runs. The agent keeps, per
 * slot (app and `web.1`), the crash history the agents runtime keeps per process: the first
 * restart at once, then 1 s, 2 s, 4 s …, capped, and back to at once after it stayed up.
 */
import { BACKOFF_CAP_MS, BACKOFF_RESET_AFTER_MS, backoffDelay, nextRestartCount } from '@paas/shared';

export interface SlotHistory {
  /** The back-off's count (as the agents runtime counts restarts). */
  restarts: number;
  exitCode: number | null;
  /** When the last crash was seen (ms since the epoch). */
  crashedAt: number;
  /** The next container of this slot waits out the back-off (consumed when its gate opens). */
  pending: boolean;
}

export class SlotBackoff {
  private readonly slots = new Map<string, SlotHistory>();

  /** A process of `slot` crashed (exited by itself, or stopped past its boot timeout). */
  crashed(slot: string, exitCode: number | null, ranForMs: number, now: number): void {
    const restarts = nextRestartCount(this.slots.get(slot)?.restarts ?? 0, ranForMs);
    this.slots.set(slot, { restarts, exitCode, crashedAt: now, pending: true });
  }

  /**
   * When a new container of `slot` may run its process: now, or after a crash the back-off's
   * end (counted from the crash). The wait is used up by this container.
   */
  opensAt(slot: string, now: number): number {
    const h = this.slots.get(slot);
    if (!h?.pending) return now;
    this.slots.set(slot, { ...h, pending: false });
    return Math.max(now, h.crashedAt + backoffDelay(h.restarts));
  }

  history(slot: string): SlotHistory | undefined {
    return this.slots.get(slot);
  }

  /**
   * Forgets histories that can no longer matter: waited out, and so old that the process
   * started after that crash has been up long enough to start the count over.
   */
  prune(now: number): void {
    for (const [slot, h] of this.slots) {
      if (!h.pending && now - h.crashedAt > BACKOFF_CAP_MS + BACKOFF_RESET_AFTER_MS) this.slots.delete(slot);
    }
  }
}
