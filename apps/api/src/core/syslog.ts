/**
 * Log drain framing, pure: one log line as an RFC 5424 syslog message in Heroku's style, and
 * octet counting (RFC 6587) for HTTP batches (`application/logplex-1`) and syslog over TCP.
 *
 *   <190>1 2026-11-22T10:00:00.123456+00:00 d.<token> app web.1 - - listening on 5000
 *
 * PRI 190 is local7.info; HOSTNAME is the drain's token; APP-NAME the source (`app`, `paas`);
 * PROCID the process; no MSGID and no structured data.
 */
import { type LogLine, logTimestamp } from '@paas/shared';

const PRI = 190;

export function syslogMessage(line: Pick<LogLine, 'ts' | 'source' | 'process' | 'line'>, token: string): string {
  const field = (v: string) => v.replace(/[^\x21-\x7e]/g, '_').slice(0, 128) || '-';
  return `<${PRI}>1 ${logTimestamp(line.ts)} ${field(token)} ${field(line.source)} ${field(line.process)} - - ${line.line}`;
}

/** `<length in bytes> <message>`: frames can follow each other with nothing between. */
export function octetFrame(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}

export interface ParsedFrame {
  pri: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  message: string;
}

/** Splits octet-counted frames and parses each message (for tests and tools). */
export function parseFrames(body: Buffer): ParsedFrame[] {
  const frames: ParsedFrame[] = [];
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space < 0) throw new Error(`no length at byte ${at}`);
    const length = Number(body.toString('latin1', at, space));
    if (!Number.isInteger(length) || length <= 0) throw new Error(`bad frame length at byte ${at}`);
    const text = body.toString('utf8', space + 1, space + 1 + length);
    if (Buffer.byteLength(text) !== length) throw new Error(`frame at byte ${at} is cut short`);
    const m = /^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) - - ([\s\S]*)$/.exec(text);
    if (!m) throw new Error(`not an RFC 5424 message: ${text.slice(0, 80)}`);
    frames.push({
      pri: Number(m[1]),
      timestamp: m[2] as string,
      hostname: m[3] as string,
      appName: m[4] as string,
      procId: m[5] as string,
      message: m[6] as string,
    });
    at = space + 1 + length;
  }
  return frames;
}
