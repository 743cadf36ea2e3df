/** Heroku-style plain output: `=== Header`, aligned key/value lines, aligned columns. */

export const header = (text: string) => `=== ${text}`;

export function keyValues(pairs: [string, string][], separator = ': '): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length + separator.length));
  return pairs.map(([k, v]) => `${`${k}${separator}`.padEnd(width)}${v}`).join('\n');
}

export function columns(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** 2026-11-23T10:00:00.000Z → 2026/11/23 10:00:00 +0000 (as Heroku's CLI shows times). */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

export const appLabel = (app: string) => `⬢ ${app}`;
