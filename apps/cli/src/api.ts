/** A thin client of the public API; API error messages are passed through as they are. */
import type { ErrorBody } from '@paas/shared';
import { API_ACCEPT } from '@paas/shared/names';
import { apiToken, apiUrl } from './credentials.js';
import { CliError } from './errors.js';

export interface ApiResponse<T> {
  body: T;
  headers: Headers;
}

export class Api {
  constructor(
    readonly url: string,
    private readonly token: string | undefined,
  ) {}

  static fromEnvironment(): Api {
    const url = apiUrl();
    return new Api(url, apiToken(url));
  }

  /** What every request carries: the API's Accept header and the token (none: not logged in). */
  headers(): Record<string, string> {
    if (!this.token) {
      throw new CliError(`Not logged in to ${this.url}: run \`paas login\` (or set PAAS_API_TOKEN).`);
    }
    return { accept: API_ACCEPT, authorization: `Bearer ${this.token}` };
  }

  /** The api did not answer (connection refused, no such host…): `cause`, a code or a message. */
  unreachable(cause: string): CliError {
    return new CliError(`Cannot reach the paas api at ${this.url} (${cause}). Is it running? (PAAS_API_URL)`);
  }

  /** The API's message of an error answer (Heroku's `{id, message}`), else its status. */
  static errorMessage(status: number, statusText: string, text: string): string {
    let parsed: ErrorBody | undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return parsed?.message ?? `${status} ${statusText}`;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers = this.headers();
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw this.unreachable((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
    }
    const text = await response.text();
    if (!response.ok) throw new CliError(Api.errorMessage(response.status, response.statusText, text));
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { body: parsed as T, headers: response.headers };
  }

  /** A GET whose body is streamed to the caller (a file), not parsed. */
  async stream(path: string): Promise<Response> {
    if (!this.token) {
      throw new CliError(`Not logged in to ${this.url}: run \`paas login\` (or set PAAS_API_TOKEN).`);
    }
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    } catch (err) {
      throw new CliError(`Cannot reach the paas api at ${this.url} (${(err as Error).message}).`);
    }
    if (!response.ok) {
      const text = await response.text();
      let message = `${response.status} ${response.statusText}`;
      try {
        message = (JSON.parse(text) as ErrorBody).message ?? message;
      } catch {}
      throw new CliError(message);
    }
    return response;
  }

  async get<T>(path: string): Promise<T> {
    return (await this.request<T>('GET', path)).body;
  }
  async post<T>(path: string, body: unknown = {}): Promise<T> {
    return (await this.request<T>('POST', path, body)).body;
  }
  async patch<T>(path: string, body: unknown): Promise<T> {
    return (await this.request<T>('PATCH', path, body)).body;
  }
  async delete<T>(path: string): Promise<T> {
    return (await this.request<T>('DELETE', path)).body;
  }
}

export const appPath = (app: string, rest = '') => `/apps/${encodeURIComponent(app)}${rest}`;
