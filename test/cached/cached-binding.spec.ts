import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, type OnModuleInit, Scope, SetMetadata } from '@nestjs/common';
import { ContextIdFactory, Reflector } from '@nestjs/core';

import { CacheInvalidate, Cached, CacheManagerService } from '../../lib/index.js';
import { INVALID_CATEGORY, INVALID_TTL } from '../../lib/core/cache.messages.js';
import {
  INVALID_DECORATOR_OPTION,
  NOT_A_METHOD,
  NOTHING_TO_INVALIDATE,
  SHARED_DEFAULT_KEY,
} from '../../lib/cached/cached.messages.js';
import { closeApps, startApp } from './cached.helpers.js';

/** The slow work, as a singleton every fixture below shares within one app. */
@Injectable()
class CommandBackend {
  readonly execute = jest.fn(async (command: string) => `${command} output`);
}

@Injectable()
class CommandQueue {
  constructor(readonly backend: CommandBackend) {}

  @Cached()
  async run(command: string): Promise<string> {
    return this.backend.execute(command);
  }
}

@Injectable({ scope: Scope.REQUEST })
class RequestScopedQueue {
  constructor(readonly backend: CommandBackend) {}

  @Cached()
  async run(command: string): Promise<string> {
    return this.backend.execute(command);
  }
}

@Injectable({ scope: Scope.TRANSIENT })
class TransientQueue {
  constructor(readonly backend: CommandBackend) {}

  @Cached()
  async run(command: string): Promise<string> {
    return this.backend.execute(command);
  }
}

@Injectable()
class UsersPanel {
  constructor(readonly queue: TransientQueue) {}
}

@Injectable()
class WorldsPanel {
  constructor(readonly queue: TransientQueue) {}
}

/** Warms the cache while the app initialises. */
@Injectable()
class Prewarmer implements OnModuleInit {
  constructor(private readonly queue: CommandQueue) {}

  async onModuleInit(): Promise<void> {
    await this.queue.run('status');
  }
}

@Injectable()
abstract class Repository {
  constructor(readonly backend: CommandBackend) {}

  protected abstract readonly table: string;

  @Cached()
  async findAll(): Promise<string> {
    return this.backend.execute(`select * from ${this.table}`);
  }
}

@Injectable()
class UsersRepository extends Repository {
  protected readonly table = 'users';
}

@Injectable()
class WorldsRepository extends Repository {
  protected readonly table = 'worlds';
}

class Decorated {
  @Cached()
  @SetMetadata('below', 'set before @Cached')
  async below(): Promise<number> {
    return 1;
  }

  @SetMetadata('above', 'set after @Cached')
  @Cached()
  async above(): Promise<number> {
    return 1;
  }
}

afterEach(closeApps);

describe('which calls @Cached serves', () => {
  it('runs the method uncached before the app is initialised, and cached once it is', async () => {
    const { app } = await startApp({ providers: [CommandBackend, CommandQueue] }, { init: false });
    const queue = app.get(CommandQueue);
    expect(await queue.run('users')).toBe('users output');
    expect(await queue.run('users')).toBe('users output');
    expect(queue.backend.execute).toHaveBeenCalledTimes(2);
    await app.init();
    await queue.run('users');
    await queue.run('users');
    expect(queue.backend.execute).toHaveBeenCalledTimes(3);
  });

  it('is already cached in the onModuleInit hooks of the app’s providers', async () => {
    const { app } = await startApp({ providers: [CommandBackend, CommandQueue, Prewarmer] });
    const queue = app.get(CommandQueue);
    expect(await queue.run('status')).toBe('status output');
    expect(queue.backend.execute).toHaveBeenCalledTimes(1);
  });

  it('runs the method uncached in an instance the app did not create', async () => {
    await startApp({ providers: [CommandBackend, CommandQueue, RequestScopedQueue] });
    const backend = new CommandBackend();
    const outsider = new CommandQueue(backend);
    await outsider.run('users');
    await outsider.run('users');
    expect(backend.execute).toHaveBeenCalledTimes(2);
  });

  it('runs the method uncached once the app is closed', async () => {
    const { app } = await startApp({ providers: [CommandBackend, CommandQueue] });
    const queue = app.get(CommandQueue);
    await queue.run('users');
    await app.close();
    await queue.run('users');
    await queue.run('users');
    expect(queue.backend.execute).toHaveBeenCalledTimes(3);
  });

  it('binds singletons made by a factory or given as a value', async () => {
    const made = new CommandQueue(new CommandBackend());
    const given = new CommandQueue(new CommandBackend());
    const { app } = await startApp({
      providers: [
        CommandBackend,
        { provide: 'MADE', useFactory: () => made },
        { provide: 'GIVEN', useValue: given },
      ] as never[],
    });
    expect(app.get('MADE')).toBe(made);
    // Two instances of one class share entries by key: ask each something different.
    for (const [queue, command] of [
      [made, 'users'],
      [given, 'worlds'],
    ] as const) {
      await queue.run(command);
      await queue.run(command);
      expect(queue.backend.execute).toHaveBeenCalledTimes(1);
    }
  });

  it('leaves a request-scoped provider made by a factory uncached (its class is unknown)', async () => {
    const { app } = await startApp({
      providers: [
        CommandBackend,
        {
          provide: 'PER_REQUEST',
          scope: Scope.REQUEST,
          useFactory: (backend: CommandBackend) => new CommandQueue(backend),
          inject: [CommandBackend],
        },
      ] as never[],
    });
    const queue = await app.resolve<CommandQueue>('PER_REQUEST', ContextIdFactory.create());
    await queue.run('users');
    await queue.run('users');
    expect(app.get(CommandBackend).execute).toHaveBeenCalledTimes(2);
  });

  it('gives each app its own cache', async () => {
    const first = await startApp({ providers: [CommandBackend, CommandQueue] });
    const second = await startApp({ providers: [CommandBackend, CommandQueue] });
    await first.app.get(CommandQueue).run('users');
    await second.app.get(CommandQueue).run('users');
    expect(first.app.get(CommandBackend).execute).toHaveBeenCalledTimes(1);
    expect(second.app.get(CommandBackend).execute).toHaveBeenCalledTimes(1);
    expect(second.app.get(CacheManagerService).getKeys()).toEqual(['CommandQueue.run("users")']);
  });

  it('shares the cache, by key, between the instances of a request-scoped provider', async () => {
    const { app } = await startApp({ providers: [CommandBackend, RequestScopedQueue] });
    const a = await app.resolve(RequestScopedQueue, ContextIdFactory.create());
    const b = await app.resolve(RequestScopedQueue, ContextIdFactory.create());
    expect(a).not.toBe(b);
    expect(await a.run('users')).toBe('users output');
    expect(await b.run('users')).toBe('users output');
    expect(app.get(CommandBackend).execute).toHaveBeenCalledTimes(1);
  });

  it('keeps a request-scoped class bound to each running app when two run at once', async () => {
    const first = await startApp({ providers: [CommandBackend, RequestScopedQueue] });
    const second = await startApp({ providers: [CommandBackend, RequestScopedQueue] });
    await second.app.close();
    const queue = await first.app.resolve(RequestScopedQueue, ContextIdFactory.create());
    await queue.run('users');
    await queue.run('users');
    expect(first.app.get(CommandBackend).execute).toHaveBeenCalledTimes(1);
    expect(first.app.get(CacheManagerService).getKeys()).toEqual([
      'RequestScopedQueue.run("users")',
    ]);
  });

  it('shares the cache, by key, between the instances of a transient provider', async () => {
    const { app } = await startApp({
      providers: [CommandBackend, TransientQueue, UsersPanel, WorldsPanel],
    });
    const users = app.get(UsersPanel).queue;
    const worlds = app.get(WorldsPanel).queue;
    expect(users).not.toBe(worlds);
    await users.run('users');
    await worlds.run('users');
    expect(app.get(CommandBackend).execute).toHaveBeenCalledTimes(1);
  });

  it('keys an inherited method by the class it is called on', async () => {
    const { app } = await startApp({
      providers: [CommandBackend, UsersRepository, WorldsRepository],
    });
    expect(await app.get(UsersRepository).findAll()).toBe('select * from users output');
    expect(await app.get(WorldsRepository).findAll()).toBe('select * from worlds output');
    expect(await app.get(UsersRepository).findAll()).toBe('select * from users output');
    expect(app.get(CommandBackend).execute).toHaveBeenCalledTimes(2);
  });

  it('warns when two classes of one name use default keys, which would collide', async () => {
    const make = (result: string) => {
      @Injectable()
      class Duplicate {
        @Cached()
        async get(): Promise<string> {
          return result;
        }
      }
      return Duplicate;
    };
    const { logger } = await startApp({ providers: [make('a'), make('b')] });
    expect(logger.warn).toHaveBeenCalledWith(SHARED_DEFAULT_KEY('Duplicate'));
  });
});

describe('the decorated method', () => {
  it('keeps its name and length', () => {
    expect(CommandQueue.prototype.run.name).toBe('run');
    expect(CommandQueue.prototype.run.length).toBe(1);
  });

  it('keeps metadata other decorators put on it, whether applied before or after @Cached', () => {
    const reflector = new Reflector();
    expect(reflector.get('below', Decorated.prototype.below)).toBe('set before @Cached');
    expect(reflector.get('above', Decorated.prototype.above)).toBe('set after @Cached');
    expect(Reflect.getMetadata('design:paramtypes', Decorated.prototype, 'below')).toEqual([]);
  });
});

describe('options checked when the class is defined', () => {
  const define = (decorator: MethodDecorator) => () => {
    class Target {
      async method(): Promise<number> {
        return 1;
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(Target.prototype, 'method')!;
    decorator(Target.prototype, 'method', descriptor);
  };

  it.each([
    [{ ttl: 0 }, new RangeError(`@Cached on Target.method: ${INVALID_TTL(0)}`)],
    [{ ttl: Infinity }, new RangeError(`@Cached on Target.method: ${INVALID_TTL(Infinity)}`)],
    [{ category: '' }, new RangeError(`@Cached on Target.method: ${INVALID_CATEGORY('')}`)],
    [
      { key: '' },
      new TypeError(
        INVALID_DECORATOR_OPTION(
          '@Cached',
          'Target.method',
          'key',
          'a non-empty string or a function of the arguments',
        ),
      ),
    ],
    [
      { metadata: ['x'] },
      new TypeError(
        INVALID_DECORATOR_OPTION(
          '@Cached',
          'Target.method',
          'metadata',
          'an object or a function of the arguments',
        ),
      ),
    ],
    [
      { unless: true },
      new TypeError(INVALID_DECORATOR_OPTION('@Cached', 'Target.method', 'unless', 'a function')),
    ],
    [
      { staleWhileRevalidate: 'yes' },
      new TypeError(
        INVALID_DECORATOR_OPTION('@Cached', 'Target.method', 'staleWhileRevalidate', 'a boolean'),
      ),
    ],
  ])('@Cached(%j) throws', (options, error) => {
    expect(define(Cached(options as never))).toThrow(error);
  });

  it.each([
    [{}, new TypeError(NOTHING_TO_INVALIDATE('Target.method'))],
    [
      { keys: [''] },
      new TypeError(
        INVALID_DECORATOR_OPTION(
          '@CacheInvalidate',
          'Target.method',
          'keys',
          'an array of non-empty strings and functions, or a function',
        ),
      ),
    ],
    [
      { categories: 'command_results' },
      new TypeError(
        INVALID_DECORATOR_OPTION(
          '@CacheInvalidate',
          'Target.method',
          'categories',
          'an array of non-empty strings',
        ),
      ),
    ],
  ])('@CacheInvalidate(%j) throws', (options, error) => {
    expect(define(CacheInvalidate(options as never))).toThrow(error);
  });

  it('refuses static methods and accessors', () => {
    const onStatic = () => {
      class Target {
        @Cached()
        static method(): number {
          return 1;
        }
      }
      return Target;
    };
    expect(onStatic).toThrow(new TypeError(NOT_A_METHOD('@Cached', 'Target.method')));
    const onGetter = () => {
      class Target {
        @CacheInvalidate({ categories: ['a'] })
        get value(): number {
          return 1;
        }
      }
      return Target;
    };
    expect(onGetter).toThrow(new TypeError(NOT_A_METHOD('@CacheInvalidate', 'Target.value')));
  });
});
