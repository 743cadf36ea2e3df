/**
 * The router controller: keeps the host's HAProxy (haproxy/process.ts) on the desired routes
 * (table.ts). Each change renders the configuration and map (written for the next reload or
 * start), then either reloads HAProxy, when what changed needs it (a new app, the port), or
 * applies the Runtime API commands plan.ts gives. HAProxy's log lines come through a FIFO
 * (haproxy/process.ts), many a read, and become router lines in the app's log (log-line.ts).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import type { RouterCert } from '@paas/shared';
import type { Logger } from '../logger.js';
import { type CertChanges, certFiles, parseCrtList, planCertCommands, writeCerts } from './haproxy/certs.js';
import { assign, renderAppsMap, renderConfig, renderMap, structureOf, threadsFor } from './haproxy/config.js';
import { parseMap, parseServersState, parseSessions, planCommands, type RunningState } from './haproxy/plan.js';
import { HAProxyProcess } from './haproxy/process.js';
import { translate } from './log-line.js';
import { RouteTable } from './table.js';

export interface RouterControllerOptions {
  /** HAProxy's files (configuration, map, sockets, pid file) go here. */
  dir: string;
  port: number;
  /** HTTPS on this port (haproxy/certs.ts), once the api has sent the default certificate; 0: off. */
  tlsPort?: number;
  timeoutSeconds: number;
  /** Router lines in the apps' logs (HAProxy's log through a FIFO); off, HAProxy logs nothing. */
  logLines?: boolean;
  log: Logger;
  onLine?: (app: string, line: string, ts: string) => void;
}

/** How long the log pipe is left to fill after a read, and how much a read takes at most. */
const READ_PAUSE_MS = 20;
const PIPE_BYTES = 1024 * 1024;

/** The Runtime API's answers that mean it worked. */
const OK = /^(|IP changed from .*|no need to change the addr.*|done\.?)$/s;

/** The Runtime API's certificate commands answer in words: these mean it did not work. */
const CERT_REFUSED = /error|can't|cannot|failed|unknown|not found|no such/i;

function writeAtomically(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

export class RouterController {
  readonly table = new RouteTable(() => void this.update());
  readonly haproxy: HAProxyProcess;
  private socket: net.Socket | undefined;
  /** HAProxy logs to the FIFO (router lines on, and a HAProxy that has it as its fd 3). */
  private logLines = false;
  /** The structure (structureOf) of the configuration the running HAProxy loaded. */
  private loaded: string | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** The process behind each server address, for router lines. */
  private processes = new Map<string, string>();
  private pending: Promise<void> | undefined;
  /** Certificates written but not yet loaded into the running HAProxy. */
  private certChanges: CertChanges | undefined;

  constructor(private readonly options: RouterControllerOptions) {
    fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    this.haproxy = new HAProxyProcess(options.dir);
  }

  /** Starts or adopts HAProxy and brings it to the table's routes. */
  async start(): Promise<'adopted' | 'started'> {
    const { files } = this.haproxy;
    let previous = '';
    try {
      previous = fs.readFileSync(files.config, 'utf8');
    } catch {}
    this.logLines = this.options.logLines !== false;
    if (!(await this.haproxy.running())) this.write(assign(this.table.specs(), new Map()));
    const how = await this.haproxy.start();
    if (how === 'adopted' && this.logLines && !this.haproxy.logsToPipe()) {
      // Started by an older agent (log lines over UDP): no router lines until HAProxy restarts.
      this.logLines = false;
      this.options.log.warn({ masterPid: this.haproxy.masterPid }, 'router: HAProxy has no log pipe; no router lines');
    }
    if (this.logLines) await this.listen();
    this.loaded = structureOf(how === 'adopted' ? previous : fs.readFileSync(files.config, 'utf8'));
    this.options.log.info({ masterPid: this.haproxy.masterPid, port: this.options.port, how }, 'router: HAProxy');
    await this.update();
    return how;
  }

  /** Brings HAProxy to the table's current routes (calls while one waits share it). */
  update(): Promise<void> {
    if (this.loaded === undefined) return Promise.resolve(); // not started yet: start() applies
    if (this.pending) return this.pending;
    const next = this.chain.then(() => {
      this.pending = undefined;
      return this.apply().catch((err) => this.options.log.error({ err }, 'router: could not update HAProxy'));
    });
    this.pending = next;
    this.chain = next;
    return next;
  }

  /** The certificates to serve on the TLS port (the api's `certs` message): written, then loaded. */
  async setCerts(certs: RouterCert[]): Promise<void> {
    const changes = writeCerts(this.options.dir, certs);
    const before = this.certChanges?.changed ?? new Map<string, string>();
    this.certChanges = { changed: new Map([...before, ...changes.changed]), custom: changes.custom };
    return this.update();
  }

  /** Takes an endpoint out of routing and waits (30 s at most) for its in-flight requests to end. */
  async drain(containerId: string, endpoint: { host: string; port: number }): Promise<void> {
    this.table.drain(containerId, endpoint);
    await this.update();
    const names = parseServersState(await this.haproxy.admin('show servers state').catch(() => ''))
      .filter((s) => s.host === endpoint.host && s.port === endpoint.port)
      .map((s) => `${s.backend}/${s.id}`);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const sessions = parseSessions(await this.haproxy.admin('show stat -1 4 -1').catch(() => ''));
      if (names.every((n) => !sessions.get(n))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops listening for log lines; HAProxy keeps serving (a restarted agent adopts it). */
  async close(): Promise<void> {
    await this.chain;
    this.socket?.destroy();
  }

  private settings() {
    const { dir, port, timeoutSeconds } = this.options;
    // The TLS bind needs its default certificate: without one yet, no bind (its arrival reloads).
    const tlsPort = fs.existsSync(certFiles(dir).default) ? (this.options.tlsPort ?? 0) : 0;
    return {
      dir,
      port,
      timeoutSeconds,
      logLines: this.logLines,
      tlsPort,
      threads: threadsFor(os.availableParallelism()),
    };
  }

  /** The configuration and maps for the table as it is now (each app in its backend). */
  private write(assigned: Map<string, string>): string {
    const apps = this.table.specs();
    const config = renderConfig(this.settings(), apps, assigned);
    writeAtomically(this.haproxy.files.map, renderMap(apps));
    writeAtomically(this.haproxy.files.apps, renderAppsMap(assigned));
    writeAtomically(this.haproxy.files.config, config);
    return config;
  }

  private async running(): Promise<RunningState> {
    const { files } = this.haproxy;
    return {
      servers: parseServersState(await this.haproxy.admin('show servers state')),
      map: parseMap(await this.haproxy.admin(`show map ${files.map}`)),
      apps: parseMap(await this.haproxy.admin(`show map ${files.apps}`)),
    };
  }

  private async apply(): Promise<void> {
    const { files } = this.haproxy;
    const apps = this.table.specs();
    this.processes = new Map(apps.flatMap((a) => a.servers.map((s) => [`${s.host}:${s.port}`, s.name] as const)));
    let running = await this.running();
    const assigned = assign(apps, running.apps);
    const config = renderConfig(this.settings(), apps, assigned);
    if (structureOf(config) !== this.loaded) {
      writeAtomically(`${files.config}.new`, config);
      await this.haproxy.check(`${files.config}.new`);
      this.write(assigned);
      await this.haproxy.reload();
      this.loaded = structureOf(config);
      this.options.log.info({ apps: apps.length }, 'router: HAProxy reloaded');
      running = await this.running(); // the new worker read the files: little or nothing is left to do
    } else this.write(assigned);
    for (const command of planCommands(apps, assigned, running, files)) {
      const answer = (await this.haproxy.admin(command)).trim();
      if (!OK.test(answer)) this.options.log.warn({ command, answer }, 'router: HAProxy refused a command');
      else this.options.log.debug({ command }, 'router: HAProxy');
    }
    await this.applyCerts(this.settings().tlsPort > 0);
  }

  /** Loads the certificates written since the last time into the running HAProxy. */
  private async applyCerts(tls: boolean): Promise<void> {
    const changes = this.certChanges;
    if (!changes) return;
    const list = certFiles(this.options.dir).list;
    let running: string[];
    try {
      running = tls ? parseCrtList(await this.haproxy.admin(`show ssl crt-list ${list}`)) : [];
    } catch (err) {
      return this.options.log.error({ err }, 'router: could not list the certificates'); // kept for the next update
    }
    this.certChanges = undefined;
    for (const command of planCertCommands(this.options.dir, changes, running, tls)) {
      const answer = (await this.haproxy.admin(command).catch((err: Error) => `error: ${err.message}`)).trim();
      const [, name = '', file = ''] = /^(\S+ \S+ \S+) (\S+)/.exec(command) ?? [];
      // The paths in an answer are not its words (a data dir may be called anything).
      if (!CERT_REFUSED.test(answer.replaceAll(list, '').replaceAll(file, ''))) {
        this.options.log.debug({ command: `${name} ${file}` }, 'router: HAProxy');
        continue;
      }
      this.options.log.warn({ command: `${name} ${file}`, answer }, 'router: HAProxy refused a command');
      // An open transaction would block every later one.
      if (name === 'set ssl cert' || name === 'commit ssl cert')
        await this.haproxy.admin(`abort ssl cert ${file}`).catch(() => '');
    }
    this.options.log.info({ certificates: changes.custom.length }, 'router: certificates loaded');
  }

  /**
   * HAProxy's log lines, from the FIFO (opened for reading and writing: never an end of file,
   * whether HAProxy runs or not). Lines are ASCII (config.ts LOG_FORMAT). After each read the
   * pipe is left alone for READ_PAUSE_MS, so that lines gather there and a read takes many
   * (HAProxy waking the agent for every line cost both of them more than the line itself).
   */
  private async listen(): Promise<void> {
    let rest = '';
    // Node's constructor takes `onread` as connect() does (a buffer of our own, reused; pause()
    // stops reading the pipe); @types/node lists it for connect() only.
    const options: net.SocketConstructorOpts & net.ConnectOpts = {
      fd: await this.haproxy.logPipe(),
      readable: true,
      writable: false,
      onread: {
        buffer: Buffer.alloc(PIPE_BYTES),
        callback: (n: number, buffer: Uint8Array) => {
          const text = rest + Buffer.from(buffer.buffer, buffer.byteOffset, n).toString('latin1');
          let from = 0;
          for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
            this.line(text.slice(from, nl));
            from = nl + 1;
          }
          rest = text.length - from > 8192 ? '' : text.slice(from); // no line is longer than 4 KB
          socket.pause();
          setTimeout(() => socket.resume(), READ_PAUSE_MS).unref();
          return true;
        },
      },
    };
    const socket = new net.Socket(options);
    socket.on('error', (err) => this.options.log.error({ err }, 'router: log pipe'));
    this.socket = socket;
  }

  private line(raw: string): void {
    const t = translate(raw, (address) => this.processes.get(address));
    if (!t) return;
    this.options.onLine?.(t.app, t.line, t.ts);
    const f = t.fields;
    if (f.code) {
      this.options.log.error(
        {
          at: 'error',
          code: f.code,
          desc: f.desc,
          method: f.method,
          path: f.path,
          host: f.host,
          request_id: f.requestId,
          status: f.status,
        },
        'router',
      );
    }
  }
}
