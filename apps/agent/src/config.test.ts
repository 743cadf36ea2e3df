import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

const CREDENTIAL = 'host-2:0123456789abcdef0123456789abcdef';

describe('agent parseConfig', () => {
  it('takes its id from its credential, and its channel from the api host and PAAS_AGENT_PORT', () => {
    const config = parseConfig({ PAAS_AGENT_CREDENTIAL: CREDENTIAL, PAAS_API_URL: 'http://api.internal:5000' });
    expect(config).toMatchObject({
      PAAS_AGENT_ID: 'host-2',
      secret: '0123456789abcdef0123456789abcdef',
      channelUrl: 'wss://api.internal:5002',
    });
    expect(config.caFile).toMatch(/\.paas\/tls\/ca\.crt$/);
    expect(parseConfig({ PAAS_AGENT_CREDENTIAL: CREDENTIAL, PAAS_API_URL: 'http://[::1]:5000' }).channelUrl).toBe(
      'wss://[::1]:5002',
    );
  });

  it('reads the credential from a file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-cfg-'));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'credential');
    fs.writeFileSync(file, `${CREDENTIAL}\n`, { mode: 0o600 });
    expect(parseConfig({ PAAS_AGENT_CREDENTIAL_FILE: file }).PAAS_AGENT_ID).toBe('host-2');
  });

  it('refuses the old shared token, a missing or malformed credential and another id, never echoing a value', () => {
    const cases: [NodeJS.ProcessEnv, string][] = [
      [
        { PAAS_AGENT_TOKEN: 'old-shared-token-0123456789', PAAS_AGENT_CREDENTIAL: CREDENTIAL },
        'PAAS_AGENT_TOKEN: no longer used',
      ],
      [{}, 'PAAS_AGENT_CREDENTIAL: required'],
      [{ PAAS_AGENT_CREDENTIAL: 'no-colon-secret-value-0123456789' }, 'PAAS_AGENT_CREDENTIAL: must be a credential'],
      [
        { PAAS_AGENT_CREDENTIAL_FILE: '/nonexistent/secret-path' },
        'PAAS_AGENT_CREDENTIAL_FILE: cannot be read (ENOENT)',
      ],
      [{ PAAS_AGENT_CREDENTIAL: CREDENTIAL, PAAS_AGENT_ID: 'host-3' }, 'PAAS_AGENT_ID: is not the agent'],
    ];
    for (const [env, message] of cases) {
      try {
        parseConfig(env);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        const text = (err as Error).message;
        expect(text).toContain(message);
        for (const value of Object.values(env)) if (value && !value.startsWith('/')) expect(text).not.toContain(value);
        expect(text).not.toContain('0123456789abcdef');
      }
    }
  });
});
