// Schema migrations, run as the release command (Procfile `release:`) before each release
// goes live (factor XII). Idempotent; without a database there is nothing to migrate.
const { db, log } = require('./lib');

const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE IF NOT EXISTS jobs (id serial PRIMARY KEY, kind text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), done_at timestamptz, done_by text)`,
  `CREATE INDEX IF NOT EXISTS jobs_pending ON jobs (id) WHERE done_at IS NULL`,
];

(async () => {
  if (!db) {
    log('warn', 'no DATABASE_URL: nothing to migrate (paas addons:create heroku-postgresql)');
    return;
  }
  for (const sql of MIGRATIONS) await db.query(sql);
  log('info', 'migrations applied', { count: MIGRATIONS.length });
  await db.end();
})().catch((err) => {
  log('error', 'migration failed', { error: err.message });
  process.exit(1);
});
