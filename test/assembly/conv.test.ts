import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertClose, assertSameBits, freshCore, randomF32, snap, type Core } from "../helpers.js";
import { checkGradients, checkOp, GUARD, nanScratch, type Comparison, type Op } from "./check-op.js";

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

/** conv2d on `shape` as a checkOp op: inputs inp, w (in [-0.5, 0.5)), b. */
function convOp(core: Core, shape: Shape): Op {
  const d = dims(shape);
  const { N, Cin, H, W, Cout, K, pad } = d;
  const ex = core.exports;
  return {
    name: `conv2d ${shape}`,
    inputs: [{ name: "inp", n: d.nIn }, { name: "w", n: d.nW, lo: -0.5, hi: 0.5 }, { name: "b", n: Cout }],
    out: d.nOut,
    wsBytes: ex.conv2d_ws_bytes(N, Cin, H, W, Cout, K, pad),
    forward: (p, ws) => ex.conv2d_forward(p.out, p.inp, p.w, p.b, N, Cin, H, W, Cout, K, pad, ws),
    twin: (p) => ex.conv2d_forward_ref(p.out, p.inp, p.w, p.b, N, Cin, H, W, Cout, K, pad),
    backward: (g, p, ws) => ex.conv2d_backward(g.inp, g.w, g.b, p.dout, p.inp, p.w, N, Cin, H, W, Cout, K, pad, ws),
    backwardTwin: (g, p) => ex.conv2d_backward_ref(g.inp, g.w, g.b, p.dout, p.inp, p.w, N, Cin, H, W, Cout, K, pad),
  };
}

/** dweight: bit for bit against its documented order (dweightOrdered), and both it and the twin
 *  within γ_(N HW + N) (Σ|dout x| + |dw0|) of the exact value. */
function dweightCheck(core: Core, shape: Shape): Comparison {
  const d = dims(shape);
  return (fast, twin, what, b) => {
    const ord = dweightOrdered(snap(core, b.p.inp, d.nIn), snap(core, b.p.dout, d.nOut), snap(core, b.g.w, d.nW), d);
    assertSameBits(fast, ord.dw, `${what} order`);
    assertClose(fast, twin, `${what} vs twin`, 2 * (d.N * d.Ho * d.Wo + d.N) * U * ord.scale * 1.0001, 0);
  };
}

/** checkOp for conv2d: forward, dinp and dbias bit for bit against the twins, dweight by dweightCheck. */
function checkConv(core: Core, shape: Shape, seed: number, skip: string[] = []) {
  return checkOp(core, convOp(core, shape), seed, { grads: { w: dweightCheck(core, shape) }, skip });
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

/** dweight in its documented order: per image lane l sums the terms p ≡ l (mod 4), s = (l0 + l2) +
 *  (l1 + l3), added into dweight image by image.
 *  Also the largest Σ|dout x| + |dweight0| (the error scale of a plain sum). */
function dweightOrdered(x: Float32Array, dout: Float32Array, dw0: Float32Array, d: ReturnType<typeof dims>) {
  const HW = d.Ho * d.Wo;
  const dw = Float32Array.from(dw0);
  const abs = Float64Array.from(dw0, Math.abs);
  for (let n = 0; n < d.N; n++) for (let co = 0; co < d.Cout; co++) for (let ci = 0; ci < d.Cin; ci++)
    for (let kh = 0; kh < d.K; kh++) for (let kw = 0; kw < d.K; kw++) {
      const term = (p: number) => {
        const oh = Math.floor(p / d.Wo), ow = p % d.Wo;
        return f(dout[((n * d.Cout + co) * d.Ho + oh) * d.Wo + ow] * pix(x, d, n, ci, oh + kh - d.pad, ow + kw - d.pad));
      };
      const l = [0, 0, 0, 0];
      for (let p = 0; p < HW; p++) l[p & 3] = f(l[p & 3] + term(p));
      const s = f(f(l[0] + l[2]) + f(l[1] + l[3]));
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
    const { b, fwd } = checkOp(core, convOp(core, shape), (seed += 10), { backward: false });
    const d = dims(shape);
    const { out, scale } = forwardExact(snap(core, b.p.inp, d.nIn), snap(core, b.p.w, d.nW), snap(core, b.p.b, d.Cout), d);
    assertClose(fwd.twin, out, `forward twin ${shape} vs exact`, (d.Cin * d.K * d.K + 1) * U * scale * 1.0001, 0);
    core.arena.reset(m);
  }
});

conv("backward adds into dinp and dbias the twin's bits, into dweight its documented order's bits", () => {
  const core = freshCore();
  let seed = 2000;
  for (const shape of SHAPES) {
    const m = core.arena.mark();
    checkConv(core, shape, (seed += 10));
    core.arena.reset(m);
  }
});

conv("dinp = 0 skips the input gradient and writes nothing at address 0", () => {
  const core = freshCore();
  const shape: Shape = [2, 3, 7, 9, 4, 3, 1];
  const d = dims(shape);
  const low = core.arena.u8(0, d.nIn * 4).slice();
  const r = checkConv(core, shape, 99, ["inp"]);
  assert.equal(core.arena.u8(0, d.nIn * 4), low, "memory at 0 unchanged");
  assert.is(r.bwd!.fast.inp, undefined, "no dinp");
});

conv("backward matches central finite differences of L = Σ G ⊙ out", () => {
  // conv2d is linear in each of inp, weight and bias, so the central difference (h = 1e-2) has no
  // truncation error. What remains is the f32 rounding of the outputs a probe changes (at most
  // Cout K K = 27 of them, |out| ≲ 3, each off by ~1e-7) divided by 2h = 0.02: about 5e-5 for random
  // rounding (measured: ≤ 2e-5). Tolerance 1e-3 absolute + 1e-3 relative; a wrong gradient (a missed
  // tap or image, gradients here are 0.1 .. 5) misses it by orders of magnitude.
  const core = freshCore();
  checkGradients(core, convOp(core, [2, 2, 5, 6, 3, 3, 1]), 31337, { atol: 1e-3, rtol: 1e-3, k: 16 });
});

conv("the network's layers agree with the twins (MNIST conv1, conv2; cs231n conv1, conv2)", () => {
  const core = freshCore();
  const layers: Shape[] = [[2, 1, 28, 28, 16, 5, 2], [2, 16, 14, 14, 32, 5, 2], [1, 1, 28, 28, 32, 5, 2], [1, 32, 28, 28, 16, 3, 1]];
  let seed = 5;
  for (const shape of layers) {
    const m = core.arena.mark();
    checkConv(core, shape, (seed += 10));
    core.arena.reset(m);
  }
});

conv("backward in pieces (parameter items split anyhow, images split anyhow) = one conv2d_backward, bit for bit", () => {
  // What a multi-threaded host does (src/core/parallel.ts): dweight/dbias by ranges of work items,
  // dinp by ranges of images, each piece with its own scratch. Every element is owned by one piece and
  // summed in conv2d_backward's order, so the bits cannot depend on the split.
  const core = freshCore();
  const ex = core.exports;
  const shapes: Shape[] = [[3, 1, 28, 28, 16, 5, 2], [3, 16, 14, 14, 32, 5, 2], [2, 3, 7, 6, 5, 3, 1], [2, 6, 5, 5, 3, 3, 0]];
  let seed = 900;
  for (const shape of shapes) {
    const m = core.arena.mark();
    const d = dims(shape);
    const { N, Cin, H, W, Cout, K, pad } = d;
    const inp = randomF32(core, d.nIn, seed++), w = randomF32(core, d.nW, seed++, -0.5, 0.5);
    const dout = randomF32(core, d.nOut, seed++);
    const wsB = ex.conv2d_ws_bytes(N, Cin, H, W, Cout, K, pad);
    const grads = () => ({ dinp: randomF32(core, d.nIn, 7), dw: randomF32(core, d.nW, 8), db: randomF32(core, Cout, 9) });
    const ref = grads();
    ex.conv2d_backward(ref.dinp, ref.dw, ref.db, dout, inp, w, N, Cin, H, W, Cout, K, pad, core.arena.alloc(wsB));
    const items = ex.conv2d_param_items(Cin, Cout, K);
    for (const parts of [1, 2, 3, 5, items]) {
      const g = grads();
      for (let p = 0; p < parts; p++) {
        const i0 = Math.floor((items * p) / parts), i1 = Math.floor((items * (p + 1)) / parts);
        ex.conv2d_backward_params(g.dw, g.db, dout, inp, N, Cin, H, W, Cout, K, pad, core.arena.alloc(wsB), i0, i1);
        const n0 = Math.floor((N * p) / parts), n1 = Math.floor((N * (p + 1)) / parts);
        const img = Cin * H * W, oimg = Cout * d.Ho * d.Wo;
        ex.conv2d_backward_input(g.dinp + n0 * img * 4, dout + n0 * oimg * 4, w, n1 - n0, Cin, H, W, Cout, K, pad, core.arena.alloc(wsB));
      }
      const what = `${shape} in ${parts} pieces`;
      assertSameBits(snap(core, g.dw, d.nW), snap(core, ref.dw, d.nW), `${what}: dweight`);
      assertSameBits(snap(core, g.db, Cout), snap(core, ref.db, Cout), `${what}: dbias`);
      assertSameBits(snap(core, g.dinp, d.nIn), snap(core, ref.dinp, d.nIn), `${what}: dinp`);
    }
    core.arena.reset(m);
  }
});

conv("conv2d_backward_input equals its twin bit for bit (guarded, NaN scratch, adds into dinp)", () => {
  const core = freshCore();
  const ex = core.exports;
  let seed = 3000;
  for (const shape of [...SHAPES, [2, 16, 14, 14, 32, 5, 2] as Shape]) {
    const m = core.arena.mark();
    const base = convOp(core, shape);
    const { N, Cin, H, W, Cout, K, pad } = dims(shape);
    const op: Op = {
      ...base,
      name: `conv2d_backward_input ${shape}`,
      backward: (g, p, ws) => ex.conv2d_backward_input(g.inp, p.dout, p.w, N, Cin, H, W, Cout, K, pad, ws),
      backwardTwin: (g, p) => ex.conv2d_backward_input_ref(g.inp, p.dout, p.w, N, Cin, H, W, Cout, K, pad),
    };
    const { b, bwd } = checkOp(core, op, (seed += 10), { skip: ["w", "b"] });
    const g0 = snap(core, b.g.inp, dims(shape).nIn);
    assert.ok(bwd!.fast.inp.some((v, i) => v !== g0[i]), `${op.name}: dinp changed`);
    core.arena.reset(m);
  }
});

conv("conv2d_backward_params over item ranges equals its twin: dbias bit for bit, dweight to rounding", () => {
  const core = freshCore();
  const ex = core.exports;
  let seed = 4000;
  for (const shape of [...SHAPES, [2, 1, 28, 28, 16, 5, 2] as Shape, [2, 16, 14, 14, 32, 5, 2] as Shape]) {
    const m = core.arena.mark();
    const d = dims(shape);
    const { N, Cin, H, W, Cout, K, pad } = d;
    const HW = d.Ho * d.Wo;
    const inp = randomF32(core, d.nIn, seed++), dout = randomF32(core, d.nOut, seed++);
    const dw0 = snap(core, randomF32(core, d.nW, seed++), d.nW), db0 = snap(core, randomF32(core, Cout, seed++), Cout);
    const items = ex.conv2d_param_items(Cin, Cout, K);
    const P = Math.ceil(Cout / 2);
    for (const [i0, i1] of [[0, items], [0, 1], [Math.floor(items / 3), Math.ceil((2 * items) / 3)], [items - 1, items]]) {
      const run = (fast: boolean) => {
        const dw = core.arena.putF32(dw0), db = core.arena.putF32(db0);
        const ws = core.arena.alloc(ex.conv2d_ws_bytes(N, Cin, H, W, Cout, K, pad));
        if (fast) ex.conv2d_backward_params(dw, db, dout, inp, N, Cin, H, W, Cout, K, pad, ws, i0, i1);
        else ex.conv2d_backward_params_ref(dw, db, dout, inp, N, Cin, H, W, Cout, K, pad, i0, i1);
        return { dw: snap(core, dw, d.nW), db: snap(core, db, Cout) };
      };
      const fast = run(true), twin = run(false);
      const what = `${shape} items [${i0}, ${i1})`;
      assertSameBits(fast.db, twin.db, `${what}: dbias`);
      // the elements the range owns changed in both, the others in neither
      const owned = new Uint8Array(d.nW);
      for (let it = i0; it < i1; it++) {
        const g = Math.floor(it / P), pr = it % P;
        for (let co = 2 * pr; co < Math.min(2 * pr + 2, Cout); co++)
          for (let r = 4 * g; r < Math.min(4 * g + 4, d.Cin * K * K); r++) owned[co * d.Cin * K * K + r] = 1;
      }
      let scale = 0;
      const x = snap(core, inp, d.nIn), g = snap(core, dout, d.nOut);
      for (let i = 0; i < d.nW; i++) {
        if (!owned[i]) {
          assert.ok(Object.is(fast.dw[i], dw0[i]) && Object.is(twin.dw[i], dw0[i]), `${what}: dweight[${i}] not owned`);
          continue;
        }
        const co = Math.floor(i / (d.Cin * K * K)), r = i % (d.Cin * K * K);
        const ci = Math.floor(r / (K * K)), kh = Math.floor((r % (K * K)) / K), kw = r % K;
        let t = Math.abs(dw0[i]);
        for (let n = 0; n < N; n++) for (let p = 0; p < HW; p++) {
          const oh = Math.floor(p / d.Wo), ow = p % d.Wo;
          t += Math.abs(g[((n * Cout + co) * d.Ho + oh) * d.Wo + ow] * pix(x, d, n, ci, oh + kh - pad, ow + kw - pad));
        }
        scale = Math.max(scale, t);
      }
      assertClose(fast.dw, twin.dw, `${what}: dweight vs twin`, 2 * (N * HW + N) * U * scale * 1.0001, 0);
      if (i0 === 0 && i1 === items) {
        // the full range: the twin is conv2d_backward_ref's parameter half, bit for bit
        const dw = core.arena.putF32(dw0), db = core.arena.putF32(db0);
        ex.conv2d_backward_ref(0, dw, db, dout, inp, 0, N, Cin, H, W, Cout, K, pad);
        assertSameBits(twin.dw, snap(core, dw, d.nW), `${what}: params twin = backward twin (dweight)`);
        assertSameBits(twin.db, snap(core, db, Cout), `${what}: params twin = backward twin (dbias)`);
      }
    }
    core.arena.reset(m);
  }
});

conv("conv2d_relu_maxpool_forward = maxpool2d_forward(relu_forward(conv2d_forward)) = its twin, bit for bit", () => {
  // out and argmax against the three unfused kernels and against the direct-loop twin; inputs with
  // exact zeros and blank images make ReLU-zero windows (ties: the first wins) and -0 conv outputs.
  const core = freshCore();
  const ex = core.exports;
  let seed = 5000;
  const shapes: Shape[] = [...SHAPES, [3, 1, 28, 28, 16, 5, 2], [2, 16, 14, 14, 32, 5, 2], [1, 2, 9, 15, 5, 3, 1]];
  for (const shape of shapes) {
    const m = core.arena.mark();
    const d = dims(shape);
    const { N, Cin, H, W, Cout, K, pad } = d;
    const Po = d.Ho >> 1, Qo = d.Wo >> 1, np = N * Cout * Po * Qo;
    const x = snap(core, randomF32(core, d.nIn, seed++), d.nIn).map((v, i) => (i % 7 === 0 ? 0 : v));
    if (N > 1) x.fill(0, 0, Cin * H * W); // a blank first image: every output is the bias
    const inp = core.arena.putF32(x);
    const w = randomF32(core, d.nW, seed++, -0.5, 0.5), b = randomF32(core, Cout, seed++, -0.2, 0.2);
    const ws = nanScratch(core, ex.conv2d_ws_bytes(N, Cin, H, W, Cout, K, pad));
    const outs = () => ({ out: core.arena.alloc((np + GUARD) * 4), arg: core.arena.alloc((np + GUARD) * 4) });
    const fused = outs(), twin = outs(), three = outs();
    const guardOut = core.arena.f32(fused.out + np * 4, GUARD).fill(12345).slice();
    ex.conv2d_relu_maxpool_forward(fused.out, fused.arg, inp, w, b, N, Cin, H, W, Cout, K, pad, ws);
    assertSameBits(core.arena.f32(fused.out + np * 4, GUARD), guardOut, `${shape}: wrote past out`);
    ex.conv2d_relu_maxpool_forward_ref(twin.out, twin.arg, inp, w, b, N, Cin, H, W, Cout, K, pad);
    const conv = core.arena.alloc(d.nOut * 4);
    ex.conv2d_forward(conv, inp, w, b, N, Cin, H, W, Cout, K, pad, ws);
    ex.relu_forward(conv, conv, d.nOut);
    ex.maxpool2d_forward(three.out, three.arg, conv, N, Cout, d.Ho, d.Wo);
    const what = `conv2d_relu_maxpool ${shape}`;
    assertSameBits(snap(core, fused.out, np), snap(core, three.out, np), `${what}: out vs three kernels`);
    assertSameBits(snap(core, fused.out, np), snap(core, twin.out, np), `${what}: out vs twin`);
    assert.equal(core.arena.i32(fused.arg, np), core.arena.i32(three.arg, np), `${what}: argmax vs three kernels`);
    assert.equal(core.arena.i32(fused.arg, np), core.arena.i32(twin.arg, np), `${what}: argmax vs twin`);
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
