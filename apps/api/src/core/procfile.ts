/** Procfile: one `<type>: <command>` per line; blank lines and # comments are ignored. */
import { PROCESS_TYPE_RE, PROCESS_TYPE_RULE } from '@paas/shared';

export class ProcfileError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`Procfile line ${line}: ${message}`);
    this.name = 'ProcfileError';
  }
}

export function parseProcfile(text: string): Record<string, string> {
  const types: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([^:\s]+)\s*:(.*)$/.exec(line);
    if (!m) throw new ProcfileError(n, `expected "<process type>: <command>", got ${JSON.stringify(raw)}`);
    const type = m[1] ?? '';
    const command = (m[2] ?? '').trim();
    if (!PROCESS_TYPE_RE.test(type))
      throw new ProcfileError(n, `process type ${JSON.stringify(type)} ${PROCESS_TYPE_RULE}`);
    if (command === '') throw new ProcfileError(n, `process type "${type}" has no command`);
    if (Object.hasOwn(types, type)) throw new ProcfileError(n, `process type "${type}" is defined twice`);
    types[type] = command;
  });
  if (Object.keys(types).length === 0) throw new ProcfileError(1, 'no process types defined');
  return types;
}

/**
 * The Procfile's `release` type is the release phase's command (run once per release, before
 * it goes live), not a process type the formation scales.
 */
export const RELEASE_TYPE = 'release';

/** The release phase's command of a release's process types, if it has one. */
export function releaseCommandOf(processTypes: Record<string, string | null>): string | null {
  return processTypes[RELEASE_TYPE] ?? null;
}

/** The process types the formation runs: all but `release`. */
export function formationTypes(processTypes: Record<string, string | null>): string[] {
  return Object.keys(processTypes).filter((t) => t !== RELEASE_TYPE);
}
