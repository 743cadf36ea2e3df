import { describe, expect, it } from 'vitest';
import { HttpParseError, type ResponseHead, ResponseParser, requestFraming, requestHead } from './http1.js';

/** Feeds `wire` to a parser in pieces of `step` bytes; returns what it emitted. */
function parse(wire: string, step = wire.length, bodiless = false) {
  const out = { head: undefined as ResponseHead | undefined, body: '', ended: 0 };
  const parser = new ResponseParser(
    {
      onHead: (h) => {
        out.head = h;
      },
      onBody: (c) => {
        out.body += c.toString('latin1');
      },
      onEnd: () => {
        out.ended++;
      },
    },
    bodiless,
  );
  const buf = Buffer.from(wire, 'latin1');
  for (let i = 0; i < buf.length; i += step) parser.push(buf.subarray(i, i + step));
  return Object.assign(out, { parser });
}

describe('ResponseParser', () => {
  it('reads a Content-Length body in any split, keeping end-to-end headers as sent', () => {
    const wire =
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nKeep-Alive: timeout=5\r\n\r\nhello';
    for (const step of [1, 2, 7, wire.length]) {
      const r = parse(wire, step);
      expect(r.head).toEqual({
        status: 200,
        statusText: 'OK',
        headers: ['Content-Type', 'text/plain', 'Content-Length', '5'],
        keepAlive: true,
      });
      expect(r.body).toBe('hello');
      expect(r.ended).toBe(1);
      expect(r.parser.trailing).toBe(false);
    }
  });

  it('decodes chunked bodies split at every byte, with extensions and trailers', () => {
    const wire =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: 1\r\n\r\n';
    for (const step of [1, 3, wire.length]) {
      const r = parse(wire, step);
      expect(r.head?.headers).toEqual([]);
      expect(r.head?.keepAlive).toBe(true);
      expect(r.body).toBe('hello, world!!!');
      expect(r.ended).toBe(1);
    }
  });

  it('skips 100 Continue and 103 Early Hints before the final head', () => {
    const r = parse(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
    );
    expect(r.head?.status).toBe(201);
    expect(r.body).toBe('ok');
  });

  it('knows which responses have no body', () => {
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n').ended).toBe(1);
    expect(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').ended).toBe(1);
    const head = parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', 100, true);
    expect(head.ended).toBe(1);
    expect(head.head?.headers).toEqual(['Content-Length', '10']);
  });

  it('reads a body without length until the connection closes, and does not reuse it', () => {
    const r = parse('HTTP/1.1 200 OK\r\n\r\nsome bytes');
    expect(r.head?.keepAlive).toBe(false);
    expect(r.ended).toBe(0);
    r.parser.eof();
    expect(r.body).toBe('some bytes');
    expect(r.ended).toBe(1);
  });

  it('follows Connection: close and HTTP/1.0', () => {
    expect(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').head?.keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').head?.keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n').head?.keepAlive).toBe(true);
  });

  it('marks bytes after the response, and an early close as an error', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy').parser.trailing).toBe(true);
    const cut = parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    expect(() => cut.parser.eof()).toThrow(HttpParseError);
  });

  it('rejects malformed responses', () => {
    for (const bad of [
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 20 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nno colon\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n',
    ]) {
      expect(() => parse(bad), bad).toThrow(HttpParseError);
    }
  });
});

describe('requestHead', () => {
  it('keeps end-to-end headers in order, drops hop-by-hop ones and sets the router’s own', () => {
    const raw = ['Host', 'a.example', 'Connection', 'keep-alive', 'X-Request-Id', 'old', 'Accept', '*/*'];
    expect(requestHead('GET', '/x?y=1', raw, { 'x-request-id': 'new' }, 'none')).toBe(
      'GET /x?y=1 HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\nx-request-id: new\r\n\r\n',
    );
    expect(requestHead('POST', '/', ['Transfer-Encoding', 'chunked'], {}, 'chunked')).toBe(
      'POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n',
    );
  });

  it('frames bodies as the client did', () => {
    expect(requestFraming({})).toBe('none');
    expect(requestFraming({ 'content-length': '3' })).toBe('length');
    expect(requestFraming({ 'transfer-encoding': 'chunked' })).toBe('chunked');
  });
});
