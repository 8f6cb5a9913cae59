// Shared test helpers: a fresh core, seeded test data from our own generator, closeness checks that
// print the first few pairs and the largest difference (llm.c's test_gpt2.c), and central finite
// differences for backward kernels.
import * as assert from "uvu/assert";
import { loadCore } from "../src/node/wasm.js";
import type { Core } from "../src/core/load.js";
import { Stream } from "../src/core/streams.js";

export { loadCore };
export type { Core };

const TEST_PURPOSE = Stream.TEST;

/** A core instance of its own (own memory): tests never share state. */
export function freshCore(): Core {
  return loadCore();
}

/** n uniform floats in [lo, hi) from stream (seed) of the core's generator, in arena memory. */
export function randomF32(core: Core, n: number, seed: number, lo = -1, hi = 1): number {
  const st = core.arena.alloc(16);
  core.exports.rng_seed(st, seed, TEST_PURPOSE, n, 0, 0);
  const p = core.arena.alloc(Math.max(n, 1) * 4);
  core.exports.rng_fill_uniform(st, p, n, lo, hi);
  return p;
}

/** Copy of n f32 at ptr (a snapshot that survives later writes and memory growth). */
export function snap(core: Core, ptr: number, n: number): Float32Array {
  return core.arena.f32(ptr, n).slice();
}

/** Largest |a - b| / (atol + rtol * |b|); fails with the first few pairs and the worst one if > 1. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  atol = 1e-5,
  rtol = 1e-4,
): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  let worstAt = -1;
  let maxAbs = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
    const r = Number.isNaN(d) ? Infinity : d / (atol + rtol * Math.abs(expected[i]));
    if (r > worst) {
      worst = r;
      worstAt = i;
    }
  }
  if (worst > 1) {
    const first = Array.from({ length: Math.min(5, actual.length) }, (_, i) => `${actual[i]} vs ${expected[i]}`);
    assert.unreachable(
      `${what}: element ${worstAt} is ${actual[worstAt]}, expected ${expected[worstAt]} ` +
        `(max |diff| ${maxAbs}, atol ${atol}, rtol ${rtol}); first pairs: ${first.join(", ")}`,
    );
  }
}

/** Bit-for-bit equality of two float arrays (NaN payloads included). */
export function assertSameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.is(a.length, b.length, `${what}: length`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) assert.unreachable(`${what}: element ${i} differs: ${a[i]} vs ${b[i]}`);
  }
}

/**
 * Central finite differences of a scalar function of the f32 buffer at `ptr` (n elements), at the
 * given indices: (f(x + h e_i) - f(x - h e_i)) / 2h, computed with the buffer restored after each probe.
 * `f` must recompute everything from the buffer (it runs 2 * indices.length times).
 */
export function finiteDiff(core: Core, ptr: number, indices: number[], f: () => number, h = 1e-2): number[] {
  const out: number[] = [];
  for (const i of indices) {
    const view = () => core.arena.f32(ptr, i + 1);
    const x0 = view()[i];
    view()[i] = x0 + h;
    const fp = f();
    view()[i] = x0 - h;
    const fm = f();
    view()[i] = x0;
    out.push((fp - fm) / (2 * h));
  }
  return out;
}

/** Indices spread over [0, n): the first, the last and `k` others from a fixed stride. */
export function sampleIndices(n: number, k = 12): number[] {
  const s = new Set<number>([0, n - 1]);
  for (let j = 1; s.size < Math.min(n, k + 2) && j < 4 * k; j++) s.add(Math.floor((j * 7919) % n));
  return [...s].sort((a, b) => a - b);
}

/** The error `fn` throws (fails the test if it throws none). */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return assert.unreachable("no error") as never;
}
