import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore, randomF32, assertClose, assertSameBits, sampleIndices, type Core } from "../helpers.js";
import { Model } from "../../src/nn/model.js";
import { PRESETS, type ModelSpec } from "../../src/nn/spec.js";
import { Stream } from "../../src/core/streams.js";
import { attribute as vanilla } from "../../src/explain/saliency.js";
import { attribute as inputxgrad } from "../../src/explain/inputxgrad.js";
import { noiseTunnel } from "../../src/explain/smoothgrad.js";
import { attribute as ig } from "../../src/explain/ig.js";
import { attribute as gradcam, gradcamLayer } from "../../src/explain/gradcam.js";
import { attribute as occlusion } from "../../src/explain/occlusion.js";
import { METHODS, DEFAULT_METHODS, attributeMany, attributeWith, parseMethods } from "../../src/explain/methods.js";

const LINEAR: ModelSpec = { input: [1, 28, 28], layers: [{ type: "linear", out: 10 }] };

function images(core: Core, n: number, seed: number): Float32Array {
  return core.arena.f32(randomF32(core, n * 784, seed, 0, 1), n * 784).slice();
}

function model(core: Core, spec: ModelSpec, capacity: number, seed = 11): Model {
  const m = new Model(core, spec, capacity);
  m.init(seed);
  return m;
}

/** A parameter tensor of layer `layer` as a live view. */
function param(m: Model, layer: number, name: "weight" | "bias"): Float32Array {
  const t = m.tensors.find((x) => x.layer === layer && x.name === name)!;
  return m.core.arena.f32(m.params + t.offset * 4, t.count);
}

/** The score z_c of one image by a forward pass of its own. */
function logit(m: Model, x: Float32Array, c: number): number {
  m.setInput(x, 1);
  m.forward(1);
  return m.core.arena.f32(m.logits, m.classes)[c];
}

// ---- Input x Gradient and Integrated Gradients ------------------------------------------------

const ixg = suite("explain/inputxgrad");

ixg("on a model linear in its input, x * w_c: each pixel's exact contribution to the logit", () => {
  const core = freshCore();
  const m = model(core, LINEAR, 4);
  const x = images(core, 3, 5);
  const labels = [2, 7, 9];
  const r = inputxgrad(m, x, labels);
  const W = param(m, 0, "weight").slice();
  const expect = new Float32Array(3 * 784);
  for (let i = 0; i < 3; i++)
    for (let p = 0; p < 784; p++) expect[i * 784 + p] = Math.fround(x[i * 784 + p] * W[labels[i] * 784 + p]);
  assertSameBits(r.signed, expect, "x * w");
  for (let i = 0; i < r.abs.length; i++) assert.is(r.abs[i], Math.abs(r.signed[i]));
});

ixg("on the CNN, x_p d z / d x_p equals central differences of z along x_p's own scale", () => {
  const core = freshCore();
  const m = model(core, PRESETS.tutorial, 2);
  const x = images(core, 1, 8);
  const r = inputxgrad(m, x, [4]);
  const idx = sampleIndices(784, 10);
  const h = 1e-2;
  const fd = idx.map((p) => {
    const a = x.slice(),
      b = x.slice();
    a[p] *= 1 + h;
    b[p] *= 1 - h;
    return (logit(m, a, 4) - logit(m, b, 4)) / (2 * h);
  });
  assertClose(
    idx.map((p) => r.signed[p]),
    fd,
    "IxG vs finite differences",
    2e-3,
    5e-2,
  );
});

const igS = suite("explain/ig");

igS("on a model linear in its input, IG equals Input x Gradient and completeness holds", () => {
  const core = freshCore();
  const m = model(core, LINEAR, 16);
  const x = images(core, 3, 6);
  const labels = [0, 4, 8];
  const a = ig(m, x, labels);
  const b = inputxgrad(m, x, labels);
  assertClose(a.signed, b.signed, "IG vs IxG", 1e-7, 1e-5);
  for (let i = 0; i < 3; i++) {
    const fx = logit(m, x.subarray(i * 784, (i + 1) * 784), labels[i]);
    const f0 = logit(m, new Float32Array(784), labels[i]);
    assertClose([a.scoreInput[i], a.scoreBaseline[i]], [fx, f0], `end scores of image ${i}`, 0, 0);
    let sum = 0;
    for (let p = 0; p < 784; p++) sum += a.signed[i * 784 + p];
    assert.is(a.gap[i], sum - (fx - f0), "gap = sum(attr) - (f(x) - f(0))");
    assert.ok(Math.abs(a.gap[i]) < 1e-5 * (1 + Math.abs(fx - f0)), `completeness gap ${a.gap[i]} of image ${i}`);
  }
});

igS("on the CNN, IG is x times the trapezoid-weighted vanilla gradients at a x, a = k / (m - 1)", () => {
  const core = freshCore();
  const m = model(core, PRESETS.tutorial, 32);
  const x = images(core, 2, 9);
  const labels = [3, 5];
  const steps = 7;
  const a = ig(m, x, labels, { steps });
  for (let i = 0; i < 2; i++) {
    const xi = x.subarray(i * 784, (i + 1) * 784);
    const acc = new Float64Array(784);
    for (let k = 0; k < steps; k++) {
      const al = Math.fround(k / (steps - 1));
      const g = vanilla(
        m,
        xi.map((v) => al * v),
        [labels[i]],
      ).signed;
      const w = (k === 0 || k === steps - 1 ? 0.5 : 1) / (steps - 1);
      for (let p = 0; p < 784; p++) acc[p] += w * g[p];
    }
    assertClose(
      a.signed.subarray(i * 784, (i + 1) * 784),
      xi.map((v, p) => v * acc[p]),
      `image ${i}`,
      1e-7,
      1e-5,
    );
  }
});

igS("the completeness gap shrinks as the path gets more points", () => {
  const core = freshCore();
  const m = model(core, PRESETS.tutorial, 64);
  const x = images(core, 2, 10);
  const coarse = ig(m, x, [1, 2], { steps: 4 });
  const fine = ig(m, x, [1, 2], { steps: 200 });
  const sum = (g: Float64Array) => Math.abs(g[0]) + Math.abs(g[1]);
  assert.ok(sum(fine.gap) < sum(coarse.gap), `gap with 200 points ${sum(fine.gap)} vs 4 points ${sum(coarse.gap)}`);
});

// ---- SmoothGrad, SmoothGrad^2, VarGrad --------------------------------------------------------

const sg = suite("explain/smoothgrad");

sg("with sigma 0, SmoothGrad is vanilla bit for bit, SmoothGrad^2 its square, VarGrad 0", () => {
  const core = freshCore();
  const m = model(core, PRESETS.tutorial, 10);
  const x = images(core, 3, 12);
  const labels = [1, 5, 9];
  const v = vanilla(m, x, labels);
  const t = noiseTunnel(m, x, labels, { noiseLevel: 0, samples: 5 });
  assertSameBits(t.smoothgrad.signed, v.signed, "smoothgrad");
  assertSameBits(
    t.smoothgrad2.signed,
    v.signed.map((g) => g * g),
    "smoothgrad2",
  );
  assert.ok(
    t.vargrad.signed.every((g) => g === 0),
    "vargrad",
  );
});

sg("the maps are the mean, mean square and variance of vanilla maps at x + the stream's noise", () => {
  const core = freshCore();
  const m = model(core, PRESETS.tutorial, 8);
  const x = images(core, 2, 13);
  const labels = [0, 6];
  const ids = [1234, 77];
  const n = 6;
  const t = noiseTunnel(m, x, labels, { samples: n, seed: 3, ids });
  for (let i = 0; i < 2; i++) {
    const xi = x.subarray(i * 784, (i + 1) * 784);
    let lo = Infinity,
      hi = -Infinity;
    for (const v of xi) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const sigma = Math.fround(0.15 * (hi - lo));
    assert.is(t.sigma[i], sigma);
    const st = core.arena.alloc(16);
    const noise = core.arena.alloc(n * 784 * 4);
    core.exports.rng_seed(st, 3, Stream.SMOOTHGRAD, ids[i], 0, 0);
    core.exports.rng_fill_normal(st, noise, n * 784, 0, sigma);
    const e = core.arena.f32(noise, n * 784).slice();
    const gs = Array.from(
      { length: n },
      (_, s) =>
        vanilla(
          m,
          xi.map((v, p) => v + e[s * 784 + p]),
          [labels[i]],
        ).signed,
    );
    const mean = new Float64Array(784),
      sq = new Float64Array(784),
      vr = new Float64Array(784);
    for (const g of gs)
      for (let p = 0; p < 784; p++) {
        mean[p] += g[p] / n;
        sq[p] += (g[p] * g[p]) / n;
      }
    for (const g of gs) for (let p = 0; p < 784; p++) vr[p] += (g[p] - mean[p]) ** 2 / n;
    const sl = (a: Float32Array) => a.subarray(i * 784, (i + 1) * 784);
    assertClose(sl(t.smoothgrad.signed), mean, `smoothgrad ${i}`, 1e-8, 1e-5);
    assertClose(sl(t.smoothgrad2.signed), sq, `smoothgrad2 ${i}`, 1e-10, 1e-5);
    assertClose(sl(t.vargrad.signed), vr, `vargrad ${i}`, 1e-10, 1e-4);
  }
});

sg("an image's maps depend on its stream id, not on the batch it runs in", () => {
  const core = freshCore();
  const big = model(core, PRESETS.tutorial, 7);
  const one = model(core, PRESETS.tutorial, 3);
  const x = images(core, 3, 14);
  const all = noiseTunnel(big, x, [1, 2, 3], { samples: 4, ids: [10, 20, 30], seed: 9 });
  const alone = noiseTunnel(one, x.subarray(784, 1568), [2], { samples: 4, ids: [20], seed: 9 });
  assertSameBits(all.smoothgrad.signed.subarray(784, 1568), alone.smoothgrad.signed, "smoothgrad");
  assertSameBits(all.vargrad.signed.subarray(784, 1568), alone.vargrad.signed, "vargrad");
  const other = noiseTunnel(one, x.subarray(784, 1568), [2], { samples: 4, ids: [21], seed: 9 });
  assert.not.equal(Array.from(other.smoothgrad.signed), Array.from(alone.smoothgrad.signed));
});

// ---- Grad-CAM ---------------------------------------------------------------------------------

const gc = suite("explain/gradcam");

gc("a hand-built net: conv 1x1 (w = 1, 2), ReLU, linear with constant weights per channel", () => {
  // A_0 = relu(x) = x, A_1 = relu(2x) = 2x for x >= 0; S_c = v_c0 sum A_0 + v_c1 sum A_1, so
  // alpha_k = v_ck and the map is ReLU((v_c0 + 2 v_c1) x), at input resolution (no upsampling).
  const core = freshCore();
  const spec: ModelSpec = {
    input: [1, 28, 28],
    layers: [{ type: "conv", out: 2, k: 1, pad: 0 }, { type: "relu" }, { type: "linear", out: 3 }],
  };
  const m = new Model(core, spec, 4);
  param(m, 0, "weight").set([1, 2]);
  param(m, 0, "bias").set([0, 0]);
  const v = [
    [0.5, 0.25],
    [1, -1],
    [-0.3, 0.1],
  ]; // classes: +1, -1, -0.1 times x
  const V = param(m, 2, "weight");
  for (let c = 0; c < 3; c++) for (let k = 0; k < 2; k++) V.fill(v[c][k], c * 1568 + k * 784, c * 1568 + (k + 1) * 784);
  param(m, 2, "bias").fill(0);
  assert.is(gradcamLayer(m), 1);
  const x = images(core, 3, 15);
  const r = gradcam(m, x, [0, 1, 2]);
  for (let i = 0; i < 3; i++) {
    const f = v[i][0] + 2 * v[i][1];
    const xi = x.subarray(i * 784, (i + 1) * 784);
    assertClose(
      r.signed.subarray(i * 784, (i + 1) * 784),
      xi.map((p) => f * p),
      `signed ${i}`,
      1e-7,
      1e-6,
    );
    assertClose(
      r.abs.subarray(i * 784, (i + 1) * 784),
      xi.map((p) => Math.max(0, f * p)),
      `abs ${i}`,
      1e-7,
      1e-6,
    );
  }
});

/** torch.nn.functional.interpolate(mode="bilinear", align_corners=False) of an h x w map to H x W. */
function bilinear(map: ArrayLike<number>, h: number, w: number, H: number, W: number): Float64Array {
  const src = (d: number, n: number, N: number) => {
    const s = Math.max(0, (n / N) * (d + 0.5) - 0.5);
    const i0 = Math.min(Math.floor(s), n - 1);
    const i1 = Math.min(i0 + 1, n - 1);
    return [i0, i1, s - i0] as const;
  };
  const out = new Float64Array(H * W);
  for (let y = 0; y < H; y++) {
    const [y0, y1, fy] = src(y, h, H);
    for (let x = 0; x < W; x++) {
      const [x0, x1, fx] = src(x, w, W);
      const top = (1 - fx) * map[y0 * w + x0] + fx * map[y0 * w + x1];
      const bot = (1 - fx) * map[y1 * w + x0] + fx * map[y1 * w + x1];
      out[y * W + x] = (1 - fy) * top + fy * bot;
    }
  }
  return out;
}

gc("after pooling, the 14 x 14 map is upsampled bilinearly (align_corners=False) to 28 x 28", () => {
  // conv 1x1 (w = 1), ReLU, maxpool, conv 1x1 (w = 1, 3), ReLU, linear (constant per channel):
  // A_k = w_k P with P = maxpool(x), so the map is ReLU((v_c0 + 3 v_c1) P) upsampled.
  const core = freshCore();
  const spec: ModelSpec = {
    input: [1, 28, 28],
    layers: [
      { type: "conv", out: 1, k: 1, pad: 0 },
      { type: "relu" },
      { type: "maxpool" },
      { type: "conv", out: 2, k: 1, pad: 0 },
      { type: "relu" },
      { type: "linear", out: 2 },
    ],
  };
  const m = new Model(core, spec, 2);
  param(m, 0, "weight").set([1]);
  param(m, 0, "bias").set([0]);
  param(m, 3, "weight").set([1, 3]);
  param(m, 3, "bias").set([0, 0]);
  const v = [
    [0.5, 0.5],
    [0.2, -0.4],
  ];
  const V = param(m, 5, "weight");
  for (let c = 0; c < 2; c++) for (let k = 0; k < 2; k++) V.fill(v[c][k], c * 392 + k * 196, c * 392 + (k + 1) * 196);
  param(m, 5, "bias").fill(0);
  const x = images(core, 2, 16);
  const r = gradcam(m, x, [0, 1]);
  assert.equal(r.camShape, [14, 14]);
  for (let i = 0; i < 2; i++) {
    const P = new Float64Array(196);
    for (let a = 0; a < 14; a++)
      for (let b = 0; b < 14; b++) {
        const at = (y: number, z: number) => x[i * 784 + y * 28 + z];
        P[a * 14 + b] = Math.max(
          at(2 * a, 2 * b),
          at(2 * a, 2 * b + 1),
          at(2 * a + 1, 2 * b),
          at(2 * a + 1, 2 * b + 1),
        );
      }
    const f = v[i][0] + 3 * v[i][1];
    assertClose(
      r.abs.subarray(i * 784, (i + 1) * 784),
      bilinear(
        P.map((p) => Math.max(0, f * p)),
        14,
        14,
        28,
        28,
      ),
      `abs ${i}`,
      1e-7,
      1e-5,
    );
    assertClose(
      r.signed.subarray(i * 784, (i + 1) * 784),
      bilinear(
        P.map((p) => f * p),
        14,
        14,
        28,
        28,
      ),
      `signed ${i}`,
      1e-7,
      1e-5,
    );
  }
});

// ---- Occlusion --------------------------------------------------------------------------------

const oc = suite("explain/occlusion");

oc("on a linear model each patch's drop is its w . x, and a pixel's value the mean over its patches", () => {
  const core = freshCore();
  const m = model(core, LINEAR, 50);
  const x = images(core, 2, 17);
  const labels = [3, 8];
  const r = occlusion(m, x, labels);
  assert.equal(r.grid, [13, 13]);
  const W = param(m, 0, "weight");
  for (let i = 0; i < 2; i++) {
    const wx = (y0: number, x0: number) => {
      let s = 0;
      for (let y = y0; y < y0 + 4; y++)
        for (let z = x0; z < x0 + 4; z++) s += W[labels[i] * 784 + y * 28 + z] * x[i * 784 + y * 28 + z];
      return s;
    };
    const expect = Array.from({ length: 169 }, (_, q) => wx(Math.floor(q / 13) * 2, (q % 13) * 2));
    assertClose(r.drops.subarray(i * 169, (i + 1) * 169), expect, `drops ${i}`, 1e-5, 1e-4);
    // pixel (0, 0): patch (0, 0) only; pixel (3, 2): patches rows {0, 2} x columns {0, 2}.
    assertClose([r.signed[i * 784]], [r.drops[i * 169]], "corner");
    const d = (a: number, b: number) => r.drops[i * 169 + a * 13 + b];
    assertClose([r.signed[i * 784 + 3 * 28 + 2]], [(d(0, 0) + d(0, 1) + d(1, 0) + d(1, 1)) / 4], "inner pixel");
  }
});

oc("patch and stride are configurable; a patch that does not tile leaves uncovered pixels at 0", () => {
  const core = freshCore();
  const m = model(core, LINEAR, 50);
  const x = images(core, 1, 18);
  const r = occlusion(m, x, [1], { patch: 5, stride: 5 });
  assert.equal(r.grid, [5, 5]);
  for (let p = 25; p < 28; p++) assert.is(r.signed[p], 0, `column ${p} of row 0`);
  assert.throws(() => occlusion(m, x, [1], { patch: 0 }), /patch must be/);
  assert.throws(() => occlusion(m, x, [1], { stride: 1.5 }), /stride must be/);
});

// ---- All methods ------------------------------------------------------------------------------

const all = suite("explain/methods");

all("the registry: names, the default list, parsing", () => {
  assert.equal(
    DEFAULT_METHODS,
    METHODS.filter((m) => m !== "occlusion"),
  );
  assert.equal(parseMethods("ig, vanilla"), ["vanilla", "ig"]);
  assert.equal(parseMethods("all"), [...METHODS]);
  assert.throws(() => parseMethods("lime"), /unknown method 'lime'/);
  assert.throws(() => parseMethods(""), /no method/);
});

all("same seed, same bytes: every method twice on fresh cores, and at another batch capacity", () => {
  const run = (capacity: number) => {
    const core = freshCore();
    const m = model(core, PRESETS.tutorial, capacity);
    const x = images(core, 3, 19);
    return attributeMany(METHODS, m, x, [2, 4, 6], { seed: 5, ids: [7, 8, 9], samples: 3, steps: 5 });
  };
  const a = run(64),
    b = run(64),
    c = run(5);
  for (const name of METHODS) {
    assertSameBits(a.get(name)!.signed, b.get(name)!.signed, `${name} twice`);
    assertSameBits(a.get(name)!.signed, c.get(name)!.signed, `${name} at capacity 5`);
    assertSameBits(a.get(name)!.abs, c.get(name)!.abs, `${name} abs at capacity 5`);
  }
});

all("attributeMany equals one call per method; no method touches labels, probs or parameters", () => {
  const core = freshCore();
  const m = model(core, PRESETS.tutorial, 20);
  const x = images(core, 2, 20);
  m.setLabels([9, 9], 2);
  const labelsBefore = core.arena.i32(m.labels, m.capacity).slice();
  const probsBefore = core.arena.f32(m.probs, m.capacity * 10).slice();
  const params = m.getParams();
  const opts = { samples: 3, steps: 4, target: "predicted" as const, score: "softmax" as const };
  const many = attributeMany(METHODS, m, x, [0, 1], opts);
  for (const name of METHODS) {
    const one = attributeWith(name, m, x, [0, 1], opts);
    assertSameBits(many.get(name)!.signed, one.signed, name);
    assert.equal(Array.from(one.target), Array.from(one.predicted), `${name} explains the prediction`);
  }
  assert.equal(Array.from(core.arena.i32(m.labels, m.capacity)), Array.from(labelsBefore), "labels");
  assertSameBits(core.arena.f32(m.probs, m.capacity * 10), probsBefore, "probs");
  assertSameBits(m.getParams(), params, "parameters");
});

all("bad calls name the method and the value", () => {
  const core = freshCore();
  const m = model(core, PRESETS.tutorial, 2);
  const x = images(core, 1, 21);
  assert.throws(() => attributeWith("ig", m, x, [1], { steps: 1 }), /ig: steps must be/);
  assert.throws(() => attributeWith("smoothgrad", m, x, [1], { samples: 0 }), /smoothgrad: samples must be/);
  assert.throws(() => attributeWith("smoothgrad", m, x, [1], { noiseLevel: -1 }), /noise level/);
  assert.throws(() => attributeWith("gradcam", m, x, [10]), /gradcam: target class 10/);
  assert.throws(() => attributeWith("vanilla", m, x, [1], { ids: [-1] }), /stream id -1/);
  assert.throws(() => gradcam(model(core, LINEAR, 1), x, [1]), /no convolutional layer/);
});

ixg.run();
igS.run();
sg.run();
gc.run();
oc.run();
all.run();
