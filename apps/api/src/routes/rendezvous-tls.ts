/**
 * The rendezvous door of the Heroku CLI (`heroku run`): TLS on PAAS_RENDEZVOUS_PORT, with a
 * certificate signed by the platform CA. What heroku@11's `lib/run/dyno.js` does, and what
 * this answers:
 * - it writes `SECRET\r\n` (the attach_url's path): the session is looked up with it;
 * - it discards the whole first data event it receives: a greeting (`rendezvous\r\n`) is
 *   written on its own and flushed before the session starts (so before any output);
 * - then raw bytes both ways. Without a TTY its stdin ends with `\x04`: that is our eof;
 * - the socket is closed when the process ends (`-x` reads the status from the output).
 */
import tls from 'node:tls';
import type { AttachEnd, Rendezvous } from '../core/rendezvous.js';
import type { Logger } from '../logger.js';

const GREETING = 'rendezvous\r\n';
const MAX_LINE = 512;

export interface RendezvousTlsOptions {
  rendezvous: Rendezvous;
  log: Logger;
  port: number;
  key: string;
  cert: string;
}

export async function startRendezvousTls(options: RendezvousTlsOptions): Promise<tls.Server> {
  const { rendezvous, log } = options;
  const server = tls.createServer({ key: options.key, cert: options.cert }, (socket) => {
    socket.setNoDelay(true);
    socket.setTimeout(10_000, () => socket.destroy()); // until the secret line arrives
    socket.on('error', (err) => log.debug({ err: err.message }, 'rendezvous socket error'));
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\n');
      if (end < 0) {
        if (head.length > MAX_LINE) socket.destroy();
        return;
      }
      socket.off('data', onHead);
      socket.pause();
      socket.setTimeout(0);
      const secret = head.subarray(0, end).toString('utf8').trim().replace(/^\//, '');
      const rest = head.subarray(end + 1);
      socket.write(GREETING, () => attach(socket, secret, rest));
    };
    socket.on('data', onHead);
  });

  function attach(socket: tls.TLSSocket, secret: string, rest: Buffer): void {
    const tty = rendezvous.tty(secret);
    const end: AttachEnd = {
      data: (chunk) => {
        if (!socket.destroyed) socket.write(chunk);
      },
      control: (m) => {
        if (m.type === 'error' && !socket.destroyed) socket.write(`\r\n${m.message}\r\n`);
      },
      close: () => socket.end(),
      backlog: () => socket.writableLength,
    };
    const port = rendezvous.joinClient(secret, end);
    if (!port) {
      socket.end('This attach URL is unknown, used or expired.\r\n');
      return;
    }
    const input = (chunk: Buffer) => {
      // Without a TTY the Heroku CLI ends stdin with ^D: close the process's stdin.
      if (tty === false && chunk.length > 0 && chunk[chunk.length - 1] === 0x04) {
        if (chunk.length > 1) port.data(chunk.subarray(0, -1));
        port.control({ type: 'eof' });
      } else {
        port.data(chunk);
      }
    };
    if (rest.length) input(rest);
    socket.on('data', input);
    socket.on('close', () => port.closed());
    socket.resume();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
