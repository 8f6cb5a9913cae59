import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore, randomF32 } from "../helpers.js";
import { bestEpochIndex, checkTrainConfig, trainModel, type LabelledSet } from "../../src/nn/train.js";
import { parseSpec } from "../../src/nn/spec.js";
import { ADAM_DEFAULTS } from "../../src/nn/optim.js";

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
  assert.throws(() => checkTrainConfig({ ...cfg, optimizer: { ...ADAM_DEFAULTS, lr: NaN } }, 100), /lr must be a positive finite number, got NaN/);
  assert.throws(() => checkTrainConfig({ ...cfg, steps: 20, batch: 10 }, 100), /need 200 images per epoch, the set has 100/);
  assert.is(checkTrainConfig({ ...cfg, steps: 10 }, 1100), 110);
});

/** A tiny separable problem: class = which half of the 8x8 image is bright. */
function tinySet(core: ReturnType<typeof freshCore>, n: number, seed: number): LabelledSet {
  const noise = core.arena.f32(randomF32(core, n * 64, seed, 0, 0.3), n * 64).slice();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) if ((x < 4) === (labels[i] === 0)) noise[i * 64 + y * 8 + x] += 0.7;
  }
  return { images: noise, labels, count: n };
}

train("loss falls and accuracy rises on a tiny configuration; the run is deterministic", () => {
  const spec = parseSpec("conv4k3p1,relu,maxpool,linear2", [1, 8, 8]);
  const run = () => {
    const core = freshCore();
    const tr = tinySet(core, 40, 1);
    const va = tinySet(core, 20, 2);
    return trainModel(core, spec, tr, va, va, { epochs: 8, steps: 4, batch: 0, optimizer: { ...ADAM_DEFAULTS, lr: 0.01 }, seed: 3 });
  };
  const { history, best } = run();
  assert.is(history.stepLoss.length, 32);
  assert.is(history.batch, 10);
  assert.ok(history.epochLoss[7] < 0.5 * history.epochLoss[0], `epoch losses ${history.epochLoss}`);
  assert.ok(history.bestVal >= 0.9, `best validation ${history.bestVal}`);
  assert.is(history.bestEpoch, bestEpochIndex(history.valAcc) + 1);
  assert.is(history.test, history.valAcc[history.bestEpoch - 1], "test set = validation set here, so test equals the best validation accuracy");
  const again = run();
  assert.equal(again.history, history);
  assert.equal(Array.from(again.best), Array.from(best));
});

train.run();
