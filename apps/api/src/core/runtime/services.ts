/**
 * What add-on service containers should run, pure: each live add-on → one DesiredService on
 * the agent that holds its volume, joining the networks of the owning app and every app it
 * is attached to. An add-on not yet placed goes to the live agent keeping the fewest.
 */
import type { DesiredService } from '@paas/shared';
import type { AddonRow, AttachmentRow } from '../../store/rows.js';
import { serviceEnv, serviceOf } from '../addon-catalog.js';
import type { PlacedService } from './driver.js';

export interface ServicesInput {
  addons: AddonRow[];
  attachments: AttachmentRow[];
  appNames: Map<string, string>;
  /** Agents that count now (connected, or not yet timed out). */
  alive: string[];
}

export function desiredServices(input: ServicesInput): { placed: PlacedService[]; newlyPlaced: Map<string, string> } {
  const load = new Map(input.alive.map((id) => [id, 0]));
  for (const a of input.addons)
    if (a.agent_id && load.has(a.agent_id)) load.set(a.agent_id, (load.get(a.agent_id) ?? 0) + 1);
  const placed: PlacedService[] = [];
  const newlyPlaced = new Map<string, string>();
  for (const addon of input.addons) {
    let agentId = addon.agent_id;
    if (!agentId) {
      const least = [...load].sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]))[0];
      if (!least) continue; // no agent: it waits, provisioning
      agentId = least[0];
      load.set(agentId, least[1] + 1);
      newlyPlaced.set(addon.id, agentId);
    }
    const attached = input.attachments.filter((t) => t.addon_id === addon.id).map((t) => t.app_id);
    const service: DesiredService = {
      id: addon.id,
      name: addon.name,
      kind: serviceOf(addon.service).kind,
      image: serviceOf(addon.service).image,
      env: serviceEnv(addon),
      appIds: [...new Set([addon.app_id, ...attached])],
      app: input.appNames.get(addon.app_id) ?? '',
    };
    placed.push({ agentId, service });
  }
  return { placed, newlyPlaced };
}
