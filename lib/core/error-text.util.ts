/*
 * The text of a thrown value, in the two forms log lines use. Anything can be thrown (a string, a
 * frozen object, a Proxy whose traps throw, an object with no prototype), so neither helper ever
 * throws itself.
 */

const UNPRINTABLE = 'something that cannot be printed';

/** What `logger.error(message, trace)` gets as its trace: an Error's stack, else its text. */
export function errorStack(error: unknown): string {
  try {
    if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    return UNPRINTABLE;
  }
}

/** The short form, for inside a message: an Error's message, else its text. */
export function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return UNPRINTABLE;
  }
}
