import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';

import type { RedisClientLike } from '../../lib/index.js';

describe('RedisClientLike', () => {
  it('is what an ioredis client is, so `redis: { client: new Redis() }` type-checks', () => {
    // The assertion is the assignment: `npm run typecheck` fails if ioredis stops fitting.
    const client: RedisClientLike = new Redis({ lazyConnect: true });
    expect(client.status).toBe('wait');
    client.disconnect();
  });
});
