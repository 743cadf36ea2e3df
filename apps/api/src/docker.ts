/**
 * The api's one port to Docker (only this module imports dockerode): build images from a
 * tar stream, inspect, list and remove them, check that the engine answers, and run a
 * container to its end (the release phase's one-off, until agents run one-offs), and run a
 * command in an add-on's container (pg:backups).
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { dockerConnection } from '@paas/shared';
import Docker from 'dockerode';
import { DockerImageFacts } from './docker-image-facts.js';
import { DockerOverlayEngine } from './docker-overlays.js';
import type {
  BuildImageOptions,
  ContainerEngine,
  ImageEngine,
  ImageInfo,
  ImageSummary,
  RemoveOutcome,
  RunContainerOptions,
  ServiceExec,
} from './docker-ports.js';
import { DockerSwarmEngine } from './docker-swarm.js';
import { BuildFailed } from './errors.js';

export type {
  BuildImageOptions,
  ContainerEngine,
  ImageEngine,
  ImageInfo,
  ImageSummary,
  RemoveOutcome,
  RunContainerOptions,
  ServiceExec,
} from './docker-ports.js';

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

export class DockerImageEngine implements ImageEngine, ContainerEngine, ServiceExec {
  private readonly docker: Docker;

  constructor(dockerHost?: string) {
    this.docker = new Docker(dockerConnection(dockerHost));
  }

  async ping(): Promise<void> {
    await this.docker.ping();
  }

  /** The Swarm port on the same client (the `swarm` runtime). */
  swarm(): DockerSwarmEngine {
    return new DockerSwarmEngine(this.docker);
  }

  /** The apps' overlay networks (the `swarm` runtime), on the same client. */
  overlays(): DockerOverlayEngine {
    return new DockerOverlayEngine(this.docker);
  }

  /** What the `swarm` runtime reads of a release image (its user, command, setpriv). */
  imageFacts(): DockerImageFacts {
    return new DockerImageFacts(this.docker);
  }

  async inspect(image: string): Promise<ImageInfo | null> {
    try {
      const info = await this.docker.getImage(image).inspect();
      return {
        id: info.Id,
        cmd: info.Config?.Cmd ?? null,
        entrypoint: (info.Config?.Entrypoint as string[] | null) ?? null,
        labels: info.Config?.Labels ?? {},
      };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async list(labels: Record<string, string>): Promise<ImageSummary[]> {
    const images = await this.docker.listImages({
      filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) },
    });
    return images.map((i) => ({
      id: i.Id,
      tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      labels: i.Labels ?? {},
    }));
  }

  async remove(imageId: string): Promise<RemoveOutcome> {
    try {
      await this.docker.getImage(imageId).remove();
      return { status: 'removed' };
    } catch (err) {
      const status = statusOf(err);
      if (status === 404) return { status: 'gone' };
      if (status === 409) {
        const json = (err as { json?: { message?: string } }).json;
        const message = json?.message ?? (err as Error).message;
        if (/multiple repositories/.test(message)) return this.removeReferences(imageId);
        return { status: 'conflict', message };
      }
      throw err;
    }
  }

  /**
   * An image a Swarm task pulled from the platform's registry has two references (its local
   * `paas/<app>` tag and the registry's digest): Docker refuses its removal by id unforced.
   * Each reference is removed by name instead; the last one removes the image, unless a
   * container still uses it (a conflict, as by id).
   */
  private async removeReferences(imageId: string): Promise<RemoveOutcome> {
    const info = await this.docker
      .getImage(imageId)
      .inspect()
      .catch(() => null);
    if (!info) return { status: 'gone' };
    const refs = [...(info.RepoTags ?? []), ...(info.RepoDigests ?? [])].filter((r) => !r.startsWith('<none>'));
    for (const ref of refs) {
      try {
        await this.docker.getImage(ref).remove();
      } catch (err) {
        if (statusOf(err) === 404) continue;
        if (statusOf(err) === 409) {
          const json = (err as { json?: { message?: string } }).json;
          return { status: 'conflict', message: json?.message ?? (err as Error).message };
        }
        throw err;
      }
    }
    return (await this.inspect(imageId)) ? this.remove(imageId) : { status: 'removed' };
  }

  async build({ context, tag, labels, onLine, signal, limits, ...o }: BuildImageOptions): Promise<{ imageId: string }> {
    const options = {
      t: tag,
      labels,
      rm: true,
      forcerm: true,
      ...limits,
      ...(o.dockerfile ? { dockerfile: o.dockerfile } : {}),
    };
    if (o.buildArgs) Object.assign(options, { buildargs: o.buildArgs });
    if (o.noCache) Object.assign(options, { nocache: true });
    const stream = (await this.docker.buildImage(context, options)) as Readable;
    const abort = () => stream.destroy(new BuildFailed('build cancelled'));
    signal?.addEventListener('abort', abort, { once: true });
    let imageId: string | undefined;
    let error: string | undefined;
    let partial = '';
    const emit = (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line.replace(/\r$/, ''));
    };
    try {
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (event: BuildEvent) => {
            if (event.stream) emit(event.stream);
            else if (event.status) emit(`${event.status}\n`);
            if (event.aux?.ID) imageId = event.aux.ID;
            if (event.error) error = event.errorDetail?.message ?? event.error;
          },
        );
      });
    } catch (err) {
      error ??= err instanceof Error ? err.message : String(err);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    if (partial) onLine(partial);
    if (signal?.aborted) throw new BuildFailed('build cancelled');
    if (error) throw new BuildFailed(error.trim());
    if (!imageId) {
      // Old engines do not send aux.ID; the tag names the image we just built.
      const built = await this.inspect(tag);
      if (!built) throw new BuildFailed(`the build ended but there is no image ${tag}`);
      imageId = built.id;
    }
    return { imageId };
  }

  private async hasNetwork(name: string): Promise<boolean> {
    const found = await this.docker.listNetworks({ filters: { name: [name] } });
    return found.some((n) => n.Name === name);
  }

  async run(o: RunContainerOptions): Promise<{ exitCode: number }> {
    const network = o.network && (await this.hasNetwork(o.network)) ? o.network : undefined;
    const container = await this.docker.createContainer({
      name: o.name,
      Image: o.image,
      Cmd: o.cmd,
      Env: Object.entries(o.env).map(([k, v]) => `${k}=${v}`),
      Labels: o.labels,
      Tty: false,
      AttachStdout: true,
      AttachStderr: true,
      StopTimeout: o.stopTimeout,
      HostConfig: { Init: true, ...(network ? { NetworkMode: network } : {}) },
    });
    try {
      // Attached before it starts, so no output is missed.
      const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
      const text = new PassThrough();
      text.setEncoding('utf8');
      text.on('data', (chunk: string) => o.onOutput(chunk));
      container.modem.demuxStream(stream, text, text);
      const ended = once(stream, 'end').catch(() => {});
      const stop = () => void container.stop({ t: o.stopTimeout }).catch(() => {});
      o.signal.addEventListener('abort', stop, { once: true });
      try {
        await container.start();
        if (o.signal.aborted) stop();
        const { StatusCode } = (await container.wait()) as { StatusCode: number };
        // The attach stream ends once Docker has sent the last output; do not wait forever.
        await Promise.race([ended, delay(2000)]);
        return { exitCode: StatusCode };
      } finally {
        o.signal.removeEventListener('abort', stop);
      }
    } finally {
      await container.remove({ force: true }).catch(() => {});
    }
  }

  async findRunning(labels: Record<string, string>): Promise<string | null> {
    const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
    return (await this.docker.listContainers({ filters }))[0]?.Id ?? null;
  }

  async exec(o: Parameters<ServiceExec['exec']>[0]): Promise<{ exitCode: number; stderr: string }> {
    const exec = await this.docker.getContainer(o.container).exec({
      Cmd: o.argv,
      User: o.user,
      AttachStdin: Boolean(o.input),
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = (await exec.start({ hijack: true, stdin: Boolean(o.input) })) as NodeJS.ReadWriteStream;
    let stderr = '';
    const err = new PassThrough();
    err.on('data', (c: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += c.toString();
    });
    const out = o.output ?? new PassThrough().resume();
    this.docker.modem.demuxStream(stream, out, err);
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', resolve);
    });
    // stdin ends with the input (a half-close: the process reads EOF, its output goes on).
    if (o.input) o.input.pipe(stream);
    await ended;
    return { exitCode: (await exec.inspect()).ExitCode ?? -1, stderr };
  }

  async removeContainers(labels: Record<string, string>): Promise<number> {
    const found = await this.docker.listContainers({
      all: true,
      filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) },
    });
    await Promise.all(
      found.map((c) =>
        this.docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {}),
      ),
    );
    return found.length;
  }
}
