/**
 * Dyno sizes: Heroku's names for what a process may use. One table for every runtime (the
 * agents' containers and Swarm services both take their limits from here).
 *
 * Memory is the quota (Heroku's R14 line); `cpus` is a CPU count (Heroku's "1x" compute is one),
 * capped at the host's cores when applied; `pids` bounds processes and threads (a fork bomb stops there).
 */
export interface DynoSize {
  /** The canonical name, as `ps` shows it. */
  name: string;
  memoryMb: number;
  cpus: number;
  pids: number;
}

export const DYNO_SIZES: readonly DynoSize[] = [
  { name: 'Eco', memoryMb: 512, cpus: 1, pids: 256 },
  { name: 'Basic', memoryMb: 512, cpus: 1, pids: 256 },
  { name: 'Standard-1X', memoryMb: 512, cpus: 1, pids: 256 },
  { name: 'Standard-2X', memoryMb: 1024, cpus: 2, pids: 512 },
  { name: 'Performance-M', memoryMb: 2560, cpus: 2, pids: 16384 },
  { name: 'Performance-L', memoryMb: 14336, cpus: 8, pids: 32768 },
];

export const DEFAULT_DYNO_SIZE = 'Basic';

const ALIASES: Record<string, string> = { '1x': 'standard-1x', '2x': 'standard-2x', px: 'performance-l' };

/** The size a user's name means (any case, `1X`/`2X` too), or undefined if there is none. */
export function dynoSize(name: string): DynoSize | undefined {
  const key = name.trim().toLowerCase();
  const wanted = ALIASES[key] ?? key;
  return DYNO_SIZES.find((s) => s.name.toLowerCase() === wanted);
}

/** The list of valid names, for an error message. */
export function dynoSizeNames(): string {
  return DYNO_SIZES.map((s) => s.name.toLowerCase()).join(', ');
}

/** The size a stored or sent name means: an unknown or absent one is the default. */
export function dynoSizeOrDefault(name: string | null | undefined): DynoSize {
  return (name ? dynoSize(name) : undefined) ?? (dynoSize(DEFAULT_DYNO_SIZE) as DynoSize);
}

/**
 * What a process keeps of Docker's default capabilities. For a non-root user these are only a
 * bound (its effective set is empty); an image whose USER is root keeps what a root process
 * needs to own and serve files and drop to another user: no raw sockets, mknod, chroot, file
 * capabilities or audit.
 */
export const APP_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETUID', 'SETGID', 'KILL', 'NET_BIND_SERVICE'];

/** uid:gid an image without its own USER runs as, under either runtime (the stack images' `app`). */
export const APP_USER = '1000:1000';

/** Every process's json-file log: at most LOG_MAX_FILES files of LOG_MAX_SIZE. */
export const LOG_MAX_SIZE = '10m';
export const LOG_MAX_FILES = '3';
