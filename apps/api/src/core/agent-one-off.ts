/**
 * The release phase's one-offs on the agents (the OneOffRunner of core/release-phase.ts): the
 * release command becomes the one-off `release.N` of the new release, run like any `paas run`
 * (stored, in the desired set, placed on an agent, attached without a TTY), and the api is its
 * own client: it joins the rendezvous session in-process, takes the output as it comes
 * (`onOutput`) and resolves with the exit status. Stdin is closed at once. Aborted (timeout,
 * the api stopping), it leaves the session, so the agent stops the process (SIGTERM, grace,
 * SIGKILL), and answers at once (143: the phase fails for the abort's reason anyway). A link
 * that ends with no status (the agent gone) is answered with the end the agent reports, or
 * unknown (137) after the grace period.
 */
import { StringDecoder } from 'node:string_decoder';
import { dynoSizeOrDefault, RUN_TIMEOUT_MAX_SECONDS } from '@paas/shared';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import { listFormation } from '../store/formation.js';
import { createOneOff, findOneOff, finishOneOff } from '../store/one-offs.js';
import type { ProcessControl } from './context.js';
import type { OneOffRequest, OneOffRunner } from './release-phase.js';
import type { AttachEnd, Rendezvous } from './rendezvous.js';

export interface AgentOneOffDeps {
  db: Db;
  log: Logger;
  rendezvous: Rendezvous;
  orchestrator: Pick<ProcessControl, 'poke' | 'canRun'>;
  /** Seconds the agent gives a stopped process before SIGKILL (how long an abort may wait). */
  stopTimeout: number;
}

export class AgentOneOffRunner implements OneOffRunner {
  constructor(private readonly deps: AgentOneOffDeps) {}

  runOneOff(req: OneOffRequest): Promise<{ exitCode: number }> {
    const { db, log, rendezvous, orchestrator } = this.deps;
    if (!orchestrator.canRun()) return Promise.reject(new Error('no agent is connected to run it'));
    const oneOff = createOneOff(db, {
      appId: req.app.id,
      number: req.release.version,
      releaseId: req.release.id,
      type: req.type,
      command: req.command,
      env: {},
      // Its app's web size (as a `paas run` without --size), so a migration has the web's memory.
      size: dynoSizeOrDefault(listFormation(db, req.app.id).find((f) => f.type === 'web')?.size).name,
      attach: true,
      tty: false,
      timeout: RUN_TIMEOUT_MAX_SECONDS, // the release phase has its own (the abort)
      userEmail: 'release phase',
    });
    const secret = rendezvous.open(oneOff.id, { tty: false });
    return new Promise((resolve, reject) => {
      const decoder = new StringDecoder('utf8');
      let settled = false;
      const settle = (exitCode: number | null, error?: string) => {
        if (settled) return;
        settled = true;
        const rest = decoder.end();
        if (rest) req.onOutput(rest);
        if (error !== undefined && exitCode === null) reject(new Error(error));
        else resolve({ exitCode: exitCode ?? 137 });
      };
      /** After the link ended without a status: the agent's report of its end, or the grace period. */
      const awaitEnd = () => {
        const until = Date.now() + (this.deps.stopTimeout + 5) * 1000;
        const poll = setInterval(() => {
          const row = findOneOff(db, oneOff.id);
          if (row?.finished_at || Date.now() > until) {
            clearInterval(poll);
            if (!row?.finished_at) finishOneOff(db, oneOff.id, null);
            settle(row?.exit_code ?? null);
          }
        }, 200);
      };
      let error: string | undefined;
      const end: AttachEnd = {
        data: (chunk) => {
          const text = decoder.write(chunk);
          if (text) req.onOutput(text);
        },
        control: (m) => {
          if (m.type === 'exit') settle(m.code);
          else if (m.type === 'error') error = m.message;
        },
        close: () => {
          if (settled) return;
          // Never started (no agent took it in time): the session was abandoned.
          if (error?.startsWith('the process did not start')) settle(null, error);
          else awaitEnd();
        },
      };
      const port = rendezvous.joinClient(secret, end);
      if (!port) return settle(null, 'its session could not be opened');
      port.control({ type: 'eof' });
      req.signal.addEventListener(
        'abort',
        () => {
          if (settled) return;
          log.info({ app: req.app.name, process: req.name }, 'stopping a release command');
          port.closed(); // the agent stops the process (SIGTERM, grace, SIGKILL) and reports its end
          // The phase fails for the abort's reason whatever the status; the api may be stopping.
          settle(143);
        },
        { once: true },
      );
      orchestrator.poke();
    });
  }
}
