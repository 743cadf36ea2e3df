import { describe, expect, it } from 'vitest';
import type { AddonRow, AttachmentRow } from '../../store/rows.js';
import { desiredServices } from './services.js';

const addon = (id: string, over: Partial<AddonRow> = {}): AddonRow => ({
  id,
  name: `postgresql-calm-${id}`,
  app_id: 'app1',
  service: 'heroku-postgresql',
  plan: 'heroku-postgresql:essential-0',
  state: 'provisioning',
  secrets: { user: 'u', password: 'p', database: 'd' },
  agent_id: null,
  created_at: '',
  updated_at: '',
  ...over,
});
const att = (addonId: string, appId: string): AttachmentRow => ({
  id: `${addonId}-${appId}`,
  addon_id: addonId,
  app_id: appId,
  name: 'DATABASE',
  released: true,
  created_at: '',
});
const appNames = new Map([
  ['app1', 'one'],
  ['app2', 'two'],
]);

describe('desiredServices', () => {
  it('keeps a placed add-on on its agent, even when that agent is away (its volume is there)', () => {
    const { placed, newlyPlaced } = desiredServices({
      addons: [addon('a', { agent_id: 'agent-2' })],
      attachments: [att('a', 'app1')],
      appNames,
      alive: ['agent-1'],
    });
    expect(placed.map((p) => p.agentId)).toEqual(['agent-2']);
    expect(newlyPlaced.size).toBe(0);
  });

  it('places new add-ons on the live agent keeping the fewest, and none without an agent', () => {
    const input = {
      addons: [addon('a', { agent_id: 'agent-1' }), addon('b'), addon('c')],
      attachments: [],
      appNames,
      alive: ['agent-1', 'agent-2'],
    };
    const { newlyPlaced } = desiredServices(input);
    expect([...newlyPlaced]).toEqual([
      ['b', 'agent-2'],
      ['c', 'agent-1'],
    ]);
    expect(desiredServices({ ...input, alive: [] }).placed.map((p) => p.service.id)).toEqual(['a']);
  });

  it('joins the owner’s network and each attached app’s, with the service’s env', () => {
    const { placed } = desiredServices({
      addons: [addon('a', { agent_id: 'agent-1' })],
      attachments: [att('a', 'app1'), att('a', 'app2')],
      appNames,
      alive: ['agent-1'],
    });
    expect(placed[0]?.service).toMatchObject({
      appIds: ['app1', 'app2'],
      app: 'one',
      kind: 'postgres',
      image: 'paas/postgres:15',
      env: { POSTGRES_USER: 'u', POSTGRES_PASSWORD: 'p', POSTGRES_DB: 'd' },
    });
  });
});
