export * from './api.js';
export * from './names.js';
export * from './protocol.js';
