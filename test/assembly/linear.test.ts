import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertClose, assertSameBits, freshCore, snap, type Core } from "../helpers.js";
import { checkGradients, checkOp, type Comparison, type Op } from "./check-op.js";

// linear_forward / linear_backward against their twins, the forward also against a host emulation
// of its documented order (exact f32 arithmetic via Math.fround, see gemm.test.ts), and the backward
// against central finite differences of L = Σ G ⊙ out.

const U = 2 ** -24;
const f = Math.fround;

/** linear on (N, In, Out) as a checkOp op: inputs inp, w (in [-0.5, 0.5)), b. */
function linearOp(core: Core, N: number, In: number, Out: number): Op {
  const ex = core.exports;
  return {
    name: `linear ${N}x${In}->${Out}`,
    inputs: [{ name: "inp", n: N * In }, { name: "w", n: Out * In, lo: -0.5, hi: 0.5 }, { name: "b", n: Out }],
    out: N * Out,
    wsBytes: ex.linear_ws_bytes(N, In, Out),
    forward: (p, ws) => ex.linear_forward(p.out, p.inp, p.w, p.b, N, In, Out, ws),
    twin: (p) => ex.linear_forward_ref(p.out, p.inp, p.w, p.b, N, In, Out),
    backward: (g, p, ws) => ex.linear_backward(g.inp, g.w, g.b, p.dout, p.inp, p.w, N, In, Out, ws),
    backwardTwin: (g, p) => ex.linear_backward_ref(g.inp, g.w, g.b, p.dout, p.inp, p.w, N, In, Out),
  };
}

/** The forward: bit for bit its documented order (forwardOrdered), and both it and the twin within
 *  γ_(In+1) Σ|xw|+|b| of the exact value. */
function forwardCheck(core: Core, N: number, In: number, Out: number, twinToo = true): Comparison {
  return (fast, twin, what, b) => {
    const x = snap(core, b.p.inp, N * In), w = snap(core, b.p.w, Out * In), bias = snap(core, b.p.b, Out);
    assertSameBits(fast, forwardOrdered(x, w, bias, N, In, Out), `${what} order`);
    if (twinToo) assertClose(fast, twin, `${what} vs twin`, 2 * (In + 1) * U * forwardScale(x, w, bias, N, In, Out), 0);
  };
}

/** The forward's documented order: out = b + s, s the inner-product tile's sum (see tiles.ts). */
function forwardOrdered(x: Float32Array, w: Float32Array, b: Float32Array, N: number, In: number, Out: number) {
  const out = new Float32Array(N * Out);
  const K4 = In & ~3;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < Out; o++) {
      const l = [0, 0, 0, 0];
      for (let k = 0; k < K4; k++) l[k & 3] = f(l[k & 3] + f(x[n * In + k] * w[o * In + k]));
      let s = f(f(l[0] + l[2]) + f(l[1] + l[3]));
      for (let k = K4; k < In; k++) s = f(s + f(x[n * In + k] * w[o * In + k]));
      out[n * Out + o] = f(b[o] + s);
    }
  }
  return out;
}

/** Largest Σ_i |x w| + |b| over the outputs: the scale of the forward's rounding error. */
function forwardScale(x: Float32Array, w: Float32Array, b: Float32Array, N: number, In: number, Out: number) {
  let m = 0;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < Out; o++) {
      let t = Math.abs(b[o]);
      for (let k = 0; k < In; k++) t += Math.abs(x[n * In + k] * w[o * In + k]);
      m = Math.max(m, t);
    }
  }
  return m;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 5, 3], [3, 7, 5], [2, 9, 1], [13, 17, 10], [5, 33, 7], [4, 8, 4], [6, 3, 9], [11, 2, 13],
];

const lin = suite("assembly/linear");

lin("forward follows its documented order bit for bit and equals its twin to rounding", () => {
  const core = freshCore();
  let seed = 10;
  for (const [N, In, Out] of SHAPES) {
    const m = core.arena.mark();
    checkOp(core, linearOp(core, N, In, Out), (seed += 10), { forward: forwardCheck(core, N, In, Out), backward: false });
    core.arena.reset(m);
  }
});

lin("backward adds the same bits as its twin into dinp, dweight and dbias", () => {
  const core = freshCore();
  let seed = 1000;
  for (const [N, In, Out] of SHAPES) {
    const m = core.arena.mark();
    checkOp(core, linearOp(core, N, In, Out), (seed += 10), { forward: forwardCheck(core, N, In, Out) });
    core.arena.reset(m);
  }
});

lin("dinp = 0 skips the input gradient and writes nothing at address 0", () => {
  const core = freshCore();
  const [N, In, Out] = [5, 13, 7];
  const low = core.arena.u8(0, N * In * 4).slice();
  const r = checkOp(core, linearOp(core, N, In, Out), 77, { forward: forwardCheck(core, N, In, Out), skip: ["inp"] });
  assert.equal(core.arena.u8(0, N * In * 4), low, "memory at 0 unchanged");
  assert.is(r.bwd!.fast.inp, undefined, "no dinp");
});

lin("backward matches central finite differences of L = Σ G ⊙ out", () => {
  // L is linear in each of inp, weight and bias, so the central difference (h = 1e-2) has no
  // truncation error. What remains is the f32 rounding of the few outputs a probe changes (at most
  // Out = 5 of them, |out| ≲ 3, each off by ~1e-7) divided by 2h = 0.02: about 1e-5 (measured:
  // ≤ 5e-6). Tolerance 1e-3 absolute + 1e-3 relative; a wrong gradient misses it by orders of magnitude.
  const core = freshCore();
  checkGradients(core, linearOp(core, 3, 17, 5), 4242, { atol: 1e-3, rtol: 1e-3, k: 12 });
});

lin("the network's shapes agree with the twins (1568 -> 10 at batch 110 and 1000, cs231n's 12544 -> 10)", () => {
  const core = freshCore();
  for (const [N, In, Out] of [[110, 1568, 10], [1000, 1568, 10], [110, 12544, 10]]) {
    const m = core.arena.mark();
    // batch 1000: the forward's order only (its twin and backward at this size add nothing but time)
    checkOp(core, linearOp(core, N, In, Out), N + In, { forward: forwardCheck(core, N, In, Out, N === 110), backward: N === 110 });
    core.arena.reset(m);
  }
});

lin.run();
