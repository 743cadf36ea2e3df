// The worker: takes queued jobs from PostgreSQL (one at a time, SKIP LOCKED so workers scale
// out), and counts them in Redis when REDIS_URL is attached. Stops between jobs on SIGTERM.
const { db, redis, log, onShutdown, sleep } = require('./lib');

let running = true;
onShutdown(async () => {
  running = false;
  await done;
});

async function loop() {
  if (!db) {
    log('warn', 'no DATABASE_URL: idle');
    while (running) await sleep(500);
    return;
  }
  while (running) {
    try {
      const { rows } = await db.query(
        `UPDATE jobs SET done_at = now(), done_by = $1 WHERE id =
           (SELECT id FROM jobs WHERE done_at IS NULL ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
         RETURNING id, kind`,
        [process.env.DYNO || 'worker'],
      );
      if (rows.length) {
        const r = await redis();
        const total = r ? await r.incr('worker:jobs') : null;
        log('info', 'job done', { job: rows[0].id, kind: rows[0].kind, total });
        continue;
      }
    } catch (err) {
      log('error', 'job failed', { error: err.message });
    }
    await sleep(250);
  }
}
const done = loop();
