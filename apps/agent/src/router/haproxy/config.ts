/**
 * HAProxy's configuration for the router, as text: pure. The configuration holds what needs a
 * reload to change (the port, timeouts, the log target, how many backend slots and server slots
 * there are); which app a backend serves (`apps.map`, `app b3`), which endpoint each server
 * slot points at and its state, and Host → app (`hosts.map`) change at runtime (plan.ts) and
 * are also written here, so that a reload (or a start after a reboot) begins from the same
 * state. A new app takes a free backend: no reload, which would close the idle keep-alive
 * connections of every other app's clients (measured: 40 failed requests in 10 reloads under
 * keep-alive load).
 *
 * Server slots (`s1`…`s16`, `set server … addr`), not `add server`: HAProxy 2.6 does not reuse
 * idle connections to servers added at runtime, which cost 80% of the throughput in `pnpm bench`.
 */
import path from 'node:path';
import { certFiles } from './certs.js';

export interface ServerSpec {
  /** The process behind it (`web.1`), for router lines. */
  name: string;
  host: string;
  port: number;
  /** Draining: no new requests, in-flight ones finish (about to be stopped). */
  drain: boolean;
}

export interface AppSpec {
  app: string;
  hosts: string[];
  servers: ServerSpec[];
}

export interface RouterSettings {
  /** Where the configuration, map, sockets and pid file live. */
  dir: string;
  port: number;
  timeoutSeconds: number;
  /** HAProxy logs each request to fd 3, the agent's FIFO (`files().log`); false: no log lines. */
  logLines: boolean;
  /** The TLS port (certs.ts: `default.pem` on the bind, the others in `certs.list`); 0: none. */
  tlsPort?: number;
  /** HAProxy's threads (`threadsFor`); HAProxy's own default (a thread a CPU) when absent. */
  threads?: number;
}

/**
 * HAProxy's threads on a host of `cpus` CPUs: half of them, at least one. The router shares the
 * host with the apps it routes to (and, in `pnpm bench`, with wrk): a thread a CPU has HAProxy's
 * threads wait on each other and hand idle server connections across threads, for no throughput
 * one thread does not give on two CPUs (nginx's one worker is the baseline there).
 */
export const threadsFor = (cpus: number) => Math.max(1, Math.floor(cpus / 2));

export const files = (dir: string) => ({
  config: path.join(dir, 'haproxy.cfg'),
  map: path.join(dir, 'hosts.map'),
  apps: path.join(dir, 'apps.map'),
  admin: path.join(dir, 'admin.sock'),
  master: path.join(dir, 'master.sock'),
  pid: path.join(dir, 'haproxy.pid'),
  /** A FIFO: HAProxy's fd 3 (its log lines), read by the agent. */
  log: path.join(dir, 'log.fifo'),
});

/** Backend slots: 16 at a time, so that new apps rarely need a reload. */
export const backendsFor = (apps: number) => 16 * Math.max(1, Math.ceil(apps / 16));

/**
 * Which backend serves which app: the ones that have one keep it, new apps take the first free
 * ones (none left: the configuration grows, and is reloaded).
 */
export function assign(apps: AppSpec[], current: Map<string, string>): Map<string, string> {
  const count = backendsFor(apps.length);
  const wanted = new Set(apps.map((a) => a.app));
  const assigned = new Map<string, string>();
  for (const [app, be] of current) if (wanted.has(app) && Number(be.slice(1)) <= count) assigned.set(app, be);
  const taken = new Set(assigned.values());
  let next = 1;
  for (const a of apps) {
    if (assigned.has(a.app)) continue;
    while (taken.has(`b${next}`)) next++;
    assigned.set(a.app, `b${next}`);
    taken.add(`b${next}`);
  }
  return assigned;
}
/** Where a free slot points (it is in maintenance: nothing is sent there). */
export const FREE = { host: '127.0.0.1', port: 1 };
/** Server slots of a backend: 16 at a time, so that scaling rarely needs a reload. */
export const slotsFor = (servers: number) => 16 * Math.max(1, Math.ceil(servers / 16));

/**
 * A log line: `r1` (log-line.ts MARK, which tells our lines from HAProxy's own messages) and 16
 * fields, none with a space in it, so that the agent splits a line on spaces and is done: when
 * (µs since the epoch: a line read after an agent restart keeps its time), the app, TLS or not, the server's address, status, bytes, Tc, Tu, the termination state, the code
 * the configuration set, the answer's Content-Length, the client, the method, and the Host and
 * X-Request-Id headers and the URI, cut short and URL-encoded (`url_enc`), the URI last: a line is
 * at most 4 KB. Absent ones are `-`. The frontend starts in TCP mode (SMUGGLING), where HAProxy
 * 2.6 refuses its HTTP log variables (%HM, %HU, %Ta, %ST): variables and %Tu (Tt − Ti) stand for
 * them.
 * log-line.ts reads the fields in this order.
 */
export const LOG_FORMAT = [
  'r1',
  '%[date(0,us)]',
  '%[var(txn.app)]',
  '%[ssl_fc]',
  '%si:%sp',
  '%[var(txn.st)]',
  '%B',
  '%Tc',
  '%Tu',
  '%tsc',
  '%[var(txn.code)]',
  '%[var(txn.clen)]',
  '%ci',
  '%[var(txn.method)]',
  '%[var(txn.host),bytes(0,256),url_enc]',
  '%[var(txn.rid),bytes(0,200),url_enc]',
  '%[var(txn.uri),bytes(0,800),url_enc]',
].join(' ');

/**
 * A request with both Content-Length and Transfer-Encoding gets a 400 and never reaches the app.
 * HAProxy's HTTP/1 parser drops the Content-Length of such a request while it parses it (and
 * closes the connection after it), before any http-request rule runs (src/h1.c
 * h1_headers_to_hdr_list, "T-E + C-L: force close and remove C-L"): nothing in HTTP mode can see
 * both. So the frontend starts in TCP mode and reads the first request's header block as it came
 * (waiting for its blank line, at most `timeout http-request`), notes whether both headers are in
 * it, and only then becomes HTTP (`switch-mode http`), where the note is a 400. The later
 * requests of a keep-alive connection are HAProxy's parser's alone: such a request goes to the
 * app by Transfer-Encoding alone, and the connection is closed after it, so nothing can be
 * smuggled behind it (architecture.md, Router).
 */
const HEADER = (name: string) => `(?=[^\\n]*\\n(?:[^\\r\\n][^\\n]*\\n)*?${name}[ \\t]*:)`;
const SMUGGLING = `  mode tcp
  tcp-request inspect-delay 30s
  # HAProxy runs these again for each later request of the connection: the first says "done".
  tcp-request content switch-mode http if { var(sess.read) -m bool }
  tcp-request content set-var(sess.head) req.payload(0,0) if { req.payload(0,0) -m reg '\\n\\r?\\n' }
  tcp-request content set-var(sess.smuggling) bool(true) if { var(sess.head) -m reg -i '\\A${HEADER('content-length')}${HEADER('transfer-encoding')}' }
  tcp-request content unset-var(sess.head)
  tcp-request content set-var(sess.read) bool(true)
  tcp-request content switch-mode http
  http-request deny deny_status 400 if { var(sess.smuggling) -m bool }`;

const HTML = 'content-type "text/html; charset=utf-8"';
const page = (title: string, text: string) =>
  `"<!doctype html><html><head><meta charset=\\"utf-8\\"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>\\n"`;
/** The Host header as it may be shown in a page: no markup. */
const SAFE_HOST = '%[var(txn.host),regsub([^A-Za-z0-9.:_-],,g)]';

function backend(name: string, app: AppSpec | undefined, slots: number): string {
  const lines = [
    `backend ${name}`,
    '  balance roundrobin',
    // No usable server (none up, or all draining): Heroku's H14, said by us rather than as a
    // refused connection.
    '  http-request set-var(txn.code) str(H14) if { nbsrv eq 0 }',
    `  http-request return status 503 ${HTML} lf-string ${page('Application error', '%[var(txn.app)] has no web processes running.')} if { nbsrv eq 0 }`,
  ];
  for (let i = 0; i < slots; i++) {
    const s = app?.servers[i];
    const at = s ?? FREE;
    lines.push(`  server s${i + 1} ${at.host}:${at.port}${!s || s.drain ? ' disabled' : ''}`);
  }
  return lines.join('\n');
}

export function renderConfig(settings: RouterSettings, apps: AppSpec[], assigned: Map<string, string>): string {
  const f = files(settings.dir);
  const slots = slotsFor(Math.max(0, ...apps.map((a) => a.servers.length)));
  const byBackend = new Map(apps.flatMap((a) => (assigned.has(a.app) ? [[assigned.get(a.app), a] as const] : [])));
  const backends = Array.from({ length: backendsFor(apps.length) }, (_, i) =>
    backend(`b${i + 1}`, byBackend.get(`b${i + 1}`), slots),
  );
  const c = certFiles(settings.dir);
  const tls = settings.tlsPort
    ? `\n  bind :${settings.tlsPort} ssl crt ${c.default} crt-list ${c.list} alpn http/1.1`
    : '';
  // A write of at most PIPE_BUF (4 KB) to a pipe is atomic: lines from both threads never mix.
  const log = settings.logLines ? '  log fd@3 len 4096 format raw local0 info' : '';
  return `# Written by the paas agent; changed at runtime through ${f.admin}. Do not edit.
global
  master-worker
${settings.threads ? `  nbthread ${settings.threads}\n` : ''}  stats socket ${f.admin} mode 600 level admin expose-fd listeners
  stats timeout 30s
${log}
  hard-stop-after 5m

defaults
  mode http
  log global
  option dontlognull
  option forwardfor
  # A client gone before the answer: the app's request is given up too (H27 in the log).
  option abortonclose
  http-reuse safe
  timeout connect 5s
  timeout client 65s
  timeout http-request 30s
  timeout http-keep-alive 65s
  timeout server ${settings.timeoutSeconds}s
  timeout tunnel 1h
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response
  http-error status 504 ${HTML} lf-string ${page('Application error', '%[var(txn.app)] did not answer in time.')}
  http-error status 503 ${HTML} lf-string ${page('Application error', '%[var(txn.app)] is not answering.')}
  http-error status 502 ${HTML} lf-string ${page('Application error', '%[var(txn.app)] is not answering.')}

frontend router
  bind :${settings.port}${tls}
${SMUGGLING}
  log-format "${LOG_FORMAT.replaceAll('"', '\\"')}"
  unique-id-format %[uuid()]
  http-request set-var(txn.host) req.hdr(host)
  http-request set-header x-request-id %[unique-id] unless { req.hdr(x-request-id) -m found }
  http-request set-var(txn.rid) req.hdr(x-request-id)
${settings.logLines ? '  http-request set-var(txn.method) method\n  http-request set-var(txn.uri) url\n' : ''}  http-request set-var(txn.app) req.hdr(host),field(1,:),lower,regsub(\\.$,),map(${f.map})
  http-request set-header x-forwarded-proto https if { ssl_fc }
  http-request set-header x-forwarded-proto http unless { ssl_fc }
  http-request set-header x-forwarded-port %[dst_port]
  # The body's size for the log line (HAProxy's own byte count includes the headers).
  http-response set-var(txn.clen) res.hdr(content-length)
  http-request return status 404 ${HTML} lf-string ${page('No such app', `There is no app at ${SAFE_HOST}.`)} unless { var(txn.app) -m found }
  # Every answer, the router's own pages included: the request id, and 503 for Heroku's H13.
  http-after-response set-header x-request-id %[var(txn.rid)] if { var(txn.rid) -m found } !{ res.hdr(x-request-id) -m found }
  http-after-response set-status 503 if { status 502 }
${settings.logLines ? '  http-after-response set-var(txn.st) status\n' : ''}  # HAProxy closes the client's connection after a server timeout: say so, or a keep-alive
  # client sends its next request on a closed connection.
  http-after-response set-header connection close if { status 504 }
  use_backend %[var(txn.app),map(${f.apps})]

${backends.join('\n\n')}
`;
}

/** The apps' map: `app backend` a line. */
export function renderAppsMap(assigned: Map<string, string>): string {
  return [...assigned].map(([app, be]) => `${app} ${be}\n`).join('');
}

/** The hosts' map: `host app` a line. */
export function renderMap(apps: AppSpec[]): string {
  const lines: string[] = [];
  for (const a of [...apps].sort((x, y) => x.app.localeCompare(y.app)))
    for (const h of a.hosts) lines.push(`${h.toLowerCase()} ${a.app}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** What a reload is needed to change: the configuration without where its server slots point. */
export const structureOf = (config: string) =>
  config
    .split('\n')
    .map((l) => l.replace(/^(\s+server \S+) .*$/, '$1'))
    .join('\n');
