import { describe, expect, it } from 'vitest';
import { codeOf, fields, translate as translateWith } from './log-line.js';

const translate = (raw: string) => translateWith(raw, (a) => (a === '127.0.0.1:32768' ? 'web.2' : undefined));

const line = (o: {
  app?: string;
  srv?: string;
  st?: number;
  tsc?: string;
  code?: string;
  uri?: string;
  tc?: number;
  ta?: number;
  len?: string;
  port?: string;
}) =>
  `"${o.app ?? 'shop'}" "${o.srv ?? '127.0.0.1'}" ${o.port ?? '32768'} ${o.st ?? 200} 341 ${o.tc ?? 1} ${o.ta ?? 9} "${o.tsc ?? '----'}" "${o.code ?? ''}" "GET" "${o.uri ?? '/a?q=1'}" "shop.localhost" "rid-1" "127.0.0.1" "${o.len ?? '2'}"\n`;

describe('router lines from HAProxy log lines', () => {
  it("reads HAProxy's quoted, escaped fields", () => {
    expect(fields('"a \\" b" 12 "" "c\\\\d"')).toEqual(['a " b', '12', '', 'c\\d']);
  });

  it("writes Heroku's line with the process, connect and service times", () => {
    expect(translate(line({}))).toMatchObject({
      app: 'shop',
      line: 'at=info method=GET path="/a?q=1" host=shop.localhost request_id=rid-1 fwd="127.0.0.1" dyno=web.2 connect=1ms service=8ms status=200 bytes=2 protocol=http',
    });
    expect(translate(line({ uri: '/a#22b' }))?.fields.path).toBe('/a"b');
    // No Content-Length (a chunked answer, a page of the router's own): HAProxy's count.
    expect(translate(line({ len: '' }))?.fields.bytes).toBe(341);
    // Through the TLS port (%[ssl_fc] is 1).
    expect(translate(line({}).replace(/\n$/, ' 1\n'))?.line).toMatch(/ protocol=https$/);
    expect(translate(line({}).replace(/\n$/, ' 0\n'))?.line).toMatch(/ protocol=http$/);
  });

  it('says H12, H13, H14 and H27 from the termination state or the code set by the configuration', () => {
    expect(translate(line({ st: 504, tsc: 'sH--', tc: 0, ta: 2002 }))?.line).toMatch(
      /^at=error code=H12 desc="Request timeout" .* dyno=web\.2 connect=0ms service=2002ms status=504 /,
    );
    expect(translate(line({ st: 503, tsc: 'SH--' }))?.line).toMatch(
      /^at=error code=H13 desc="Connection closed without response" .* status=503 /,
    );
    expect(translate(line({ st: 503, srv: '-', port: '-', tsc: 'LR--', code: 'H14', tc: -1 }))?.line).toMatch(
      /^at=error code=H14 desc="No web processes running" .* dyno= connect=0ms .* status=503 /,
    );
    expect(translate(line({ st: -1, tsc: 'CH--' }))?.line).toMatch(
      /^at=error code=H27 desc="Client Request Interrupted" .* status=499 /,
    );
    expect(translate(line({ st: 400, tsc: 'CH--' }))?.fields).toMatchObject({ code: 'H27', status: 499 });
    expect(codeOf('----', 200)).toBeUndefined();
    expect(codeOf('CD--', 200)).toBeUndefined(); // the answer was under way: not an interrupted request
  });

  it('logs nothing to any app for an unknown host or a bad request', () => {
    expect(translate(line({ app: '', srv: '-', port: '-', st: 404 }))).toBeUndefined();
    expect(translate('"" "-" - 400 0 -1 0 "PR--" "" "<BADREQ>" "<BADREQ>" "" "" "127.0.0.1" ""')).toBeUndefined();
    expect(translate('garbage')).toBeUndefined();
  });
});
