/** A hand-driven clock for tests: time moves only when a test says so. */
export class TestClock {
  constructor(public nowMs = Date.UTC(2026, 0, 1)) {}

  readonly read = (): number => this.nowMs;

  advanceSeconds(seconds: number): void {
    this.nowMs += seconds * 1000;
  }
}
