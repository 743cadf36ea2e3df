/**
 * The api's one port to Docker (only this module imports dockerode): build images from a
 * tar stream, inspect, list and remove them, and check that the engine answers.
 */
import type { Readable } from 'node:stream';
import { dockerConnection } from '@paas/shared';
import Docker from 'dockerode';
import { BuildFailed } from './errors.js';

export interface BuildImageOptions {
  context: Readable;
  tag: string;
  labels: Record<string, string>;
  /** Each line of the build's output, as it comes. */
  onLine: (line: string) => void;
  signal?: AbortSignal;
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

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

export class DockerImageEngine implements ImageEngine {
  private readonly docker: Docker;

  constructor(dockerHost?: string) {
    this.docker = new Docker(dockerConnection(dockerHost));
  }

  async ping(): Promise<void> {
    await this.docker.ping();
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
        return { status: 'conflict', message: json?.message ?? (err as Error).message };
      }
      throw err;
    }
  }

  async build({ context, tag, labels, onLine, signal }: BuildImageOptions): Promise<{ imageId: string }> {
    const stream = (await this.docker.buildImage(context, { t: tag, labels, rm: true, forcerm: true })) as Readable;
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
}
