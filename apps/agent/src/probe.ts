import net from 'node:net';

/**
 * Does something answer HTTP on 127.0.0.1:port? A bare TCP connect is not enough: Docker's
 * port proxy accepts connections before the app inside listens, then closes them. Without a
 * path any answer to `GET /` will do; with one (the app's health check), only 2xx or 3xx.
 */
export function answersHttp(port: number, timeoutMs = 1000, path?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let head = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () =>
      socket.write(`GET ${path ?? '/'} HTTP/1.0\r\nHost: localhost\r\nUser-Agent: paas-agent\r\n\r\n`),
    );
    socket.on('data', (chunk: Buffer) => {
      if (!path) return done(true);
      head += chunk.toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (status) done(Number(status[1]) >= 200 && Number(status[1]) < 400);
      else if (head.length > 64 || head.includes('\n')) done(false);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

/** Probes every `everyMs` while `keepGoing()`; true once it answers, false when told to stop. */
export async function probeUntilUp(
  port: number,
  everyMs: number,
  path: string | undefined,
  keepGoing: () => boolean,
): Promise<boolean> {
  while (keepGoing()) {
    if (await answersHttp(port, 500, path)) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}
