/**
 * HAProxy's log line (config.ts LOG_FORMAT) → Heroku's router line for the app's log: pure.
 * The error code comes from what the configuration set (H14) or from HAProxy's termination
 * state (`%tsc`: who ended the session and in which phase).
 */

export interface RouterLineFields {
  code?: string;
  desc?: string;
  method?: string;
  path?: string;
  host?: string;
  requestId: string;
  fwd?: string;
  dyno?: string;
  connect: number;
  service: number;
  status: number;
  bytes: number;
  /** `https`: the request came to the TLS port. */
  protocol?: 'http' | 'https';
}

/** Heroku's router line: `at=info method=GET path="/" host=… status=200 bytes=20 protocol=http`. */
export function routerLine(f: RouterLineFields): string {
  const q = (v: string | undefined) => JSON.stringify(v ?? '');
  const error = f.code ? `at=error code=${f.code} desc=${q(f.desc)} ` : 'at=info ';
  return `${error}method=${f.method} path=${q(f.path)} host=${f.host ?? ''} request_id=${f.requestId} fwd=${q(f.fwd)} dyno=${f.dyno ?? ''} connect=${f.connect}ms service=${f.service}ms status=${f.status} bytes=${f.bytes} protocol=${f.protocol ?? 'http'}`;
}

const DESC: Record<string, string> = {
  H12: 'Request timeout',
  H13: 'Connection closed without response',
  H14: 'No web processes running',
  H27: 'Client Request Interrupted',
};

/** Splits a line into its fields: `"quoted \" strings"` (HAProxy's +Q,+E) and bare words. */
export function fields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ' || line[i] === '\n') {
      i++;
      continue;
    }
    if (line[i] === '"') {
      let s = '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++;
        s += line[i];
        i++;
      }
      out.push(s);
      i++;
    } else {
      const end = line.indexOf(' ', i);
      const stop = end < 0 ? line.length : end;
      out.push(line.slice(i, stop).trim());
      i = stop;
    }
  }
  return out;
}

/** HAProxy writes unsafe characters of a URI as `#XX`. */
const unhash = (s: string) =>
  s.replace(/#([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));

/** The code for a termination state (`%tsc`, e.g. `sH--`), if it is one of Heroku's router errors. */
export function codeOf(tsc: string, status: number): string | undefined {
  const who = tsc[0];
  const phase = tsc[1];
  if (who === 's' && (phase === 'H' || phase === 'C')) return 'H12';
  if ((who === 'S' && (phase === 'H' || phase === 'C')) || (who === 'P' && phase === 'H')) return 'H13';
  // The client went away before the answer started (HAProxy records a 400 or nothing).
  if ((who === 'C' || who === 'c') && (phase === 'H' || phase === 'Q' || phase === 'C') && status !== 200) return 'H27';
  return undefined;
}

export interface Translated {
  app: string;
  line: string;
  fields: RouterLineFields;
}

/**
 * One HAProxy log line → the app's router line; undefined for a request of no app (unknown
 * host, bad request). `processAt` names the process behind a server address (`127.0.0.1:32768`).
 */
export function translate(raw: string, processAt: (address: string) => string | undefined): Translated | undefined {
  const f = fields(raw);
  if (f.length < 15) return undefined;
  const [app, serverIp, serverPort, st, bytes, tc, ta, tsc, setCode, method, uri, host, rid, client, length] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!app || app === '-') return undefined;
  let status = Number(st);
  const code = setCode && setCode !== '-' ? setCode : codeOf(tsc, status);
  if (code === 'H27') status = 499;
  const connect = Math.max(0, Number(tc));
  const total = Math.max(0, Number(ta));
  const out: RouterLineFields = {
    code,
    desc: code ? (DESC[code] ?? '') : undefined,
    method,
    path: unhash(uri),
    host,
    requestId: rid,
    fwd: client,
    dyno: processAt(`${serverIp}:${serverPort}`),
    connect,
    service: Math.max(0, total - connect),
    status,
    // The body's size when the app said it (HAProxy's count includes the headers), else that count.
    bytes: method === 'HEAD' ? 0 : /^\d+$/.test(length ?? '') ? Number(length) : Number(bytes) || 0,
    protocol: f[15] === '1' ? 'https' : 'http',
  };
  return { app, line: routerLine(out), fields: out };
}
