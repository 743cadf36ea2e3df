/**
 * The router's upstream half of HTTP/1.1, pure: an incremental response parser (status line,
 * headers, body framed by Content-Length, chunked coding or the connection's close) and the
 * request head the router writes. Node's http client costs about 250 µs of CPU per proxied
 * request on our 2-core hosts; writing heads ourselves on pooled sockets costs a fifth of it.
 */

/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-authenticate',
]);

export interface ResponseHead {
  status: number;
  statusText: string;
  /** End-to-end headers, flat [name, value, name, value…], as received; hop-by-hop ones left out. */
  headers: string[];
  /** The connection can carry another request after this response. */
  keepAlive: boolean;
}

export interface ResponseEvents {
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  onEnd(): void;
}

export class HttpParseError extends Error {}

const MAX_HEAD = 80 * 1024;
const MAX_LINE = 4 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'close' | 'done';

export class ResponseParser {
  private state: State = 'head';
  private pending: Buffer | null = null;
  private remaining = 0;
  private line = '';
  /** Bytes that came after the end of the response: the connection cannot be reused. */
  trailing = false;
  /** Whether any byte of a response was seen (a reused connection that fails before may be retried). */
  started = false;

  /** `bodiless`: the request was HEAD, so no response has a body whatever its headers say. */
  constructor(
    private readonly events: ResponseEvents,
    private readonly bodiless = false,
  ) {}

  get done(): boolean {
    return this.state === 'done';
  }

  push(data: Buffer): void {
    if (data.length > 0) this.started = true;
    let buf = data;
    while (buf.length > 0) {
      switch (this.state) {
        case 'head':
          buf = this.parseHead(buf);
          break;
        case 'length':
          buf = this.counted(buf);
          if (this.remaining === 0) this.finish();
          break;
        case 'close':
          this.events.onBody(buf);
          buf = buf.subarray(buf.length);
          break;
        case 'chunk-size':
        case 'chunk-crlf':
        case 'trailers':
          buf = this.parseLine(buf);
          break;
        case 'chunk-data':
          buf = this.counted(buf);
          if (this.remaining === 0) this.state = 'chunk-crlf';
          break;
        case 'done':
          this.trailing = true;
          return;
      }
    }
  }

  /** Up to `remaining` body bytes of `buf` to the events; what is left of `buf`. */
  private counted(buf: Buffer): Buffer {
    const n = Math.min(this.remaining, buf.length);
    this.remaining -= n;
    this.events.onBody(n === buf.length ? buf : buf.subarray(0, n));
    return buf.subarray(n);
  }

  /** The upstream closed its side: ends a close-delimited body, or is an error mid-message. */
  eof(): void {
    if (this.state === 'close') this.finish();
    else if (this.state !== 'done') throw new HttpParseError('upstream closed the connection mid-response');
  }

  private finish(): void {
    this.state = 'done';
    this.events.onEnd();
  }

  private parseHead(data: Buffer): Buffer {
    const buf = this.pending ? Buffer.concat([this.pending, data]) : data;
    const end = buf.indexOf(CRLFCRLF);
    if (end < 0) {
      if (buf.length > MAX_HEAD) throw new HttpParseError('response head too large');
      this.pending = buf;
      return buf.subarray(buf.length);
    }
    this.pending = null;
    const lines = buf.toString('latin1', 0, end).split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (!statusLine) throw new HttpParseError(`bad status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const http10 = statusLine[1] === '0';
    const status = Number(statusLine[2]);
    const headers: string[] = [];
    let length = -1;
    let chunked = false;
    let coded = false;
    let connection = '';
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i] as string;
      const colon = l.indexOf(':');
      if (colon <= 0) throw new HttpParseError(`bad header line: ${JSON.stringify(l.slice(0, 80))}`);
      const name = l.slice(0, colon);
      const value = l.slice(colon + 1).trim();
      const lower = name.toLowerCase();
      if (lower === 'content-length') {
        if (!/^\d+$/.test(value) || (length >= 0 && length !== Number(value))) {
          throw new HttpParseError('bad content-length');
        }
        length = Number(value);
      } else if (lower === 'transfer-encoding') {
        coded = true;
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      } else if (lower === 'connection') connection += `${value.toLowerCase()},`;
      if (HOP_BY_HOP.has(lower)) continue;
      headers.push(name, value);
    }
    const rest = buf.subarray(end + 4);
    if (status >= 100 && status < 200) {
      if (status === 101) throw new HttpParseError('unexpected 101 to a request without upgrade');
      return rest; // 100 Continue, 103 Early Hints: the final head follows
    }
    const keepAlive = http10 ? /\bkeep-alive\b/.test(connection) : !/\bclose\b/.test(connection);
    if (coded) {
      // A coded body has no valid Content-Length (RFC 9112 §6.3): drop it, the client gets chunks.
      for (let i = headers.length - 2; i >= 0; i -= 2) {
        if ((headers[i] as string).toLowerCase() === 'content-length') headers.splice(i, 2);
      }
    }
    const noBody = this.bodiless || status === 204 || status === 304;
    this.events.onHead({
      status,
      statusText: statusLine[3] ?? '',
      headers,
      keepAlive: keepAlive && (noBody || chunked || (!coded && length >= 0)),
    });
    if (noBody) this.finish();
    else if (coded) this.state = chunked ? 'chunk-size' : 'close';
    else if (length >= 0) {
      this.remaining = length;
      this.state = 'length';
      if (length === 0) this.finish();
    } else this.state = 'close';
    return rest;
  }

  /** One CRLF-ended line of chunked framing: a chunk size, the CRLF after data, or a trailer. */
  private parseLine(buf: Buffer): Buffer {
    const nl = buf.indexOf(10);
    if (nl < 0) {
      this.line += buf.toString('latin1');
      if (this.line.length > MAX_LINE) throw new HttpParseError('chunk line too long');
      return buf.subarray(buf.length);
    }
    const line = (this.line + buf.toString('latin1', 0, nl)).replace(/\r$/, '');
    this.line = '';
    if (this.state === 'chunk-crlf') {
      if (line !== '') throw new HttpParseError('missing CRLF after chunk');
      this.state = 'chunk-size';
    } else if (this.state === 'chunk-size') {
      const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
      if (!size) throw new HttpParseError(`bad chunk size: ${JSON.stringify(line.slice(0, 40))}`);
      this.remaining = Number.parseInt(size[1] as string, 16);
      this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
    } else if (line === '') {
      this.finish(); // trailers end with an empty line; trailer fields themselves are dropped
    }
    return buf.subarray(nl + 1);
  }
}

export type BodyFraming = 'none' | 'length' | 'chunked';

/** How a request's body is framed on the wire, from its (lower-cased) headers as Node parsed them. */
export function requestFraming(headers: Record<string, string | string[] | undefined>): BodyFraming {
  if (headers['transfer-encoding'] !== undefined) return 'chunked';
  if (headers['content-length'] !== undefined) return 'length';
  return 'none';
}

/**
 * The request head for the upstream: the client's end-to-end headers in their order and case,
 * then the router's own. `rawHeaders` is Node's flat list, already checked by its parser.
 */
export function requestHead(
  method: string,
  url: string,
  rawHeaders: string[],
  added: Record<string, string>,
  framing: BodyFraming,
): string {
  let head = `${method} ${url} HTTP/1.1\r\n`;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower in added) continue;
    head += `${name}: ${rawHeaders[i + 1]}\r\n`;
  }
  for (const name in added) head += `${name}: ${added[name]}\r\n`;
  if (framing === 'chunked') head += 'transfer-encoding: chunked\r\n';
  return `${head}\r\n`;
}
