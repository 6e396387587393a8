/** Message factories shared by the Prometheus adapter and its tests. */

export const INVALID_METRICS_OPTION = (option: string, expected: string, value: unknown): string =>
  `Invalid cache metrics option "${option}": expected ${expected}, got ${
    typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value
  }.`;

export const METRIC_ALREADY_REGISTERED = (name: string): string =>
  `Cannot register the cache metrics: the registry already holds a metric named "${name}". ` +
  `Give each cache its own "prefix", or unregister the previous metrics first.`;
