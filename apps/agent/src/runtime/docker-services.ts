/**
 * The Docker calls of add-ons (runtime/docker.ts's client, split out to keep each module
 * small): app networks, volumes, service containers and exec. Only the runtime modules talk to
 * Docker; this one takes the client docker.ts made.
 */
import { isAppOverlay } from '@paas/shared';
import type Docker from 'dockerode';
import { bridgeName, subnetCandidates } from './app-network.js';
import type { ContainerInfo, ServiceRuntime, ServiceSpec } from './runtime.js';

/** A network made for a container carries its platform label (and no process labels). */
export const networkLabels = (labels: Record<string, string>) =>
  Object.fromEntries(Object.entries(labels).filter(([k]) => k === 'paas.platform'));

const notFound = (err: unknown) => (err as { statusCode?: number }).statusCode === 404;

export class DockerServices implements ServiceRuntime {
  constructor(
    private readonly docker: Docker,
    private readonly inspect: (id: string) => Promise<ContainerInfo | null>,
  ) {}

  /** An app's network (runtime/app-network.ts): its own bridge name and a /24 of the platform's range. */
  async ensureNetwork(name: string, labels: Record<string, string>): Promise<void> {
    // The api's overlay (swarm runtime): never made here; a worker node lists it only once a
    // container of its is on it, and Docker finds it through the manager when one joins it.
    if (isAppOverlay(name)) return;
    const found = await this.docker.listNetworks({ filters: { name: [name] } });
    if (found.some((n) => n.Name === name)) return;
    let last: unknown;
    for (const subnet of subnetCandidates(name)) {
      try {
        await this.docker.createNetwork({
          Name: name,
          Driver: 'bridge',
          CheckDuplicate: true,
          Labels: labels,
          IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] },
          Options: { 'com.docker.network.bridge.name': bridgeName(name) },
        });
        return;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 409) return; // made meanwhile
        if (!/overlap/i.test(String((err as Error).message))) throw err;
        last = err; // that subnet is taken: the next one
      }
    }
    throw last;
  }

  async connect(id: string, network: string, alias: string): Promise<void> {
    try {
      await this.docker.getNetwork(network).connect({ Container: id, EndpointConfig: { Aliases: [alias] } });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 403) throw err; // 403: already on it
    }
  }

  async disconnect(id: string, network: string): Promise<void> {
    try {
      await this.docker.getNetwork(network).disconnect({ Container: id, Force: true });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code !== 404 && code !== 403) throw err;
    }
  }

  async runService(spec: ServiceSpec): Promise<ContainerInfo> {
    const [first, ...others] = spec.networks;
    if (!first) throw new Error(`service ${spec.name} joins no network`);
    for (const network of spec.networks) await this.ensureNetwork(network, networkLabels(spec.labels));
    await this.docker.createVolume({ Name: spec.volume.name, Labels: spec.labels });
    const container = await this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Labels: spec.labels,
      HostConfig: {
        Init: true,
        // The agent restarts it (and counts the crash); Docker's policy would hide the exit.
        RestartPolicy: { Name: 'no' },
        NetworkMode: first,
        Mounts: [{ Type: 'volume', Source: spec.volume.name, Target: spec.volume.target }],
      },
      NetworkingConfig: { EndpointsConfig: { [first]: { Aliases: [spec.alias] } } },
    });
    for (const network of others) await this.connect(container.id, network, spec.alias);
    await container.start();
    const info = await this.inspect(container.id);
    if (!info) throw new Error(`container ${container.id} vanished after start`);
    return info;
  }

  async exec(id: string, argv: string[]): Promise<number> {
    const exec = await this.docker.getContainer(id).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', resolve);
      stream.resume();
    });
    return (await exec.inspect()).ExitCode ?? -1;
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).remove({ force: true });
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }

  async listNetworks(labels: Record<string, string>): Promise<{ name: string; containers: number }[]> {
    // This engine's own (bridges): the api's overlays are the api's to remove.
    const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`), scope: ['local'] };
    const found = await this.docker.listNetworks({ filters });
    return Promise.all(
      found.map(async (n) => {
        const info = (await this.docker.getNetwork(n.Id).inspect()) as { Containers?: Record<string, unknown> };
        return { name: n.Name, containers: Object.keys(info.Containers ?? {}).length };
      }),
    );
  }

  async removeNetwork(name: string): Promise<void> {
    try {
      await this.docker.getNetwork(name).remove();
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code !== 404 && code !== 403 && code !== 409) throw err; // 403/409: in use again
    }
  }
}
