/**
 * Placement: which agent runs each wanted process. Pure. A process stays where it is while
 * its agent is alive; new ones go where their type has the fewest (spreading each type over
 * the agents), then where there are fewest processes in all, within capacity.
 */
export interface Slot {
  key: string;
  appId: string;
  type: string;
}

export interface AgentSlotInfo {
  id: string;
  capacity: number;
}

export function place(slots: Slot[], agents: AgentSlotInfo[], previous: Map<string, string>): Map<string, string> {
  const alive = new Map(agents.map((a) => [a.id, a]));
  const placed = new Map<string, string>();
  const total = new Map<string, number>(agents.map((a) => [a.id, 0]));
  const perType = new Map<string, number>();
  const typeKey = (slot: Slot, agent: string) => `${slot.appId}\u0000${slot.type}\u0000${agent}`;
  const assign = (slot: Slot, agent: string) => {
    placed.set(slot.key, agent);
    total.set(agent, (total.get(agent) ?? 0) + 1);
    perType.set(typeKey(slot, agent), (perType.get(typeKey(slot, agent)) ?? 0) + 1);
  };

  const pending: Slot[] = [];
  for (const slot of slots) {
    const agent = previous.get(slot.key);
    if (agent && alive.has(agent)) assign(slot, agent);
    else pending.push(slot);
  }
  for (const slot of pending) {
    const candidates = agents
      .filter((a) => (total.get(a.id) ?? 0) < a.capacity)
      .sort(
        (a, b) =>
          (perType.get(typeKey(slot, a.id)) ?? 0) - (perType.get(typeKey(slot, b.id)) ?? 0) ||
          (total.get(a.id) ?? 0) - (total.get(b.id) ?? 0) ||
          a.id.localeCompare(b.id),
      );
    const chosen = candidates[0];
    if (chosen) assign(slot, chosen.id);
  }
  return placed;
}
