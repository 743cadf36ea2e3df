// Shared by the processes: JSON logs to stdout (factor XI), config from the environment
// (factor III), the database located by DATABASE_URL and Redis by REDIS_URL (factor IV).
const { Pool } = require('pg');

function log(level, msg, fields = {}) {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, msg, dyno: process.env.DYNO, ...fields })}\n`,
  );
}

const db = process.env.DATABASE_URL ? new Pool({ connectionString: process.env.DATABASE_URL, max: 4 }) : null;

let redisClient = null;
async function redis() {
  if (!process.env.REDIS_URL) return null;
  if (!redisClient) {
    const { createClient } = require('redis');
    redisClient = createClient({ url: process.env.REDIS_URL });
    redisClient.on('error', (err) => log('warn', 'redis error', { error: err.message }));
    await redisClient.connect();
  }
  return redisClient;
}

/** On SIGTERM (factor IX): run `stop`, close connections, exit 0; SIGKILL follows if we hang. */
function onShutdown(stop) {
  process.once('SIGTERM', async () => {
    log('info', 'SIGTERM: shutting down');
    try {
      await stop();
      await db?.end();
      await redisClient?.quit();
    } catch (err) {
      log('error', 'shutdown failed', { error: err.message });
    }
    process.exit(0);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = { db, redis, log, onShutdown, sleep };
