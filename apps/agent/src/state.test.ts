import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadState, saveCursors, saveState } from './state.js';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('agent state files', () => {
  it('are 0600 in a 0700 directory (the desired set holds every config var), and read back', () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-state-'));
    onTestFinished(() => fs.rmSync(top, { recursive: true, force: true }));
    const dir = path.join(top, 'agent');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'state.json.tmp'), 'left over', { mode: 0o644 });
    const state = { platformId: 'p1', desired: [], routes: [], launched: [], services: [] };
    saveState(dir, state);
    saveCursors(dir, {});
    expect(mode(dir)).toBe(0o700);
    for (const f of ['state.json', 'cursors.json']) expect([f, mode(path.join(dir, f))]).toEqual([f, 0o600]);
    expect(fs.existsSync(path.join(dir, 'state.json.tmp'))).toBe(false);
    expect(loadState(dir)).toEqual(state);
  });
});
