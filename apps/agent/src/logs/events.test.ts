import { expect, it } from 'vitest';
import { EVENTS } from './events.js';

it('words process events as Heroku does', () => {
  expect(EVENTS.starting('node server.js')).toBe('Starting process with command `node server.js`');
  expect(EVENTS.starting(null)).toBe('Starting process with command `(the image’s CMD)`');
  expect(EVENTS.changed('starting', 'up')).toBe('State changed from starting to up');
  expect(EVENTS.exited(3)).toBe('Process exited with status 3');
  expect(EVENTS.exited(null)).toBe('Process exited with status unknown');
  expect(EVENTS.bootTimeout(60)).toBe(
    'Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 60 seconds of launch',
  );
  expect(EVENTS.failedToStart('No such image: x\nmore')).toBe('Process failed to start: No such image: x');
});
