import { describe, expect, it } from 'vitest';
import { codeOf, translate as translateWith } from './log-line.js';

const translate = (raw: string) => translateWith(raw, (a) => (a === '127.0.0.1:32768' ? 'web.2' : undefined));

const line = (o: {
  app?: string;
  srv?: string;
  st?: number | string;
  tsc?: string;
  code?: string;
  uri?: string;
  tc?: number;
  tu?: number;
  len?: string;
  ssl?: string;
  host?: string;
  rid?: string;
}) =>
  `r1 1764600000123456 ${o.app ?? 'shop'} ${o.ssl ?? '0'} ${o.srv ?? '127.0.0.1:32768'} ${o.st ?? 200} 341 ${o.tc ?? 1} ${o.tu ?? 9} ${o.tsc ?? '----'} ${o.code ?? '-'} ${o.len ?? '2'} 127.0.0.1 GET ${o.host ?? 'shop.localhost'} ${o.rid ?? 'rid-1'} ${o.uri ?? '%2Fa%3Fq%3D1'}`;

describe('router lines from HAProxy log lines', () => {
  it("writes Heroku's line with the process, connect and service times", () => {
    expect(translate(line({}))).toMatchObject({
      app: 'shop',
      ts: '2025-12-01T14:40:00.123456Z',
      line: 'at=info method=GET path="/a?q=1" host=shop.localhost request_id=rid-1 fwd="127.0.0.1" dyno=web.2 connect=1ms service=8ms status=200 bytes=2 protocol=http',
    });
    // URL-encoded by HAProxy (url_enc): spaces, quotes, UTF-8; bytes that are not UTF-8 one by one.
    expect(translate(line({ uri: '%2Fa%22b%20c%C3%A9' }))?.fields.path).toBe('/a"b cé');
    expect(translate(line({ uri: '%2Fa%FF' }))?.fields.path).toBe('/a\u00ff');
    expect(translate(line({ host: 'shop.localhost%3A8080', rid: 'a%20b' }))?.fields).toMatchObject({
      host: 'shop.localhost:8080',
      requestId: 'a b',
    });
    // No Content-Length (a chunked answer, a page of the router's own): HAProxy's count.
    expect(translate(line({ len: '-' }))?.fields.bytes).toBe(341);
    // Through the TLS port (%[ssl_fc] is 1).
    expect(translate(line({ ssl: '1' }))?.line).toMatch(/ protocol=https$/);
    expect(translate(line({ ssl: '0' }))?.line).toMatch(/ protocol=http$/);
  });

  it('says H12, H13, H14 and H27 from the termination state or the code set by the configuration', () => {
    expect(translate(line({ st: 504, tsc: 'sH--', tc: 0, tu: 2002 }))?.line).toMatch(
      /^at=error code=H12 desc="Request timeout" .* dyno=web\.2 connect=0ms service=2002ms status=504 /,
    );
    expect(translate(line({ st: 503, tsc: 'SH--' }))?.line).toMatch(
      /^at=error code=H13 desc="Connection closed without response" .* status=503 /,
    );
    expect(translate(line({ st: 503, srv: '-:-', tsc: 'LR--', code: 'H14', tc: -1 }))?.line).toMatch(
      /^at=error code=H14 desc="No web processes running" .* dyno= connect=0ms .* status=503 /,
    );
    expect(translate(line({ st: '-', tsc: 'CH--' }))?.line).toMatch(
      /^at=error code=H27 desc="Client Request Interrupted" .* status=499 /,
    );
    expect(translate(line({ st: 400, tsc: 'CH--' }))?.fields).toMatchObject({ code: 'H27', status: 499 });
    expect(codeOf('----', 200)).toBeUndefined();
    expect(codeOf('CD--', 200)).toBeUndefined(); // the answer was under way: not an interrupted request
  });

  it('logs nothing to any app for an unknown host or a bad request', () => {
    expect(translate(line({ app: '-', srv: '-:-', st: 404 }))).toBeUndefined();
    expect(translate('r1 1764600000123456 - 0 -:- 400 206 -1 0 PR-- - - 127.0.0.1 - - - -')).toBeUndefined();
    // HAProxy's own messages go to the same pipe.
    expect(translate('Proxy b1 stopped (cumulated conns: FE: 0, BE: 10).')).toBeUndefined();
    expect(translate(`${line({})} more`)).toBeUndefined();
  });
});
