import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertClose, assertSameBits, finiteDiff, freshCore, randomF32, sampleIndices, snap, type Core } from "../helpers.js";

// conv2d_forward / conv2d_backward against their direct-loop twins (forward, dinp and dbias bit for
// bit, dweight to rounding and bit for bit against a host emulation of its documented order), a
// plain host convolution in f64, and central finite differences.

const U = 2 ** -24;
const f = Math.fround;

/** (N, Cin, H, W, Cout, K, pad) */
type Shape = [number, number, number, number, number, number, number];

function dims([N, Cin, H, W, Cout, K, pad]: Shape) {
  const Ho = H + 2 * pad - K + 1, Wo = W + 2 * pad - K + 1;
  return { N, Cin, H, W, Cout, K, pad, Ho, Wo, nIn: N * Cin * H * W, nW: Cout * Cin * K * K, nOut: N * Cout * Ho * Wo };
}

interface Bufs { inp: number; w: number; b: number; out: number; dout: number; dinp: number; dw: number; db: number; ws: number; wsBytes: number }

const GUARD = 16;

function setup(core: Core, shape: Shape, seed: number): Bufs {
  const d = dims(shape);
  const wsBytes = core.exports.conv2d_ws_bytes(d.N, d.Cin, d.H, d.W, d.Cout, d.K, d.pad);
  const ws = core.arena.alloc(wsBytes + GUARD * 4);
  core.arena.f32(ws, wsBytes / 4).fill(NaN); // results must not depend on the scratch's contents
  core.arena.f32(ws + wsBytes, GUARD).fill(12345);
  return {
    inp: randomF32(core, d.nIn, seed),
    w: randomF32(core, d.nW, seed + 1, -0.5, 0.5),
    b: randomF32(core, d.Cout, seed + 2),
    out: randomF32(core, d.nOut + GUARD, seed + 3),
    dout: randomF32(core, d.nOut, seed + 4),
    dinp: randomF32(core, d.nIn + GUARD, seed + 5),
    dw: randomF32(core, d.nW + GUARD, seed + 6),
    db: randomF32(core, d.Cout + GUARD, seed + 7),
    ws,
    wsBytes,
  };
}

function guard(core: Core, ptr: number, n: number) {
  core.arena.f32(ptr + n * 4, GUARD).fill(12345);
  return () => core.arena.f32(ptr + n * 4, GUARD).every((v) => v === 12345);
}

function forward(core: Core, fast: boolean, s: Bufs, shape: Shape): Float32Array {
  const d = dims(shape);
  const ok = guard(core, s.out, d.nOut);
  if (fast) core.exports.conv2d_forward(s.out, s.inp, s.w, s.b, d.N, d.Cin, d.H, d.W, d.Cout, d.K, d.pad, s.ws);
  else core.exports.conv2d_forward_ref(s.out, s.inp, s.w, s.b, d.N, d.Cin, d.H, d.W, d.Cout, d.K, d.pad);
  assert.ok(ok(), `forward ${shape}: wrote past out`);
  if (fast) assert.ok(core.arena.f32(s.ws + s.wsBytes, GUARD).every((v) => v === 12345), `forward ${shape}: wrote past ws`);
  return snap(core, s.out, d.nOut);
}

function backward(core: Core, fast: boolean, s: Bufs, shape: Shape, withDinp = true) {
  const d = dims(shape);
  const m = core.arena.mark();
  const dinp = withDinp ? core.arena.putF32(snap(core, s.dinp, d.nIn + GUARD)) : 0;
  const dw = core.arena.putF32(snap(core, s.dw, d.nW + GUARD));
  const db = core.arena.putF32(snap(core, s.db, d.Cout + GUARD));
  const oks = [withDinp ? guard(core, dinp, d.nIn) : () => true, guard(core, dw, d.nW), guard(core, db, d.Cout)];
  if (fast) core.exports.conv2d_backward(dinp, dw, db, s.dout, s.inp, s.w, d.N, d.Cin, d.H, d.W, d.Cout, d.K, d.pad, s.ws);
  else core.exports.conv2d_backward_ref(dinp, dw, db, s.dout, s.inp, s.w, d.N, d.Cin, d.H, d.W, d.Cout, d.K, d.pad);
  assert.ok(oks.every((ok) => ok()), `backward ${shape}: wrote past a gradient`);
  if (fast) assert.ok(core.arena.f32(s.ws + s.wsBytes, GUARD).every((v) => v === 12345), `backward ${shape}: wrote past ws`);
  const r = { dinp: withDinp ? snap(core, dinp, d.nIn) : null, dw: snap(core, dw, d.nW), db: snap(core, db, d.Cout) };
  core.arena.reset(m);
  return r;
}

/** x[n, ci, ih, iw] with zero padding. */
function pix(x: Float32Array, d: ReturnType<typeof dims>, n: number, ci: number, ih: number, iw: number) {
  return ih < 0 || ih >= d.H || iw < 0 || iw >= d.W ? 0 : x[((n * d.Cin + ci) * d.H + ih) * d.W + iw];
}

/** Exact (f64) forward and the largest error scale Σ|w x| + |b| of an output. */
function forwardExact(x: Float32Array, w: Float32Array, b: Float32Array, d: ReturnType<typeof dims>) {
  const out = new Float64Array(d.nOut);
  let scale = 0;
  for (let n = 0; n < d.N; n++) for (let co = 0; co < d.Cout; co++) for (let oh = 0; oh < d.Ho; oh++) for (let ow = 0; ow < d.Wo; ow++) {
    let s = b[co], t = Math.abs(b[co]);
    for (let ci = 0; ci < d.Cin; ci++) for (let kh = 0; kh < d.K; kh++) for (let kw = 0; kw < d.K; kw++) {
      const v = w[((co * d.Cin + ci) * d.K + kh) * d.K + kw] * pix(x, d, n, ci, oh + kh - d.pad, ow + kw - d.pad);
      s += v;
      t += Math.abs(v);
    }
    out[((n * d.Cout + co) * d.Ho + oh) * d.Wo + ow] = s;
    scale = Math.max(scale, t);
  }
  return { out, scale };
}

/** dweight in its documented order: per image the inner-product tile's sum over p (4 interleaved
 *  partial sums, (l0 + l2) + (l1 + l3), then the last HW & 3 terms), added into dweight image by image.
 *  Also the largest Σ|dout x| + |dweight0| (the error scale of a plain sum). */
function dweightOrdered(x: Float32Array, dout: Float32Array, dw0: Float32Array, d: ReturnType<typeof dims>) {
  const HW = d.Ho * d.Wo, K4 = HW & ~3;
  const dw = Float32Array.from(dw0);
  const abs = Float64Array.from(dw0, Math.abs);
  for (let n = 0; n < d.N; n++) for (let co = 0; co < d.Cout; co++) for (let ci = 0; ci < d.Cin; ci++)
    for (let kh = 0; kh < d.K; kh++) for (let kw = 0; kw < d.K; kw++) {
      const term = (p: number) => {
        const oh = Math.floor(p / d.Wo), ow = p % d.Wo;
        return f(dout[((n * d.Cout + co) * d.Ho + oh) * d.Wo + ow] * pix(x, d, n, ci, oh + kh - d.pad, ow + kw - d.pad));
      };
      const l = [0, 0, 0, 0];
      for (let p = 0; p < K4; p++) l[p & 3] = f(l[p & 3] + term(p));
      let s = f(f(l[0] + l[2]) + f(l[1] + l[3]));
      for (let p = K4; p < HW; p++) s = f(s + term(p));
      const i = ((co * d.Cin + ci) * d.K + kh) * d.K + kw;
      dw[i] = f(dw[i] + s);
      for (let p = 0; p < HW; p++) abs[i] += Math.abs(term(p));
    }
  return { dw, scale: Math.max(...abs) };
}

/** Small shapes that reach every path: output widths below 8 (panels wrapping several rows), 8..16
 *  (one wrap), HW not a multiple of 4 or 8, no padding, padding larger than the image's need,
 *  kernels as large as the padded image, one channel, batch 1. */
const SHAPES: Shape[] = [
  [1, 1, 1, 1, 1, 1, 0], [1, 1, 5, 5, 1, 3, 1], [2, 3, 7, 5, 5, 3, 1], [1, 2, 9, 11, 3, 5, 2], [3, 1, 6, 7, 7, 5, 2],
  [2, 4, 3, 3, 6, 5, 2], [1, 2, 8, 8, 4, 3, 0], [1, 3, 10, 13, 2, 3, 1], [2, 1, 12, 12, 9, 5, 2], [1, 5, 4, 9, 3, 2, 0],
  [1, 2, 3, 17, 5, 4, 1], [2, 2, 2, 2, 3, 1, 0],
];

const conv = suite("assembly/conv");

conv("forward equals its twin bit for bit, and the twin is within f32's bound of the exact convolution", () => {
  const core = freshCore();
  let seed = 10;
  for (const shape of SHAPES) {
    const m = core.arena.mark();
    const s = setup(core, shape, (seed += 10));
    const fast = forward(core, true, s, shape);
    const ref = forward(core, false, s, shape);
    assertSameBits(fast, ref, `forward ${shape}`);
    const d = dims(shape);
    const { out, scale } = forwardExact(snap(core, s.inp, d.nIn), snap(core, s.w, d.nW), snap(core, s.b, d.Cout), d);
    assertClose(ref, out, `forward twin ${shape} vs exact`, (d.Cin * d.K * d.K + 1) * U * scale * 1.0001, 0);
    core.arena.reset(m);
  }
});

conv("backward adds into dinp and dbias the twin's bits, into dweight its documented order's bits", () => {
  const core = freshCore();
  let seed = 2000;
  for (const shape of SHAPES) {
    const m = core.arena.mark();
    const s = setup(core, shape, (seed += 10));
    const d = dims(shape);
    const fast = backward(core, true, s, shape);
    const ref = backward(core, false, s, shape);
    assertSameBits(fast.dinp!, ref.dinp!, `dinp ${shape}`);
    assertSameBits(fast.db, ref.db, `dbias ${shape}`);
    const ord = dweightOrdered(snap(core, s.inp, d.nIn), snap(core, s.dout, d.nOut), snap(core, s.dw, d.nW), d);
    assertSameBits(fast.dw, ord.dw, `dweight ${shape} order`);
    // both within γ_(N HW + N) (Σ|dout x| + |dw0|) of the exact value
    assertClose(fast.dw, ref.dw, `dweight ${shape} vs twin`, 2 * (d.N * d.Ho * d.Wo + d.N) * U * ord.scale * 1.0001, 0);
    core.arena.reset(m);
  }
});

conv("dinp = 0 skips the input gradient and writes nothing at address 0", () => {
  const core = freshCore();
  const shape: Shape = [2, 3, 7, 9, 4, 3, 1];
  const s = setup(core, shape, 99);
  const d = dims(shape);
  const low = core.arena.u8(0, d.nIn * 4).slice();
  const fast = backward(core, true, s, shape, false);
  const ref = backward(core, false, s, shape, false);
  assert.equal(core.arena.u8(0, d.nIn * 4), low, "memory at 0 unchanged");
  assertSameBits(fast.db, ref.db, "dbias");
  const ord = dweightOrdered(snap(core, s.inp, d.nIn), snap(core, s.dout, d.nOut), snap(core, s.dw, d.nW), d);
  assertSameBits(fast.dw, ord.dw, "dweight");
});

conv("backward matches central finite differences of L = Σ G ⊙ out", () => {
  // conv2d is linear in each of inp, weight and bias, so the central difference (h = 1e-2) has no
  // truncation error; what remains is f32 rounding in the outputs a probe changes (Cin K K = 18
  // terms of size ≲ 0.5: ≈ 1e-7 each) over 2h: ≲ 1e-4 in total. Tolerance 1e-3 absolute + 1e-3 relative.
  const core = freshCore();
  const shape: Shape = [2, 2, 5, 6, 3, 3, 1];
  const d = dims(shape);
  const s = setup(core, shape, 31337);
  const G = snap(core, s.dout, d.nOut);
  const loss = () => {
    core.exports.conv2d_forward(s.out, s.inp, s.w, s.b, d.N, d.Cin, d.H, d.W, d.Cout, d.K, d.pad, s.ws);
    const o = core.arena.f32(s.out, d.nOut);
    let L = 0;
    for (let i = 0; i < d.nOut; i++) L += G[i] * o[i];
    return L;
  };
  core.arena.f32(s.dinp, d.nIn).fill(0);
  core.arena.f32(s.dw, d.nW).fill(0);
  core.arena.f32(s.db, d.Cout).fill(0);
  core.exports.conv2d_backward(s.dinp, s.dw, s.db, s.dout, s.inp, s.w, d.N, d.Cin, d.H, d.W, d.Cout, d.K, d.pad, s.ws);
  for (const [what, ptr, grad, n] of [
    ["dinp", s.inp, s.dinp, d.nIn], ["dweight", s.w, s.dw, d.nW], ["dbias", s.b, s.db, d.Cout],
  ] as const) {
    const idx = sampleIndices(n, 16);
    const fd = finiteDiff(core, ptr, idx, loss);
    const an = idx.map((i) => core.arena.f32(grad, n)[i]);
    assertClose(an, fd, `${what} vs finite differences`, 1e-3, 1e-3);
  }
});

conv("the network's layers agree with the twins (MNIST conv1, conv2; cs231n conv1, conv2)", () => {
  const core = freshCore();
  const layers: Shape[] = [[2, 1, 28, 28, 16, 5, 2], [2, 16, 14, 14, 32, 5, 2], [1, 1, 28, 28, 32, 5, 2], [1, 32, 28, 28, 16, 3, 1]];
  let seed = 5;
  for (const shape of layers) {
    const m = core.arena.mark();
    const s = setup(core, shape, (seed += 10));
    const d = dims(shape);
    assertSameBits(forward(core, true, s, shape), forward(core, false, s, shape), `forward ${shape}`);
    const fast = backward(core, true, s, shape);
    const ref = backward(core, false, s, shape);
    assertSameBits(fast.dinp!, ref.dinp!, `dinp ${shape}`);
    assertSameBits(fast.db, ref.db, `dbias ${shape}`);
    const ord = dweightOrdered(snap(core, s.inp, d.nIn), snap(core, s.dout, d.nOut), snap(core, s.dw, d.nW), d);
    assertSameBits(fast.dw, ord.dw, `dweight ${shape} order`);
    assertClose(fast.dw, ref.dw, `dweight ${shape} vs twin`, 2 * (d.N * d.Ho * d.Wo + d.N) * U * ord.scale * 1.0001, 0);
    core.arena.reset(m);
  }
});

conv("scratch is per image: conv2d_ws_bytes does not grow with N", () => {
  const core = freshCore();
  const a = core.exports.conv2d_ws_bytes(1, 16, 14, 14, 32, 5, 2);
  assert.is(core.exports.conv2d_ws_bytes(1000, 16, 14, 14, 32, 5, 2), a);
  assert.ok(a < 1 << 20, `conv2 scratch ${a} bytes`);
});

conv.run();
