import { describeIssues } from '@paas/shared';
import type { z } from 'zod';
import { invalid } from '../errors.js';

/** Validates a request body; a bad one is a 422 naming every bad field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw invalid(describeIssues(result.error));
  return result.data;
}

/** Scheme, host and port the client used to reach us: the base of URLs we hand out. */
export function baseUrl(request: { protocol: string; headers: Record<string, unknown>; host?: string }): string {
  const host = request.host ?? String(request.headers.host ?? 'localhost');
  return `${request.protocol}://${host}`;
}
