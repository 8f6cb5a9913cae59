import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertClose, assertSameBits, finiteDiff, freshCore, randomF32, sampleIndices, snap, type Core } from "../helpers.js";
import { checkOp, type Op } from "./check-op.js";

const SIZES = [1, 3, 4, 5, 7, 16, 17, 1003, 12544];

const fwd = suite("assembly/act relu_forward");

fwd("hand values: negatives to +0, NaN and infinities pass, -0 stays -0 (pmax semantics)", () => {
  const core = freshCore();
  const x = [-2, -0, 0, 0.5, NaN, 3, -Infinity, Infinity, -1e-30];
  const want = [0, -0, 0, 0.5, NaN, 3, 0, Infinity, 0];
  for (const fn of ["relu_forward", "relu_forward_ref"] as const) {
    const inp = core.arena.putF32(x);
    const out = core.arena.allocF32(x.length);
    core.exports[fn](out, inp, x.length);
    const got = Array.from(core.arena.f32(out, x.length));
    for (let i = 0; i < x.length; i++) assert.ok(Object.is(got[i], want[i]), `${fn}[${i}]: relu(${x[i]}) = ${got[i]}, want ${want[i]}`);
  }
});

/** relu over n elements as a checkOp op (backward reads the forward's output). */
function reluOp(core: Core, n: number): Op {
  const ex = core.exports;
  return {
    name: `relu n=${n}`,
    inputs: [{ name: "inp", n }],
    out: n,
    wsBytes: 0,
    forward: (p) => ex.relu_forward(p.out, p.inp, n),
    twin: (p) => ex.relu_forward_ref(p.out, p.inp, n),
    backward: (g, p) => ex.relu_backward(g.inp, p.dout, p.out, n),
    backwardTwin: (g, p) => ex.relu_backward_ref(g.inp, p.dout, p.out, n),
  };
}

fwd("SIMD equals its scalar twin bit for bit, including odd sizes, and works in place", () => {
  const core = freshCore();
  for (const n of SIZES) {
    const { b, fwd: r } = checkOp(core, reluOp(core, n), n);
    core.exports.relu_forward(b.p.inp, b.p.inp, n);
    assertSameBits(snap(core, b.p.inp, n), r.twin, `n=${n} in place`);
  }
});

fwd.run();

const bwd = suite("assembly/act relu_backward");

bwd("passes dout only where out > 0 (zero at exactly 0, as PyTorch) and adds into dinp", () => {
  const core = freshCore();
  const out = [0, 0.5, 0, 2, -0, 1e-30, NaN, 0];
  const dout = [1, 2, 3, 4, 5, 6, 7, Infinity];
  const dinp0 = [10, 10, 10, 10, 10, 10, 10, 10];
  const want = [10, 12, 10, 14, 10, 16, 10, 10]; // an infinite dout at out = 0 is masked, not inf*0 = NaN
  for (const fn of ["relu_backward", "relu_backward_ref"] as const) {
    const d = core.arena.putF32(dinp0);
    core.exports[fn](d, core.arena.putF32(dout), core.arena.putF32(out), out.length);
    assert.equal(Array.from(core.arena.f32(d, out.length)), want, fn);
  }
});

bwd("SIMD equals its scalar twin bit for bit on odd sizes (with -0 gradients and exact zeros)", () => {
  const core = freshCore();
  for (const n of SIZES) {
    const inp = randomF32(core, n, 1000 + n);
    const out = core.arena.allocF32(n);
    core.exports.relu_forward(out, inp, n);
    const dout = randomF32(core, n, 2000 + n);
    const dv = core.arena.f32(dout, n);
    for (let i = 0; i < n; i += 5) dv[i] = -0;
    const d0 = snap(core, randomF32(core, n, 3000 + n), n);
    for (let i = 1; i < n; i += 7) d0[i] = -0;
    const a = core.arena.putF32(d0), b = core.arena.putF32(d0);
    core.exports.relu_backward(a, dout, out, n);
    core.exports.relu_backward_ref(b, dout, out, n);
    assertSameBits(snap(core, a, n), snap(core, b, n), `n=${n}`);
  }
});

bwd("matches finite differences of a weighted sum of relu(x)", () => {
  const core = freshCore();
  const n = 1001;
  const inp = randomF32(core, n, 77);
  const v = core.arena.f32(inp, n);
  for (let i = 0; i < n; i++) if (Math.abs(v[i]) < 0.01) v[i] = 0.5; // keep probes off the kink
  const wts = snap(core, randomF32(core, n, 78), n);
  const out = core.arena.allocF32(n);
  const f = () => {
    core.exports.relu_forward(out, inp, n);
    const o = core.arena.f32(out, n);
    let s = 0;
    for (let i = 0; i < n; i++) s += wts[i] * o[i];
    return s;
  };
  f();
  const dinp = core.arena.allocF32(n);
  core.exports.relu_backward(dinp, core.arena.putF32(wts), out, n);
  const g = snap(core, dinp, n);
  const at = sampleIndices(n, 40);
  assertClose(at.map((i) => g[i]), finiteDiff(core, inp, at, f, 1e-3), "dinp vs finite differences", 2e-4, 1e-3);
});

bwd.run();
