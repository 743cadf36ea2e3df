/**
 * Keep-alive connections from the router to web processes. A connection serves one exchange at
 * a time; its socket listeners are set once and call whoever holds it now. Idle connections are
 * reused newest first and dropped after `idleMs`, before a Node app's own 5 s keep-alive timeout
 * would close them under a request.
 */
import net from 'node:net';

export interface Holder {
  /** The TCP connection is open (at once for a reused connection). */
  connect(): void;
  data(chunk: Buffer): void;
  /** The upstream closed its side. */
  end(): void;
  error(err: Error): void;
  drain(): void;
  timeout(): void;
}

export class Conn {
  readonly socket: net.Socket;
  connected = false;
  reused = false;
  holder: Holder | null = null;
  idleSince = 0;

  constructor(
    private readonly pool: UpstreamPool,
    readonly key: string,
    host: string,
    port: number,
  ) {
    const socket = net.connect({ host, port, noDelay: true });
    this.socket = socket;
    socket.on('connect', () => {
      this.connected = true;
      this.holder?.connect();
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.holder) this.holder.data(chunk);
      else socket.destroy(); // an idle connection has nothing to say
    });
    socket.on('end', () => {
      if (this.holder) this.holder.end();
      else socket.destroy();
    });
    socket.on('error', (err) => this.holder?.error(err));
    socket.on('close', () => {
      this.pool.forget(this);
      this.holder?.error(new Error('upstream connection closed'));
    });
    socket.on('drain', () => this.holder?.drain());
    socket.on('timeout', () => this.holder?.timeout());
  }

  hold(holder: Holder, timeoutMs: number): void {
    this.holder = holder;
    this.socket.setTimeout(timeoutMs);
    if (this.connected) holder.connect();
  }

  /** The exchange is over: back to the pool if it can carry another, closed otherwise. */
  release(reusable: boolean): void {
    this.holder = null;
    if (!reusable || this.socket.destroyed) {
      this.socket.destroy();
      return;
    }
    this.socket.setTimeout(0);
    this.socket.resume();
    this.pool.park(this);
  }

  destroy(): void {
    this.holder = null;
    this.socket.destroy();
  }
}

export class UpstreamPool {
  private readonly idle = new Map<string, Conn[]>();

  constructor(private readonly idleMs = 4000) {}

  /** A connection to host:port: the newest idle one, or a new one (`fresh` forces new). */
  acquire(host: string, port: number, fresh = false): Conn {
    const key = `${host}:${port}`;
    const list = this.idle.get(key);
    const now = performance.now();
    while (!fresh && list && list.length > 0) {
      const conn = list.pop() as Conn;
      if (now - conn.idleSince < this.idleMs && !conn.socket.destroyed) {
        conn.reused = true;
        return conn;
      }
      conn.destroy();
    }
    return new Conn(this, key, host, port);
  }

  park(conn: Conn): void {
    conn.idleSince = performance.now();
    let list = this.idle.get(conn.key);
    if (!list) {
      list = [];
      this.idle.set(conn.key, list);
    }
    list.push(conn);
    if (list.length > 256) list.shift()?.destroy();
  }

  forget(conn: Conn): void {
    const list = this.idle.get(conn.key);
    if (!list) return;
    const i = list.indexOf(conn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.idle.delete(conn.key);
  }

  destroy(): void {
    for (const list of this.idle.values()) for (const conn of list) conn.destroy();
    this.idle.clear();
  }
}
