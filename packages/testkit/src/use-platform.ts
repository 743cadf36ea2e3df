/**
 * A test file's platform, for the tests of a `describe` (or the whole file): before them the
 * api, an agent (`agent: false` for none) and a CLI home logged in to it; after them the agent
 * stopped first (so that it removes nothing while we do), every container the platform made
 * removed, and the api stopped, which must exit 0. The fields are set once `beforeAll` ran.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { Agent } from './agent.js';
import { loggedInHome } from './fixtures.js';
import { type Platform, type PlatformOptions, startPlatform } from './platform.js';

export interface PlatformFixture {
  platform: Platform;
  /** The agent started with the platform (undefined with `agent: false`; replace it after a restart). */
  agent: Agent;
  /** A CLI home logged in to the platform. */
  home: string;
}

export function usePlatform(options: PlatformOptions & { agent?: string | false } = {}): PlatformFixture {
  const { agent: agentId, ...platformOptions } = options;
  const fixture = {} as PlatformFixture;
  beforeAll(async () => {
    fixture.platform = await startPlatform(platformOptions);
    if (agentId !== false) fixture.agent = await fixture.platform.startAgent(agentId);
    fixture.home = await loggedInHome(fixture.platform);
  });
  afterAll(async () => {
    await fixture.agent?.stop();
    await fixture.platform?.removeContainers();
    if (fixture.platform) expect(await fixture.platform.stop()).toBe(0);
  });
  return fixture;
}
