import type { JsonValue } from '../../lib/index.js';

/** What the command queue answers, like the Python original's `ExecutionResult`. */
export interface ExecutionResult<T extends JsonValue = JsonValue> {
  success: boolean;
  command: string;
  output: T;
  /** How long the command took, in milliseconds. */
  executionTimeMs: number;
  /** When the command finished, in milliseconds since the epoch (the sample's clock). */
  timestamp: number;
}
