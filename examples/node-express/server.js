// A twelve-factor web process on Express: binds $PORT, reads its config from the
// environment, logs to stdout, and exits cleanly on SIGTERM. No Dockerfile: paas detects
// Node.js from package.json + package-lock.json and builds it (npm ci, npm start).
const express = require('express');

const app = express();
const port = Number(process.env.PORT || 5000);

app.get('/', (_req, res) => {
  res
    .type('text/plain')
    .send(
      `${process.env.GREETING || 'hello'} from ${process.env.DYNO || 'a process'} (${process.env.PAAS_RELEASE || 'no release'})\n`,
    );
});
app.get('/version', (_req, res) => res.json({ node: process.version, uid: process.getuid?.() }));

const server = app.listen(port, () => console.log(`listening on ${port}`));
process.on('SIGTERM', () => {
  console.log('SIGTERM received, closing');
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
