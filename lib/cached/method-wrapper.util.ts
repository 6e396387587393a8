import { describeClassOf } from '../core/describe-value.util.js';
import { NOT_A_METHOD } from './cached.messages.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any method signature
export type AnyMethod = (this: unknown, ...args: any[]) => unknown;

/**
 * Replaces the method `descriptor` holds with `makeWrapper(original)`, keeping what other code
 * reads from it: its `name` and `length` (Nest and loggers name handlers by it) and the reflect
 * metadata decorators listed below this one put on it (a route decorator's path and verb, say).
 * Decorators listed above this one see the wrapper and write their metadata on it directly.
 *
 * @throws TypeError when the decorated member is not an instance method.
 */
export function replaceMethod(
  decorator: string,
  target: object,
  propertyKey: string | symbol,
  descriptor: PropertyDescriptor | undefined,
  makeWrapper: (original: AnyMethod, methodId: string) => AnyMethod,
): PropertyDescriptor {
  const methodId = `${describeClassOf(target)}.${String(propertyKey)}`;
  if (typeof target === 'function' || descriptor === undefined) {
    throw new TypeError(NOT_A_METHOD(decorator, methodId));
  }
  const original: unknown = descriptor.value;
  if (typeof original !== 'function') throw new TypeError(NOT_A_METHOD(decorator, methodId));
  const wrapper = makeWrapper(original as AnyMethod, methodId);
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  for (const metadataKey of Reflect.getOwnMetadataKeys(original)) {
    Reflect.defineMetadata(metadataKey, Reflect.getOwnMetadata(metadataKey, original), wrapper);
  }
  return { ...descriptor, value: wrapper };
}

/** Whether `value` is a promise or another thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
