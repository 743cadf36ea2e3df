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

/** The first word of a log line of ours (config.ts LOG_FORMAT), and how many fields follow it. */
export const MARK = 'r1';
export const FIELDS = 16;

const DESC: Record<string, string> = {
  H12: 'Request timeout',
  H13: 'Connection closed without response',
  H14: 'No web processes running',
  H27: 'Client Request Interrupted',
};

/** Microseconds since the epoch as ISO 8601 with microseconds (the shipper's `ts`). */
function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  // Lines come in bursts from the same millisecond: its text is made once.
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString().slice(0, -1);
  }
  return `${lastIso}${String(us - ms * 1000).padStart(3, '0')}Z`;
}
let lastMs = Number.NaN;
let lastIso = '';

/** A value the configuration logged through `url_enc` (`-`: none). */
function decoded(s: string): string {
  if (s === '-') return '';
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return byBytes(s); // not UTF-8: each byte as its own character
  }
}
const byBytes = (s: string) =>
  s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));

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
  /** When HAProxy logged it (ISO 8601, µs). */
  ts: string;
  line: string;
  fields: RouterLineFields;
}

/**
 * One HAProxy log line (config.ts LOG_FORMAT: `r1` and 16 fields without spaces) → the app's router line; undefined for a request of no app (unknown host, bad request)
 * and for HAProxy's own messages. `processAt` names the process behind a server address
 * (`127.0.0.1:32768`).
 */
export function translate(raw: string, processAt: (address: string) => string | undefined): Translated | undefined {
  if (!raw.startsWith(`${MARK} `)) return undefined;
  const f = raw.split(' ');
  if (f.length !== FIELDS + 1) return undefined;
  const [
    ,
    us = '',
    app = '',
    ssl,
    server = '',
    st,
    bytes,
    tc,
    tu,
    tsc = '',
    setCode,
    length,
    client,
    method,
    host = '',
    rid = '',
    uri = '',
  ] = f;
  if (!app || app === '-') return undefined;
  let status = st === '-' ? -1 : Number(st);
  const code = setCode !== '-' ? setCode : codeOf(tsc, status);
  if (code === 'H27') status = 499;
  const connect = Math.max(0, Number(tc));
  const total = Math.max(0, Number(tu));
  const out: RouterLineFields = {
    code,
    desc: code ? (DESC[code] ?? '') : undefined,
    method,
    path: decoded(uri),
    host: decoded(host),
    requestId: decoded(rid),
    fwd: client,
    dyno: server === '-:-' ? undefined : processAt(server),
    connect,
    service: Math.max(0, total - connect),
    status,
    // The body's size when the app said it (HAProxy's count includes the headers), else that count.
    bytes: method === 'HEAD' ? 0 : length !== '-' && length !== '' ? Number(length) || 0 : Number(bytes) || 0,
    protocol: ssl === '1' ? 'https' : 'http',
  };
  return { app, ts: isoMicros(Number(us)), line: routerLine(out), fields: out };
}
