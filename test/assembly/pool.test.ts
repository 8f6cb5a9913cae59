import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertClose, assertSameBits, freshCore, randomF32, snap, type Core } from "../helpers.js";
import { checkGradients, type Op } from "./check-op.js";

// A plain JavaScript statement of the rule (PyTorch's CPU max-pool): scan (0,0), (0,1), (1,0), (1,1),
// replace on strictly greater or NaN; indices are flat over the whole input tensor.
function poolJs(x: ArrayLike<number>, N: number, C: number, H: number, W: number): { out: number[]; idx: number[] } {
  const Ho = H >> 1, Wo = W >> 1;
  const out: number[] = [], idx: number[] = [];
  for (let p = 0; p < N * C; p++) {
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        const base = p * H * W + 2 * oh * W + 2 * ow;
        let best = base;
        for (const j of [base + 1, base + W, base + W + 1]) {
          if (x[j] > x[best] || Number.isNaN(x[j])) best = j;
        }
        out.push(x[best]);
        idx.push(best);
      }
    }
  }
  return { out, idx };
}

type Fwd = "maxpool2d_forward" | "maxpool2d_forward_ref";

function runForward(core: Core, fn: Fwd, x: ArrayLike<number>, N: number, C: number, H: number, W: number) {
  const m = core.arena.mark();
  const n = N * C * (H >> 1) * (W >> 1);
  const inp = core.arena.putF32(x);
  const out = core.arena.allocF32(n);
  const arg = core.arena.allocI32(n);
  core.exports[fn](out, arg, inp, N, C, H, W);
  const r = { out: snap(core, out, n), idx: Array.from(core.arena.i32(arg, n)) };
  core.arena.reset(m);
  return r;
}

function backward(core: Core, dout: ArrayLike<number>, idx: number[], dinp0: ArrayLike<number>, N: number, C: number, H: number, W: number) {
  const m = core.arena.mark();
  const dinp = core.arena.putF32(dinp0);
  const d = core.arena.putF32(dout);
  const a = core.arena.putI32(idx);
  core.exports.maxpool2d_backward(dinp, d, a, N, C, H, W);
  const r = snap(core, dinp, dinp0.length);
  core.arena.reset(m);
  return r;
}

const fwd = suite("assembly/pool maxpool2d_forward");

fwd("a hand-worked 4x4 plane", () => {
  const core = freshCore();
  // windows: [1 2; 5 6] -> 6 at (1,1); [3 9; 7 8] -> 9 at (0,1); [-1 -2; -3 -4] -> -1 at (0,0); [0 0; 4 0] -> 4 at (1,0)
  const x = [1, 2, 3, 9, 5, 6, 7, 8, -1, -2, 0, 0, -3, -4, 4, 0];
  for (const fn of ["maxpool2d_forward", "maxpool2d_forward_ref"] as const) {
    const r = runForward(core, fn, x, 1, 1, 4, 4);
    assert.equal(Array.from(r.out), [6, 9, -1, 4], fn);
    assert.equal(r.idx, [5, 3, 8, 14], fn);
  }
});

fwd("ties go to the first maximum in row-major window order, in every SIMD lane", () => {
  const core = freshCore();
  // One row of eight windows (W = 16, enough for two SIMD groups of four): each a different tie pattern.
  // window k covers columns 2k, 2k+1 of rows 0 and 1.
  const top = [0, 0, 1, 1, 0, 2, 3, 0, 5, 5, 0, 0, -1, -1, 7, 7];
  const bot = [0, 0, 0, 1, 2, 2, 3, 3, 5, 5, 4, 4, -1, 0, 7, 6];
  const x = [...top, ...bot];
  const expectIdx = [0, 2, 5, 6, 8, 26, 29, 14]; // first max in order (0,0), (0,1), (1,0), (1,1)
  const expectOut = [0, 1, 2, 3, 5, 4, 0, 7];
  for (const fn of ["maxpool2d_forward", "maxpool2d_forward_ref"] as const) {
    const r = runForward(core, fn, x, 1, 1, 2, 16);
    assert.equal(r.idx, expectIdx, `${fn} indices`);
    assert.equal(Array.from(r.out), expectOut, `${fn} values`);
  }
});

fwd("an all-zero input (blank MNIST background) picks every window's top-left pixel", () => {
  const core = freshCore();
  const N = 2, C = 3, H = 28, W = 28;
  const x = new Float32Array(N * C * H * W);
  const want = poolJs(x, N, C, H, W).idx;
  for (let i = 0; i < want.length; i++) {
    const p = Math.floor(i / 196), oh = Math.floor((i % 196) / 14), ow = i % 14;
    assert.is(want[i], p * 784 + 2 * oh * 28 + 2 * ow); // the JS statement agrees with the rule's intent
  }
  for (const fn of ["maxpool2d_forward", "maxpool2d_forward_ref"] as const) {
    assert.equal(runForward(core, fn, x, N, C, H, W).idx, want, fn);
  }
  // ... and a -0 next to +0 is a tie too (IEEE: -0 == +0): the first one wins.
  const z = new Float32Array([-0, 0, 0, 0]);
  const r = runForward(core, "maxpool2d_forward", z, 1, 1, 2, 2);
  assert.is(r.idx[0], 0);
  assert.ok(Object.is(r.out[0], -0));
});

fwd("odd H and W: floor mode drops the last row and column", () => {
  const core = freshCore();
  const N = 2, C = 2, H = 7, W = 11; // Ho = 3, Wo = 5 (one SIMD group + a scalar tail)
  const xp = randomF32(core, N * C * H * W, 11);
  const x = snap(core, xp, N * C * H * W);
  for (let p = 0; p < N * C; p++) {
    for (let w = 0; w < W; w++) x[p * H * W + (H - 1) * W + w] = 100; // last row
    for (let h = 0; h < H; h++) x[p * H * W + h * W + W - 1] = 100; // last column
  }
  const want = poolJs(x, N, C, H, W);
  for (const fn of ["maxpool2d_forward", "maxpool2d_forward_ref"] as const) {
    const r = runForward(core, fn, x, N, C, H, W);
    assert.is(r.out.length, N * C * 3 * 5);
    assert.ok(r.out.every((v) => v < 100), `${fn}: a dropped row/column leaked into the output`);
    assert.equal(Array.from(r.out), want.out, fn);
    assert.equal(r.idx, want.idx, fn);
  }
});

fwd("SIMD equals its scalar twin bit for bit on many shapes, with and without ties", () => {
  const core = freshCore();
  const shapes: [number, number, number, number][] = [
    [1, 1, 2, 2], [1, 1, 2, 8], [1, 1, 3, 9], [1, 2, 5, 17], [3, 1, 28, 28], [2, 16, 28, 28], [2, 32, 14, 14],
    [1, 3, 9, 30], [1, 1, 16, 2], [2, 2, 6, 19],
  ];
  let seed = 100;
  for (const [N, C, H, W] of shapes) {
    for (const quantise of [false, true]) {
      const n = N * C * H * W;
      const x = snap(core, randomF32(core, n, seed++), n);
      if (quantise) for (let i = 0; i < n; i++) x[i] = Math.round(x[i] * 2) / 2; // 5 levels: many ties
      const a = runForward(core, "maxpool2d_forward", x, N, C, H, W);
      const b = runForward(core, "maxpool2d_forward_ref", x, N, C, H, W);
      const what = `${N}x${C}x${H}x${W}${quantise ? " quantised" : ""}`;
      assertSameBits(a.out, b.out, what);
      assert.equal(a.idx, b.idx, what);
      assert.equal(b.idx, poolJs(x, N, C, H, W).idx, `${what} vs JS rule`);
    }
  }
});

fwd("a NaN wins its window (PyTorch propagates NaN through max-pooling)", () => {
  const core = freshCore();
  // W = 8: two windows per row go through the SIMD path: NaN at (0,1) of window 0, at (1,1) of window 2.
  const x = [1, NaN, 0, 0, 5, 6, -1, -1, 9, 9, 0, 0, 5, NaN, -1, 3];
  for (const fn of ["maxpool2d_forward", "maxpool2d_forward_ref"] as const) {
    const r = runForward(core, fn, x, 1, 1, 2, 8);
    assert.ok(Number.isNaN(r.out[0]) && Number.isNaN(r.out[2]), fn);
    assert.equal(r.idx, [1, 2, 13, 15], fn);
  }
});

fwd.run();

const bwd = suite("assembly/pool maxpool2d_backward");

bwd("routes each gradient to its argmax and adds to what is there", () => {
  const core = freshCore();
  const x = [1, 2, 3, 9, 5, 6, 7, 8, -1, -2, 0, 0, -3, -4, 4, 0];
  const { idx } = runForward(core, "maxpool2d_forward", x, 1, 1, 4, 4); // [5, 3, 8, 14]
  const dinp0 = Array.from({ length: 16 }, (_, i) => i / 16);
  const got = backward(core, [10, 20, 30, 40], idx, dinp0, 1, 1, 4, 4);
  const want = dinp0.slice();
  want[5] += 10; want[3] += 20; want[8] += 30; want[14] += 40;
  assertClose(got, Float32Array.from(want), "dinp", 0, 0);
});

bwd("all-zero windows send the whole gradient to the top-left pixel; odd H, W leave the rest at 0", () => {
  const core = freshCore();
  const N = 1, C = 2, H = 5, W = 7; // Ho = 2, Wo = 3
  const x = new Float32Array(N * C * H * W);
  const { idx } = runForward(core, "maxpool2d_forward", x, N, C, H, W);
  const dout = Array.from({ length: idx.length }, (_, i) => i + 1);
  const got = backward(core, dout, idx, new Float32Array(x.length), N, C, H, W);
  const want = new Float32Array(x.length);
  let k = 0;
  for (let p = 0; p < C; p++) for (let oh = 0; oh < 2; oh++) for (let ow = 0; ow < 3; ow++) want[p * 35 + 2 * oh * 7 + 2 * ow] = dout[k++];
  assertSameBits(got, want, "dinp");
});

bwd("matches finite differences of a weighted sum of the outputs (distinct values, no ties)", () => {
  const core = freshCore();
  const N = 2, C = 3, H = 9, W = 10;
  const no = N * C * (H >> 1) * (W >> 1);
  const arg = core.arena.allocI32(no);
  const ex = core.exports;
  const op: Op = {
    name: `maxpool2d ${N}x${C}x${H}x${W}`,
    inputs: [{ name: "inp", n: N * C * H * W }],
    out: no,
    wsBytes: 0,
    forward: (p) => ex.maxpool2d_forward(p.out, arg, p.inp, N, C, H, W),
    twin: (p) => ex.maxpool2d_forward_ref(p.out, arg, p.inp, N, C, H, W),
    backward: (g, p) => ex.maxpool2d_backward(g.inp, p.dout, arg, N, C, H, W),
  };
  // h well below the typical gap between uniform values in one window, so no probe changes an argmax;
  // the f32 rounding of x +- h perturbs the quotient by at most ~6e-5.
  checkGradients(core, op, 21, { atol: 2e-4, rtol: 1e-3, k: 40, h: 1e-3 });
});

bwd.run();

const fused = suite("maxpool2d_relu_backward");

fused("= relu_backward after maxpool2d_backward on zeroed gradients, bit for bit (-0, +0, NaN, ties)", () => {
  // ReLU outputs with exact zeros (blank windows: ties, and the ReLU's mask off), -0 and a NaN;
  // pooled gradients with -0 and a NaN: the fused pass must reproduce +0 + (+0 + g) and +0 + +0.
  const core = freshCore();
  const ex = core.exports;
  const N = 2, C = 3, H = 6, W = 7, n = N * C * H * W, Ho = H >> 1, Wo = W >> 1, no = N * C * Ho * Wo;
  const x = snap(core, randomF32(core, n, 77), n).map((v, i) => (i % 5 === 0 ? 0 : i % 11 === 0 ? -0 : v));
  x[13] = NaN;
  const out = core.arena.putF32(x);
  ex.relu_forward(out, out, n); // relu's output, in place
  const pooled = core.arena.alloc(no * 4), argmax = core.arena.alloc(no * 4);
  ex.maxpool2d_forward(pooled, argmax, out, N, C, H, W);
  const g = snap(core, randomF32(core, no, 78), no).map((v, i) => (i % 7 === 0 ? -0 : v));
  g[3] = NaN;
  const dout = core.arena.putF32(g);
  const dpool = core.arena.allocF32(n), two = core.arena.allocF32(n), one = core.arena.allocF32(n);
  ex.maxpool2d_backward(dpool, dout, argmax, N, C, H, W);
  ex.relu_backward(two, dpool, out, n);
  ex.maxpool2d_relu_backward(one, dout, argmax, pooled, N, C, H, W); // the mask read from the pooled output
  assertSameBits(snap(core, one, n), snap(core, two, n), "fused vs two passes");
  assert.ok(snap(core, one, n).some((v) => v !== 0), "some gradient passes");
  const twin = core.arena.allocF32(n);
  ex.maxpool2d_relu_backward_ref(twin, dout, argmax, pooled, N, C, H, W);
  assertSameBits(snap(core, twin, n), snap(core, two, n), "twin vs two passes");
});

fused("writes all of dinp, equal to its twin bit for bit (odd sides, Wo < 4, overlapping last group)", () => {
  // dinp starts as NaN garbage: the kernel writes every element (window cells and the dropped odd row
  // and column alike), the twin zeroes and scatters; both must leave the same bits. Shapes: even sides,
  // odd H and W, Wo = 1..3 (window by window), Wo = 5 and 7 (a last group overlapping the one before).
  const core = freshCore();
  const ex = core.exports;
  let seed = 300;
  for (const [N, C, H, W] of [[2, 3, 8, 8], [1, 2, 7, 9], [2, 1, 5, 2], [1, 3, 6, 5], [1, 2, 4, 7], [3, 2, 9, 10], [2, 16, 28, 28], [1, 4, 14, 15]]) {
    const m = core.arena.mark();
    const n = N * C * H * W, no = N * C * (H >> 1) * (W >> 1);
    const x = snap(core, randomF32(core, n, (seed += 7)), n).map((v, i) => (i % 6 === 0 ? 0 : i % 13 === 0 ? -0 : v));
    if (n > 20) x[17] = NaN;
    const relu = core.arena.putF32(x);
    ex.relu_forward(relu, relu, n);
    const pooled = core.arena.alloc(no * 4), argmax = core.arena.alloc(no * 4);
    ex.maxpool2d_forward(pooled, argmax, relu, N, C, H, W);
    const g = snap(core, randomF32(core, no, (seed += 7)), no).map((v, i) => (i % 5 === 0 ? -0 : v));
    g[0] = NaN;
    const dout = core.arena.putF32(g);
    const fast = core.arena.putF32(new Float32Array(n).fill(NaN));
    const twin = core.arena.putF32(new Float32Array(n).fill(NaN));
    ex.maxpool2d_relu_backward(fast, dout, argmax, pooled, N, C, H, W);
    ex.maxpool2d_relu_backward_ref(twin, dout, argmax, pooled, N, C, H, W);
    const got = snap(core, fast, n);
    assertSameBits(got, snap(core, twin, n), `fast vs twin ${[N, C, H, W]}`);
    assert.ok(got.every((v) => !Number.isNaN(v) || g.some(Number.isNaN)), "no garbage left");
    assert.ok(got.some((v) => v !== 0), "some gradient passes");
    core.arena.reset(m);
  }
});

fused.run();
