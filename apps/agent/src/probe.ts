import net from 'node:net';

/**
 * Does something answer HTTP on 127.0.0.1:port? A bare TCP connect is not enough: Docker's
 * port proxy accepts connections before the app inside listens, then closes them.
 */
export function answersHttp(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () => socket.write('GET / HTTP/1.0\r\nHost: localhost\r\nUser-Agent: paas-agent\r\n\r\n'));
    socket.on('data', () => done(true));
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}
