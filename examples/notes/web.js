// The web process: binds $PORT (factor VII), stateless, everything in PostgreSQL.
//   POST /notes (body: the note)  → 201 {"id": N}
//   GET  /notes/count             → {"count": N}
//   GET  /stats                   → notes, jobs queued and done, the worker's Redis counter
const http = require('node:http');
const { db, redis, log, onShutdown } = require('./lib');

async function route(req, body) {
  if (req.url === '/' || req.url === '/healthz') return [200, { ok: true, database: Boolean(db) }];
  if (!db) return [503, { error: 'no database attached: paas addons:create heroku-postgresql' }];
  if (req.method === 'POST' && req.url === '/notes') {
    const { rows } = await db.query('INSERT INTO notes (body) VALUES ($1) RETURNING id', [body || 'a note']);
    return [201, { id: rows[0].id }];
  }
  if (req.url === '/notes/count') {
    const { rows } = await db.query('SELECT count(*)::int AS count FROM notes');
    return [200, rows[0]];
  }
  if (req.url === '/stats') {
    const { rows } = await db.query(
      `SELECT (SELECT count(*)::int FROM notes) AS notes, (SELECT count(*)::int FROM jobs) AS jobs,
              (SELECT count(*)::int FROM jobs WHERE done_at IS NOT NULL) AS jobs_done`,
    );
    const r = await redis();
    return [200, { ...rows[0], redis_jobs: r ? Number((await r.get('worker:jobs')) ?? 0) : null }];
  }
  return [404, { error: 'not found' }];
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', async () => {
    const started = Date.now();
    let status = 500;
    let answer;
    try {
      [status, answer] = await route(req, body);
    } catch (err) {
      answer = { error: err.message };
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
    log('info', 'request', { method: req.method, path: req.url, status, ms: Date.now() - started });
  });
});
server.listen(process.env.PORT || 5000, () => log('info', 'listening', { port: server.address().port }));
onShutdown(() => new Promise((resolve) => server.close(resolve)));
