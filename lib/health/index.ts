/**
 * `nestjs-fresh-cache/health`: a health indicator for `@nestjs/terminus` (an optional peer
 * dependency, needed only by apps that import this entry point).
 */
export { CacheHealthIndicator } from './cache.health.js';
export type { CacheHealthDetails, CacheHealthOptions } from './cache-health.interface.js';
