/**
 * Text bounded by keeping its tail: past `max` characters the oldest go (cut at a line start
 * when one is near), and `dropped` counts what went. Pure.
 */
export class TailBuffer {
  private text = '';
  private dropped = 0;

  constructor(private readonly max: number) {}

  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length <= this.max) return;
    let cut = this.text.length - this.max;
    const nl = this.text.indexOf('\n', cut - 1);
    if (nl !== -1 && nl - cut < 1024) cut = nl + 1;
    this.dropped += cut;
    this.text = this.text.slice(cut);
  }

  endsInLine(): boolean {
    return this.text === '' || this.text.endsWith('\n');
  }

  snapshot(): { text: string; dropped: number } {
    return { text: this.text, dropped: this.dropped };
  }
}

/** Output as shown to a reader: a note first if its head was dropped. */
export function shownOutput(output: { text: string; dropped: number }): string {
  return output.dropped > 0
    ? `[${output.dropped} characters of earlier output were dropped]\n${output.text}`
    : output.text;
}
