export * from './api.js';
export * from './names.js';
