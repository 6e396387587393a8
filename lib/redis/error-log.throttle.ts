/**
 * Keeps a flood of identical failures from flooding the log: the first error is written at once,
 * the next ones are counted and written as one line at most every `intervalMs`. When Redis is
 * down, every cache miss fails the same way; the log should say so once in a while, not per call.
 */
export class ErrorLogThrottle {
  private suppressed = 0;
  private lastMessage = '';
  private lastLoggedAt = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly write: (count: number, lastMessage: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts one error, and writes a line if the last one is old enough. */
  record(message: string): void {
    this.suppressed++;
    this.lastMessage = message;
    const now = this.now();
    if (now - this.lastLoggedAt < this.intervalMs) return;
    this.lastLoggedAt = now;
    const count = this.suppressed;
    this.suppressed = 0;
    this.write(count, message);
  }

  /** Writes what was counted and not written yet (at shutdown, say). */
  flush(): void {
    if (this.suppressed === 0) return;
    const count = this.suppressed;
    this.suppressed = 0;
    this.write(count, this.lastMessage);
  }
}
