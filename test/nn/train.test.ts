import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore, randomF32 } from "../helpers.js";
import {
  bestEpochIndex,
  checkTrainConfig,
  evaluate,
  evaluateStreamed,
  residentSet,
  trainModel,
  type LabelledSet,
} from "../../src/nn/train.js";
import { Model } from "../../src/nn/model.js";
import { toFloat } from "../../src/data/augment.js";
import { parseSpec } from "../../src/nn/spec.js";
import { ADAM_DEFAULTS, SGD_DEFAULTS, checkOptimizer, type OptimizerConfig } from "../../src/nn/optim.js";

const train = suite("nn/train");

train("best-validation selection: the highest accuracy, the earliest epoch on a tie", () => {
  assert.is(bestEpochIndex([0.1, 0.5, 0.3, 0.5, 0.2]), 1);
  assert.is(bestEpochIndex([0.7]), 0);
  assert.is(bestEpochIndex([0.2, 0.2, 0.2]), 0);
  assert.is(bestEpochIndex([0.1, 0.2, 0.3]), 2);
});

train("bad hyper-parameters are errors naming them", () => {
  const cfg = { epochs: 1, steps: 1, batch: 0, optimizer: ADAM_DEFAULTS, seed: 0 };
  assert.throws(() => checkTrainConfig({ ...cfg, epochs: 0 }, 100), /epochs must be an integer >= 1, got 0/);
  assert.throws(
    () => checkTrainConfig({ ...cfg, optimizer: { ...ADAM_DEFAULTS, lr: NaN } }, 100),
    /lr must be a positive finite number, got NaN/,
  );
  assert.throws(
    () => checkTrainConfig({ ...cfg, steps: 20, batch: 10 }, 100),
    /need 200 images per epoch, the set has 100/,
  );
  assert.is(checkTrainConfig({ ...cfg, steps: 10 }, 1100), 110);
});

/** A tiny separable problem: class = which half of the 8x8 image is bright. */
function tinySet(core: ReturnType<typeof freshCore>, n: number, seed: number): LabelledSet {
  const noise = core.arena.f32(randomF32(core, n * 64, seed, 0, 0.3), n * 64).slice();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++) if (x < 4 === (labels[i] === 0)) noise[i * 64 + y * 8 + x] += 0.7;
  }
  return { images: noise, labels, count: n };
}

train("loss falls and accuracy rises on a tiny configuration; the run is deterministic", () => {
  const spec = parseSpec("conv4k3p1,relu,maxpool,linear2", [1, 8, 8]);
  const run = () => {
    const core = freshCore();
    const tr = tinySet(core, 40, 1);
    const va = tinySet(core, 20, 2);
    return trainModel(core, spec, tr, va, va, {
      epochs: 8,
      steps: 4,
      batch: 0,
      optimizer: { ...ADAM_DEFAULTS, lr: 0.01 },
      seed: 3,
    });
  };
  const { history, best } = run();
  assert.is(history.stepLoss.length, 32);
  assert.is(history.batch, 10);
  assert.ok(history.epochLoss[7] < 0.5 * history.epochLoss[0], `epoch losses ${history.epochLoss}`);
  assert.ok(history.bestVal >= 0.9, `best validation ${history.bestVal}`);
  assert.is(history.bestEpoch, bestEpochIndex(history.valAcc) + 1);
  assert.is(
    history.test,
    history.valAcc[history.bestEpoch - 1],
    "test set = validation set here, so test equals the best validation accuracy",
  );
  const again = run();
  assert.equal(again.history, history);
  assert.equal(Array.from(again.best), Array.from(best));
});

train("a label at or above the model's classes is an error naming the set, not a NaN loss", () => {
  const spec = parseSpec("conv4k3p1,relu,maxpool,linear2", [1, 8, 8]);
  const core = freshCore();
  const tr = tinySet(core, 40, 1);
  const va = tinySet(core, 20, 2);
  const cfg = { epochs: 1, steps: 4, batch: 0, optimizer: ADAM_DEFAULTS, seed: 3 };
  const bad = { ...tr, labels: Int32Array.from(tr.labels, (y, i) => (i === 7 ? 2 : y)) };
  assert.throws(
    () => trainModel(core, spec, bad, va, va, cfg),
    /training set: label 2 of image 7 is outside 0\.\.1 \(the model has 2 classes\)/,
  );
  const badVal = { ...va, labels: Int32Array.from(va.labels, (y, i) => (i === 3 ? -1 : y)) };
  assert.throws(() => trainModel(core, spec, tr, badVal, va, cfg), /validation set: label -1 of image 3/);
});

train("nesterov needs a momentum and zero dampening (torch.optim.SGD's rule)", () => {
  const sgd = SGD_DEFAULTS as Extract<OptimizerConfig, { kind: "sgd" }>;
  checkOptimizer({ ...sgd, nesterov: true });
  assert.throws(
    () => checkOptimizer({ ...sgd, nesterov: true, momentum: 0 }),
    /nesterov requires a momentum > 0 and zero dampening/,
  );
  assert.throws(() => checkOptimizer({ ...sgd, nesterov: true, dampening: 0.5 }), /got momentum 0.9, dampening 0.5/);
});

train("a streamed evaluation (floats or 8-bit pixels) gives a resident one's accuracy and loss, bit for bit", () => {
  // 23 images through a model of capacity 10: two full chunks and a partial one
  const core = freshCore();
  const spec = parseSpec("conv4k3p1,relu,maxpool,linear3", [1, 8, 8]);
  const model = new Model(core, spec, 10);
  model.init(7);
  const n = 23;
  const bytes = Uint8Array.from(core.arena.f32(randomF32(core, n * 64, 11, 0, 256), n * 64), (v) => Math.floor(v));
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % 3);
  const floats: LabelledSet = { images: toFloat(bytes), labels, count: n };
  const want = evaluate(model, residentSet(model, floats));
  assert.ok(want.loss > 0 && want.acc >= 0, `resident: ${JSON.stringify(want)}`);
  assert.equal(evaluateStreamed(model, floats), want, "streamed floats");
  assert.equal(evaluateStreamed(model, { bytes, labels, count: n }), want, "streamed bytes");
});

train.run();
