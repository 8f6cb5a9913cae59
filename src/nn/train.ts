// The training loop of the study (the poster's protocol): E epochs of S steps, the data order
// reshuffled every epoch from the seed, validation after every epoch, the weights of the best
// validation accuracy kept (the earliest epoch on a tie), test accuracy measured with those weights.
import type { Core } from "../core/load.js";
import { Stream } from "../core/streams.js";
import { Model } from "./model.js";
import { Optimizer, checkOptimizer, type OptimizerConfig } from "./optim.js";
import type { ModelSpec } from "./spec.js";

/** A labelled image set: count images of `size` floats each (k/255 in [0, 1]), labels 0..classes-1. */
export interface LabelledSet {
  images: Float32Array;
  labels: ArrayLike<number>;
  count: number;
}

/** A set kept as 8-bit pixels, each read as x / 255 (toFloat's rule, src/data/augment.ts) when it is
 *  streamed through the model: a test set evaluated once needs no float copy, in JS or in wasm. */
export interface ByteSet {
  bytes: Uint8Array;
  labels: ArrayLike<number>;
  count: number;
}

export interface TrainConfig {
  epochs: number;
  steps: number;
  /** Images per step; 0 = floor(set size / steps) (110 for 1,100 images, 10 for 100). */
  batch: number;
  optimizer: OptimizerConfig;
  /** Seed of the initial weights and the shuffling (the same for every set of one run). */
  seed: number;
  /** Variant of the initial weights' streams (seed, INIT, layer, variant): 0 (default) is the run's
   *  shared initialisation (src/core/streams.ts Variant). */
  initVariant?: number;
  /** Variant of the data order's streams (seed, SHUFFLE, epoch, set size, variant); 0 by default. */
  orderVariant?: number;
  /** Images per forward pass when evaluating (memory vs speed; results do not depend on it). */
  evalChunk?: number;
}

export interface History {
  /** Training loss of every step (epochs x steps). */
  stepLoss: number[];
  /** Mean training loss of each epoch. */
  epochLoss: number[];
  valAcc: number[];
  valLoss: number[];
  /** 1-based epoch of the best validation accuracy (earliest on a tie). */
  bestEpoch: number;
  bestVal: number;
  test: number;
  testLoss: number;
  batch: number;
}

export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  valAcc: number;
  valLoss: number;
}

export function checkTrainConfig(cfg: TrainConfig, setSize: number): number {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min)
      throw new RangeError(`training: ${name} must be an integer >= ${min}, got ${v}`);
  };
  int("epochs", cfg.epochs, 1);
  int("steps", cfg.steps, 1);
  int("batch", cfg.batch, 0);
  checkOptimizer(cfg.optimizer);
  const batch = cfg.batch || Math.floor(setSize / cfg.steps);
  if (batch < 1)
    throw new RangeError(`training: ${cfg.steps} steps per epoch leave no image per step in a set of ${setSize}`);
  if (batch * cfg.steps > setSize) {
    throw new RangeError(
      `training: ${cfg.steps} steps of ${batch} images need ${batch * cfg.steps} images per epoch, the set has ${setSize}`,
    );
  }
  return batch;
}

/** Index of the best validation accuracy, the earliest on a tie. */
export function bestEpochIndex(valAcc: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < valAcc.length; i++) if (valAcc[i] > valAcc[best]) best = i;
  return best;
}

/** A labelled set copied into wasm memory once: images (count, size) f32 and labels (count) i32. */
export interface ResidentSet {
  images: number;
  labels: number;
  count: number;
}

/** Copy a set into the core's arena (released with the caller's mark). */
export function residentSet(model: Model, set: LabelledSet): ResidentSet {
  const arena = model.core.arena;
  if (set.images.length !== set.count * model.inputSize)
    throw new RangeError(`evaluation: ${set.images.length} floats for ${set.count} images of ${model.inputSize}`);
  return { images: arena.putF32(set.images), labels: arena.putI32(set.labels), count: set.count };
}

/** Accuracy and mean cross-entropy of the model on a resident set, in chunks of the model's
 *  capacity read in place (no copy per evaluation). */
export function evaluate(model: Model, set: ResidentSet): { acc: number; loss: number } {
  const ex = model.core.exports;
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < set.count; start += model.capacity) {
    const n = Math.min(model.capacity, set.count - start);
    const labels = set.labels + start * 4;
    model.forward(n, set.images + start * model.inputSize * 4, false); // nothing kept for a backward
    lossSum += model.loss(n, false, labels) * n;
    correct += ex.count_correct(model.logits, labels, n, model.classes);
  }
  return { acc: correct / set.count, loss: lossSum / set.count };
}

/** Accuracy and mean cross-entropy of a set streamed through the model's own input and label buffers,
 *  one chunk of its capacity at a time: no resident copy of the set (evaluate's bits: every image's
 *  logits do not depend on where its floats lie, and the sums run in the same order). */
export function evaluateStreamed(model: Model, set: LabelledSet | ByteSet): { acc: number; loss: number } {
  const ex = model.core.exports;
  const arena = model.core.arena;
  const size = model.inputSize;
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < set.count; start += model.capacity) {
    const n = Math.min(model.capacity, set.count - start);
    const dst = arena.f32(model.input, n * size);
    if ("bytes" in set) {
      const src = set.bytes.subarray(start * size, (start + n) * size);
      for (let i = 0; i < src.length; i++) dst[i] = src[i] / 255;
    } else {
      dst.set(set.images.subarray(start * size, (start + n) * size));
    }
    const labels = arena.i32(model.labels, n);
    for (let i = 0; i < n; i++) labels[i] = set.labels[start + i];
    model.forward(n, model.input, false); // nothing kept for a backward
    lossSum += model.loss(n, false) * n;
    correct += ex.count_correct(model.logits, model.labels, n, model.classes);
  }
  return { acc: correct / set.count, loss: lossSum / set.count };
}

/** A RangeError naming the set unless its first `count` labels are integers in [0, classes). */
export function checkLabels(name: string, labels: ArrayLike<number>, count: number, classes: number): void {
  if (labels.length < count) throw new RangeError(`${name} set: ${labels.length} labels for ${count} images`);
  for (let i = 0; i < count; i++) {
    const y = labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y < classes)) {
      throw new RangeError(
        `${name} set: label ${y} of image ${i} is outside 0..${classes - 1} (the model has ${classes} classes)`,
      );
    }
  }
}

/**
 * Train one model on `train`, validating on `val` after every epoch; returns the history and the
 * best weights (the padded parameter region). The test set is evaluated once with the best weights.
 */
export function trainModel(
  core: Core,
  spec: ModelSpec,
  train: LabelledSet,
  val: LabelledSet,
  test: LabelledSet | ByteSet,
  cfg: TrainConfig,
  onEpoch?: (r: EpochReport) => void,
): { history: History; best: Float32Array } {
  const batch = checkTrainConfig(cfg, train.count);
  const mark = core.arena.mark();
  try {
    const ex = core.exports;
    const model = new Model(core, spec, Math.max(batch, cfg.evalChunk ?? 250));
    const size = model.inputSize;
    if (train.images.length !== train.count * size)
      throw new RangeError(`training: ${train.images.length} floats for ${train.count} images of ${size}`);
    // The loss kernels cannot throw: a label outside [0, classes) would train on NaN (assembly/loss.ts).
    checkLabels("training", train.labels, train.count, model.classes);
    checkLabels("validation", val.labels, val.count, model.classes);
    checkLabels("test", test.labels, test.count, model.classes);
    model.init(cfg.seed, cfg.initVariant ?? 0);
    const opt = new Optimizer(model, cfg.optimizer);
    // The training images live in wasm memory once; each step gathers its batch with memory.copy.
    const data = core.arena.alloc(train.count * size * 4);
    core.arena.f32(data, train.count * size).set(train.images);
    const perm = core.arena.alloc(train.count * 4);
    const valR = residentSet(model, val);
    const rng = core.arena.alloc(16);

    const history: History = {
      stepLoss: [],
      epochLoss: [],
      valAcc: [],
      valLoss: [],
      bestEpoch: 0,
      bestVal: -1,
      test: NaN,
      testLoss: NaN,
      batch,
    };
    let best = model.getParams();
    for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      ex.rng_seed(rng, cfg.seed, Stream.SHUFFLE, epoch, train.count, cfg.orderVariant ?? 0);
      ex.rng_permutation(rng, perm, train.count);
      let sum = 0;
      for (let s = 0; s < cfg.steps; s++) {
        const order = core.arena.i32(perm + s * batch * 4, batch);
        const labels = core.arena.i32(model.labels, batch);
        for (let i = 0; i < batch; i++) {
          const k = order[i];
          ex.copy(model.input + i * size * 4, data + k * size * 4, size * 4);
          labels[i] = train.labels[k];
        }
        core.parallel.refresh?.(); // more cores may have freed up (results do not depend on it)
        model.zeroGrads();
        model.forward(batch);
        const loss = model.loss(batch, true);
        model.backward(batch);
        opt.step();
        history.stepLoss.push(loss);
        sum += loss;
      }
      history.epochLoss.push(sum / cfg.steps);
      const v = evaluate(model, valR);
      history.valAcc.push(v.acc);
      history.valLoss.push(v.loss);
      if (bestEpochIndex(history.valAcc) === epoch - 1) {
        history.bestVal = v.acc;
        history.bestEpoch = epoch;
        best = model.getParams();
      }
      onEpoch?.({ epoch, epochs: cfg.epochs, loss: sum / cfg.steps, valAcc: v.acc, valLoss: v.loss });
    }
    model.setParams(best);
    // streamed: a resident copy of a 10,000-image test set would hold 31 MB of wasm memory per worker
    const t = evaluateStreamed(model, test);
    history.test = t.acc;
    history.testLoss = t.loss;
    return { history, best };
  } finally {
    core.arena.reset(mark);
  }
}
