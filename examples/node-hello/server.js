// A minimal twelve-factor web process: binds $PORT, reads its config from the environment,
// logs to stdout, and exits cleanly on SIGTERM.
const http = require('node:http');

const port = Number(process.env.PORT || 5000);
const server = http.createServer((_req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end(
    `${process.env.GREETING || 'hello'} from ${process.env.DYNO || 'a process'} (${process.env.PAAS_RELEASE || 'no release'})\n`,
  );
});
server.listen(port, () => console.log(`listening on ${port}`));
process.on('SIGTERM', () => {
  console.log('SIGTERM received, closing');
  server.close(() => process.exit(0));
});
