// The seeded generator seen from TypeScript: a small object over the core's rng_* exports
// (assembly/rng.ts), so code that is not wasm (src/stats' resamples and permutations) still draws
// from augsal's one generator, never Math.random, and gives the same numbers every run.
// Portable: no Node API.
import type { Core } from "./load.js";

/** What src/stats needs from a generator. */
export interface Rng {
  /** Unbiased integer in [0, n), 1 <= n <= 2^32 - 1. */
  below(n: number): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
}

/** A named stream (seed, purpose, a, b, c) of the core's generator; its 16-byte state lives in the
 *  core's arena. Use it inside `withCoreRng` (or release the arena mark yourself). */
export class CoreRng implements Rng {
  constructor(
    private readonly core: Core,
    private readonly state: number,
  ) {}

  below(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new RangeError(`rng.below: bad bound ${n}`);
    return this.core.exports.rng_below(this.state, n) >>> 0;
  }

  uniform(): number {
    return this.core.exports.rng_uniform64(this.state);
  }
}

/** Run `fn` with the stream (seed, purpose, a, b, c); the state is released afterwards. */
export function withCoreRng<T>(
  core: Core,
  stream: { seed: number; purpose: number; a?: number; b?: number; c?: number },
  fn: (rng: Rng) => T,
): T {
  const mark = core.arena.mark();
  try {
    const st = core.arena.alloc(16);
    core.exports.rng_seed(
      st,
      stream.seed >>> 0,
      stream.purpose >>> 0,
      (stream.a ?? 0) >>> 0,
      (stream.b ?? 0) >>> 0,
      (stream.c ?? 0) >>> 0,
    );
    return fn(new CoreRng(core, st));
  } finally {
    core.arena.reset(mark);
  }
}

/** A stream word from a name (32-bit FNV-1a over the UTF-16 code units): lets a test named
 *  "maps/vanilla/blur/cc/reorder" own the stream (seed, STATS, nameWord(name), 0, 0) whatever else
 *  the study computes. */
export function nameWord(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
