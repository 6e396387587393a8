import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import type { Redis } from 'ioredis';

import type { RedisTierOptions } from '../../lib/redis/redis-tier.options.interface.js';
import { BusConnectionControl } from './bus-connection.control.js';
import { RedisServerHarness } from './redis-server.harness.js';
import { adminClient, createInstance, type Instance } from './redis-tier.fixture.js';
import { waitFor } from './wait-for.util.js';

/** No command may time out here: a catch-up that cannot read the history clears instead. */
export const NO_TIMEOUTS = { commandTimeout: 10_000, writeTimeout: 10_000 };

/**
 * Instances of the tier on one real redis-server, for a spec file (call it once, inside its
 * `describe`): each test gets its own key prefix (so its own keys, channel and bus history), and
 * every instance and bus control it started is closed after it.
 */
export function useTierInstances(stem: string) {
  const instances: Instance[] = [];
  const controls: BusConnectionControl[] = [];
  let tests = 0;
  const harness = {
    redis: undefined! as RedisServerHarness,
    admin: undefined! as Redis,
    /** This test's key prefix. */
    prefix: '',
    /** An instance on its own connections. */
    start: async (id: string, options: Partial<RedisTierOptions> = {}) => {
      const created = await createInstance(harness.redis.url, {
        keyPrefix: harness.prefix,
        instanceId: id,
        ...NO_TIMEOUTS,
        ...options,
      });
      instances.push(created);
      return created;
    },
    /** An instance on a client the test controls (its bus connection, and the client itself). */
    startControlled: async (id: string, options: Partial<RedisTierOptions> = {}) => {
      const control = new BusConnectionControl(harness.redis.url, id);
      controls.push(control);
      const created = await harness.start(id, {
        url: undefined,
        client: control.client,
        ...options,
      });
      return { instance: created, control };
    },
    /** Waits until every instance has its command and bus connections. */
    connected: (...all: Instance[]) =>
      waitFor(
        () => all.every((one) => one.tier.getStats().connected && one.tier.getStats().busConnected),
        { what: 'the instances connected' },
      ),
    /** The Redis key of this test's bus history. */
    history: () => `${harness.prefix}bus-history`,
    /** Whether Redis holds an entry under each of `keys`. */
    inRedis: async (...keys: string[]) =>
      (await harness.admin.exists(...keys.map((key) => `${harness.prefix}e:${key}`))) ===
      keys.length,
  };
  beforeAll(async () => {
    harness.redis = await RedisServerHarness.start();
    harness.admin = adminClient(harness.redis.url);
    harness.admin.on('error', () => {});
  });
  beforeEach(() => {
    harness.prefix = `${stem}-${++tests}:`;
  });
  afterEach(async () => {
    while (instances.length > 0) await instances.pop()!.close();
    while (controls.length > 0) controls.pop()!.disconnect();
  });
  afterAll(async () => {
    await harness.admin.quit();
    await harness.redis.stop();
  });
  return harness;
}
