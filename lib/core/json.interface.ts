/** A value `JSON.stringify` writes and `JSON.parse` reads back unchanged. */
export type JsonPrimitive = string | number | boolean | null;
/** A JSON array. */
export type JsonArray = readonly JsonValue[];
/** A JSON object: a plain object whose values are JSON values. */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}
/** Any JSON value: what the cache stores, as data or inside metadata. */
export type JsonValue = JsonPrimitive | JsonArray | JsonObject;
