// A background process: prints a line every few seconds until told to stop.
let n = 0;
const timer = setInterval(() => console.log(`worker tick ${++n}`), 5000);
process.on('SIGTERM', () => {
  console.log('worker stopping');
  clearInterval(timer);
});
