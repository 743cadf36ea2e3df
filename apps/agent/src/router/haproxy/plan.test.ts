import { describe, expect, it } from 'vitest';
import { parseMap, parseProc, parseServersState, parseSessions, planCommands } from './plan.js';

const MAP = '/d/hosts.map';
const FILES = { map: MAP, apps: '/d/apps.map' };
const A = new Map([['a', 'b1']]);
const MAINT = 0x05; // as `disabled` in the configuration makes it
const slot = (id: string, port: number, admin = 0) => ({ backend: 'b1', id, host: '127.0.0.1', port, admin });
const spec = (port: number, drain = false) => ({ name: `web.${port}`, host: '127.0.0.1', port, drain });
const hosts = new Map([['a.localhost', 'a']]);

describe('planCommands', () => {
  it('points a free slot at a new endpoint first, then drains and frees, so an app always has one', () => {
    const commands = planCommands(
      [{ app: 'a', hosts: ['a.localhost'], servers: [spec(2), spec(3, true)] }],
      A,
      { servers: [slot('s1', 1), slot('s2', 3), slot('s3', 9, MAINT), slot('s4', 1, MAINT)], map: hosts, apps: A },
      FILES,
    );
    expect(commands).toEqual([
      // s4 points at nothing (127.0.0.1:1): taken before s3, which may still finish requests
      'set server b1/s4 addr 127.0.0.1 port 2',
      'set server b1/s4 state ready',
      'set server b1/s2 state drain',
      'set server b1/s1 state maint',
    ]);
  });

  it('does nothing when HAProxy has it all; a draining endpoint in maintenance (after a reload) stays so', () => {
    const apps = [{ app: 'a', hosts: ['a.localhost'], servers: [spec(1), spec(2, true)] }];
    expect(
      planCommands(apps, A, { servers: [slot('s1', 1), slot('s2', 2, 0x08)], map: hosts, apps: A }, FILES),
    ).toEqual([]);
    // Configured `disabled`, then made ready: 0x04 stays, and it is up.
    expect(
      planCommands(apps, A, { servers: [slot('s1', 1, 0x04), slot('s2', 2, 0x08)], map: hosts, apps: A }, FILES),
    ).toEqual([]);
    expect(
      planCommands(apps, A, { servers: [slot('s1', 1), slot('s2', 2, MAINT)], map: hosts, apps: A }, FILES),
    ).toEqual([]);
  });

  it('waits for a reload when no slot is free', () => {
    const apps = [{ app: 'a', hosts: ['a.localhost'], servers: [spec(1), spec(2)] }];
    expect(planCommands(apps, A, { servers: [slot('s1', 1)], map: hosts, apps: A }, FILES)).toEqual([]);
  });

  it('makes a drained endpoint ready again, and keeps the Host map', () => {
    const commands = planCommands(
      [{ app: 'a', hosts: ['A.localhost', 'www.a.com'], servers: [spec(1)] }],
      A,
      {
        servers: [slot('s1', 1, 0x08)],
        map: new Map([
          ['a.localhost', 'b'],
          ['old.a.com', 'a'],
        ]),
        apps: A,
      },
      FILES,
    );
    expect(commands).toEqual([
      'set server b1/s1 state ready',
      `set map ${MAP} a.localhost a`,
      `add map ${MAP} www.a.com a`,
      `del map ${MAP} old.a.com`,
    ]);
  });

  it('gives a new app its backend before its hosts lead there; a gone app frees its slots', () => {
    const commands = planCommands(
      [{ app: 'new', hosts: ['new.localhost'], servers: [spec(7)] }],
      new Map([['new', 'b2']]),
      {
        servers: [slot('s1', 1), { ...slot('s1', 1, MAINT), backend: 'b2' }],
        map: new Map([['a.localhost', 'a']]),
        apps: A,
      },
      FILES,
    );
    expect(commands).toEqual([
      'set server b2/s1 addr 127.0.0.1 port 7',
      'set server b2/s1 state ready',
      'add map /d/apps.map new b2',
      `add map ${MAP} new.localhost new`,
      `del map ${MAP} a.localhost`,
      'del map /d/apps.map a',
      'set server b1/s1 state maint',
    ]);
  });
});

describe('parsers of the Runtime API', () => {
  it('reads servers, the map, sessions and processes', () => {
    const state = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
4 app_shop 1 s1 127.0.0.1 2 8 1 1 18 1 0 2 0 0 0 0 - 19001 - 0 0 - - 0
`;
    expect(parseServersState(state)).toEqual([
      { backend: 'app_shop', id: 's1', host: '127.0.0.1', admin: 8, port: 19001 },
    ]);
    expect(parseMap('0x5607eac2a140 shop.localhost shop\n\n')).toEqual(new Map([['shop.localhost', 'shop']]));
    const stat = '# pxname,svname,qcur,qmax,scur,smax\napp_shop,s1,0,0,2,1\n';
    expect(parseSessions(stat).get('app_shop/s1')).toBe(2);
    const proc = `#<PID>          <type>          <reloads>       <uptime>        <version>
22301           master          1 [failed: 0]   0d00h10m23s     2.6.12-1+deb12u4
# workers
3668            worker          0               0d00h00m01s     2.6.12-1+deb12u4
# old workers
3001            worker          1               0d00h10m01s     2.6.12-1+deb12u4
# programs
`;
    expect(parseProc(proc)).toEqual({ master: 22301, worker: 3668, failedReloads: 0 });
  });
});
