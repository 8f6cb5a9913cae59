import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore, finiteDiff, assertClose, sampleIndices, assertSameBits, randomF32 } from "../helpers.js";
import { Model } from "../../src/nn/model.js";
import { PRESETS, parseSpec, type ModelSpec } from "../../src/nn/spec.js";
import { Optimizer, ADAM_DEFAULTS } from "../../src/nn/optim.js";

const model = suite("nn/model");

/** A model with its input filled from a seeded stream and labels 0..n-1 mod classes. */
function setup(spec: ModelSpec, n: number, seed = 1) {
  const core = freshCore();
  const m = new Model(core, spec, n);
  m.init(seed);
  const src = randomF32(core, n * m.inputSize, 99, 0, 1);
  core.exports.copy(m.input, src, n * m.inputSize * 4);
  m.setLabels(
    Array.from({ length: n }, (_, i) => (i * 3) % m.classes),
    n,
  );
  return { core, m };
}

/** The mean cross-entropy recomputed from scratch (forward only). */
const lossOf = (m: Model, n: number) => () => {
  m.forward(n);
  return m.loss(n, false);
};

for (const name of ["tutorial", "cs231n"]) {
  model(`${name}: parameter gradients match central finite differences of the loss`, () => {
    const n = 3;
    const { core, m } = setup(PRESETS[name], n);
    m.zeroGrads();
    m.forward(n);
    m.loss(n, true);
    m.backward(n);
    const grads = core.arena.f32(m.grads, m.paramLength).slice();
    for (const t of m.tensors) {
      const idx = sampleIndices(t.count, 6).map((i) => t.offset + i);
      // h = 1e-3: the loss is summed in f64 from f32 logits (relative rounding ~1e-7), so the
      // rounding error of (f+ - f-) / 2h stays near 1e-4, and a ReLU or a max-pool switch inside
      // [x - h, x + h] is rare at this width (at 1e-2 it is not: weights are only ~0.05-0.2).
      const fd = finiteDiff(core, m.params, idx, lossOf(m, n), 1e-3);
      assertClose(
        idx.map((i) => grads[i]),
        fd,
        `${name} layer ${t.layer} ${t.name}`,
        2e-3,
        5e-2,
      );
    }
  });

  model(`${name}: the input gradient matches finite differences`, () => {
    const n = 2;
    const { core, m } = setup(PRESETS[name], n);
    m.forward(n);
    m.loss(n, true);
    m.backward(n, { inputGrad: true, paramGrads: false });
    const g = core.arena.f32(m.dinput, n * m.inputSize).slice();
    const idx = sampleIndices(n * m.inputSize, 10);
    const fd = finiteDiff(core, m.input, idx, lossOf(m, n), 1e-3);
    assertClose(
      idx.map((i) => g[i]),
      fd,
      `${name} input gradient`,
      2e-3,
      5e-2,
    );
  });
}

model("forward from images resident elsewhere in memory equals forward from the input buffer", () => {
  const n = 3;
  const { core, m } = setup(PRESETS.tutorial, n);
  const elsewhere = core.arena.alloc(n * m.inputSize * 4);
  core.exports.copy(elsewhere, m.input, n * m.inputSize * 4);
  const a = core.arena.f32(m.forward(n), n * m.classes).slice();
  core.exports.zero(m.input, n * m.inputSize * 4);
  const b = core.arena.f32(m.forward(n, elsewhere), n * m.classes).slice();
  assert.equal(Array.from(b), Array.from(a));
  // and backward differentiates with respect to the images that were fed
  m.loss(n, true);
  m.backward(n, { inputGrad: true });
  assert.ok(core.arena.f32(m.dinput, n * m.inputSize).some((x) => x !== 0));
});

model("paramGrads: false leaves the gradient region untouched", () => {
  const n = 2;
  const { core, m } = setup(PRESETS.tutorial, n);
  m.zeroGrads();
  m.forward(n);
  m.loss(n, true);
  m.backward(n, { inputGrad: true, paramGrads: false });
  assert.ok(core.arena.f32(m.grads, m.paramLength).every((x) => x === 0));
});

model("init is PyTorch's: every weight and bias within ±1/sqrt(fan_in)", () => {
  const { core, m } = setup(PRESETS.tutorial, 1);
  const p = core.arena.f32(m.params, m.paramLength);
  const fanIns = [25, 25, 400, 400, 1568, 1568];
  m.tensors.forEach((t, k) => {
    const b = 1 / Math.sqrt(fanIns[k]);
    let max = 0;
    for (let i = 0; i < t.count; i++) max = Math.max(max, Math.abs(p[t.offset + i]));
    assert.ok(max <= b, `${t.name} of layer ${t.layer}: max |w| ${max} above the bound ${b}`);
    // the largest of k uniform draws on [0, b) exceeds 0.9 b with probability 1 - 0.9^k
    if (t.count >= 100) assert.ok(max > 0.9 * b, `${t.name} of layer ${t.layer}: max |w| ${max} does not fill ±${b}`);
  });
});

model("same seed, same bytes: init and three Adam steps twice", () => {
  const run = () => {
    const n = 4;
    const { core, m } = setup(PRESETS.tutorial, n, 5);
    const opt = new Optimizer(m, ADAM_DEFAULTS);
    for (let s = 0; s < 3; s++) {
      m.zeroGrads();
      m.forward(n);
      m.loss(n, true);
      m.backward(n);
      opt.step();
    }
    return core.arena.f32(m.params, m.paramLength).slice();
  };
  assertSameBits(run(), run(), "weights after 3 steps");
});

model("different seeds give different weights", () => {
  const a = setup(PRESETS.tutorial, 1, 1).m.getParams();
  const b = setup(PRESETS.tutorial, 1, 2).m.getParams();
  assert.ok(a.some((x, i) => x !== b[i]));
});

model("a fused conv -> ReLU -> max-pool gives the unfused layers' bits (logits, gradients, input gradient)", () => {
  // The default forward runs each conv -> ReLU -> max-pool of the tutorial net as one kernel and never
  // writes the conv's or the ReLU's output; reading a layer's output (layerOutput) turns that group's
  // fusion off. Both must give the same bytes, kept or not, on 1 image and on a block and a half.
  for (const n of [1, 24]) {
    const run = (read: number[], keep = true) => {
      const { core, m } = setup(PRESETS.tutorial, n, 5);
      for (const i of read) m.layerOutput(i);
      m.zeroGrads();
      m.forward(n, m.input, keep);
      const logits = core.arena.f32(m.logits, n * m.classes).slice();
      if (!keep) return { logits };
      m.loss(n, true);
      m.backward(n, { inputGrad: true });
      return {
        logits,
        grads: core.arena.f32(m.grads, m.paramLength).slice(),
        dinput: core.arena.f32(m.dinput, n * m.inputSize).slice(),
      };
    };
    const fused = run([]);
    for (const read of [[0], [1], [3, 4], [0, 1, 3, 4]]) {
      const plain = run(read);
      assertSameBits(fused.logits, plain.logits, `n ${n}, layers ${read} read: logits`);
      assertSameBits(fused.grads!, plain.grads!, `n ${n}, layers ${read} read: parameter gradients`);
      assertSameBits(fused.dinput!, plain.dinput!, `n ${n}, layers ${read} read: input gradient`);
    }
    assertSameBits(run([], false).logits, fused.logits, `n ${n}: logits without keeping activations`);
  }
});

model("bad specs and batches are errors naming the problem", () => {
  const core = freshCore();
  assert.throws(
    () => new Model(core, parseSpec("conv8k5p0,relu,maxpool,conv8k5p0,maxpool,conv8k5p0,linear10"), 1),
    /does not fit/,
  );
  assert.throws(() => new Model(core, parseSpec("conv8k3p1,relu"), 1), /last layer must be linear/);
  assert.throws(() => parseSpec("conv8x3"), /unknown architecture/);
  const m = new Model(core, PRESETS.tutorial, 2);
  assert.throws(() => m.forward(3), /batch of 3 images outside 1\.\.2/);
  assert.throws(() => m.setParams(new Float32Array(3)), /parameter vector has 3 floats/);
});

model.run();
