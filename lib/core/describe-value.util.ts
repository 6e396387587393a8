/**
 * How a message names a value it refuses ("… got 42", "… got an object"): short, one line, and
 * never throwing, whatever the value (a revoked Proxy, a getter that throws, a huge string). The
 * one printer of every `*.messages.ts`.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) {
    return String(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return `a ${typeof value}`;
  try {
    return Array.isArray(value) ? 'an array' : 'an object';
  } catch {
    return 'a revoked Proxy'; // Array.isArray throws only for those
  }
}

/**
 * The class a decorator was applied in, for messages: a class's own name (a static member), or
 * the name of an object's class (an instance member's prototype).
 */
export function describeClassOf(target: unknown): string {
  try {
    const type =
      typeof target === 'function' ? target : (target as { constructor?: unknown })?.constructor;
    const name = (type as { name?: unknown } | undefined)?.name;
    return typeof name === 'string' && name !== '' ? name : 'anonymous class';
  } catch {
    return 'anonymous class';
  }
}
