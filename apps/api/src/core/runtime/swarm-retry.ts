/**
 * Updates Swarm rolled back, tried again with the agents' crash back-off, pure. Swarm rolls a
 * failed update back (a new task that crashed or missed its boot timeout: the old release's
 * tasks never stopped, for web, and serve on); the agents runtime would go on retrying the new
 * release, with back-off, while the old one serves, and so does this: the rolled-back spec is
 * written again once the rollback is done and the back-off (0, 1, 2, 4 … s, capped) allows.
 * The slot's own crash back-off (the start gate) comes on top. A new wanted spec starts over.
 */
import { backoffDelay } from '@paas/shared';
import type { SwarmService } from '../../docker-swarm.js';
import { type rolledBack, SWARM_LABELS, serviceKey, type WantedService } from './swarm-spec.js';

interface Attempt {
  hash: string;
  /** Rollbacks of this spec so far. */
  failures: number;
  /** Not written again before (ms). */
  retryAt: number;
  /** This write's rollback was counted. */
  counted: boolean;
}

export class UpdateRetries {
  private readonly attempts = new Map<string, Attempt>();

  /**
   * Counts the rollbacks Swarm did since the last look (`failed`, from `rolledBack`); returns
   * the new ones with the wait before each is written again.
   */
  failed(failed: ReturnType<typeof rolledBack>, now: number): { key: string; waitMs: number }[] {
    const news: { key: string; waitMs: number }[] = [];
    for (const [key, hash] of failed) {
      const a = this.attempts.get(key);
      if (a && a.hash === hash && a.counted) continue;
      const failures = a && a.hash === hash ? a.failures + 1 : 1;
      const waitMs = backoffDelay(failures);
      this.attempts.set(key, { hash, failures, retryAt: now + waitMs, counted: true });
      news.push({ key, waitMs });
    }
    return news;
  }

  /** The spec was written (again): its rollback, if any, is a new failure. */
  written(key: string): void {
    const a = this.attempts.get(key);
    if (a) a.counted = false;
  }

  /**
   * The updates not to write now (key → hash, for `serviceActions`): rolled back, and still
   * rolling back or waiting out the back-off. Forgets specs no longer wanted and those that
   * took (the service runs the spec).
   */
  held(wanted: WantedService[], existing: SwarmService[], now: number): Map<string, string> {
    const held = new Map<string, string>();
    const byKey = new Map(existing.map((s) => [serviceKey(s), s]));
    for (const [key, a] of this.attempts) {
      const w = wanted.find((x) => x.key === key);
      const s = byKey.get(key);
      if (!w || w.hash !== a.hash || !s) {
        this.attempts.delete(key);
        continue;
      }
      const rolling = s.updateState === 'rollback_started';
      if (s.labels[SWARM_LABELS.spec] === a.hash && !rolling) {
        if (s.updateState === 'completed') this.attempts.delete(key);
        continue;
      }
      if (rolling || now < a.retryAt) held.set(key, a.hash);
    }
    return held;
  }
}
