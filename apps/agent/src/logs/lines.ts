/**
 * Cuts a process's output into log lines, pure. Chunks end anywhere, so a partial line waits
 * for its end (or for the stream's end); a line longer than 10 KiB is cut there and marked, and
 * the rest of it dropped; bytes that are not UTF-8 become U+FFFD and control characters other
 * than tab and ESC are left out, so a line is always one entry.
 */
import { LOG_LINE_CUT_MARKER, LOG_LINE_MAX_BYTES } from '@paas/shared';

const NEWLINE = 0x0a;

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** The current line passed the limit: the rest of it, up to its newline, is dropped. */
  private cut = false;

  constructor(private readonly maxBytes = LOG_LINE_MAX_BYTES) {}

  /** The complete lines in `chunk` (with what came before it). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl < 0) {
        this.keep(chunk.subarray(start));
        return lines;
      }
      this.keep(chunk.subarray(start, nl));
      lines.push(this.take());
      start = nl + 1;
    }
  }

  /** The stream ended: a last line without a newline, if any. */
  end(): string[] {
    return this.size > 0 || this.cut ? [this.take()] : [];
  }

  private keep(piece: Buffer): void {
    if (this.cut || piece.length === 0) return;
    const room = this.maxBytes - this.size;
    if (piece.length > room) {
      this.parts.push(piece.subarray(0, room));
      this.size += room;
      this.cut = true;
      return;
    }
    this.parts.push(piece);
    this.size += piece.length;
  }

  private take(): string {
    const raw = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    let text = clean(raw.toString('utf8'));
    if (this.cut) text = `${dropPartialChar(text)}${LOG_LINE_CUT_MARKER}`;
    this.parts = [];
    this.size = 0;
    this.cut = false;
    return text;
  }
}

/** Without a trailing CR, and with control characters left out but tab and ESC (colours stay). */
export function clean(text: string): string {
  const noCr = text.endsWith('\r') ? text.slice(0, -1) : text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return /[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]/.test(noCr) ? noCr.replace(/[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]/g, '') : noCr;
}

/** A cut in the middle of a multi-byte character decodes as U+FFFD at the end: drop it. */
function dropPartialChar(text: string): string {
  return text.endsWith('\uFFFD') ? text.slice(0, -1) : text;
}
