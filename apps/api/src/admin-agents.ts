/**
 * paas-admin's agent commands (admin.ts dispatches):
 *   agents                          the agents with a credential: name, when issued, last seen
 *   agents:add NAME [--file PATH] [--replace]
 *                                   issues NAME's credential and prints it once on stdout (or
 *                                   writes it to PATH, mode 0600); --replace gives an agent that
 *                                   has one a new one (the old one stops working)
 *   agents:remove NAME              revokes it: the api refuses the agent and closes its connection
 * What a command answers goes to stdout as text; a refusal is a fatal log line and exit code 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { addAgent, listAgentsWithCredentials, removeAgent } from './core/agent-auth.js';
import type { Db } from './store/db.js';

/** Writes a secret file: 0600 in a 0700 directory, synced before it replaces the old one. */
export function writeSecretFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Runs one agent command; returns what to print on stdout. Throws PaasError on bad input. */
export function agentCommand(db: Db, command: string, args: string[]): string {
  const flags = new Set(args.filter((a) => a.startsWith('--') && a !== '--file'));
  const fileAt = args.indexOf('--file');
  const file = fileAt === -1 ? undefined : args[fileAt + 1];
  const [name] = args.filter((a, i) => !a.startsWith('--') && (fileAt === -1 || i !== fileAt + 1));
  switch (command) {
    case 'agents': {
      const rows = listAgentsWithCredentials(db);
      if (!rows.length) return 'No agents. Add one with `paas-admin agents:add NAME`.\n';
      return `${rows.map((r) => `${r.name}\tissued ${r.created}\tlast seen ${r.lastSeen ?? 'never'}`).join('\n')}\n`;
    }
    case 'agents:add': {
      if (!name) throw new Error('usage: paas-admin agents:add NAME [--file PATH] [--replace]');
      if (fileAt !== -1 && !file) throw new Error('--file needs a path');
      const credential = addAgent(db, name, flags.has('--replace'));
      if (file) {
        writeSecretFile(path.resolve(file), `${credential}\n`);
        return `Agent ${name}: credential written to ${path.resolve(file)} (mode 0600).\n`;
      }
      return (
        `Agent ${name}: its credential, shown only this once (the store keeps a hash):\n\n${credential}\n\n` +
        `Give it to the agent as PAAS_AGENT_CREDENTIAL (or in a 0600 file named by PAAS_AGENT_CREDENTIAL_FILE),\n` +
        `with the platform CA (PAAS_AGENT_CA_FILE, a copy of $PAAS_DATA_DIR/tls/ca.crt).\n`
      );
    }
    case 'agents:remove':
    case 'agents:revoke': {
      if (!name) throw new Error(`usage: paas-admin ${command} NAME`);
      removeAgent(db, name);
      return `Agent ${name}: credential revoked; the api closes its connection and refuses it from now on.\n`;
    }
    default:
      throw new Error(`unknown agent command ${command}`);
  }
}
