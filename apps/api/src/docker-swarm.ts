/**
 * The api's port to Docker Swarm (the `swarm` runtime), on the client docker.ts makes: list,
 * create, update and remove services, list their tasks and the swarm's nodes, and make the
 * engine a single-node swarm manager when it is not in a swarm yet. Plain data in and out: the
 * translation (core/runtime/swarm-spec.ts, swarm-tasks.ts) is pure and knows no dockerode.
 */
import type Docker from 'dockerode';

/** The part of Docker's ServiceSpec the platform writes (Docker's own JSON field names). */
export interface SwarmServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Command?: string[];
      Args?: string[];
      User?: string;
      Env: string[];
      Labels: Record<string, string>;
      Init: boolean;
      CapabilityDrop?: string[];
      CapabilityAdd?: string[];
      StopGracePeriod: number;
      StopSignal?: string;
      Hostname?: string;
      Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number };
    };
    Resources: { Limits: { NanoCPUs: number; MemoryBytes: number; Pids?: number } };
    LogDriver?: { Name: string; Options: Record<string, string> };
    RestartPolicy: { Condition: 'none' | 'on-failure' | 'any'; Delay: number; MaxAttempts: number; Window: number };
    ForceUpdate: number;
    Placement?: { Constraints: string[] };
    Networks?: { Target: string; Aliases?: string[] }[];
  };
  Mode: { Replicated: { Replicas: number } };
  UpdateConfig: UpdateConfig;
  RollbackConfig: UpdateConfig;
  EndpointSpec: { Mode?: 'vip' | 'dnsrr'; Ports: { Protocol: 'tcp'; TargetPort: number; PublishMode: 'host' }[] };
}

interface UpdateConfig {
  Parallelism: number;
  Delay: number;
  FailureAction: 'pause' | 'continue' | 'rollback';
  Monitor: number;
  MaxFailureRatio: number;
  Order: 'start-first' | 'stop-first';
}

export interface SwarmService {
  id: string;
  /** The spec's version (an update names it, so a concurrent change is refused, not lost). */
  version: number;
  name: string;
  labels: Record<string, string>;
  replicas: number;
  /** Docker's state of the last update: updating, paused, completed, rollback_started … */
  updateState: string | null;
  updateMessage: string | null;
}

export interface SwarmTask {
  id: string;
  serviceId: string;
  slot: number;
  nodeId: string;
  /** Docker's task state: new … running, complete, failed, shutdown, rejected … */
  state: string;
  desiredState: string;
  /** When the task was made and when its state last changed. */
  createdAt: string;
  since: string;
  message: string;
  err: string | null;
  containerId: string | null;
  exitCode: number | null;
  /** The host port its web port is published on (host mode), on its node. */
  publishedPort: number | null;
  /** Its container's labels (the release and generation it was made for). */
  labels: Record<string, string>;
}

export interface SwarmNode {
  id: string;
  hostname: string;
  /** The address the node is reached at (what it advertised when it joined). */
  addr: string;
  nanoCpus: number;
  state: string;
  availability: string;
}

/** Credentials for the platform's registry (X-Registry-Auth). */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

export interface SwarmEngine {
  /** Makes this engine a single-node swarm manager unless it is in a swarm already. */
  ensureSwarm(advertiseAddr: string): Promise<void>;
  /** This engine's node id in the swarm ('' when it is in none). */
  nodeId(): Promise<string>;
  listServices(labels: Record<string, string>): Promise<SwarmService[]>;
  /** With `auth`, every node pulls the service's image from the registry with it. */
  createService(spec: SwarmServiceSpec, auth?: RegistryAuth): Promise<void>;
  updateService(id: string, version: number, spec: SwarmServiceSpec, auth?: RegistryAuth): Promise<void>;
  /**
   * Pushes a local image (by id) to `repo:tag` of the registry and drops the local tag again
   * (the image collector removes images by id, which a second tag would refuse). Resolves with
   * `repo@sha256:…`, the reference every node pulls.
   */
  pushImage(imageId: string, repo: string, tag: string, auth: RegistryAuth): Promise<string>;
  /** Sets a service's replicas, keeping the rest of the spec it runs. */
  scaleService(id: string, version: number, replicas: number): Promise<void>;
  /** Removes a service (its tasks stop with their grace period); a gone one is no error. */
  removeService(id: string): Promise<void>;
  listTasks(serviceIds: string[]): Promise<SwarmTask[]>;
  listNodes(): Promise<SwarmNode[]>;
}

const labelFilter = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`);
const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

// dockerode's types for tasks and nodes are loose; these are the fields read here.
interface RawTask {
  ID: string;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  CreatedAt: string;
  DesiredState: string;
  Spec?: { ContainerSpec?: { Labels?: Record<string, string> } };
  Status: {
    State: string;
    Timestamp: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
    PortStatus?: { Ports?: { PublishedPort?: number }[] };
  };
}

export class DockerSwarmEngine implements SwarmEngine {
  constructor(private readonly docker: Docker) {}

  async ensureSwarm(advertiseAddr: string): Promise<void> {
    const info = await this.docker.info();
    if (info.Swarm?.LocalNodeState === 'active') return;
    await this.docker.swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: advertiseAddr });
  }

  async nodeId(): Promise<string> {
    const info = await this.docker.info();
    return info.Swarm?.NodeID ?? '';
  }

  async listServices(labels: Record<string, string>): Promise<SwarmService[]> {
    const services = await this.docker.listServices({ filters: { label: labelFilter(labels) } });
    return services.map((s) => ({
      id: s.ID ?? '',
      version: s.Version?.Index ?? 0,
      name: s.Spec?.Name ?? '',
      labels: s.Spec?.Labels ?? {},
      replicas: s.Spec?.Mode?.Replicated?.Replicas ?? 0,
      updateState: s.UpdateStatus?.State ?? null,
      updateMessage: s.UpdateStatus?.Message ?? null,
    }));
  }

  async createService(spec: SwarmServiceSpec, auth?: RegistryAuth): Promise<void> {
    await this.docker.createService(auth as Docker.AuthConfig, spec as unknown as Docker.CreateServiceOptions);
  }

  async updateService(id: string, version: number, spec: SwarmServiceSpec, auth?: RegistryAuth): Promise<void> {
    // dockerode's update(auth, opts): X-Registry-Auth only when auth is given.
    const service = this.docker.getService(id) as unknown as { update(auth: unknown, opts: unknown): Promise<unknown> };
    await service.update(auth, { ...spec, version });
  }

  async pushImage(imageId: string, repo: string, tag: string, auth: RegistryAuth): Promise<string> {
    await this.docker.getImage(imageId).tag({ repo, tag });
    try {
      const stream = await this.docker.getImage(repo).push({ tag, authconfig: auth });
      const events = await new Promise<{ error?: string; aux?: { Digest?: string } }[]>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (err: Error | null, out: unknown[]) =>
          err ? reject(err) : resolve(out as { error?: string; aux?: { Digest?: string } }[]),
        ),
      );
      const failed = events.find((e) => e.error);
      if (failed) throw new Error(`push of ${repo}:${tag} failed: ${failed.error}`);
      const digest = events.find((e) => e.aux?.Digest)?.aux?.Digest;
      if (!digest) throw new Error(`push of ${repo}:${tag} gave no digest`);
      return `${repo}@${digest}`;
    } finally {
      await this.docker
        .getImage(`${repo}:${tag}`)
        .remove({ noprune: true })
        .catch(() => undefined);
    }
  }

  async scaleService(id: string, version: number, replicas: number): Promise<void> {
    const service = this.docker.getService(id);
    const info = await service.inspect();
    const spec = { ...info.Spec, Mode: { Replicated: { Replicas: replicas } } };
    await service.update({ ...spec, version });
  }

  async removeService(id: string): Promise<void> {
    try {
      await this.docker.getService(id).remove();
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  async listTasks(serviceIds: string[]): Promise<SwarmTask[]> {
    if (serviceIds.length === 0) return [];
    const tasks = (await this.docker.listTasks({ filters: { service: serviceIds } })) as RawTask[];
    return tasks.map((t) => ({
      id: t.ID,
      serviceId: t.ServiceID,
      slot: t.Slot ?? 0,
      nodeId: t.NodeID ?? '',
      state: t.Status.State,
      desiredState: t.DesiredState,
      createdAt: t.CreatedAt,
      since: t.Status.Timestamp,
      message: t.Status.Message ?? '',
      err: t.Status.Err ?? null,
      containerId: t.Status.ContainerStatus?.ContainerID ?? null,
      exitCode: t.Status.ContainerStatus?.ExitCode ?? null,
      publishedPort: t.Status.PortStatus?.Ports?.[0]?.PublishedPort ?? null,
      labels: t.Spec?.ContainerSpec?.Labels ?? {},
    }));
  }

  async listNodes(): Promise<SwarmNode[]> {
    const nodes = await this.docker.listNodes();
    return nodes.map((n) => ({
      id: n.ID ?? '',
      hostname: n.Description?.Hostname ?? '',
      addr: n.Status?.Addr ?? '',
      nanoCpus: n.Description?.Resources?.NanoCPUs ?? 0,
      state: n.Status?.State ?? 'unknown',
      availability: n.Spec?.Availability ?? 'active',
    }));
  }
}
