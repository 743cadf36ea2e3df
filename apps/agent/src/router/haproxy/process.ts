/**
 * The host's HAProxy: one master (master-worker mode, `-W -S`) started detached in its own
 * session, so that it outlives the agent; a restarted agent adopts it through its pid file and
 * master socket. Reloads go through the master socket (hitless: the old worker finishes its
 * requests); everything else through the worker's Runtime API socket.
 *
 * HAProxy's log lines go to its fd 3, opened on a FIFO in the data dir (`files().log`) for
 * reading and writing, so that the pipe always has a reader: while the agent is down or
 * restarting, lines wait in the pipe (1 MB, about 7,000 lines; past that HAProxy drops them and
 * counts them in `show info` DroppedLogs) instead of being lost. The master keeps the fd across
 * reloads and hands it to every worker.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import { files } from './config.js';
import { parseProc } from './plan.js';

const exec = promisify(execFile);

/** Sets the size of the pipe of the FIFO named by its argument (1031: F_SETPIPE_SZ on Linux). */
const PIPE_SIZE = 'open(my $f, "+<", $ARGV[0]) or die; fcntl($f, 1031, 1048576) or die';

/** Sends one command to a HAProxy CLI socket and returns its whole answer. */
export function command(socketPath: string, line: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let text = '';
    const timer = setTimeout(() => socket.destroy(new Error(`${line}: no answer from ${socketPath}`)), timeoutMs);
    socket.on('connect', () => socket.end(`${line}\n`));
    socket.on('data', (c: Buffer) => {
      text += c.toString();
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HAProxyProcess {
  readonly files: ReturnType<typeof files>;
  masterPid = 0;

  constructor(
    readonly dir: string,
    private readonly bin = 'haproxy',
  ) {
    this.files = files(dir);
  }

  admin(line: string): Promise<string> {
    return command(this.files.admin, line);
  }

  master(line: string): Promise<string> {
    return command(this.files.master, line);
  }

  /** Checks a configuration without running it; throws with HAProxy's words if it is invalid. */
  async check(configPath: string): Promise<void> {
    try {
      await exec(this.bin, ['-c', '-q', '-f', configPath]);
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`invalid HAProxy configuration: ${(e.stderr || e.message).trim()}`);
    }
  }

  /** The running master of this data dir, if its pid file names one that answers on the master socket. */
  async running(): Promise<number | undefined> {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(this.files.pid, 'utf8').trim());
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes(this.files.config)) return undefined;
    } catch {
      return undefined;
    }
    try {
      return parseProc(await this.master('show proc')).master === pid ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Adopts the running HAProxy of this data dir, or starts one on the configuration written there. */
  async start(): Promise<'adopted' | 'started'> {
    const adopted = await this.running();
    if (adopted) {
      this.masterPid = adopted;
      await this.waitForWorker();
      return 'adopted';
    }
    await this.check(this.files.config);
    const log = await this.logPipe();
    const out = fs.openSync(`${this.dir}/haproxy.log`, 'a');
    const child = spawn(
      this.bin,
      ['-W', '-S', `${this.files.master},mode,600`, '-f', this.files.config, '-p', this.files.pid],
      { detached: true, stdio: ['ignore', out, out, log] },
    );
    fs.closeSync(out);
    fs.closeSync(log);
    child.unref();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    this.masterPid = child.pid ?? 0;
    const ready = this.waitForWorker();
    const first = await Promise.race([ready.then(() => 'ready' as const), exited]);
    if (first !== 'ready') {
      const tail = fs.readFileSync(`${this.dir}/haproxy.log`, 'utf8').split('\n').slice(-5).join('\n');
      throw new Error(`HAProxy exited with ${first} at start:\n${tail}`);
    }
    return 'started';
  }

  /** The FIFO for HAProxy's log lines (made if missing), opened for reading and writing. */
  async logPipe(): Promise<number> {
    const at = this.files.log;
    const stat = fs.lstatSync(at, { throwIfNoEntry: false });
    if (stat && !stat.isFIFO()) fs.rmSync(at, { force: true });
    if (!stat?.isFIFO()) await exec('mkfifo', ['-m', '600', at]);
    const fd = fs.openSync(at, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    // 1 MB instead of 64 KB (F_SETPIPE_SZ, which Node cannot call; perl is in every Debian). The
    // pipe keeps its size while any end of it is open: HAProxy's fd 3 keeps it.
    await exec('perl', ['-e', PIPE_SIZE, at]).catch(() => {});
    return fd;
  }

  /**
   * Whether the running master's fd 3 is this data dir's FIFO: one started by an older agent
   * (log lines over UDP) has something else there, and must not be given `log fd@3`.
   */
  logsToPipe(): boolean {
    try {
      return fs.readlinkSync(`/proc/${this.masterPid}/fd/3`) === this.files.log;
    } catch {
      return false;
    }
  }

  /** Hitless reload through the master socket; returns once the new worker answers. */
  async reload(): Promise<void> {
    const before = parseProc(await this.master('show proc'));
    await this.master('reload');
    const deadline = Date.now() + 10_000;
    for (;;) {
      await sleep(50);
      const now = parseProc(await this.master('show proc').catch(() => ''));
      if (now.failedReloads > before.failedReloads) throw new Error('HAProxy refused the new configuration');
      if (now.worker && now.worker !== before.worker && (await this.workerPid()) === now.worker) return;
      if (Date.now() > deadline) throw new Error('HAProxy did not reload within 10 s');
    }
  }

  /** Waits for the current worker's Runtime API socket to answer. */
  private async waitForWorker(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const proc = parseProc(await this.master('show proc').catch(() => ''));
      if (proc.worker && (await this.workerPid()) === proc.worker) return;
      if (Date.now() > deadline) throw new Error('HAProxy did not start within 10 s');
      await sleep(50);
    }
  }

  private async workerPid(): Promise<number | undefined> {
    try {
      const info = await this.admin('show info');
      return Number(/^Pid: (\d+)/m.exec(info)?.[1]) || undefined;
    } catch {
      return undefined;
    }
  }
}
