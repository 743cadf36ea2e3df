/**
 * How an app's process is confined, pure: its dyno size's limits and the hardening every
 * process gets, as the parts of Docker's create body they are. runtime/docker.ts applies them.
 *
 * - memory: a hard limit at the size's quota, no swap beyond it (the kernel's OOM killer ends
 *   the process there: R15, see reconciler.ts);
 * - CPU: the size's CPUs as a CFS quota (NanoCpus), never more than the host's cores;
 * - pids: processes and threads (a fork bomb stops there, the host does not);
 * - log: Docker's json-file, at most LOG_MAX_FILES files of LOG_MAX_SIZE (the agent ships
 *   each line as it comes, so this bounds only what waits on disk);
 * - no-new-privileges (a setuid binary gives nothing), every capability dropped but
 *   APP_CAPABILITIES;
 * - the user: the image's own USER when it names one (a Dockerfile's `USER` is respected),
 *   else APP_USER (uid 1000, `app` in the stack images), never root by default.
 */
import { APP_CAPABILITIES, APP_USER, LOG_MAX_FILES, LOG_MAX_SIZE } from '@paas/shared';
import type { ProcessLimits } from './runtime.js';

export { APP_USER };

/** The user to run an image as: its own unless that is root by default (none given). */
export function userFor(imageUser: string | undefined): string | undefined {
  return (imageUser ?? '').trim() === '' ? APP_USER : undefined;
}

export interface Confinement {
  User?: string;
  HostConfig: {
    Memory: number;
    MemorySwap: number;
    NanoCpus: number;
    PidsLimit: number;
    LogConfig: { Type: string; Config: Record<string, string> };
    SecurityOpt: string[];
    CapDrop: string[];
    CapAdd: string[];
  };
}

export function confinement(limits: ProcessLimits, hostCpus: number, imageUser: string | undefined): Confinement {
  const memory = limits.memoryMb * 1024 * 1024;
  const cpus = Math.min(limits.cpus, Math.max(1, hostCpus));
  const user = userFor(imageUser);
  return {
    ...(user ? { User: user } : {}),
    HostConfig: {
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(cpus * 1e9),
      PidsLimit: limits.pids,
      LogConfig: { Type: 'json-file', Config: { 'max-size': LOG_MAX_SIZE, 'max-file': LOG_MAX_FILES } },
      SecurityOpt: ['no-new-privileges'],
      CapDrop: ['ALL'],
      CapAdd: [...APP_CAPABILITIES],
    },
  };
}
