import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore } from "../helpers.js";

const rng = suite("assembly/rng");

rng("a named stream gives the same draws in a fresh instance", () => {
  const draws = () => {
    const c = freshCore();
    const st = c.arena.alloc(16);
    c.exports.rng_seed(st, 42, 3, 1, 2, 3);
    return Array.from({ length: 16 }, () => c.exports.rng_u32(st));
  };
  assert.equal(draws(), draws());
});

rng("streams differ by every name component", () => {
  const c = freshCore();
  const st = c.arena.alloc(16);
  const first = (s: number, p: number, a: number, b: number, cc: number) => {
    c.exports.rng_seed(st, s, p, a, b, cc);
    return c.exports.rng_u32(st);
  };
  const base = first(1, 2, 3, 4, 5);
  for (const args of [[0, 2, 3, 4, 5], [1, 0, 3, 4, 5], [1, 2, 0, 4, 5], [1, 2, 3, 0, 5], [1, 2, 3, 4, 0]]) {
    assert.is.not(first(...(args as [number, number, number, number, number])), base, `args ${args}`);
  }
});

rng("uniform draws lie in [0, 1) with mean near 1/2 and variance near 1/12", () => {
  const c = freshCore();
  const st = c.arena.alloc(16);
  c.exports.rng_seed(st, 7, 1, 0, 0, 0);
  const n = 200000;
  const p = c.arena.alloc(n * 4);
  c.exports.rng_fill_uniform(st, p, n, 0, 1);
  const v = c.arena.f32(p, n);
  let s = 0, s2 = 0, lo = 1, hi = 0;
  for (const x of v) { s += x; s2 += x * x; lo = Math.min(lo, x); hi = Math.max(hi, x); }
  const mean = s / n, variance = s2 / n - mean * mean;
  assert.ok(lo >= 0 && hi < 1, `range [${lo}, ${hi}]`);
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
});

rng("normal draws have mean 0 and sd 1", () => {
  const c = freshCore();
  const st = c.arena.alloc(16);
  c.exports.rng_seed(st, 9, 1, 0, 0, 0);
  const n = 200000;
  const p = c.arena.alloc(n * 4);
  c.exports.rng_fill_normal(st, p, n, 0, 1);
  let s = 0, s2 = 0;
  for (const x of c.arena.f32(p, n)) { s += x; s2 += x * x; }
  assert.ok(Math.abs(s / n) < 0.01, `mean ${s / n}`);
  assert.ok(Math.abs(Math.sqrt(s2 / n) - 1) < 0.01, `sd ${Math.sqrt(s2 / n)}`);
});

rng("rng_below is in range and roughly uniform; permutations are permutations", () => {
  const c = freshCore();
  const st = c.arena.alloc(16);
  c.exports.rng_seed(st, 3, 1, 0, 0, 0);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70000; i++) counts[c.exports.rng_below(st, 7)]++;
  for (const k of counts) assert.ok(Math.abs(k - 10000) < 500, `counts ${counts}`);
  const n = 1000;
  const p = c.arena.alloc(n * 4);
  c.exports.rng_permutation(st, p, n);
  const perm = Array.from(c.arena.i32(p, n)).sort((a, b) => a - b);
  assert.equal(perm, Array.from({ length: n }, (_, i) => i));
});

rng("kaiming_uniform matches PyTorch's bound 1/sqrt(fan_in)", () => {
  const c = freshCore();
  const st = c.arena.alloc(16);
  c.exports.rng_seed(st, 5, 1, 0, 0, 0);
  const n = 50000, fanIn = 400;
  const p = c.arena.alloc(n * 4);
  c.exports.kaiming_uniform(st, p, n, fanIn);
  const b = 1 / Math.sqrt(fanIn);
  let lo = Infinity, hi = -Infinity;
  for (const x of c.arena.f32(p, n)) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  assert.ok(lo >= -b && hi < b, `[${lo}, ${hi}] within ±${b}`);
  assert.ok(lo < -0.99 * b && hi > 0.99 * b, `[${lo}, ${hi}] fills ±${b}`);
});

rng.run();
