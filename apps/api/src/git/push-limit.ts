/**
 * The push size cap (PAAS_MAX_PUSH_SIZE): what a push sends is counted as it comes, before
 * and after gunzip (a small gzip body can inflate to anything), and past the cap git is
 * stopped and the pusher is told why in a band-2 (progress) line of git's side-band, which
 * git shows as `remote: …`, followed by a band-3 (fatal) one.
 */
import { Transform, type TransformCallback } from 'node:stream';

const pktLine = (payload: string) => `${(Buffer.byteLength(payload) + 4).toString(16).padStart(4, '0')}${payload}`;

export function pushTooLarge(limit: number): string {
  const mb = Math.round((limit / 1024 / 1024) * 10) / 10;
  return `Push refused: it is larger than the push size limit, ${mb} MB (PAAS_MAX_PUSH_SIZE=${limit}).`;
}

/** The message as git's side-band packets: shown as `remote: …`, then a fatal error. */
export function sidebandError(message: string): string {
  return `${pktLine(`\x02${message}\n`)}${pktLine(`\x03${message}\n`)}`;
}

/**
 * Passes bytes through until `limit` have gone by; then calls `exceeded` once, ends its
 * output (`endEarly`: the next stage, git, sees the end of its input and exits) or just
 * passes no more, and goes on reading (and dropping) its input, so that the pusher can finish
 * sending and then read why it was refused.
 */
export class ByteCap extends Transform {
  private seen = 0;
  private over = false;

  constructor(
    private readonly limit: number,
    private readonly exceeded: () => void,
    private readonly endEarly = true,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.over) this.seen += chunk.length;
    if (!this.over && this.seen > this.limit) {
      this.over = true;
      this.exceeded();
      if (this.endEarly) this.push(null);
    }
    if (this.over) done();
    else done(null, chunk);
  }
}
