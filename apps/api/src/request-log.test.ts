import { describe, expect, it } from 'vitest';
import { redactUrl } from './request-log.js';

describe('redactUrl', () => {
  it('takes tokens out of paths and query strings, and leaves the rest', () => {
    expect(redactUrl('/log-sessions/abcDEF123')).toBe('/log-sessions/[redacted]');
    expect(redactUrl('/release-output/v1.2.3.sig?x=1')).toBe('/release-output/[redacted]?x=1');
    expect(redactUrl('/apps/shop/log-stream?num=10&token=s3cret&tail=1')).toBe(
      '/apps/shop/log-stream?num=10&token=[redacted]&tail=1',
    );
    expect(redactUrl('/x?api_key=1&Secret=2&password=3&auth=4')).toBe(
      '/x?api_key=[redacted]&Secret=[redacted]&password=[redacted]&auth=[redacted]',
    );
    expect(redactUrl('/shop.git/info/refs?service=git-upload-pack')).toBe(
      '/shop.git/info/refs?service=git-upload-pack',
    );
    expect(redactUrl('/apps/shop')).toBe('/apps/shop');
  });
});
