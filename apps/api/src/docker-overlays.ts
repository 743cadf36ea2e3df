/**
 * The api's port to the apps' overlay networks under the `swarm` runtime (on docker.ts's
 * client): list, make and remove this platform's attachable, Swarm-scope overlays. The
 * decisions (which app needs one, when one goes) are core/runtime/swarm-overlays.ts's.
 */
import type Docker from 'dockerode';

export interface AppOverlayNetwork {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface OverlayEngine {
  /** This platform's overlays (Swarm scope, by labels). */
  listOverlays(labels: Record<string, string>): Promise<AppOverlayNetwork[]>;
  /** Makes an attachable overlay network; one of that name already there is no error. */
  createOverlay(name: string, labels: Record<string, string>): Promise<void>;
  /** Removes one; false when something is still on it (try again later); a gone one is removed. */
  removeOverlay(id: string): Promise<boolean>;
}

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

export class DockerOverlayEngine implements OverlayEngine {
  constructor(private readonly docker: Docker) {}

  async listOverlays(labels: Record<string, string>): Promise<AppOverlayNetwork[]> {
    const found = await this.docker.listNetworks({
      filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`), scope: ['swarm'], driver: ['overlay'] },
    });
    return found.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} }));
  }

  async createOverlay(name: string, labels: Record<string, string>): Promise<void> {
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: 'overlay',
        // Standalone containers (add-ons, one-offs, the release phase) join it too.
        Attachable: true,
        CheckDuplicate: true,
        Labels: labels,
      });
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
  }

  async removeOverlay(id: string): Promise<boolean> {
    try {
      await this.docker.getNetwork(id).remove();
      return true;
    } catch (err) {
      const code = statusOf(err);
      if (code === 404) return true;
      // In use (a service's tasks or a container still on it): Docker says 403 or 409, or a
      // 500 whose message says so (Swarm's "network … is in use by …").
      if (code === 403 || code === 409 || /in use/i.test(String((err as Error).message))) return false;
      throw err;
    }
  }
}
