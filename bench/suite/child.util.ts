/** What every child process shares: reading its job, answering the parent, failing loudly. */

export function readJob<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('a child expects its job as JSON in argv[2]');
  return JSON.parse(raw) as T;
}

/** Sends the result to the parent (IPC) and exits once it is flushed. */
export function reply(result: unknown): void {
  if (process.send === undefined) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  process.send(result, () => process.exit(0));
}

export function runChild(main: () => Promise<unknown>): void {
  main().then(reply, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

export function forceGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  gc();
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function hrtimeNs(): number {
  return Number(process.hrtime.bigint());
}
