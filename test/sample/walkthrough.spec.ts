import { beforeAll, describe, expect, it } from '@jest/globals';

import { runWalkthrough, WALKTHROUGH_SECTIONS } from '../../sample/walkthrough/walkthrough.js';

/** The walkthrough's output, split by section heading. */
let sections: Map<string, string>;
let output: string[];

beforeAll(async () => {
  output = [];
  await runWalkthrough((line) => output.push(line));
  sections = new Map();
  let current = '';
  for (const line of output) {
    const heading = /^=== (.+) ===$/.exec(line);
    if (heading) {
      current = heading[1]!;
      sections.set(current, '');
    } else if (current) {
      sections.set(current, `${sections.get(current)}${line}\n`);
    }
  }
});

describe('npm run example (the walkthrough)', () => {
  it('prints every section of the Python original example, in order, and finishes', () => {
    expect([...sections.keys()]).toEqual([...WALKTHROUGH_SECTIONS]);
    expect(output[0]).toBe('Cache Manager Examples');
    expect(output.at(-1)).toBe('All examples completed.');
  });

  it('basic usage: stores, reads and describes an entry', () => {
    const text = sections.get('Basic Cache Usage')!;
    expect(text).toContain('Data cached successfully: true');
    expect(text).toContain('Data age: 0.0 seconds');
    expect(text).toContain('TTL remaining: 30.0 seconds');
    expect(text).toContain('Access count: 1');
    expect(text).toContain('Category: resonite_data');
    expect(text).toContain('Metadata: {"source_command":"users","world":"main"}');
    expect(text).toContain('User count from cache: 2');
  });

  it('freshness: fresh, then stale, then expired, as the clock moves', () => {
    const text = sections.get('Data Freshness Example')!;
    expect(text).toContain('Fresh data: {"value":42} (status: fresh, age: 0.0s)');
    expect(text).toContain('Still fresh: {"value":42} (status: fresh, age: 2.0s)');
    expect(text).toContain('Fresh data available: false');
    expect(text).toContain('Stale data: {"value":42} (status: stale, age: 4.0s)');
    expect(text).toContain('STALE from 3 s to 6 s (twice the TTL), then EXPIRED');
    expect(text).toContain('Status now: expired');
    expect(text).toContain('Even with includeStale: nothing');
  });

  it('categories: lists, invalidates and clears by category', () => {
    const text = sections.get('Category Management')!;
    expect(text).toContain('Invalidated 2 entries in resonite_data');
    expect(text).toContain('(status: invalid)');
    expect(text).toContain('Cleared temp_data: 1 entries');
    expect(text).toContain('Categories now: {"container_status":1,"system_metrics":1}');
  });

  it('statistics: counts, hit rate, ages and events', () => {
    const text = sections.get('Cache Statistics')!;
    expect(text).toContain('Total entries: 6');
    expect(text).toContain('Stale entries: 1');
    expect(text).toContain('Hit rate: 75.0%');
    expect(text).toContain('Oldest entry: 10.0s');
    expect(text).toContain('Events seen by a listener: 8');
  });

  it('command patterns: caches command results, runs the command once through wrap', () => {
    const text = sections.get('Command Patterns')!;
    expect(text).toContain('Metadata: {"command":"users","container":"resonite-headless"}');
    expect(text).toContain('wrap called 3 times, command queue ran 1 time(s) for worlds');
  });

  it('async use: shared loads, the WebSocket pattern, stale-while-revalidate', () => {
    const text = sections.get('Async Usage')!;
    expect(text).toContain('5 concurrent requests, 1 load (they shared it)');
    expect(text).toMatch(/Second WebSocket answer: .*"cached":true,"age_seconds":12/);
    expect(text).toMatch(/Forced refresh: .*"cached":false/);
    expect(text).toContain('...and the refreshed value is cached: {"state":"running","load":4}');
  });

  it('async use: states when the stale window closes, and shows the miss after it', () => {
    const text = sections.get('Async Usage')!;
    expect(text).toContain('a 30 s TTL is FRESH for 30 s, STALE from 30 s to 60 s, then EXPIRED');
    expect(text).toMatch(
      /40 s after the forced refresh: .*"cached":true,"age_seconds":40,"status":"stale"/,
    );
    expect(text).toMatch(/61 s after it, past twice the TTL \(EXPIRED, a miss\): .*"cached":false/);
  });

  it('cleanup and memory: evicts the least recently used, cleans expired entries', () => {
    const text = sections.get('Cleanup and Memory Management')!;
    expect(text).toContain('evicted ["mem_key_0","mem_key_1","mem_key_2"]');
    expect(text).toContain('Memory usage: 5/5 entries');
    expect(text).toContain('Cleaned up 2 expired entries');
    expect(text).toContain('Memory usage: 3/5 entries');
    expect(text).toContain('After shutdown: 0 entries');
  });

  it('error handling: rejects bad data and keys with false, a bad TTL with a RangeError', () => {
    const text = sections.get('Error Handling')!;
    expect(text).toContain('Caching a non-serializable object: false');
    expect(text).toContain('Caching under an empty key: false');
    expect(text).toContain('Caching under a null key: false');
    expect(text).toContain('Invalid TTL: RangeError: Invalid ttl');
    expect(text).toContain('Cache miss - data not found or expired');
    expect(text).toContain('Data is slightly old but usable');
  });
});
