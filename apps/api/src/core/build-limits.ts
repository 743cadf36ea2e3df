/**
 * The limits every build runs under, so that one push cannot take the platform down: a time
 * limit (PAAS_BUILD_TIMEOUT), memory and CPUs for the build's containers (PAAS_BUILD_MEMORY,
 * PAAS_BUILD_CPUS, given to Docker), and a cap on its output (PAAS_BUILD_MAX_OUTPUT bytes, and
 * MAX_OUTPUT_LINES lines: what is kept and what the pusher is sent). Past the time or the
 * output cap the build is stopped, and the error names the limit and its value.
 */
export interface BuildLimits {
  timeoutSeconds: number;
  memoryMb: number;
  cpus: number;
  maxOutputBytes: number;
}

/** Lines are capped too: a stream of one-character lines costs far more than its bytes. */
export const MAX_OUTPUT_LINES = 100_000;

const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
const duration = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);

/** What Docker's build API is told to hold a build's containers to: memory (no swap), a CFS quota. */
export function dockerBuildLimits(limits: BuildLimits) {
  const memory = limits.memoryMb * 1024 * 1024;
  return { memory, memswap: memory, cpuperiod: 100_000, cpuquota: Math.round(limits.cpus * 100_000) };
}

export interface LimitedBuild {
  /** Aborted by the caller's signal, the timeout, or the output cap. */
  signal: AbortSignal;
  /** The build's output goes through here: counted, and dropped once past the cap. */
  out: (line: string) => void;
  /** Why the build was stopped, naming the limit (undefined if no limit was hit). */
  exceeded(): string | undefined;
  dispose(): void;
}

/** Starts the clock of one build and wraps its output; `dispose` when the build is over. */
export function limitBuild(limits: BuildLimits, signal: AbortSignal, out: (line: string) => void): LimitedBuild {
  const controller = new AbortController();
  let reason: string | undefined;
  const stop = (why: string) => {
    if (reason) return;
    reason = why;
    controller.abort();
  };
  const onAbort = () => controller.abort();
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () =>
      stop(
        `the build took longer than the build timeout, ${duration(limits.timeoutSeconds)} (PAAS_BUILD_TIMEOUT=${limits.timeoutSeconds})`,
      ),
    limits.timeoutSeconds * 1000,
  );
  let bytes = 0;
  let lines = 0;
  return {
    signal: controller.signal,
    out: (line) => {
      if (reason) return;
      bytes += Buffer.byteLength(line) + 1;
      lines += 1;
      if (bytes > limits.maxOutputBytes) {
        return stop(
          `the build printed more than the build output limit, ${mb(limits.maxOutputBytes)} (PAAS_BUILD_MAX_OUTPUT=${limits.maxOutputBytes})`,
        );
      }
      if (lines > MAX_OUTPUT_LINES) {
        return stop(
          `the build printed more than the build output limit of ${MAX_OUTPUT_LINES.toLocaleString('en')} lines`,
        );
      }
      out(line);
    },
    exceeded: () => reason,
    dispose: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}
