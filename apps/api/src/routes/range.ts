/**
 * Heroku's list ranges, for every list the api answers: `Range: version ..; max=15, order=desc`
 * (also `order=desc,max=1`, `id ]abc..`, `name a..z`) sorts by the field, keeps what lies in
 * the range, answers at most `max` items and, when there are more, 206 with
 * `Next-Range: ]<last>..; max=N, order=…` for the client to ask for the rest. Without a Range
 * header a list is answered whole, in its own order.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PaasError } from '../errors.js';

const DEFAULT_MAX = 200;
const LIMIT = 1000;

export interface ParsedRange {
  field: string;
  start?: { value: string; exclusive: boolean };
  end?: string;
  max: number;
  order: 'asc' | 'desc';
}

/** Parses a Range header; throws a 400 that says what is wrong. */
export function parseRange(header: string): ParsedRange {
  const m = /^\s*([a-z_]+)\s*(?:(\]?)([^.;]*)\.\.([^;]*))?\s*(?:;(.*))?$/i.exec(header);
  if (!m)
    throw new PaasError('bad_request', `Range ${JSON.stringify(header)}: expected like "id ..; max=200, order=asc".`);
  const [, field, exclusive, start, end, options] = m;
  const range: ParsedRange = { field: field as string, max: DEFAULT_MAX, order: 'asc' };
  if (start?.trim()) range.start = { value: start.trim(), exclusive: exclusive === ']' };
  if (end?.trim()) range.end = end.trim();
  for (const option of (options ?? '').split(',')) {
    const [key, value] = option.split('=').map((s) => s.trim());
    if (!key) continue;
    if (key === 'max') {
      const max = Number(value);
      if (!Number.isInteger(max) || max < 1 || max > LIMIT) {
        throw new PaasError('bad_request', `Range max=${value}: must be a whole number from 1 to ${LIMIT}.`);
      }
      range.max = max;
    } else if (key === 'order') {
      if (value !== 'asc' && value !== 'desc') throw new PaasError('bad_request', `Range order=${value}: asc or desc.`);
      range.order = value;
    } else throw new PaasError('bad_request', `Range: unknown option ${JSON.stringify(key)} (max, order).`);
  }
  return range;
}

type Item = Record<string, unknown>;

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** The page of `items` the range asks for, and the Next-Range header if more remain. */
export function applyRange(items: Item[], range: ParsedRange): { page: Item[]; next?: string } {
  const { field, order } = range;
  if (items.some((item) => item[field] === undefined || item[field] === null || typeof item[field] === 'object')) {
    throw new PaasError('bad_request', `Range: these items cannot be ordered by ${JSON.stringify(field)}.`);
  }
  const numeric = items.length > 0 && typeof items[0]?.[field] === 'number';
  const key = (v: string) => (numeric ? Number(v) : v);
  const sign = order === 'asc' ? 1 : -1;
  const sorted = [...items].sort((a, b) => sign * compare(a[field], b[field]));
  const start = range.start;
  const end = range.end;
  const inRange = sorted.filter((item) => {
    const v = item[field];
    if (start) {
      const c = sign * compare(v, key(start.value));
      if (c < 0 || (c === 0 && start.exclusive)) return false;
    }
    if (end !== undefined && sign * compare(v, key(end)) > 0) return false;
    return true;
  });
  const page = inRange.slice(0, range.max);
  if (inRange.length <= range.max) return { page };
  const last = page.at(-1)?.[field];
  return { page, next: `${field} ]${String(last)}..; max=${range.max}, order=${order}` };
}

/** preSerialization hook: a list answer to a request with a Range header is paginated. */
export async function rangeHook(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const header = request.headers.range;
  if (!header || request.method !== 'GET' || !Array.isArray(payload) || reply.statusCode !== 200) return payload;
  const { page, next } = applyRange(payload as Item[], parseRange(header));
  reply.header('accept-ranges', 'id, name, version');
  if (next) {
    reply.status(206);
    reply.header('next-range', next);
  }
  return page;
}
