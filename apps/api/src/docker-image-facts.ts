/**
 * What the `swarm` runtime needs to know of a release image to confine its services as the
 * agents confine their containers (on docker.ts's client): its USER, ENTRYPOINT and CMD, and
 * whether it has util-linux's `setpriv` (Docker 20.10's services have no no-new-privileges:
 * `setpriv --no-new-privs` in front of the command gives it to the app's processes).
 */
import type Docker from 'dockerode';

export interface ImageFacts {
  /** The image's USER ('' = none, root by default). */
  user: string;
  entrypoint: string[] | null;
  cmd: string[] | null;
  /** The path of `setpriv` in the image, or null when it has none. */
  setpriv: string | null;
}

export interface ImageFactsEngine {
  /** Reads an image's facts (`labels` go on the short-lived container made to look inside it). */
  imageFacts(image: string, labels: Record<string, string>): Promise<ImageFacts>;
}

const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];

export class DockerImageFacts implements ImageFactsEngine {
  constructor(private readonly docker: Docker) {}

  async imageFacts(image: string, labels: Record<string, string>): Promise<ImageFacts> {
    const info = await this.docker.getImage(image).inspect();
    const facts: ImageFacts = {
      user: info.Config?.User ?? '',
      entrypoint: (info.Config?.Entrypoint as string[] | null | undefined) ?? null,
      cmd: info.Config?.Cmd ?? null,
      setpriv: null,
    };
    // A container made, never started, to stat a path in the image's file system; removed.
    const container = await this.docker.createContainer({
      Image: image,
      Entrypoint: ['/nonexistent'],
      Labels: labels,
      NetworkDisabled: true,
    });
    try {
      for (const path of SETPRIV_PATHS) {
        const found = await container.infoArchive({ path }).then(
          () => true,
          () => false,
        );
        if (found) {
          facts.setpriv = path;
          break;
        }
      }
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
    return facts;
  }
}
