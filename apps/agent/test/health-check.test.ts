/**
 * PAAS_HEALTHCHECK_PATH: a new web process gets traffic only once that path answers 2xx/3xx,
 * on a deploy (start-first, the old process serves meanwhile) and on a scale-up.
 */
import { deployRouted, loggedInHome, routerGet, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

const WARMUP_MS = 4000;

// "/" answers at once; /healthz says 503 for the first WARMUP_MS, as an app still warming a cache.
const SERVER = `const started = Date.now();
require('node:http').createServer((req, res) => {
  const uptime = Date.now() - started;
  if (req.url === '/healthz') { res.statusCode = uptime < ${WARMUP_MS} ? 503 : 200; return res.end(); }
  res.end(JSON.stringify({ dyno: process.env.DYNO, release: process.env.PAAS_RELEASE, uptime }));
}).listen(process.env.PORT);
process.on('SIGTERM', () => process.exit(0));
`;

interface Answer {
  status: number;
  dyno?: string;
  release?: string;
  uptime?: number;
}

it('routes to a new web process only after its health-check path answers 2xx', async () => {
  const platform = await startPlatform();
  try {
    const agent = await platform.startAgent('agent-1');
    const home = await loggedInHome(platform);
    const { host, cli } = await deployRouted(home, agent, 'health', { 'server.js': SERVER }, 60_000);

    // A bad path is refused and makes no release.
    const bad = await cli('config:set', 'PAAS_HEALTHCHECK_PATH=healthz');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/PAAS_HEALTHCHECK_PATH.*must be a path that starts with \//);
    expect(JSON.parse((await cli('releases', '--json')).stdout)).toHaveLength(1);

    /** Samples the app through the router until `until` holds for an answer. */
    const sample = async (until: (a: Answer) => boolean): Promise<Answer[]> => {
      const answers: Answer[] = [];
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const r = await routerGet(agent.routerPort, host);
        const a: Answer = { status: r.status, ...(r.status === 200 ? JSON.parse(r.text) : {}) };
        answers.push(a);
        if (until(a)) return answers;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the new process never served: last answers ${JSON.stringify(answers.slice(-3))}`);
    };

    const set = await cli('config:set', 'PAAS_HEALTHCHECK_PATH=/healthz');
    expect(set.code, set.stderr).toBe(0);
    const deploy = await sample((a) => a.release === 'v2');
    const scale = await cli('ps:scale', 'web=2');
    expect(scale.code, scale.stderr).toBe(0);
    const scaled = await sample((a) => a.dyno === 'web.2');

    for (const answers of [deploy, scaled]) {
      expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    }
    // The old process kept serving while the new one warmed up, for most of WARMUP_MS.
    expect(deploy.filter((a) => a.release === 'v1').length).toBeGreaterThan(10);
    // No request reached a process of v2 before its health check passed.
    const early = [...deploy, ...scaled].filter((a) => a.release === 'v2' && (a.uptime ?? 0) < WARMUP_MS);
    expect(early).toEqual([]);
    process.stdout.write(
      `health check: ${deploy.length} requests during the deploy (${deploy.filter((a) => a.release === 'v1').length} to v1), ` +
        `${scaled.length} during the scale-up; the youngest v2 process served had been up ${Math.min(
          ...[...deploy, ...scaled].filter((a) => a.release === 'v2').map((a) => a.uptime ?? 0),
        )} ms\n`,
    );

    // Unsetting the path goes back to "answers HTTP at all".
    expect((await cli('config:unset', 'PAAS_HEALTHCHECK_PATH')).code).toBe(0);
    const plain = await sample((a) => a.release === 'v3');
    expect(plain.filter((a) => a.status !== 200)).toEqual([]);
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}, 240_000);
