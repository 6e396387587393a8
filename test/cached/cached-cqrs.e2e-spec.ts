import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  CommandBus,
  CommandHandler,
  CqrsModule,
  QueryBus,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';

import { Cached, CacheInvalidate, CacheManagerService, getCachedKey } from '../../lib/index.js';
import { closeApps, startApp } from './cached.helpers.js';

/** A CQRS query and command: plain data classes, as `@nestjs/cqrs` apps write them. */
class GetUserQuery {
  constructor(
    readonly userId: number,
    readonly fields?: string[],
  ) {}
}

class RenameUserCommand {
  constructor(
    readonly userId: number,
    readonly name: string,
  ) {}
}

const users = new Map<number, string>([
  [1, 'alice'],
  [2, 'bob'],
]);
const database = jest.fn(async (userId: number) => ({ userId, name: users.get(userId) }));

@QueryHandler(GetUserQuery)
class GetUserHandler implements IQueryHandler<GetUserQuery> {
  @Cached({ ttl: 60, category: 'users' })
  async execute(query: GetUserQuery): Promise<{ userId: number; name?: string }> {
    return database(query.userId);
  }
}

@CommandHandler(RenameUserCommand)
class RenameUserHandler implements ICommandHandler<RenameUserCommand> {
  @CacheInvalidate({
    keys: (command: RenameUserCommand) =>
      getCachedKey(GetUserHandler, 'execute', [new GetUserQuery(command.userId)])!,
  })
  async execute(command: RenameUserCommand): Promise<void> {
    users.set(command.userId, command.name);
  }
}

afterEach(async () => {
  await closeApps();
  database.mockClear();
});

describe('@Cached on a CQRS QueryHandler, @CacheInvalidate on a CommandHandler', () => {
  async function start() {
    const { app } = await startApp({
      imports: [CqrsModule.forRoot()],
      providers: [GetUserHandler, RenameUserHandler],
    });
    return { app, queries: app.get(QueryBus), commands: app.get(CommandBus) };
  }

  it('caches queries by their default key: equal queries share an entry', async () => {
    const { app, queries } = await start();
    expect(await queries.execute(new GetUserQuery(1))).toEqual({ userId: 1, name: 'alice' });
    expect(await queries.execute(new GetUserQuery(1))).toEqual({ userId: 1, name: 'alice' });
    expect(database).toHaveBeenCalledTimes(1);

    await queries.execute(new GetUserQuery(2));
    await queries.execute(new GetUserQuery(1, ['name']));
    expect(database).toHaveBeenCalledTimes(3);

    const cache = app.get(CacheManagerService);
    expect(cache.getKeys('users').sort()).toEqual([
      'GetUserHandler.execute(GetUserQuery{"fields":["name"],"userId":1})',
      'GetUserHandler.execute(GetUserQuery{"userId":1})',
      'GetUserHandler.execute(GetUserQuery{"userId":2})',
    ]);
  });

  it('invalidates exactly the query a command changed, through getCachedKey', async () => {
    const { queries, commands } = await start();
    await queries.execute(new GetUserQuery(1));
    await queries.execute(new GetUserQuery(2));
    await commands.execute(new RenameUserCommand(1, 'alicia'));

    expect(await queries.execute(new GetUserQuery(1))).toEqual({ userId: 1, name: 'alicia' });
    expect(await queries.execute(new GetUserQuery(2))).toEqual({ userId: 2, name: 'bob' });
    expect(database.mock.calls.map(([userId]) => userId)).toEqual([1, 2, 1]);
  });
});
