// The scheduler: queues a job every $SCHEDULE_SECONDS (default 10), in PostgreSQL, for the
// workers. One process of this type; it stops at once on SIGTERM.
const { db, log, onShutdown } = require('./lib');

const every = Number(process.env.SCHEDULE_SECONDS || 10) * 1000;
const timer = setInterval(async () => {
  if (!db) return log('warn', 'no DATABASE_URL: nothing to schedule');
  try {
    const { rows } = await db.query(`INSERT INTO jobs (kind) VALUES ('tick') RETURNING id`);
    log('info', 'job queued', { job: rows[0].id });
  } catch (err) {
    log('error', 'could not queue a job', { error: err.message });
  }
}, every);
log('info', 'scheduler started', { everyMs: every });
onShutdown(async () => clearInterval(timer));
