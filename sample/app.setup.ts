import type { INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';

/**
 * Reads a WebSocket message in the Python original's shape, `{ "type": "command", … }`, as the event `type`
 * with the whole message as its data; Nest's own `{ "event", "data" }` shape works too. A message
 * that is not JSON is ignored.
 */
export function parseSeedMessage(raw: unknown): { event: string; data: unknown } | undefined {
  let message: unknown;
  try {
    message = JSON.parse(String(raw));
  } catch {
    return undefined;
  }
  if (message === null || typeof message !== 'object') return undefined;
  const { type, event, data } = message as { type?: unknown; event?: unknown; data?: unknown };
  if (typeof type === 'string') return { event: type, data: message };
  if (typeof event === 'string') return { event, data };
  return undefined;
}

/** What `main.ts` and the e2e tests both do to the app before it listens. */
export function configureSampleApp(app: INestApplication): INestApplication {
  app.useWebSocketAdapter(new WsAdapter(app, { messageParser: parseSeedMessage }));
  app.enableShutdownHooks();
  return app;
}
