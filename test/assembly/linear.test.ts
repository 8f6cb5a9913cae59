import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertClose, assertSameBits, finiteDiff, freshCore, randomF32, sampleIndices, snap, type Core } from "../helpers.js";

// linear_forward / linear_backward against their twins, the forward also against a host emulation
// of its documented order (exact f32 arithmetic via Math.fround, see gemm.test.ts), and the backward
// against central finite differences of L = Σ G ⊙ out.

const U = 2 ** -24;
const f = Math.fround;

interface Bufs { inp: number; w: number; b: number; out: number; dout: number; dinp: number; dw: number; db: number; ws: number }

/** Seeded inputs and gradients (gradients pre-filled with random values: backward must ADD). */
function setup(core: Core, N: number, In: number, Out: number, seed: number): Bufs {
  return {
    inp: randomF32(core, N * In, seed),
    w: randomF32(core, Out * In, seed + 1, -0.5, 0.5),
    b: randomF32(core, Out, seed + 2),
    out: randomF32(core, N * Out, seed + 3),
    dout: randomF32(core, N * Out, seed + 4),
    dinp: randomF32(core, N * In, seed + 5),
    dw: randomF32(core, Out * In, seed + 6),
    db: randomF32(core, Out, seed + 7),
    ws: core.arena.alloc(core.exports.linear_ws_bytes(N, In, Out)),
  };
}

function forward(core: Core, fast: boolean, s: Bufs, N: number, In: number, Out: number): Float32Array {
  if (fast) core.exports.linear_forward(s.out, s.inp, s.w, s.b, N, In, Out, s.ws);
  else core.exports.linear_forward_ref(s.out, s.inp, s.w, s.b, N, In, Out);
  return snap(core, s.out, N * Out);
}

function backward(core: Core, fast: boolean, s: Bufs, N: number, In: number, Out: number, withDinp = true) {
  const m = core.arena.mark();
  const dinp = withDinp ? core.arena.putF32(snap(core, s.dinp, N * In)) : 0;
  const dw = core.arena.putF32(snap(core, s.dw, Out * In));
  const db = core.arena.putF32(snap(core, s.db, Out));
  if (fast) core.exports.linear_backward(dinp, dw, db, s.dout, s.inp, s.w, N, In, Out, s.ws);
  else core.exports.linear_backward_ref(dinp, dw, db, s.dout, s.inp, s.w, N, In, Out);
  const r = { dinp: withDinp ? snap(core, dinp, N * In) : null, dw: snap(core, dw, Out * In), db: snap(core, db, Out) };
  core.arena.reset(m);
  return r;
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
    const s = setup(core, N, In, Out, (seed += 10));
    const fast = forward(core, true, s, N, In, Out);
    const ref = forward(core, false, s, N, In, Out);
    const x = snap(core, s.inp, N * In), w = snap(core, s.w, Out * In), b = snap(core, s.b, Out);
    assertSameBits(fast, forwardOrdered(x, w, b, N, In, Out), `forward ${N}x${In}->${Out} order`);
    // both within γ_(In+1) Σ|xw|+|b| of the exact value
    assertClose(fast, ref, `forward ${N}x${In}->${Out} vs twin`, 2 * (In + 1) * U * forwardScale(x, w, b, N, In, Out), 0);
    core.arena.reset(m);
  }
});

lin("backward adds the same bits as its twin into dinp, dweight and dbias", () => {
  const core = freshCore();
  let seed = 1000;
  for (const [N, In, Out] of SHAPES) {
    const m = core.arena.mark();
    const s = setup(core, N, In, Out, (seed += 10));
    const fast = backward(core, true, s, N, In, Out);
    const ref = backward(core, false, s, N, In, Out);
    assertSameBits(fast.dinp!, ref.dinp!, `dinp ${N}x${In}->${Out}`);
    assertSameBits(fast.dw, ref.dw, `dweight ${N}x${In}->${Out}`);
    assertSameBits(fast.db, ref.db, `dbias ${N}x${In}->${Out}`);
    core.arena.reset(m);
  }
});

lin("dinp = 0 skips the input gradient and writes nothing at address 0", () => {
  const core = freshCore();
  const [N, In, Out] = [5, 13, 7];
  const s = setup(core, N, In, Out, 77);
  const low = core.arena.u8(0, N * In * 4).slice();
  const fast = backward(core, true, s, N, In, Out, false);
  const ref = backward(core, false, s, N, In, Out, false);
  assert.equal(core.arena.u8(0, N * In * 4), low, "memory at 0 unchanged");
  assertSameBits(fast.dw, ref.dw, "dweight");
  assertSameBits(fast.db, ref.db, "dbias");
});

lin("backward matches central finite differences of L = Σ G ⊙ out", () => {
  // L is linear in each of inp, weight and bias, so the central difference has no truncation error;
  // what remains is the f32 rounding of the few outputs a probe changes (|out| ≲ 3, In = 17: about
  // 1e-6 each) divided by 2h = 0.02, i.e. ≲ 1e-4. Tolerance 1e-3 absolute + 1e-3 relative.
  const core = freshCore();
  const [N, In, Out] = [3, 17, 5];
  const s = setup(core, N, In, Out, 4242);
  const G = snap(core, s.dout, N * Out);
  const loss = () => {
    core.exports.linear_forward(s.out, s.inp, s.w, s.b, N, In, Out, s.ws);
    const o = core.arena.f32(s.out, N * Out);
    let L = 0;
    for (let i = 0; i < o.length; i++) L += G[i] * o[i];
    return L;
  };
  for (const buf of [s.dinp, s.dw, s.db]) core.arena.f32(buf, buf === s.db ? Out : buf === s.dw ? Out * In : N * In).fill(0);
  core.exports.linear_backward(s.dinp, s.dw, s.db, s.dout, s.inp, s.w, N, In, Out, s.ws);
  for (const [what, ptr, grad, n] of [
    ["dinp", s.inp, s.dinp, N * In], ["dweight", s.w, s.dw, Out * In], ["dbias", s.b, s.db, Out],
  ] as const) {
    const idx = sampleIndices(n, 12);
    const fd = finiteDiff(core, ptr, idx, loss);
    const an = idx.map((i) => core.arena.f32(grad, n)[i]);
    assertClose(an, fd, `${what} vs finite differences`, 1e-3, 1e-3);
  }
});

lin("the network's shapes agree with the twins (1568 -> 10 at batch 110 and 1000, cs231n's 12544 -> 10)", () => {
  const core = freshCore();
  for (const [N, In, Out] of [[110, 1568, 10], [1000, 1568, 10], [110, 12544, 10]]) {
    const m = core.arena.mark();
    const s = setup(core, N, In, Out, N + In);
    const fast = forward(core, true, s, N, In, Out);
    const x = snap(core, s.inp, N * In), w = snap(core, s.w, Out * In), b = snap(core, s.b, Out);
    assertSameBits(fast, forwardOrdered(x, w, b, N, In, Out), `forward ${N}x${In}->${Out} order`);
    if (N === 110) {
      const ref = forward(core, false, s, N, In, Out);
      assertClose(fast, ref, `forward ${N}x${In}->${Out}`, 2 * (In + 1) * U * forwardScale(x, w, b, N, In, Out), 0);
      const gf = backward(core, true, s, N, In, Out), gr = backward(core, false, s, N, In, Out);
      assertSameBits(gf.dinp!, gr.dinp!, `dinp ${N}x${In}->${Out}`);
      assertSameBits(gf.dw, gr.dw, `dweight ${N}x${In}->${Out}`);
      assertSameBits(gf.db, gr.db, `dbias ${N}x${In}->${Out}`);
    }
    core.arena.reset(m);
  }
});

lin.run();
