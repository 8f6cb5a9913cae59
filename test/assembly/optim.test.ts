import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertClose, assertSameBits, freshCore, randomF32, snap, type Core } from "../helpers.js";

const f = Math.fround;

interface Sgd { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean }
interface Adam { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number }

/** torch.optim.SGD in float64, straight from its documentation (no rounding anywhere). */
function sgdF64(p: number[], g: number[], buf: number[], c: Sgd, first: boolean): void {
  for (let i = 0; i < p.length; i++) {
    let d = g[i];
    if (c.weightDecay !== 0) d += c.weightDecay * p[i];
    if (c.momentum !== 0) {
      buf[i] = first ? d : c.momentum * buf[i] + (1 - c.dampening) * d;
      d = c.nesterov ? d + c.momentum * buf[i] : buf[i];
    }
    p[i] -= c.lr * d;
  }
}

/** torch.optim.Adam in float64 (step counts from 1). */
function adamF64(p: number[], g: number[], m: number[], v: number[], c: Adam, step: number): void {
  const bc1 = 1 - c.beta1 ** step, bc2 = 1 - c.beta2 ** step;
  for (let i = 0; i < p.length; i++) {
    const d = g[i] + c.weightDecay * p[i];
    m[i] = c.beta1 * m[i] + (1 - c.beta1) * d;
    v[i] = c.beta2 * v[i] + (1 - c.beta2) * d * d;
    p[i] -= (c.lr / bc1) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + c.eps);
  }
}

/** The kernels' exact f32 operation order, emulated with Math.fround (each f32 op is the f64 op
 *  rounded once, which is exact IEEE f32 arithmetic for + - * / sqrt). */
function sgdF32(p: Float32Array, g: Float32Array, buf: Float32Array, c: Sgd, first: boolean): void {
  const lr = f(c.lr), mom = f(c.momentum), wd = f(c.weightDecay), damp1 = f(1 - c.dampening);
  for (let i = 0; i < p.length; i++) {
    let d = g[i];
    const x = p[i];
    if (wd !== 0) d = f(d + f(wd * x));
    if (mom !== 0) {
      const b = first ? d : f(f(buf[i] * mom) + f(damp1 * d));
      buf[i] = b;
      d = c.nesterov ? f(d + f(mom * b)) : b;
    }
    p[i] = f(x - f(lr * d));
  }
}

function adamF32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, c: Adam, step: number): void {
  const b2 = f(c.beta2), wd = f(c.weightDecay), eps = f(c.eps);
  const bc1 = 1 - Math.pow(c.beta1, step), bc2 = 1 - Math.pow(c.beta2, step);
  const w1 = f(1 - c.beta1), w2 = f(1 - c.beta2), ss = f(c.lr / bc1), bc2s = f(Math.sqrt(bc2));
  for (let i = 0; i < p.length; i++) {
    let d = g[i];
    const x = p[i];
    if (wd !== 0) d = f(d + f(wd * x));
    const m1 = Math.abs(w1) < 0.5 ? f(m[i] + f(w1 * f(d - m[i]))) : f(d - f(f(d - m[i]) * f(1 - w1)));
    const v1 = f(f(v[i] * b2) + f(f(w2 * d) * d));
    m[i] = m1;
    v[i] = v1;
    p[i] = f(x - f(f(ss * m1) / f(f(f(Math.sqrt(v1)) / bc2s) + eps)));
  }
}

/** Runs `steps` SGD steps through the kernel `fn` with gradients gs[t]; returns p and buf. */
function runSgd(core: Core, fn: "sgd_step" | "sgd_step_ref", p0: ArrayLike<number>, gs: ArrayLike<number>[], c: Sgd) {
  const n = p0.length, mk = core.arena.mark();
  const p = core.arena.putF32(p0), buf = core.arena.allocF32(n), g = core.arena.allocF32(n);
  gs.forEach((gt, t) => {
    core.arena.f32(g, n).set(gt);
    core.exports[fn](p, g, buf, n, c.lr, c.momentum, c.dampening, c.weightDecay, c.nesterov ? 1 : 0, t === 0 ? 1 : 0);
  });
  const r = { p: snap(core, p, n), buf: snap(core, buf, n) };
  core.arena.reset(mk);
  return r;
}

function runAdam(core: Core, fn: "adam_step" | "adam_step_ref", p0: ArrayLike<number>, gs: ArrayLike<number>[], c: Adam) {
  const n = p0.length, mk = core.arena.mark();
  const p = core.arena.putF32(p0), m = core.arena.allocF32(n), v = core.arena.allocF32(n), g = core.arena.allocF32(n);
  gs.forEach((gt, t) => {
    core.arena.f32(g, n).set(gt);
    core.exports[fn](p, g, m, v, n, c.lr, c.beta1, c.beta2, c.eps, c.weightDecay, t + 1);
  });
  const r = { p: snap(core, p, n), m: snap(core, m, n), v: snap(core, v, n) };
  core.arena.reset(mk);
  return r;
}

function randomSteps(core: Core, n: number, steps: number, seed: number): Float32Array[] {
  return Array.from({ length: steps }, (_, t) => snap(core, randomF32(core, n, seed + t), n));
}

const SGD_CONFIGS: Sgd[] = [
  { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
  { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
  { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 5e-4, nesterov: false },
  { lr: 0.01, momentum: 0.8, dampening: 0, weightDecay: 1e-2, nesterov: true },
];
const ADAM_CONFIGS: Adam[] = [
  { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
  { lr: 3e-3, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 1e-2 },
  { lr: 1e-2, beta1: 0.3, beta2: 0.9, eps: 1e-8, weightDecay: 0 }, // 1 - beta1 >= 0.5: lerp's other branch
];
const SIZES = [1, 3, 4, 5, 7, 9, 33, 1001];

const sgd = suite("assembly/optim sgd_step");

sgd("hand-computed steps: weight decay, momentum (first step buf = g), nesterov, dampening", () => {
  const core = freshCore();
  const g = [[0.5], [0.5]];
  for (const fn of ["sgd_step", "sgd_step_ref"] as const) {
    // d = 0.5 + 0.01 * 1 = 0.51, buf = 0.51, p = 1 - 0.1 * 0.51 = 0.949;
    // d = 0.5 + 0.01 * 0.949 = 0.50949, buf = 0.9 * 0.51 + 0.50949 = 0.96849, p = 0.949 - 0.096849 = 0.852151
    let r = runSgd(core, fn, [1], g, { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: false });
    assertClose(r.p, [0.852151], `${fn} momentum + wd: p`, 1e-7, 0);
    assertClose(r.buf, [0.96849], `${fn} momentum + wd: buf`, 1e-7, 0);
    // nesterov: step 1 d = 0.51 + 0.9 * 0.51 = 0.969, p = 0.9031;
    // step 2 d = 0.509031, buf = 0.459 + 0.509031 = 0.968031, d = 0.509031 + 0.9 * 0.968031 = 1.3802589,
    // p = 0.9031 - 0.13802589 = 0.76507411
    r = runSgd(core, fn, [1], g, { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: true });
    assertClose(r.p, [0.76507411], `${fn} nesterov: p`, 1e-7, 0);
    assertClose(r.buf, [0.968031], `${fn} nesterov: buf`, 1e-7, 0);
    // dampening 0.5 is not applied on the first step (PyTorch clones g into buf): buf = 0.5, p = 0.95;
    // then buf = 0.9 * 0.5 + 0.5 * 0.5 = 0.7, p = 0.95 - 0.07 = 0.88
    r = runSgd(core, fn, [1], g, { lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0, nesterov: false });
    assertClose(r.p, [0.88], `${fn} dampening: p`, 1e-7, 0);
    assertClose(r.buf, [0.7], `${fn} dampening: buf`, 1e-7, 0);
    // plain: p = 2 - 0.1 * 0.5 - 0.1 * 0.5 = 1.9
    r = runSgd(core, fn, [2], g, { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false });
    assertClose(r.p, [1.9], `${fn} plain: p`, 1e-7, 0);
  }
});

sgd("without momentum the buffer is never touched", () => {
  const core = freshCore();
  const n = 7;
  const p = randomF32(core, n, 1), g = randomF32(core, n, 2);
  const buf = core.arena.putF32(new Array(n).fill(123));
  for (const fn of ["sgd_step", "sgd_step_ref"] as const) {
    core.exports[fn](p, g, buf, n, 0.1, 0, 0, 0.01, 0, 1);
    core.exports[fn](p, g, buf, n, 0.1, 0, 0, 0.01, 1, 0);
    assert.equal(Array.from(core.arena.f32(buf, n)), new Array(n).fill(123), fn);
  }
});

sgd("several steps agree with float64 torch.optim.SGD formulas and bit for bit with the f32 op order", () => {
  const core = freshCore();
  const n = 37, steps = 6;
  const p0 = snap(core, randomF32(core, n, 10), n);
  const gs = randomSteps(core, n, steps, 20);
  for (const c of SGD_CONFIGS) {
    const pd = Array.from(p0), bd = new Array(n).fill(0);
    const pf = p0.slice(), bf = new Float32Array(n);
    gs.forEach((gt, t) => {
      sgdF64(pd, Array.from(gt), bd, c, t === 0);
      sgdF32(pf, gt, bf, c, t === 0);
    });
    const r = runSgd(core, "sgd_step_ref", p0, gs, c);
    const what = JSON.stringify(c);
    assertSameBits(r.p, pf, `${what}: p vs f32 emulation`);
    assertSameBits(r.buf, bf, `${what}: buf vs f32 emulation`);
    // |p| < 1 throughout: each step rounds p to f32 (half an ulp, <= 3e-8) plus smaller roundings of
    // lr * d and of buf; 4e-8 per step bounds what float64 can disagree by.
    assertClose(r.p, pd, `${what}: p vs float64`, steps * 4e-8, 0);
  }
});

sgd("SIMD equals its scalar twin bit for bit on odd sizes over several steps", () => {
  const core = freshCore();
  for (const n of SIZES) {
    const p0 = snap(core, randomF32(core, n, n), n);
    const gs = randomSteps(core, n, 4, 100 + n);
    for (const c of SGD_CONFIGS) {
      const a = runSgd(core, "sgd_step", p0, gs, c), b = runSgd(core, "sgd_step_ref", p0, gs, c);
      assertSameBits(a.p, b.p, `n=${n} ${JSON.stringify(c)}: p`);
      assertSameBits(a.buf, b.buf, `n=${n} ${JSON.stringify(c)}: buf`);
    }
  }
});

sgd.run();

const adam = suite("assembly/optim adam_step");

adam("hand-computed steps of torch.optim.Adam", () => {
  const core = freshCore();
  for (const fn of ["adam_step", "adam_step_ref"] as const) {
    // lr 0.01, betas (0.9, 0.999), eps 1e-8, g = 0.5, -0.25, 0.125 from p = 1:
    // t=1: m = 0.05, v = 0.00025, bc1 = 0.1, bc2 = 0.001, denom = 0.5 + 1e-8, p = 1 - 0.1 * 0.05 / denom = 0.9900000002
    // t=2: m = 0.02, v = 0.00031225, bc1 = 0.19, bc2 = 0.001999, denom = 0.395225390701667, p = 0.9873366298707846
    // t=3: m = 0.0305, v = 0.00032756275, bc1 = 0.271, bc2 = 0.002997001, denom = 0.3306007416156409,
    //      p = 0.9839323384916654
    const c: Adam = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
    // f32 state: each value within an f32 ulp or two (p near 1: ulp 6e-8; m, v: relative 6e-8 each).
    let r = runAdam(core, fn, [1], [[0.5]], c);
    assertClose(r.p, [0.9900000002], `${fn} t=1 p`, 1e-7, 0);
    assertClose(r.m, [0.05], `${fn} t=1 m`, 0, 1.2e-7);
    assertClose(r.v, [0.00025], `${fn} t=1 v`, 0, 1.2e-7);
    r = runAdam(core, fn, [1], [[0.5], [-0.25], [0.125]], c);
    assertClose(r.p, [0.9839323384916654], `${fn} t=3 p`, 2e-7, 0);
    assertClose(r.m, [0.0305], `${fn} t=3 m`, 0, 2.4e-7);
    assertClose(r.v, [0.00032756275], `${fn} t=3 v`, 0, 2.4e-7);
    // weight decay 0.1 (added to g, Adam not AdamW) and beta1 = 0.3:
    // t=1: d = 0.6, m = 0.42, v = 0.00036, p = 0.9900000001666667
    // t=2: d = -0.25 + 0.1 * 0.9900000001666667 = -0.15099999998333333, m = 0.0203000000116667,
    //      v = 0.000382440999994967, p = 0.9894899900271222
    const w: Adam = { lr: 0.01, beta1: 0.3, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
    r = runAdam(core, fn, [1], [[0.5]], w);
    assertClose(r.p, [0.9900000001666667], `${fn} wd t=1 p`, 1e-7, 0);
    r = runAdam(core, fn, [1], [[0.5], [-0.25]], w);
    assertClose(r.p, [0.9894899900271222], `${fn} wd t=2 p`, 2e-7, 0);
    assertClose(r.m, [0.0203000000116667], `${fn} wd t=2 m`, 0, 1e-6);
  }
});

adam("the first step moves every parameter by about lr * sign(g) (bias correction)", () => {
  const core = freshCore();
  const n = 9;
  const p0 = snap(core, randomF32(core, n, 3), n);
  const g = snap(core, randomF32(core, n, 4), n);
  const r = runAdam(core, "adam_step", p0, [g], ADAM_CONFIGS[0]);
  for (let i = 0; i < n; i++) {
    const moved = p0[i] - r.p[i];
    assert.ok(Math.abs(moved - 1e-3 * Math.sign(g[i])) < 1e-6, `element ${i}: moved ${moved}, g ${g[i]}`);
  }
});

adam("several steps agree with float64 torch.optim.Adam formulas and bit for bit with the f32 op order", () => {
  const core = freshCore();
  const n = 37, steps = 8;
  const p0 = snap(core, randomF32(core, n, 30), n);
  const gs = randomSteps(core, n, steps, 40);
  for (const c of ADAM_CONFIGS) {
    const pd = Array.from(p0), md = new Array(n).fill(0), vd = new Array(n).fill(0);
    const pf = p0.slice(), mf = new Float32Array(n), vf = new Float32Array(n);
    gs.forEach((gt, t) => {
      adamF64(pd, Array.from(gt), md, vd, c, t + 1);
      adamF32(pf, gt, mf, vf, c, t + 1);
    });
    const r = runAdam(core, "adam_step_ref", p0, gs, c);
    const what = JSON.stringify(c);
    assertSameBits(r.p, pf, `${what}: p vs f32 emulation`);
    assertSameBits(r.m, mf, `${what}: m vs f32 emulation`);
    assertSameBits(r.v, vf, `${what}: v vs f32 emulation`);
    // |p| < 1 throughout: each step rounds p to f32 (half an ulp, <= 3e-8) and moves it by about lr
    // with an f32-computed step whose error stays below 1e-6 of lr (m's rounding, which cancellation
    // near m = 0 makes large only relative to a small m).
    assertClose(r.p, pd, `${what}: p vs float64`, steps * (3e-8 + 1e-6 * c.lr), 0);
  }
});

adam("SIMD equals its scalar twin bit for bit on odd sizes over several steps", () => {
  const core = freshCore();
  for (const n of SIZES) {
    const p0 = snap(core, randomF32(core, n, n), n);
    const gs = randomSteps(core, n, 5, 200 + n);
    for (const c of ADAM_CONFIGS) {
      const a = runAdam(core, "adam_step", p0, gs, c), b = runAdam(core, "adam_step_ref", p0, gs, c);
      const what = `n=${n} ${JSON.stringify(c)}`;
      assertSameBits(a.p, b.p, `${what}: p`);
      assertSameBits(a.m, b.m, `${what}: m`);
      assertSameBits(a.v, b.v, `${what}: v`);
    }
  }
});

adam.run();
