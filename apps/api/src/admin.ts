/**
 * paas-admin: one-off admin commands against the store.
 *   paas-admin migrate   apply the migrations the store lacks, in order, one transaction each
 *   paas-admin status    print the store's schema version and the one this code needs
 *   paas-admin agents, agents:add NAME, agents:remove NAME   agents' credentials (admin-agents.ts)
 */
import { agentCommand } from './admin-agents.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { migrate, openDb, openStore, SCHEMA_VERSION, schemaVersion, storePath } from './store/db.js';

const [command, ...args] = process.argv.slice(2);
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  createLogger('info', 'paas-admin').fatal({ problems: err.problems }, err.message);
  process.exit(1);
}
const log = createLogger(config.LOG_LEVEL, 'paas-admin');
const file = storePath(config.dataDir);

switch (command) {
  case 'migrate': {
    const db = openDb(file);
    const before = schemaVersion(db);
    if (before > SCHEMA_VERSION) {
      log.fatal(
        { store: file, version: before, known: SCHEMA_VERSION },
        'store is newer than this code: refusing to touch it',
      );
      process.exit(1);
    }
    const applied = migrate(db);
    db.close();
    log.info(
      { store: file, from: before, to: before + applied.length, applied: applied.map((m) => m.name) },
      'store migrated',
    );
    break;
  }
  case 'status': {
    const db = openDb(file);
    log.info({ store: file, version: schemaVersion(db), needed: SCHEMA_VERSION }, 'store schema');
    db.close();
    break;
  }
  case 'agents':
  case 'agents:add':
  case 'agents:remove':
  case 'agents:revoke': {
    let db: ReturnType<typeof openStore> | undefined;
    try {
      db = openStore(config.dataDir);
      process.stdout.write(agentCommand(db, command, args));
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      log.fatal((err as Error).message);
      process.exitCode = 1;
    } finally {
      db?.close();
    }
    break;
  }
  default:
    log.fatal(
      `unknown command ${JSON.stringify(command ?? '')}: use "migrate", "status", "agents", "agents:add NAME" or "agents:remove NAME"`,
    );
    process.exit(2);
}
