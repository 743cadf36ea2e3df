/**
 * The api's ports to Docker, as types: what core/ and routes use (images, builds, one-shot
 * containers, exec in an add-on's container); docker.ts implements them with dockerode.
 */
import type { Readable } from 'node:stream';

export interface BuildImageOptions {
  context: Readable;
  tag: string;
  labels: Record<string, string>;
  /** The Dockerfile's path in the context (default: Dockerfile). */
  dockerfile?: string;
  /** Values of the Dockerfile's ARGs. */
  buildArgs?: Record<string, string>;
  noCache?: boolean;
  /** Each line of the build's output, as it comes. */
  onLine: (line: string) => void;
  signal?: AbortSignal;
  /** Docker's limits for the build's containers (core/build-limits.ts makes them). */
  limits?: { memory: number; memswap: number; cpuperiod: number; cpuquota: number };
}

export interface ImageInfo {
  id: string;
  cmd: string[] | null;
  entrypoint: string[] | null;
  labels: Record<string, string>;
}

export interface ImageSummary {
  id: string;
  tags: string[];
  labels: Record<string, string>;
}

/**
 * What removing an image did: `removed`; `gone` (there was no such image); `conflict` (Docker
 * refused: a container, running or not, uses it, or it has children or other tags).
 */
export type RemoveOutcome = { status: 'removed' | 'gone' } | { status: 'conflict'; message: string };

export interface ImageEngine {
  ping(): Promise<void>;
  build(options: BuildImageOptions): Promise<{ imageId: string }>;
  /** The image (by id or tag), or null if there is none. */
  inspect(image: string): Promise<ImageInfo | null>;
  /** Images (not intermediate layers) carrying every one of `labels`. */
  list(labels: Record<string, string>): Promise<ImageSummary[]>;
  /**
   * Removes an image by id, never forced: Docker refuses while any container uses it. Its
   * untagged parents that nothing else uses go with it (Docker's default), so a removed
   * release leaves no dangling layers; parents other images build on stay, and so does the
   * build cache they hold.
   */
  remove(imageId: string): Promise<RemoveOutcome>;
}

export interface RunContainerOptions {
  name: string;
  image: string;
  cmd: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  /** stdout and stderr as they come (interleaved as Docker sends them). */
  onOutput: (text: string) => void;
  /** Aborted: stop the container (SIGTERM, SIGKILL after `stopTimeout` s). */
  signal: AbortSignal;
  stopTimeout: number;
  /** A Docker network to run on, if it exists (an app's, made when its add-ons started). */
  network?: string;
}

/** Runs a command in a running container (pg_dump, pg_restore in an add-on's container). */
export interface ServiceExec {
  /** The running container carrying every one of `labels`, or null. */
  findRunning(labels: Record<string, string>): Promise<string | null>;
  /** Runs `argv` as `user`; `input` becomes its stdin, its stdout goes to `output`. */
  exec(o: {
    container: string;
    argv: string[];
    user: string;
    input?: Readable;
    output?: NodeJS.WritableStream;
  }): Promise<{ exitCode: number; stderr: string }>;
}

/** Runs containers to their end and removes them. */
export interface ContainerEngine {
  /** Creates, attaches to and starts a container, waits for it to exit, removes it. */
  run(options: RunContainerOptions): Promise<{ exitCode: number }>;
  /** Removes (forced) the containers carrying every one of `labels`; returns how many. */
  removeContainers(labels: Record<string, string>): Promise<number>;
}
