/** What the agent needs from a container runtime; runtime/docker.ts is the one implementation. */

export interface ContainerSpec {
  name: string;
  image: string;
  /** Argument vector, or null for the image's own CMD. */
  cmd: string[] | null;
  env: Record<string, string>;
  labels: Record<string, string>;
  /** A container port to publish on 127.0.0.1 (on a free host port). */
  publish?: number;
  stopTimeout: number;
  /** A Docker network to join instead of the default bridge (made if missing). */
  network?: string;
  /** Names it answers to on that network (`web.1`, `web`). */
  aliases?: string[];
  /** With a pseudo terminal (a `paas run` from a terminal). */
  tty?: boolean;
  /** Stdin open for an attached client (closed when it ends its input). */
  stdin?: boolean;
  /**
   * An app's process: run it confined (its dyno size's memory, CPU and pids limits, a bounded
   * log, no-new-privileges, only APP_CAPABILITIES, and a non-root user unless the image names
   * its own). Absent: as Docker's defaults.
   */
  limits?: ProcessLimits;
}

/** What one process may use (from its dyno size). */
export interface ProcessLimits {
  memoryMb: number;
  /** CPUs; capped at the host's cores when applied. */
  cpus: number;
  pids: number;
}

/** An add-on's service container: its volume, the networks it joins and its name on them. */
export interface ServiceSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  volume: { name: string; target: string };
  networks: string[];
  alias: string;
}

/** A created container's stdio, attached before it starts (so no output is lost). */
export interface Attached {
  /** What the process prints: with a TTY the terminal's bytes, else stdout and stderr merged. */
  output: NodeJS.ReadableStream;
  /** The process's stdin; end() closes it. */
  input: NodeJS.WritableStream;
  /** Drops the attachment (the container is not stopped by this). */
  close(): void;
}

export interface ContainerInfo {
  id: string;
  labels: Record<string, string>;
  running: boolean;
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Host port (on 127.0.0.1) of the published port, if any. */
  hostPort: number | null;
  /** The Docker networks it is on. */
  networks?: string[];
  /** It exited because the kernel's OOM killer killed it at its memory limit. */
  oomKilled?: boolean;
  /** Its memory limit in bytes (0 or absent: none). */
  memoryLimit?: number;
  /** Docker's health status when the container has a health check (Swarm's web tasks). */
  health?: string | null;
}

export interface Runtime {
  ping(): Promise<void>;
  /** Containers carrying every one of these labels (running or not). */
  list(labels: Record<string, string>): Promise<ContainerInfo[]>;
  inspect(id: string): Promise<ContainerInfo | null>;
  run(spec: ContainerSpec): Promise<ContainerInfo>;
  /** Creates the container without starting it. */
  create(spec: ContainerSpec): Promise<ContainerInfo>;
  start(id: string): Promise<void>;
  /** Attaches to a created container's stdio (stdin too). */
  attach(id: string, tty: boolean): Promise<Attached>;
  /** Sets a TTY container's window size. */
  resize(id: string, cols: number, rows: number): Promise<void>;
  /** Resolves with the exit status once the container has exited (null if it is gone). */
  wait(id: string): Promise<number | null>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds`. Resolves when the container has exited. */
  stop(id: string, timeoutSeconds: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** Sends a signal to a running container (a gone or stopped one is no error). */
  kill(id: string, signal: string): Promise<void>;
  /** Writes a root-owned file (mode 0644) into a container's filesystem, in an existing directory. */
  putFile(id: string, file: string, content: string): Promise<void>;
  /**
   * Follows a container's log from `since` (Docker's `seconds.nanoseconds`, inclusive; null =
   * from its start), calling `onData` with the raw multiplexed stream (frames with timestamps,
   * see logs/frames.ts) and `onEnd` once the container has exited and all output is read (or
   * the stream broke). Returns a function that stops following.
   */
  follow(id: string, since: string | null, onData: (chunk: Buffer) => void, onEnd: () => void): () => void;
  /**
   * Calls back on every start/die/destroy (or these `events`) of a matching container, with the
   * event's attributes (the container's labels among them); returns an unsubscribe.
   */
  watch(
    labels: Record<string, string>,
    onEvent: (id: string, action: string, attributes: Record<string, string>) => void,
    events?: string[],
  ): () => void;
}

/** Networks, volumes and add-on containers (runtime/docker-services.ts). */
export interface ServiceRuntime {
  /** Makes a bridge network (labelled) unless one of that name exists. */
  ensureNetwork(name: string, labels: Record<string, string>): Promise<void>;
  /** Joins a running container to a network, reachable there by `alias`. */
  connect(id: string, network: string, alias: string): Promise<void>;
  disconnect(id: string, network: string): Promise<void>;
  /** Creates (volume and networks too) and starts an add-on's container. */
  runService(spec: ServiceSpec): Promise<ContainerInfo>;
  /** Runs a command in a running container; its exit code. */
  exec(id: string, argv: string[]): Promise<number>;
  removeVolume(name: string): Promise<void>;
  /** Networks carrying every one of these labels, with how many containers are on each. */
  listNetworks(labels: Record<string, string>): Promise<{ name: string; containers: number }[]>;
  /** Removes a network unless something is on it again (then it stays). */
  removeNetwork(name: string): Promise<void>;
}
