export * from './byte-reader.js';
export * from './errors.js';
export * from './file-source.js';
export * from './finding.js';
export * from './hash.js';
export * from './limits.js';
export * from './rules.js';
