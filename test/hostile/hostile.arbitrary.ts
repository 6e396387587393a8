/**
 * Any JavaScript value a caller could pass by mistake or malice: everything `fc.anything()`
 * builds (with Map, Set, Date, BigInt, boxed values, typed arrays, sparse arrays, null
 * prototypes) plus functions, symbols, cycles, getters that throw, Proxies (transparent,
 * throwing, revoked), very deep nesting and 10 MB strings.
 */
import fc from 'fast-check';

import { MAX_JSON_DEPTH } from '../../lib/core/json-snapshot.util.js';

/** A 10 MB string, built once. */
export const TEN_MB = 'x'.repeat(10 * 1024 * 1024);

/** `levels` objects nested inside one another. */
export function nested(levels: number, asArrays = false): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = asArrays ? [value] : { child: value };
  return value;
}

function cyclic(): unknown {
  const root: Record<string, unknown> = { name: 'root', list: [] };
  (root.list as unknown[]).push({ back: root });
  return root;
}

/** An object with an enumerable property whose getter throws `thrown`. */
function throwingGetter(thrown: () => unknown): unknown {
  const value: Record<string, unknown> = { ok: 1 };
  Object.defineProperty(value, 'boom', {
    enumerable: true,
    get() {
      throw thrown();
    },
  });
  return value;
}

const throwingHandler: ProxyHandler<object> = {
  get() {
    throw new Error('proxy get trap');
  },
  ownKeys() {
    throw new Error('proxy ownKeys trap');
  },
  getPrototypeOf() {
    throw new Error('proxy getPrototypeOf trap');
  },
  has() {
    throw new Error('proxy has trap');
  },
};

function revoked(target: object): unknown {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/**
 * A value built only when the property runs: fast-check itself must never touch a Proxy whose
 * traps throw (it probes values when it prints or clones them).
 */
export class Lazy {
  constructor(
    readonly label: string,
    readonly make: () => unknown,
  ) {}
  toString(): string {
    return `Lazy(${this.label})`;
  }
}

/** Builds the lazy values in an argument (itself, or one level down in an options record). */
export function materialize(value: unknown): unknown {
  if (value instanceof Lazy) return value.make();
  if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    const entries = Object.entries(value);
    if (entries.some(([, v]) => v instanceof Lazy)) {
      return Object.fromEntries(entries.map(([k, v]) => [k, materialize(v)]));
    }
  }
  return value;
}

const lazy = (...makers: (() => unknown)[]): fc.Arbitrary<unknown> =>
  fc.constantFrom(
    ...makers.map((make, i) => new Lazy(`${i}: ${make.toString().slice(0, 60)}`, make)),
  );

/** Hostile values that fast-check cannot build itself; each made fresh on every use. */
const exotic: fc.Arbitrary<unknown> = lazy(
  () => () => 42,
  () => Symbol('hostile'),
  () => 10n ** 30n,
  () => cyclic(),
  () => throwingGetter(() => new Error('getter threw')),
  () => throwingGetter(() => Object.create(null)),
  () => throwingGetter(() => Symbol('thrown symbol')),
  () => throwingGetter(() => undefined),
  () => ({
    get fine() {
      return 1;
    },
  }),
  () => new Proxy({}, throwingHandler),
  () => new Proxy([1, 2], throwingHandler),
  () => new Proxy({ a: 1, b: [true] }, {}),
  () => new Proxy([1, 'two'], {}),
  () => revoked({}),
  () => revoked([]),
  () => nested(MAX_JSON_DEPTH - 1),
  () => nested(MAX_JSON_DEPTH),
  () => nested(MAX_JSON_DEPTH + 1),
  () => nested(MAX_JSON_DEPTH + 1, true),
  () => nested(100_000),
  () => TEN_MB,
  () => ({ big: TEN_MB }),
  () => Object.assign(() => 0, { includeStale: true, freshOnly: false, ttl: 1 }),
  () => new Date(0),
  () => new Map([['a', 1]]),
  () => ({ [Symbol('k')]: 1 }),
  () => Object.create({ inherited: 1 }),
  () => Object.create(null),
  () => new (class Custom {})(),
  () => NaN,
  () => -Infinity,
  () => -0,
  () => undefined,
  () => null,
  () => '',
  () => '__proto__',
);

export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.anything({
      maxDepth: 3,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
    }),
  },
  { weight: 3, arbitrary: exotic },
  { weight: 1, arbitrary: fc.func(fc.anything()) },
  { weight: 1, arbitrary: fc.bigInt() },
  { weight: 1, arbitrary: fc.double() },
);

/** Options objects for `set` whose parts are hostile. */
export const anySetOptions: fc.Arbitrary<unknown> = fc.oneof(
  anyValue,
  fc.record({ ttl: anyValue }, { requiredKeys: [] }),
  fc.record({ category: anyValue }, { requiredKeys: [] }),
  fc.record({ metadata: anyValue }, { requiredKeys: [] }),
  fc.record({
    ttl: fc.constantFrom(1, 2),
    category: fc.constantFrom('x', 'y'),
    metadata: anyValue,
  }),
  lazy(
    () => throwingGetterOption('ttl'),
    () => throwingGetterOption('category'),
    () => throwingGetterOption('metadata'),
    () => new Proxy({ ttl: 1 }, throwingHandler),
    () => revoked({ ttl: 1 }),
  ),
);

function throwingGetterOption(name: string): unknown {
  return Object.defineProperty({}, name, {
    enumerable: true,
    get() {
      throw new Error(`${name} getter threw`);
    },
  });
}
