import { Counter, Gauge, register as globalRegistry, type Registry } from 'prom-client';

import type { CacheManager } from '../core/cache-manager.js';
import type { CacheMissReason } from '../core/cache-events.interface.js';
import { DEFAULT_METRICS_PREFIX } from './cache-prometheus.constants.js';
import type { CachePrometheusOptions } from './cache-prometheus.interface.js';
import { INVALID_METRICS_OPTION, METRIC_ALREADY_REGISTERED } from './cache-prometheus.messages.js';

const METRIC_PREFIX_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Running totals by label value, kept by the event listeners and read at scrape time. */
type Tally = Map<string, number>;

const add = (tally: Tally, label: string, n = 1): void => {
  tally.set(label, (tally.get(label) ?? 0) + n);
};

/**
 * The cache's metrics in a prom-client registry, so they show on the app's existing `/metrics`:
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `fresh_cache_hits_total` (FRESH and STALE hits) | counter | `category` |
 * | `fresh_cache_stale_hits_total` | counter | `category` |
 * | `fresh_cache_misses_total` | counter | `reason` (`absent`, `stale`, `expired`, `invalid`) |
 * | `fresh_cache_sets_total` | counter | `category` |
 * | `fresh_cache_evictions_total` | counter | `category` |
 * | `fresh_cache_invalidations_total` | counter | `category` |
 * | `fresh_cache_expirations_total` (FRESH entries expired early) | counter | `category` |
 * | `fresh_cache_tag_operations_total` (`invalidateTag`, `expireTag` calls) | counter | `operation` (`invalidate`, `expire`) |
 * | `fresh_cache_cleanups_total` (entries removed by cleanup) | counter | `category` |
 * | `fresh_cache_loads_total` (loader calls of `wrap`/`@Cached`) | counter | |
 * | `fresh_cache_load_errors_total` | counter | |
 * | `fresh_cache_entries` (held now) | gauge | `category`, `status` |
 * | `fresh_cache_tagged_entries` (held now, carrying a tag) | gauge | |
 * | `fresh_cache_max_entries` | gauge | |
 * | `fresh_cache_bytes` (estimated bytes held; only with `maxBytes`) | gauge | |
 * | `fresh_cache_max_bytes` (only with `maxBytes`) | gauge | |
 *
 * Never labelled by key or by tag: a label per key (or per tag, `user:42`) would grow the
 * registry without bound. Categories become label values, so keep them a small, fixed set.
 *
 * The event-driven counters count from the moment this object is created; each event costs a
 * `Map` update, and prom-client's own objects are only touched at scrape time (in `collect`).
 * Loads, load errors, tag operations and tagged entries are read from `getStats()` at scrape
 * time, so they count from the cache's creation. A scrape costs what `getStats()` costs, never a scan of the entries.
 */
export class CachePrometheusMetrics {
  /** The registry the metrics were registered in. */
  readonly registry: Registry;
  /** The full names of the registered metrics. */
  readonly metricNames: readonly string[];

  private readonly hits: Tally = new Map();
  private readonly staleHits: Tally = new Map();
  private readonly misses: Tally = new Map();
  private readonly sets: Tally = new Map();
  private readonly evictions: Tally = new Map();
  private readonly invalidations: Tally = new Map();
  private readonly expirations: Tally = new Map();
  private readonly cleanups: Tally = new Map();
  private readonly unsubscribes: (() => void)[];
  private registered = true;

  /**
   * Registers the metrics of `cache` into the registry and starts counting.
   * @throws TypeError when an option is invalid, or when the registry already holds a metric of
   *   the same name (nothing is registered then).
   */
  constructor(cache: CacheManager, options: CachePrometheusOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(INVALID_METRICS_OPTION('options', 'an object', options));
    }
    const { registry = globalRegistry, prefix = DEFAULT_METRICS_PREFIX } = options;
    if (
      registry === null ||
      typeof registry !== 'object' ||
      typeof registry.registerMetric !== 'function' ||
      typeof registry.getSingleMetric !== 'function'
    ) {
      throw new TypeError(INVALID_METRICS_OPTION('registry', 'a prom-client Registry', registry));
    }
    if (typeof prefix !== 'string' || (prefix !== '' && !METRIC_PREFIX_PATTERN.test(prefix))) {
      throw new TypeError(
        INVALID_METRICS_OPTION('prefix', 'letters, digits, _ and : (not first a digit)', prefix),
      );
    }
    this.registry = registry;

    const counters: [name: string, help: string, label: string, tally: Tally][] = [
      [
        'hits_total',
        'Reads that returned an entry (FRESH or STALE), by category',
        'category',
        this.hits,
      ],
      [
        'stale_hits_total',
        'Reads that returned a STALE entry, by category',
        'category',
        this.staleHits,
      ],
      ['misses_total', 'Reads that returned nothing, by reason', 'reason', this.misses],
      ['sets_total', 'Entries stored, by category', 'category', this.sets],
      [
        'evictions_total',
        'Entries evicted to make room under maxEntries or maxBytes, by category',
        'category',
        this.evictions,
      ],
      ['invalidations_total', 'Entries invalidated, by category', 'category', this.invalidations],
      [
        'expirations_total',
        'FRESH entries expired early (turned STALE by expire, expireCategory or expireTag), by category',
        'category',
        this.expirations,
      ],
      [
        'cleanups_total',
        'Entries removed by cleanup (EXPIRED or INVALID), by category',
        'category',
        this.cleanups,
      ],
    ];
    const names = [
      ...counters.map(([name]) => name),
      'loads_total',
      'load_errors_total',
      'tag_operations_total',
      'entries',
      'tagged_entries',
      'max_entries',
      // A cache without a budget estimates no sizes: nothing to export.
      ...(cache.maxBytes === undefined ? [] : ['bytes', 'max_bytes']),
    ].map((name) => prefix + name);
    // Check every name first, so that a clash registers nothing rather than half the metrics.
    for (const name of names) {
      if (registry.getSingleMetric(name) !== undefined) {
        throw new TypeError(METRIC_ALREADY_REGISTERED(name));
      }
    }
    this.metricNames = names;
    const registers = [registry];

    for (const [name, help, label, tally] of counters) {
      new Counter({
        name: prefix + name,
        help,
        labelNames: [label],
        registers,
        collect(this: Counter<string>) {
          this.reset();
          for (const [value, count] of tally) this.inc({ [label]: value }, count);
        },
      });
    }
    new Counter({
      name: `${prefix}loads_total`,
      help: 'Loader calls made by wrap and @Cached, failed ones included',
      registers,
      collect: function (this: Counter) {
        this.reset();
        this.inc(cache.getStats().totalLoads);
      },
    });
    new Counter({
      name: `${prefix}load_errors_total`,
      help: 'Loader calls that threw or rejected',
      registers,
      collect: function (this: Counter) {
        this.reset();
        this.inc(cache.getStats().totalLoadErrors);
      },
    });
    new Counter({
      name: `${prefix}tag_operations_total`,
      help: 'Calls of invalidateTag and expireTag, by operation (never by tag)',
      labelNames: ['operation'],
      registers,
      collect: function (this: Counter<'operation'>) {
        this.reset();
        const stats = cache.getStats();
        this.inc({ operation: 'invalidate' }, stats.totalInvalidateTagCalls);
        this.inc({ operation: 'expire' }, stats.totalExpireTagCalls);
      },
    });
    new Gauge({
      name: `${prefix}tagged_entries`,
      help: 'Entries held now that carry at least one tag',
      registers,
      collect: function (this: Gauge) {
        this.set(cache.getStats().taggedEntries);
      },
    });
    new Gauge({
      name: `${prefix}entries`,
      help: 'Entries held now, by category and status (fresh, stale, expired, invalid)',
      labelNames: ['category', 'status'],
      registers,
      collect: function (this: Gauge<'category' | 'status'>) {
        // Categories that left the cache must leave the output too.
        this.reset();
        for (const [category, byStatus] of cache.getStatusCountsByCategory()) {
          for (const [status, count] of Object.entries(byStatus)) {
            this.set({ category, status }, count);
          }
        }
      },
    });
    new Gauge({
      name: `${prefix}max_entries`,
      help: 'Most entries the cache holds (its maxEntries)',
      registers,
      collect: function (this: Gauge) {
        this.set(cache.maxEntries);
      },
    });
    const maxBytes = cache.maxBytes;
    if (maxBytes !== undefined) {
      new Gauge({
        name: `${prefix}bytes`,
        help: 'Estimated bytes of the entries held (see maxBytes)',
        registers,
        collect: function (this: Gauge) {
          this.set(cache.getStats().totalBytes ?? 0);
        },
      });
      new Gauge({
        name: `${prefix}max_bytes`,
        help: 'The memory budget in estimated bytes (its maxBytes)',
        registers,
        collect: function (this: Gauge) {
          this.set(maxBytes);
        },
      });
    }

    this.unsubscribes = [
      cache.on('hit', ({ category }) => add(this.hits, category)),
      cache.on('staleHit', ({ category }) => {
        add(this.hits, category);
        add(this.staleHits, category);
      }),
      cache.on('miss', ({ reason }: { reason: CacheMissReason }) => add(this.misses, reason)),
      cache.on('set', ({ category }) => add(this.sets, category)),
      cache.on('eviction', ({ category }) => add(this.evictions, category)),
      cache.on('invalidation', ({ category }) => add(this.invalidations, category)),
      cache.on('expiration', ({ category }) => add(this.expirations, category)),
      cache.on('cleanup', ({ byCategory }) => {
        for (const [category, removed] of Object.entries(byCategory)) {
          add(this.cleanups, category, removed);
        }
      }),
    ];
  }

  /**
   * Stops counting and removes the metrics from the registry (the module does it at shutdown).
   * Calling it again does nothing.
   */
  unregister(): void {
    if (!this.registered) return;
    this.registered = false;
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    for (const name of this.metricNames) this.registry.removeSingleMetric(name);
  }
}
