export * from './api.js';
export * from './docker.js';
export * from './env.js';
export * from './logs.js';
export * from './names.js';
export * from './one-offs.js';
export * from './protocol.js';
export * from './responses.js';
