import type { JsonObject } from '../../lib/index.js';
import { CONTAINER_NAME } from '../sample.constants.js';

/** The commands the simulated headless container understands. */
export const COMMAND_NAMES = ['users', 'worlds', 'status', 'container_health', 'kick'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

const ROSTER = [
  { name: 'Alice', id: 'U-alice123', world: 'world-1' },
  { name: 'Bob', id: 'U-bob456', world: 'world-1' },
  { name: 'Carol', id: 'U-carol789', world: 'world-2' },
  { name: 'Dave', id: 'U-dave012', world: 'world-2' },
  { name: 'Erin', id: 'U-erin345', world: 'world-1' },
];

const WORLDS = [
  { id: 'world-1', name: 'Main Hub', maxUsers: 16, accessLevel: 'Anyone' },
  { id: 'world-2', name: 'Build Space', maxUsers: 8, accessLevel: 'Contacts' },
];

/**
 * A headless Resonite container, simulated: who is online and where, and how the container is
 * doing. Answers change with time (users come and go every 20 seconds, uptime grows), so a cached
 * answer can be seen to differ from a fresh one.
 */
export class ResoniteWorldSimulation {
  private readonly startedAt: number;
  private readonly kicked = new Set<string>();

  constructor(now: number) {
    this.startedAt = now;
  }

  /**
   * Runs `command` at time `now` (ms).
   * @throws Error for an unknown command or a bad argument: the queue reports it as a failure.
   */
  run(command: string, args: readonly string[], now: number): JsonObject {
    switch (command) {
      case 'users': {
        const users = this.onlineUsers(now);
        return { users, total_count: users.length };
      }
      case 'worlds': {
        const online = this.onlineUsers(now);
        const worlds = WORLDS.map((world) => ({
          ...world,
          users: online.filter((user) => user.world === world.id).length,
        }));
        return { worlds, total_count: worlds.length };
      }
      case 'status':
        return {
          container: CONTAINER_NAME,
          state: 'running',
          uptimeSeconds: Math.floor((now - this.startedAt) / 1000),
          sessions: WORLDS.length,
          version: '2026.1.14.1',
        };
      case 'container_health': {
        const wave = Math.sin((now - this.startedAt) / 60_000);
        return {
          container: CONTAINER_NAME,
          healthy: true,
          cpuPercent: Math.round((35 + 20 * wave) * 10) / 10,
          memoryMb: Math.round(1400 + 200 * wave),
          restarts: 0,
        };
      }
      case 'kick': {
        const name = args[0];
        const user = ROSTER.find((u) => u.name.toLowerCase() === name?.toLowerCase());
        if (user === undefined) throw new Error(`No user named ${JSON.stringify(name)}`);
        this.kicked.add(user.id);
        return { kicked: user.name, id: user.id };
      }
      default:
        throw new Error(`Unknown command ${JSON.stringify(command)}`);
    }
  }

  /** Users online at `now`: everyone not kicked, but Erin only every other 20-second period. */
  private onlineUsers(now: number): { name: string; id: string; world: string }[] {
    const period = Math.floor((now - this.startedAt) / 20_000);
    return ROSTER.filter(
      (user) => !this.kicked.has(user.id) && (user.name !== 'Erin' || period % 2 === 1),
    );
  }
}
