/**
 * Swarm worker nodes on one machine: Docker-in-Docker containers made from the Debian stack
 * image plus Debian's docker.io (their own network namespace and /var/lib/docker volume),
 * joined to the host engine's Swarm as workers. Each carries the platform's label (the sweep
 * removes the container and its volume); `remove()` makes it leave and takes it out of the
 * Swarm's node list (`docker node rm --force`), so no node stays joined.
 *
 * Not `--privileged`: this machine's engine cannot grant CAP_SYS_RESOURCE, so a node gets
 * every other capability, no seccomp or AppArmor profile and writable system paths.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { run, tempDir } from './env.js';
import { eventually } from './wait.js';

const IMAGE = 'paas/dind:bookworm';
const DOCKERFILE = `FROM paas/debian:bookworm
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io iptables ca-certificates procps >/dev/null && rm -rf /var/lib/apt/lists/*
`;

/** Builds the node image unless one of these inputs exists (a few minutes the first time). */
export async function ensureDindImage(): Promise<string> {
  const inputs = createHash('sha256').update(DOCKERFILE).digest('hex').slice(0, 16);
  const existing = await run('docker', ['images', '-q', '--filter', `label=paas.inputs=${inputs}`, IMAGE]);
  if (existing.stdout.trim()) return IMAGE;
  const dir = tempDir('paas-dind-');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
  await run('docker', ['build', '-q', '-t', IMAGE, '--label', `paas.inputs=${inputs}`, dir], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return IMAGE;
}

export interface SwarmNode {
  name: string;
  /** The Swarm's id of the node. */
  nodeId: string;
  /** Its address on Docker's bridge (what it advertises; its published ports are there). */
  address: string;
  /** Its engine, for a host process (an agent) that is this node's: `unix://…`. */
  dockerHost: string;
  /** Stops the node's container (a node that disappears). */
  stop(): Promise<void>;
  /** Leaves the Swarm, is removed from its node list, and the container and volume go. */
  remove(): Promise<void>;
}

/** The host engine's address on Docker's default bridge: where the nodes reach the manager. */
export async function bridgeGateway(): Promise<string> {
  const { stdout } = await run('docker', [
    'network',
    'inspect',
    'bridge',
    '--format',
    '{{range .IPAM.Config}}{{.Gateway}}{{end}}',
  ]);
  return stdout.trim();
}

/**
 * Starts a node and joins it to the host's Swarm as a worker. `trust` (registry address →
 * CA file) goes to the node's /etc/docker/certs.d, so it pulls from the platform's registry.
 */
export async function startSwarmNode(options: {
  name: string;
  platformId: string;
  trust?: Record<string, string>;
}): Promise<SwarmNode> {
  const image = await ensureDindImage();
  const socketDir = tempDir('paas-node-');
  const label = `paas.platform=${options.platformId}`;
  const mounts = Object.entries(options.trust ?? {}).flatMap(([registry, ca]) => [
    '--mount',
    `type=bind,src=${ca},dst=/etc/docker/certs.d/${registry}/ca.crt,readonly`,
  ]);
  await run('docker', [
    'run',
    '-d',
    '--name',
    options.name,
    '--hostname',
    options.name,
    '--label',
    label,
    '--cap-add',
    'ALL',
    '--cap-drop',
    'SYS_RESOURCE',
    '--security-opt',
    'seccomp=unconfined',
    '--security-opt',
    'apparmor=unconfined',
    '--security-opt',
    'systempaths=unconfined',
    // cgroup v1 here: the node's engine makes its containers' cgroups in the host's hierarchy,
    // under a parent of its own (a remount inside stays read-only without --privileged).
    '--cgroupns',
    'host',
    '-v',
    '/sys/fs/cgroup:/sys/fs/cgroup:rw',
    '--mount',
    `type=volume,src=${options.name},dst=/var/lib/docker,volume-label=${label}`,
    '-v',
    `${socketDir}:/run/node`,
    ...mounts,
    image,
    'dockerd',
    '--host',
    'unix:///run/node/docker.sock',
    '--cgroup-parent',
    `/${options.name}`,
  ]);
  const dockerHost = `unix://${socketDir}/docker.sock`;
  const inNode = (args: string[]) => run('docker', ['-H', dockerHost, ...args]);
  await eventually(
    async () => {
      try {
        await inNode(['info', '--format', '{{.ID}}']);
        return true;
      } catch {
        return false;
      }
    },
    60_000,
    `dockerd in ${options.name}`,
  );
  const address = (
    await run('docker', ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', options.name])
  ).stdout.trim();
  const token = (await run('docker', ['swarm', 'join-token', '-q', 'worker'])).stdout.trim();
  await inNode(['swarm', 'join', '--token', token, '--advertise-addr', address, `${await bridgeGateway()}:2377`]);
  const nodeId = (await inNode(['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim();
  // Labelled like everything of the platform: the sweep takes a node a test left out of the swarm.
  await run('docker', ['node', 'update', '--label-add', label, nodeId]);
  await eventually(
    async () => (await run('docker', ['node', 'inspect', '-f', '{{.Status.State}}', nodeId])).stdout.trim() === 'ready',
    60_000,
    `${options.name} ready in the swarm`,
  );
  return {
    name: options.name,
    nodeId,
    address,
    dockerHost,
    async stop() {
      await run('docker', ['stop', '-t', '1', options.name]);
    },
    async remove() {
      await inNode(['swarm', 'leave', '--force']).catch(() => undefined);
      await run('docker', ['node', 'rm', '--force', nodeId]).catch(() => undefined);
      await run('docker', ['rm', '-f', '-v', options.name]).catch(() => undefined);
      await run('docker', ['volume', 'rm', '-f', options.name]).catch(() => undefined);
      // Its cgroup parents (empty once its containers are gone).
      for (const controller of fs.existsSync('/sys/fs/cgroup') ? fs.readdirSync('/sys/fs/cgroup') : []) {
        try {
          fs.rmdirSync(path.join('/sys/fs/cgroup', controller, options.name));
        } catch {}
      }
    },
  };
}
