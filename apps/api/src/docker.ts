/**
 * The api's one port to Docker (only this module imports dockerode): build images from a
 * tar stream, inspect them, and check that the engine answers.
 */
import type { Readable } from 'node:stream';
import { dockerConnection } from '@paas/shared';
import Docker from 'dockerode';

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
}

export interface ImageBuilder {
  ping(): Promise<void>;
  build(options: BuildImageOptions): Promise<{ imageId: string }>;
  inspect(image: string): Promise<ImageInfo>;
}

export class BuildFailed extends Error {}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

export class DockerImageBuilder implements ImageBuilder {
  private readonly docker: Docker;

  constructor(dockerHost?: string) {
    this.docker = new Docker(dockerConnection(dockerHost));
  }

  async ping(): Promise<void> {
    await this.docker.ping();
  }

  async inspect(image: string): Promise<ImageInfo> {
    const info = await this.docker.getImage(image).inspect();
    return {
      id: info.Id,
      cmd: info.Config?.Cmd ?? null,
      entrypoint: (info.Config?.Entrypoint as string[] | null) ?? null,
    };
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
      imageId = (await this.inspect(tag)).id;
    }
    return { imageId };
  }
}
