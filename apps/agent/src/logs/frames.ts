/**
 * Docker's log stream, pure. A container without a TTY sends its logs multiplexed: frames of an
 * 8-byte header (stream: 1 stdout, 2 stderr; then a big-endian uint32 length) and that many
 * bytes; with `timestamps=true` each frame is one log message prefixed by its time
 * (RFC 3339 with nine fixed digits of nanoseconds, UTC) and a space. Chunks from the socket
 * end anywhere, so a partial frame waits for the rest.
 */

export interface Frame {
  stream: 'stdout' | 'stderr';
  /** Docker's time of the message: `2026-11-24T06:00:00.123456789Z`. */
  ts: string;
  payload: Buffer;
}

const HEADER = 8;
const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

export class FrameParser {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Frame[] = [];
    let at = 0;
    while (buf.length - at >= HEADER) {
      const kind = buf[at];
      const size = buf.readUInt32BE(at + 4);
      if (buf.length - at - HEADER < size) break;
      const body = buf.subarray(at + HEADER, at + HEADER + size);
      at += HEADER + size;
      if (kind !== 1 && kind !== 2) continue; // stdin echo or unknown: not a log line
      const space = body.indexOf(0x20);
      const ts = space > 0 ? body.subarray(0, space).toString('latin1') : '';
      if (!TS.test(ts)) {
        frames.push({ stream: kind === 1 ? 'stdout' : 'stderr', ts: '', payload: body });
        continue;
      }
      frames.push({ stream: kind === 1 ? 'stdout' : 'stderr', ts, payload: body.subarray(space + 1) });
    }
    this.pending = at < buf.length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
    return frames;
  }
}

/** Docker's `since` for the API (`seconds.nanoseconds`) from a frame's time. */
export function dockerSince(ts: string): string {
  const seconds = Math.floor(Date.parse(`${ts.slice(0, 19)}Z`) / 1000);
  return `${seconds}.${ts.slice(20, 29)}`;
}

/** A frame's time as the log router keeps times: ISO 8601 with microseconds. */
export function isoMicros(ts: string): string {
  return `${ts.slice(0, 26)}Z`;
}

/** Is position a (time, piece) at or before b? Times are fixed width, so they compare as text. */
export function notAfter(a: { ts: string; part: number }, b: { ts: string; part: number }): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.part <= b.part);
}
