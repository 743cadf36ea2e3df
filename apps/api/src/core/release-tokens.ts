/**
 * Tokens in release output URLs. `releases:output` (ours and the Heroku CLI's) GETs the URL
 * with no Authorization header, so the URL itself must be the credential: the release id, an
 * expiry and an HMAC of both under the store's `release_output_key`. Unguessable without the
 * key, valid until it expires (a fresh one is issued every time a release is shown), and still
 * valid after an api restart. Pure apart from the clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long an issued URL works: long enough to follow a release phase that just started. */
export const RELEASE_OUTPUT_TTL_MS = 60 * 60 * 1000;

export class ReleaseOutputTokens {
  constructor(
    private readonly key: string,
    private readonly ttlMs = RELEASE_OUTPUT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  issue(releaseId: string): string {
    const expires = Math.ceil((this.now() + this.ttlMs) / 1000).toString(36);
    return `${releaseId}.${expires}.${this.sign(releaseId, expires)}`;
  }

  /** The release a token names, or null if it is malformed, forged or expired. */
  verify(token: string): string | null {
    const m = /^([\w-]{1,64})\.([0-9a-z]{1,12})\.([\w-]{43})$/.exec(token);
    if (!m) return null;
    const [, releaseId = '', expires = '', signature = ''] = m;
    const expected = Buffer.from(this.sign(releaseId, expires));
    if (!timingSafeEqual(expected, Buffer.from(signature))) return null;
    return Number.parseInt(expires, 36) * 1000 > this.now() ? releaseId : null;
  }

  private sign(releaseId: string, expires: string): string {
    return createHmac('sha256', this.key).update(`release-output:${releaseId}:${expires}`).digest('base64url');
  }
}
