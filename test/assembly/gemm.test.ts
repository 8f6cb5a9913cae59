import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertClose, assertSameBits, freshCore, randomF32, snap, type Core } from "../helpers.js";

// Three statements of C = [acc ? C : 0] + op(A) op(B), checked against each other:
// - the scalar twins gemm_*_ref (the specification the fast kernels are held to),
// - exact sums in f64 on the host (the twins themselves must be within f32's error bound of them),
// - for gemm_nt, a host emulation of its documented summation order in f32 (Math.fround after every
//   operation is exact f32 arithmetic: f64 holds every f32 product exactly, and rounding a sum of two
//   f32 through f64 to f32 equals rounding it directly — Figueroa 1995).

const U = 2 ** -24; // f32 unit roundoff
const f = Math.fround;
type Form = "nn" | "tn" | "nt";

/** op(A)(i, k) and op(B)(k, j) as flat indices for each form. */
function at(form: Form, M: number, N: number, K: number) {
  return {
    a: (i: number, k: number) => (form === "tn" ? k * M + i : i * K + k),
    b: (k: number, j: number) => (form === "nt" ? j * K + k : k * N + j),
  };
}

/** Exact f64 result and the per-element error scale Σ|a b| + |C| (for the γ-bound of a sum). */
function exact(form: Form, A: Float32Array, B: Float32Array, C0: Float32Array, M: number, N: number, K: number, acc: boolean) {
  const { a, b } = at(form, M, N, K);
  const val = new Float64Array(M * N), scale = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0, t = 0;
      for (let k = 0; k < K; k++) {
        s += A[a(i, k)] * B[b(k, j)];
        t += Math.abs(A[a(i, k)] * B[b(k, j)]);
      }
      const c = acc ? C0[i * N + j] : 0;
      val[i * N + j] = s + c;
      scale[i * N + j] = t + Math.abs(c);
    }
  }
  return { val, scale };
}

/** gemm_nt's documented order: lane l sums k ≡ l (mod 4) of the first K & ~3 terms, lanes combined
 *  as (l0 + l2) + (l1 + l3), the last K & 3 terms added in order, then C + s. */
function ntOrdered(A: Float32Array, B: Float32Array, C0: Float32Array, M: number, N: number, K: number, acc: boolean) {
  const out = new Float32Array(M * N);
  const K4 = K & ~3;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const l = [0, 0, 0, 0];
      for (let k = 0; k < K4; k++) l[k & 3] = f(l[k & 3] + f(A[i * K + k] * B[j * K + k]));
      let s = f(f(l[0] + l[2]) + f(l[1] + l[3]));
      for (let k = K4; k < K; k++) s = f(s + f(A[i * K + k] * B[j * K + k]));
      out[i * N + j] = acc ? f(C0[i * N + j] + s) : s;
    }
  }
  return out;
}

const GUARD = 16; // f32 of a known pattern after every output and scratch buffer

interface Run { C: Float32Array; A: Float32Array; B: Float32Array; C0: Float32Array }

/** Run one kernel on fresh seeded operands; checks that it wrote nothing past C or its scratch and
 *  did not modify A or B. acc = 0 starts from a NaN-filled C, so reading C would show. */
function run(core: Core, name: string, M: number, N: number, K: number, acc: boolean, seed: number): Run {
  const ex = core.exports as unknown as Record<string, (...a: number[]) => number>;
  const m = core.arena.mark();
  const A = randomF32(core, Math.max(M * K, 1), seed);
  const B = randomF32(core, Math.max(K * N, 1), seed + 1);
  const C = randomF32(core, M * N + GUARD, seed + 2);
  if (!acc) core.arena.f32(C, M * N).fill(NaN);
  core.arena.f32(C + M * N * 4, GUARD).fill(12345);
  const A0 = snap(core, A, M * K), B0 = snap(core, B, K * N), C0 = snap(core, C, M * N);
  const fast = !name.endsWith("_ref");
  let ws = 0, wsBytes = 0;
  if (fast) {
    wsBytes = core.exports.gemm_ws_bytes(M, N, K);
    ws = core.arena.alloc(wsBytes + GUARD * 4);
    core.arena.f32(ws + wsBytes, GUARD).fill(12345);
    ex[name](C, A, B, M, N, K, acc ? 1 : 0, ws);
  } else {
    ex[name](C, A, B, M, N, K, acc ? 1 : 0);
  }
  assert.ok(core.arena.f32(C + M * N * 4, GUARD).every((v) => v === 12345), `${name} ${M}x${N}x${K}: wrote past C`);
  if (fast) assert.ok(core.arena.f32(ws + wsBytes, GUARD).every((v) => v === 12345), `${name}: wrote past ws`);
  assertSameBits(snap(core, A, M * K), A0, `${name}: A unchanged`);
  assertSameBits(snap(core, B, K * N), B0, `${name}: B unchanged`);
  const r = { C: snap(core, C, M * N), A: A0, B: B0, C0 };
  core.arena.reset(m);
  return r;
}

/** Odd sizes on purpose: not multiples of 4 or 8, ones, and a few exact multiples. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 3, 5], [3, 5, 7], [5, 7, 13], [13, 17, 5], [7, 1, 17], [4, 8, 16], [9, 16, 3],
  [17, 13, 1], [2, 9, 33], [8, 24, 9], [6, 23, 2], [12, 4, 31],
];

const g = suite("assembly/gemm");

g("gemm_nn and gemm_tn equal their twins bit for bit on odd shapes, acc = 0 and 1", () => {
  const core = freshCore();
  let seed = 100;
  for (const form of ["nn", "tn"] as const) {
    for (const [M, N, K] of SHAPES) {
      for (const acc of [false, true]) {
        seed += 3;
        const fast = run(core, `gemm_${form}`, M, N, K, acc, seed);
        const ref = run(core, `gemm_${form}_ref`, M, N, K, acc, seed);
        assertSameBits(fast.C, ref.C, `gemm_${form} ${M}x${N}x${K} acc=${acc}`);
      }
    }
  }
});

g("the twins are within f32's error bound of the exact product (γ_(K+1) Σ|a b| + |C|)", () => {
  const core = freshCore();
  let seed = 300;
  for (const form of ["nn", "tn", "nt"] as const) {
    for (const [M, N, K] of SHAPES) {
      for (const acc of [false, true]) {
        seed += 3;
        const r = run(core, `gemm_${form}_ref`, M, N, K, acc, seed);
        const { val, scale } = exact(form, r.A, r.B, r.C0, M, N, K, acc);
        for (let i = 0; i < M * N; i++) {
          const bound = (K + 1) * U * scale[i] * 1.0001;
          assert.ok(Math.abs(r.C[i] - val[i]) <= bound, `${form} ${M}x${N}x${K}[${i}]: ${r.C[i]} vs ${val[i]} (bound ${bound})`);
        }
      }
    }
  }
});

g("gemm_nt follows its documented summation order bit for bit and equals its twin to rounding", () => {
  const core = freshCore();
  let seed = 500;
  for (const [M, N, K] of SHAPES) {
    for (const acc of [false, true]) {
      seed += 3;
      const fast = run(core, "gemm_nt", M, N, K, acc, seed);
      const ref = run(core, "gemm_nt_ref", M, N, K, acc, seed);
      assertSameBits(fast.C, ntOrdered(fast.A, fast.B, fast.C0, M, N, K, acc), `gemm_nt ${M}x${N}x${K} acc=${acc} order`);
      // Both are within γ_(K+1)(Σ|ab| + |C|) of the exact value, so of each other within twice that.
      const { scale } = exact("nt", fast.A, fast.B, fast.C0, M, N, K, acc);
      assertClose(fast.C, ref.C, `gemm_nt ${M}x${N}x${K} acc=${acc} vs twin`, 2 * (K + 1) * U * Math.max(...scale) * 1.0001, 0);
    }
  }
});

g("K = 0 leaves C (acc = 1) or zeroes it (acc = 0); M = 0 or N = 0 writes nothing", () => {
  const core = freshCore();
  for (const form of ["nn", "tn", "nt"] as const) {
    for (const name of [`gemm_${form}`, `gemm_${form}_ref`]) {
      const keep = run(core, name, 3, 5, 0, true, 7);
      assertSameBits(keep.C, keep.C0, `${name} K=0 acc=1`);
      const zero = run(core, name, 3, 5, 0, false, 8);
      assert.ok(zero.C.every((v) => Object.is(v, 0)), `${name} K=0 acc=0 gives +0`);
      run(core, name, 0, 5, 4, true, 9); // guards check that nothing was written
      run(core, name, 5, 0, 4, true, 9);
    }
  }
});

g("the network's GEMM shapes agree with the twins (conv2 per image, the linear layer)", () => {
  const core = freshCore();
  // conv2 forward (Cout, HW) x CKK; input gradient (CKK, HW) x Cout; the linear layer at batch 110
  for (const [form, M, N, K] of [["nn", 32, 196, 400], ["tn", 400, 196, 32], ["tn", 10, 1568, 110], ["nn", 110, 1568, 10]] as const) {
    const fast = run(core, `gemm_${form}`, M, N, K, true, M + N + K);
    const ref = run(core, `gemm_${form}_ref`, M, N, K, true, M + N + K);
    assertSameBits(fast.C, ref.C, `gemm_${form} ${M}x${N}x${K}`);
  }
  for (const [M, N, K] of [[32, 400, 196], [110, 10, 1568]]) {
    const fast = run(core, "gemm_nt", M, N, K, true, M + N + K);
    assertSameBits(fast.C, ntOrdered(fast.A, fast.B, fast.C0, M, N, K, true), `gemm_nt ${M}x${N}x${K} order`);
    const ref = run(core, "gemm_nt_ref", M, N, K, true, M + N + K);
    const { scale } = exact("nt", fast.A, fast.B, fast.C0, M, N, K, true);
    assertClose(fast.C, ref.C, `gemm_nt ${M}x${N}x${K} vs twin`, 2 * (K + 1) * U * Math.max(...scale) * 1.0001, 0);
  }
});

g("results do not depend on the scratch's previous contents", () => {
  const core = freshCore();
  const [M, N, K] = [7, 13, 9];
  for (const form of ["nn", "tn", "nt"] as const) {
    const A = randomF32(core, M * K, 1), B = randomF32(core, K * N, 2);
    const C = core.arena.alloc(M * N * 4);
    const ws = core.arena.alloc(core.exports.gemm_ws_bytes(M, N, K));
    const outs = [0, NaN, 1e30].map((fill) => {
      core.arena.f32(ws, core.exports.gemm_ws_bytes(M, N, K) / 4).fill(fill);
      (core.exports as unknown as Record<string, (...a: number[]) => void>)[`gemm_${form}`](C, A, B, M, N, K, 0, ws);
      return snap(core, C, M * N);
    });
    assertSameBits(outs[1], outs[0], `${form} NaN scratch`);
    assertSameBits(outs[2], outs[0], `${form} 1e30 scratch`);
  }
});

g("peak_probe computes its documented sum", () => {
  const core = freshCore();
  const iters = 37;
  // c_i accumulates a_i * 1 (a = 0.1 .. 0.6 as f32) iters times; lanes combined as in the kernel
  const c = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6].map((a) => {
    let s = 0;
    for (let k = 0; k < iters; k++) s = f(s + f(a));
    return s;
  });
  const lane = f(f(f(f(c[0] + c[1]) + f(c[2] + c[3]))) + f(c[4] + c[5]));
  const expected = f(f(lane + lane) + f(lane + lane));
  assert.is(core.exports.peak_probe(iters), expected);
});

g.run();
