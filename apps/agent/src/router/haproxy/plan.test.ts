import { describe, expect, it } from 'vitest';
import { parseMap, parseProc, parseServersState, parseSessions, planCommands } from './plan.js';

const MAP = '/d/hosts.map';
const server = (id: string, port: number, admin = 0) => ({ backend: 'app_a', id, host: '127.0.0.1', port, admin });
const spec = (id: string, port: number, drain = false) => ({ id, host: '127.0.0.1', port, drain });

describe('planCommands', () => {
  it('adds new servers first, then drains and removes, so an app always has one', () => {
    const commands = planCommands(
      [{ app: 'a', hosts: ['a.localhost'], servers: [spec('web.1_2', 2), spec('web.2_3', 3, true)] }],
      { servers: [server('web.1_1', 1), server('web.2_3', 3)], map: new Map([['a.localhost', 'a']]) },
      MAP,
    );
    expect(commands).toEqual([
      'add server app_a/web.1_2 127.0.0.1:2',
      'set server app_a/web.1_2 state ready',
      'set server app_a/web.1_1 state maint',
      'del server app_a/web.1_1',
      'set server app_a/web.2_3 state drain',
    ]);
  });

  it('does nothing when HAProxy has it all, and retries a delete of a server in maintenance', () => {
    const apps = [{ app: 'a', hosts: ['a.localhost'], servers: [spec('web.1_1', 1), spec('web.2_2', 2, true)] }];
    const map = new Map([['a.localhost', 'a']]);
    expect(planCommands(apps, { servers: [server('web.1_1', 1), server('web.2_2', 2, 0x08)], map }, MAP)).toEqual([]);
    // A draining server written as `disabled` in the configuration (after a reload) stays so.
    expect(planCommands(apps, { servers: [server('web.1_1', 1), server('web.2_2', 2, 0x04)], map }, MAP)).toEqual([]);
    expect(planCommands([], { servers: [server('web.1_1', 1, 0x01)], map: new Map() }, MAP)).toEqual([
      'del server app_a/web.1_1',
    ]);
  });

  it('makes a drained server ready again, and keeps the Host map', () => {
    const commands = planCommands(
      [{ app: 'a', hosts: ['A.localhost', 'www.a.com'], servers: [spec('web.1_1', 1)] }],
      {
        servers: [server('web.1_1', 1, 0x08)],
        map: new Map([
          ['a.localhost', 'b'],
          ['old.a.com', 'a'],
        ]),
      },
      MAP,
    );
    expect(commands).toEqual([
      'set server app_a/web.1_1 state ready',
      `set map ${MAP} a.localhost a`,
      `add map ${MAP} www.a.com a`,
      `del map ${MAP} old.a.com`,
    ]);
  });
});

describe('parsers of the Runtime API', () => {
  it('reads servers, the map, sessions and processes', () => {
    const state = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
4 app_shop 1 web.1_19001 127.0.0.1 2 8 1 1 18 1 0 2 0 0 0 0 - 19001 - 0 0 - - 0
`;
    expect(parseServersState(state)).toEqual([
      { backend: 'app_shop', id: 'web.1_19001', host: '127.0.0.1', admin: 8, port: 19001 },
    ]);
    expect(parseMap('0x5607eac2a140 shop.localhost shop\n\n')).toEqual(new Map([['shop.localhost', 'shop']]));
    const stat = '# pxname,svname,qcur,qmax,scur,smax\napp_shop,web.1_19001,0,0,2,1\n';
    expect(parseSessions(stat).get('app_shop/web.1_19001')).toBe(2);
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
