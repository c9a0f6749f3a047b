export * from './hlc-stamp.js';
export * from './sync-op.js';
