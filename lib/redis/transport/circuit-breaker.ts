/** Where a {@link CircuitBreaker} stands. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Stops calls to a failing dependency for a while: after `failureThreshold` failures in a row the
 * circuit opens and `allow()` says no for `cooldownMs`; then it lets exactly one call through
 * (half-open). That call's success closes the circuit, its failure opens it again.
 *
 * Why: when Redis is down or slow, every cache miss would otherwise wait the full command timeout
 * before falling back to the loader; an open circuit makes that fallback immediate.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private state: CircuitState = 'closed';
  /** Whether the one half-open probe is out. */
  private probing = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
    /** Told when the circuit opens (with the failure count) and when it closes again. */
    private readonly onChange: (state: 'open' | 'closed', failures: number) => void = () => {},
  ) {}

  /** The state now (an open circuit whose cooldown is over reads as half-open). */
  get current(): CircuitState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.cooldownMs) return 'half-open';
    return this.state;
  }

  /** Milliseconds until an open circuit lets a probe through (0 when it would now). */
  msUntilProbe(): number {
    if (this.state !== 'open') return 0;
    return Math.max(0, this.openedAt + this.cooldownMs - this.now());
  }

  /** Whether a call may go out now. In half-open state, true once, for the probe. */
  allow(): boolean {
    const state = this.current;
    if (state === 'closed') return true;
    if (state === 'open') return false;
    if (this.probing) return false;
    this.state = 'half-open';
    this.probing = true;
    return true;
  }

  /**
   * Closes the circuit now, whatever its state: the dependency proved it is back by other means
   * (a new connection to it became ready), so waiting out the cooldown would only delay the
   * calls that wait for it.
   */
  reset(): void {
    this.succeeded();
  }

  succeeded(): void {
    const wasOpen = this.state !== 'closed';
    this.failures = 0;
    this.probing = false;
    this.state = 'closed';
    if (wasOpen) this.onChange('closed', 0);
  }

  failed(): void {
    this.failures++;
    if (
      this.state === 'half-open' ||
      (this.state === 'closed' && this.failures >= this.failureThreshold)
    ) {
      this.state = 'open';
      this.openedAt = this.now();
      this.probing = false;
      this.onChange('open', this.failures);
    }
  }
}
