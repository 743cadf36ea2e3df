/**
 * `paas run`'s side of an attached one-off: one WebSocket to the api's `/apps/:app/run` (the
 * API token), whose first text frame asks for the one-off (Heroku's dyno create body). The api
 * answers `{type: 'dyno', dyno}` once it has made it (or `error`, and closes); from then on
 * binary frames are bytes (stdin out, the process's output in) and text frames JSON control
 * messages: `resize` and `eof` out, `exit` (the status) and `error` in. With a TTY the terminal
 * is raw (Ctrl-C reaches the process) and resizes are sent as they happen.
 */
import { createRequire } from 'node:module';
import type { AttachControl, DynoCreateBody, DynoResponse, RunDoorStarted } from '@paas/shared';
import type WebSocketType from 'ws';
import { Api, appPath } from './api.js';
import { CliError } from './errors.js';

// ws is CommonJS: required, not imported. Node 20's import of a CommonJS package first starts
// its CommonJS export lexer (WebAssembly) and lexes each of ws's files: 40-90 ms of paas run's
// start on this machine, against 15-25 ms for require.
const WebSocket = createRequire(import.meta.url)('ws') as typeof WebSocketType;

/** No exit status came (the link broke): as ssh does. */
export const LOST = 255;

export interface AttachOptions {
  tty: boolean;
  /** The api made the one-off (before any of its output). */
  started: (dyno: DynoResponse) => void;
  stderr: (t: string) => void;
}

/**
 * Runs an attached one-off to its end: resolves with its exit status, or rejects (a CliError
 * with the API's message) when the api did not make it.
 */
export function attach(api: Api, app: string, body: DynoCreateBody, options: AttachOptions): Promise<number> {
  const { tty, stderr } = options;
  const url = `${api.url.replace(/^http/, 'ws')}${appPath(app, '/run')}`;
  const ws = new WebSocket(url, { handshakeTimeout: 10_000, headers: api.headers() });
  const { stdin, stdout } = process;
  let started = false;
  let refusal: CliError | undefined;
  let code: number | null = LOST;
  let exited = false;
  let told = false;
  const send = (m: AttachControl) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(m));
  const onInput = (chunk: Buffer) => ws.readyState === WebSocket.OPEN && ws.send(chunk, { binary: true });
  const onEnd = () => send({ type: 'eof' });
  const onResize = () => send({ type: 'resize', cols: stdout.columns, rows: stdout.rows });
  const raw = tty && stdin.isTTY;

  const start = (dyno: DynoResponse) => {
    started = true;
    options.started(dyno);
    if (raw) stdin.setRawMode(true);
    stdin.on('data', onInput);
    stdin.on('end', onEnd);
    stdin.resume();
    if (tty) stdout.on('resize', onResize);
  };

  // An error answer to the upgrade (401, 404…): the API's message, as for any request.
  ws.on('unexpected-response', (_request, response) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      text += chunk;
    });
    response.on('end', () => {
      refusal ??= new CliError(Api.errorMessage(response.statusCode ?? 0, response.statusMessage ?? '', text));
      ws.terminate();
    });
  });
  ws.on('open', () => ws.send(JSON.stringify(body)));
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      stdout.write(data as Buffer);
      return;
    }
    let m: AttachControl | RunDoorStarted;
    try {
      m = JSON.parse(String(data)) as AttachControl | RunDoorStarted;
    } catch {
      return;
    }
    if (!started) {
      if (m.type === 'dyno') start(m.dyno);
      else if (m.type === 'error') refusal ??= new CliError(m.message);
    } else if (m.type === 'exit') {
      exited = true;
      code = m.code;
    } else if (m.type === 'error') {
      told = true;
      stderr(`${raw ? '\r\n' : ''}Error: ${m.message}\n`);
    }
  });

  return new Promise<number>((resolve, reject) => {
    ws.on('error', (err) => {
      if (!started) {
        refusal ??= api.unreachable((err as NodeJS.ErrnoException).code ?? err.message);
        return;
      }
      told = true;
      stderr(`Error: cannot attach to the process (${err.message}).\n`);
    });
    ws.on('close', () => {
      if (!started) return reject(refusal ?? new CliError('The api closed the connection before it made the process.'));
      if (raw) stdin.setRawMode(false);
      if (!exited && !told)
        stderr(`${raw ? '\r\n' : ''}Error: lost the connection to the process; its exit status is unknown.\n`);
      stdin.off('data', onInput);
      stdin.off('end', onEnd);
      stdout.off('resize', onResize);
      stdin.pause();
      stdin.unref?.();
      resolve(code ?? LOST);
    });
  });
}
