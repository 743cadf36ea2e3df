/**
 * `paas run`'s side of an attached one-off: a WebSocket to the api's rendezvous
 * (`/rendezvous`, the secret of the dyno's attach_url in a header). Binary frames are bytes (stdin
 * out, the process's output in); text frames are JSON control messages: `resize` and `eof`
 * out, `exit` (the status) and `error` in. With a TTY the terminal is raw (Ctrl-C reaches the
 * process) and resizes are sent as they happen. Resolves with the process's exit status.
 */
import type { AttachControl } from '@paas/shared';
import { RENDEZVOUS_SECRET_HEADER } from '@paas/shared/names';
import WebSocket from 'ws';

/** No exit status came (the link broke): as ssh does. */
export const LOST = 255;

export async function attach(
  apiUrl: string,
  secret: string,
  tty: boolean,
  stderr: (t: string) => void,
): Promise<number> {
  const url = `${apiUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/rendezvous`;
  const ws = new WebSocket(url, { handshakeTimeout: 10_000, headers: { [RENDEZVOUS_SECRET_HEADER]: secret } });
  const { stdin, stdout } = process;
  let code: number | null = LOST;
  let exited = false;
  let told = false;
  const send = (m: AttachControl) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(m));
  const onInput = (chunk: Buffer) => ws.readyState === WebSocket.OPEN && ws.send(chunk, { binary: true });
  const onEnd = () => send({ type: 'eof' });
  const onResize = () => send({ type: 'resize', cols: stdout.columns, rows: stdout.rows });
  const raw = tty && stdin.isTTY;

  ws.on('open', () => {
    if (raw) stdin.setRawMode(true);
    stdin.on('data', onInput);
    stdin.on('end', onEnd);
    stdin.resume();
    if (tty) stdout.on('resize', onResize);
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      stdout.write(data as Buffer);
      return;
    }
    try {
      const m = JSON.parse(String(data)) as AttachControl;
      if (m.type === 'exit') {
        exited = true;
        code = m.code;
      } else if (m.type === 'error') {
        told = true;
        stderr(`${raw ? '\r\n' : ''}Error: ${m.message}\n`);
      }
    } catch {}
  });
  await new Promise<void>((resolve) => {
    ws.on('error', (err) => {
      told = true;
      stderr(`Error: cannot attach to the process (${err.message}).\n`);
      resolve();
    });
    ws.on('close', () => resolve());
  });
  if (raw) stdin.setRawMode(false);
  if (!exited && !told)
    stderr(`${raw ? '\r\n' : ''}Error: lost the connection to the process; its exit status is unknown.\n`);
  stdin.off('data', onInput);
  stdin.off('end', onEnd);
  stdout.off('resize', onResize);
  stdin.pause();
  stdin.unref?.();
  return code ?? LOST;
}
