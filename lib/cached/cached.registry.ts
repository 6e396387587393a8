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
 *
 * The maps live on `globalThis` under a registered symbol, shared by the ESM and the CommonJS
 * copy of this package: a method decorated by one copy's `@Cached` must find the binding that
 * the other copy's explorer made (the metadata keys are strings, so the explorer does find the
 * method). The `@1` names the shape of the state, so an incompatible future shape gets its own.
 * The state object is frozen, its counter in a typed array: Jest 30 "soft-deletes" the own
 * properties of values a test file left on its global, turning them into accessors whose setter
 * calls itself, and it cannot redefine a frozen object's properties.
 */
interface CachedRegistryState {
  readonly byInstance: WeakMap<object, CacheBinding>;
  /** Per prototype, the bindings of the apps running it, newest last: the newest one serves. */
  readonly byPrototype: WeakMap<object, CacheBinding[]>;
  /** `[0]`: how many prototypes are bound; zero spares unbound calls the walk up the chain. */
  readonly prototypesBound: Uint32Array;
}

const CACHED_REGISTRY = Symbol.for('nestjs-fresh-cache:cached-registry@1');
const { byInstance, byPrototype, prototypesBound } = ((
  globalThis as { [CACHED_REGISTRY]?: CachedRegistryState }
)[CACHED_REGISTRY] ??= Object.freeze({
  byInstance: new WeakMap(),
  byPrototype: new WeakMap(),
  prototypesBound: new Uint32Array(1),
}));

/** The binding of `self` (a decorated method's `this`), or undefined. */
export function bindingOf(self: unknown): CacheBinding | undefined {
  if (self === null || (typeof self !== 'object' && typeof self !== 'function')) return undefined;
  const own = byInstance.get(self);
  if (own !== undefined || prototypesBound[0] === 0) return own;
  for (let proto = Object.getPrototypeOf(self) as object | null; proto !== null;) {
    const bindings = byPrototype.get(proto);
    if (bindings !== undefined) return bindings[bindings.length - 1];
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
  const bindings = byPrototype.get(prototype);
  if (bindings !== undefined) {
    bindings.push(binding);
    return;
  }
  byPrototype.set(prototype, [binding]);
  prototypesBound[0]++;
}

/** Undoes {@link bindInstance} if `instance` is still bound to `binding`. */
export function unbindInstance(instance: object, binding: CacheBinding): void {
  if (byInstance.get(instance) === binding) byInstance.delete(instance);
}

/**
 * Undoes {@link bindPrototype}; another app running the same class keeps its binding (two
 * apps in one process: tests, say).
 */
export function unbindPrototype(prototype: object, binding: CacheBinding): void {
  const bindings = byPrototype.get(prototype);
  const index = bindings?.lastIndexOf(binding) ?? -1;
  if (index < 0) return;
  bindings!.splice(index, 1);
  if (bindings!.length === 0) {
    byPrototype.delete(prototype);
    prototypesBound[0]--;
  }
}

/** Logs `message` as a warning, once per binding and `id`. */
export function warnOnce(binding: CacheBinding, id: string, message: string): void {
  if (binding.warned.has(id)) return;
  binding.warned.add(id);
  binding.logger.warn(message);
}
