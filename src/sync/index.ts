export * from './hlc-stamp.js';
export * from './sync-op.js';
export * from './hlc.js';
export * from './outbox.js';
export * from './capture.js';
export * from './apply-batch.js';
export * from './batch-codec.js';
export * from './resend.js';
