/**
 * The agent's host firewall, kept from its start: app networks (and Swarm tasks, through
 * docker_gwbridge) reach no more of this host than the router (firewall.ts), and Swarm tasks
 * no other app's overlay address (overlay-firewall.ts). Without CAP_NET_ADMIN it says so once
 * and the agent goes on (apps are still apart from each other, not from the host).
 */
import type { Logger } from '../logger.js';
import type { DockerRuntime } from './docker.js';
import { keepFirewall } from './firewall.js';
import { keepOverlayFirewall } from './overlay-firewall.js';

export async function keepFirewalls(
  options: { routerPorts: number[]; apiUrl: string },
  runtime: Pick<DockerRuntime, 'overlaySubnets'>,
  log: Logger,
): Promise<{ stop(): void }> {
  let firewallWarned = false;
  const firewall = keepFirewall(options, (err) => {
    if (!firewallWarned) log.warn({ err }, 'could not install the firewall of app networks');
    firewallWarned = true;
  });
  try {
    await firewall.ready;
  } catch (err) {
    firewallWarned = true;
    log.warn({ err }, 'could not install the firewall of app networks: their containers can reach this host');
  }
  let overlaysWarned = false;
  const overlays = keepOverlayFirewall(
    () => runtime.overlaySubnets(),
    (err) => {
      if (!overlaysWarned) log.warn({ err }, 'could not reject overlay subnets from Swarm tasks');
      overlaysWarned = true;
    },
  );
  return {
    stop() {
      firewall.stop();
      overlays.stop();
    },
  };
}
