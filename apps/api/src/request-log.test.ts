import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { RedactingLogController, redactUrl } from './request-log.js';

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

describe('RedactingLogController', () => {
  it("writes Fastify's request lines with the URL redacted, errors and unknown routes included", async () => {
    let text = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    });
    const app = Fastify({
      loggerInstance: pino({ level: 'info' }, sink) as unknown as FastifyBaseLogger,
      logController: new RedactingLogController(),
    });
    app.get('/log-sessions/:token', async () => 'ok');
    app.get('/release-output/:token', async () => {
      throw new Error('boom');
    });
    await app.inject({ url: '/log-sessions/TOKEN-ONE' });
    await app.inject({ url: '/release-output/TOKEN-TWO' });
    await app.inject({ url: '/nowhere?token=TOKEN-THREE' });
    await app.close();
    expect(text).toContain('"url":"/log-sessions/[redacted]"');
    expect(text).toContain('"msg":"request completed"');
    expect(text).toContain('Route GET:/nowhere?token=[redacted] not found');
    expect(text).not.toMatch(/TOKEN-(ONE|TWO|THREE)/);
  });
});
