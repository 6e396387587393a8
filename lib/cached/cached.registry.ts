import type { CacheManager } from '../core/cache-manager.js';
import type { CacheLogger } from '../core/logger.interface.js';

/** The cache a decorated method uses, and the warnings it already gave. */
export interface CacheBinding {
  readonly cache: CacheManager;
  readonly logger: CacheLogger;
  /** Warnings given once: `<Class.method>:<kind>`. Per binding, so each app warns afresh. */
  readonly warned: Set<string>;
}

/*
 * Which cache a decorated method uses, looked up from `this` at each call. Singletons are bound
 * one by one; request-scoped and transient classes by prototype, since their instances are
 * created after the explorer ran (each call then finds its class's binding up the prototype
 * chain). A method whose `this` is bound to nothing behaves like the undecorated method.
 */
const byInstance = new WeakMap<object, CacheBinding>();
const byPrototype = new WeakMap<object, CacheBinding>();
/** How many prototypes are bound: zero spares unbound calls the walk up the chain. */
let prototypesBound = 0;

/** The binding of `self` (a decorated method's `this`), or undefined. */
export function bindingOf(self: unknown): CacheBinding | undefined {
  if (self === null || (typeof self !== 'object' && typeof self !== 'function')) return undefined;
  const own = byInstance.get(self);
  if (own !== undefined || prototypesBound === 0) return own;
  for (let proto = Object.getPrototypeOf(self) as object | null; proto !== null;) {
    const binding = byPrototype.get(proto);
    if (binding !== undefined) return binding;
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return undefined;
}

/** Binds one instance (a singleton provider or controller). */
export function bindInstance(instance: object, binding: CacheBinding): void {
  byInstance.set(instance, binding);
}

/** Binds every instance of a class, through its prototype. */
export function bindPrototype(prototype: object, binding: CacheBinding): void {
  if (!byPrototype.has(prototype)) prototypesBound++;
  byPrototype.set(prototype, binding);
}

/** Undoes {@link bindInstance} if `instance` is still bound to `binding`. */
export function unbindInstance(instance: object, binding: CacheBinding): void {
  if (byInstance.get(instance) === binding) byInstance.delete(instance);
}

/** Undoes {@link bindPrototype} if `prototype` is still bound to `binding`. */
export function unbindPrototype(prototype: object, binding: CacheBinding): void {
  if (byPrototype.get(prototype) === binding) {
    byPrototype.delete(prototype);
    prototypesBound--;
  }
}

/** Logs `message` as a warning, once per binding and `id`. */
export function warnOnce(binding: CacheBinding, id: string, message: string): void {
  if (binding.warned.has(id)) return;
  binding.warned.add(id);
  binding.logger.warn(message);
}
