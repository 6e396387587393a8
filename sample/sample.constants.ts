/** Injection token of the sample's resolved options. */
export const SAMPLE_OPTIONS = Symbol('SAMPLE_OPTIONS');

/** Injection token of the prom-client registry `/metrics` serves. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** The simulated headless container the commands run in. */
export const CONTAINER_NAME = 'resonite-headless-1';
