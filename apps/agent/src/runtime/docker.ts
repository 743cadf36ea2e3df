/** The agent's one port to Docker (only this module imports dockerode). */

import { cpus } from 'node:os';
import { PassThrough } from 'node:stream';
import { dockerConnection } from '@paas/shared';
import Docker from 'dockerode';
import { confinement } from './confine.js';
import { DockerServices, networkLabels } from './docker-services.js';
import type { Attached, ContainerInfo, ContainerSpec, Runtime } from './runtime.js';
import { tarOf } from './tar.js';

const labelFilter = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`);

const notFound = (err: unknown) => (err as { statusCode?: number }).statusCode === 404;

export class DockerRuntime implements Runtime {
  private readonly docker: Docker;
  /** Each image's own USER (images are immutable by id). */
  private readonly imageUsers = new Map<string, string>();

  /** Networks, volumes and add-on containers (runtime/docker-services.ts), on the same client. */
  readonly services: DockerServices;

  constructor(dockerHost?: string) {
    this.docker = new Docker(dockerConnection(dockerHost));
    this.services = new DockerServices(this.docker, (id) => this.inspect(id));
  }

  follow(id: string, since: string | null, onData: (chunk: Buffer) => void, onEnd: () => void): () => void {
    let stopped = false;
    let source: (NodeJS.ReadableStream & { destroy(): void }) | undefined;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      onEnd();
    };
    // `since` is Docker's `seconds.nanoseconds` (dockerode types it as a number; the engine
    // parses the string and keeps messages at or after it).
    const options = {
      follow: true as const,
      stdout: true,
      stderr: true,
      timestamps: true,
      since: (since ?? 0) as number,
    };
    this.docker
      .getContainer(id)
      .logs(options)
      .then((stream) => {
        source = stream as unknown as NodeJS.ReadableStream & { destroy(): void };
        if (stopped) return source.destroy();
        source.on('data', (chunk: Buffer) => onData(chunk));
        source.on('end', end);
        source.on('close', end);
        source.on('error', end);
      })
      .catch(end);
    return () => {
      stopped = true;
      source?.destroy();
    };
  }

  async ping(): Promise<void> {
    await this.docker.ping();
  }

  async list(labels: Record<string, string>): Promise<ContainerInfo[]> {
    const summaries = await this.docker.listContainers({ all: true, filters: { label: labelFilter(labels) } });
    const infos = await Promise.all(summaries.map((s) => this.inspect(s.Id)));
    return infos.filter((i): i is ContainerInfo => i !== null);
  }

  async inspect(id: string): Promise<ContainerInfo | null> {
    try {
      const info = await this.docker.getContainer(id).inspect();
      const bindings = Object.values(info.NetworkSettings?.Ports ?? {}).flat();
      const hostPort = bindings.find((b) => b?.HostIp === '127.0.0.1')?.HostPort;
      const zero = (t: string | undefined) => (!t || t.startsWith('0001-') ? null : t);
      return {
        id: info.Id,
        labels: info.Config?.Labels ?? {},
        running: info.State?.Running === true,
        exitCode: info.State?.Running ? null : (info.State?.ExitCode ?? null),
        startedAt: zero(info.State?.StartedAt),
        finishedAt: zero(info.State?.FinishedAt),
        hostPort: hostPort ? Number(hostPort) : null,
        networks: Object.keys(info.NetworkSettings?.Networks ?? {}),
        oomKilled: info.State?.OOMKilled === true,
        memoryLimit: info.HostConfig?.Memory ?? 0,
        health: info.State?.Health?.Status ?? null,
      };
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async run(spec: ContainerSpec): Promise<ContainerInfo> {
    const created = await this.create(spec);
    await this.start(created.id);
    const info = await this.inspect(created.id);
    if (!info) throw new Error(`container ${created.id} vanished after start`);
    return info;
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    if (spec.network) await this.services.ensureNetwork(spec.network, networkLabels(spec.labels));
    const port = spec.publish === undefined ? undefined : `${spec.publish}/tcp`;
    const stdin = spec.stdin === true;
    const confined = spec.limits
      ? confinement(spec.limits, cpus().length, await this.imageUser(spec.image))
      : undefined;
    const container = await this.docker.createContainer({
      Tty: spec.tty === true,
      OpenStdin: stdin,
      StdinOnce: stdin,
      AttachStdin: stdin,
      AttachStdout: stdin,
      AttachStderr: stdin,
      name: spec.name,
      Image: spec.image,
      ...(spec.cmd ? { Cmd: spec.cmd } : {}),
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Labels: spec.labels,
      StopTimeout: Math.ceil(spec.stopTimeout),
      ...(port ? { ExposedPorts: { [port]: {} } } : {}),
      ...(confined?.User ? { User: confined.User } : {}),
      ...(spec.network && spec.aliases?.length
        ? { NetworkingConfig: { EndpointsConfig: { [spec.network]: { Aliases: spec.aliases } } } }
        : {}),
      HostConfig: {
        ...confined?.HostConfig,
        // An init as PID 1: signals reach the app (and, with TINI_KILL_PROCESS_GROUP, its whole
        // process group, as `sh -c` would otherwise swallow them) and zombies are reaped.
        Init: true,
        RestartPolicy: { Name: 'no' },
        ...(spec.network ? { NetworkMode: spec.network } : {}),
        ...(port ? { PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: '' }] } } : {}),
      },
    });
    const info = await this.inspect(container.id);
    if (!info) throw new Error(`container ${container.id} vanished after create`);
    return info;
  }

  private async imageUser(image: string): Promise<string> {
    const known = this.imageUsers.get(image);
    if (known !== undefined) return known;
    const info = await this.docker.getImage(image).inspect();
    const user = info.Config?.User ?? '';
    this.imageUsers.set(image, user);
    return user;
  }

  /** The subnets of the overlay networks this engine knows (none when it is in no swarm). */
  async overlaySubnets(): Promise<string[]> {
    const found = await this.docker.listNetworks({ filters: { driver: ['overlay'] } });
    return found.flatMap((n) => (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet ? [c.Subnet] : [])));
  }

  async start(id: string): Promise<void> {
    await this.docker.getContainer(id).start();
  }

  async attach(id: string, tty: boolean): Promise<Attached> {
    const stream = (await this.docker.getContainer(id).attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    })) as NodeJS.ReadWriteStream & { destroy(): void };
    let output: NodeJS.ReadableStream = stream;
    if (!tty) {
      // Without a TTY Docker multiplexes stdout and stderr in frames: both go to the client.
      const merged = new PassThrough();
      this.docker.modem.demuxStream(stream, merged, merged);
      stream.on('end', () => merged.end());
      stream.on('close', () => merged.end());
      output = merged;
    }
    return { output, input: stream, close: () => stream.destroy() };
  }

  async resize(id: string, cols: number, rows: number): Promise<void> {
    await this.docker.getContainer(id).resize({ h: rows, w: cols });
  }

  async wait(id: string): Promise<number | null> {
    try {
      const result = (await this.docker.getContainer(id).wait()) as { StatusCode?: number };
      return result.StatusCode ?? null;
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.ceil(timeoutSeconds) });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code !== 304 && code !== 404) throw err; // 304: already stopped
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code !== 404 && code !== 409) throw err; // 409: removal already in progress
    }
  }

  async kill(id: string, signal: string): Promise<void> {
    try {
      await this.docker.getContainer(id).kill({ signal });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code !== 404 && code !== 409) throw err; // 409: not running
    }
  }

  async putFile(id: string, file: string, content: string): Promise<void> {
    const slash = file.lastIndexOf('/');
    const archive = tarOf(file.slice(slash + 1), content);
    await this.docker.getContainer(id).putArchive(archive, { path: file.slice(0, slash) || '/' });
  }

  watch(
    labels: Record<string, string>,
    onEvent: (id: string, action: string, attributes: Record<string, string>) => void,
    events: string[] = ['start', 'die', 'destroy'],
  ): () => void {
    let closed = false;
    let stream: NodeJS.ReadableStream | undefined;
    const open = async () => {
      while (!closed) {
        try {
          stream = await this.docker.getEvents({
            filters: { type: ['container'], label: labelFilter(labels), event: events },
          });
          let partial = '';
          await new Promise<void>((resolve) => {
            stream?.on('data', (chunk: Buffer) => {
              const lines = (partial + chunk.toString()).split('\n');
              partial = lines.pop() ?? '';
              for (const line of lines) {
                if (!line.trim()) continue;
                let event: {
                  id?: string;
                  Action?: string;
                  status?: string;
                  Actor?: { Attributes?: Record<string, string> };
                };
                try {
                  event = JSON.parse(line);
                } catch {
                  continue; // not an event: the timer's pass covers whatever it meant
                }
                if (event.id) onEvent(event.id, event.Action ?? event.status ?? '', event.Actor?.Attributes ?? {});
              }
            });
            stream?.on('end', resolve);
            stream?.on('close', resolve);
            stream?.on('error', resolve);
          });
        } catch {}
        if (!closed) await new Promise((r) => setTimeout(r, 1000));
      }
    };
    void open();
    return () => {
      closed = true;
      (stream as unknown as { destroy?: () => void })?.destroy?.();
    };
  }
}
