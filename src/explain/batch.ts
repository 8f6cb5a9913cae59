// The machinery every attribution method shares: checking the call, choosing the class to explain,
// and running many input rows (the images themselves, noisy samples, path points, occluded copies)
// through the model in batches of its capacity, one forward and at most one backward per batch.
//
// Side effects: none on the model's state that a caller could see. The model's working buffers
// (input, activations, their gradients, dlogits) are overwritten, as by any forward; model.labels,
// model.probs, the parameters and the parameter gradients are never written (predicted classes and
// probabilities live in scratch of our own on the arena, released before returning).
import type { Model } from "../nn/model.js";

/** Options every method takes (Captum's `target` argument, plus what is differentiated). */
export interface AttributionOptions {
  /** Which class to explain: the true label (default) or the model's prediction on the clean image. */
  target?: "label" | "predicted";
  /** The score: the pre-softmax logit z_c (default, as Simonyan et al.) or the softmax probability
   *  p_c (then d p_c / d z_j = p_c (delta_cj - p_j)). */
  score?: "logit" | "softmax";
  /** Seed of the random methods' streams (SmoothGrad noise); default 0. */
  seed?: number;
  /** Per image, the number that names its random streams (e.g. its index in the test set), so an
   *  image's noise does not depend on which other images share the call; default its position. */
  ids?: ArrayLike<number>;
}

/** What every method returns: maps shaped like the input, (n, C, H, W) f32 flattened. */
export interface Attribution {
  /** The signed attribution (for Grad-CAM the upsampled map before its ReLU). */
  signed: Float32Array;
  /** The non-negative map the map metrics use: |signed| for most methods (see each module). */
  abs: Float32Array;
  /** The class explained for each image. */
  target: Int32Array;
  /** The model's prediction for each (clean) image. */
  predicted: Int32Array;
}

export type ScoreKind = "logit" | "softmax";

export interface CheckedCall {
  count: number;
  size: number;
  targetMode: "label" | "predicted";
  score: ScoreKind;
  seed: number;
  ids: Uint32Array;
}

/** Validate a call's arguments (the same messages for every method; `fn` names the method). */
export function checkCall(
  fn: string,
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: AttributionOptions,
): CheckedCall {
  const targetMode = options.target ?? "label";
  const score = options.score ?? "logit";
  if (targetMode !== "label" && targetMode !== "predicted")
    throw new RangeError(`${fn}: target must be 'label' or 'predicted', got '${targetMode}'`);
  if (score !== "logit" && score !== "softmax")
    throw new RangeError(`${fn}: score must be 'logit' or 'softmax', got '${score}'`);
  const size = model.inputSize;
  const count = Math.floor(inputs.length / size);
  if (count * size !== inputs.length || count < 1)
    throw new RangeError(`${fn}: ${inputs.length} floats is not a whole number of ${size}-float images`);
  if (labels.length < count) throw new RangeError(`${fn}: ${labels.length} labels for ${count} images`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`${fn}: seed must be an integer from 0 to 2^32 - 1, got ${seed}`);
  const ids = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const id = options.ids ? options.ids[i] : i;
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff)
      throw new RangeError(`${fn}: stream id ${id} of image ${i} is not an integer from 0 to 2^32 - 1`);
    ids[i] = id;
  }
  return { count, size, targetMode, score, seed, ids };
}

function checkClass(fn: string, c: number, i: number, C: number): number {
  if (!(Number.isInteger(c) && c >= 0 && c < C))
    throw new RangeError(`${fn}: target class ${c} of image ${i} is outside 0..${C - 1}`);
  return c;
}

/** What a batch offers the consumer of its rows. Views are valid until the next batch. */
export interface BatchView {
  /** Rows in this batch. */
  n: number;
  /** The score (z_c or p_c of the row's target) of batch row j, as f32. */
  score(j: number): number;
  /** The model's argmax of batch row j. */
  predicted(j: number): number;
  /** d score / d input of batch row j (size floats); only after a backward with the input gradient. */
  grad(j: number): Float32Array;
}

export interface RowPlan {
  /** Rows in all. */
  rows: number;
  /** Write row k's input (size floats) into dst. */
  fill(k: number, dst: Float32Array): void;
  /** The class row k's score is taken of; given the model's argmax of that row. */
  target(k: number, predicted: number): number;
  score: ScoreKind;
  /** "none": forward only; "input": backward to the input (in `grad`); "layers": backward through
   *  every layer but not to the input (activation gradients only, as Grad-CAM needs). */
  backward: "none" | "input" | "layers";
  /** Called for each row, in order, with its index within the batch. */
  consume(k: number, j: number, batch: BatchView): void;
}

/**
 * Run `plan.rows` rows through the model, model.capacity at a time: fill, forward, argmax (own
 * scratch), targets, scores, then (unless "none") one backward of the summed per-row scores. Each row's
 * score depends on its own input only, so the summed backward gives every row's gradient at once.
 */
export function runRows(fn: string, model: Model, plan: RowPlan): void {
  const core = model.core;
  const ex = core.exports;
  const arena = core.arena;
  const C = model.classes;
  const size = model.inputSize;
  const cap = model.capacity;
  const mark = arena.mark();
  try {
    const predPtr = arena.allocI32(cap);
    const probsPtr = plan.score === "softmax" ? arena.allocF32(cap * C) : 0;
    const targets = new Int32Array(cap);
    const scores = new Float32Array(cap);
    for (let start = 0; start < plan.rows; start += cap) {
      const n = Math.min(cap, plan.rows - start);
      const input = arena.f32(model.input, n * size);
      for (let j = 0; j < n; j++) plan.fill(start + j, input.subarray(j * size, (j + 1) * size));
      // A forward-only run keeps no activations (the same logits, in cache: Model.forward's keep).
      model.forward(n, model.input, plan.backward !== "none");
      ex.argmax_rows(predPtr, model.logits, n, C);
      const pred = arena.i32(predPtr, n);
      for (let j = 0; j < n; j++) targets[j] = checkClass(fn, plan.target(start + j, pred[j]), start + j, C);
      const z = arena.f32(model.logits, n * C);
      let p: Float32Array | null = null;
      if (plan.score === "softmax") {
        ex.softmax_forward(probsPtr, model.logits, n, C);
        p = arena.f32(probsPtr, n * C);
      }
      for (let j = 0; j < n; j++) scores[j] = (p ?? z)[j * C + targets[j]];
      if (plan.backward !== "none") {
        const d = arena.f32(model.dlogits, n * C);
        d.fill(0);
        if (!p) {
          for (let j = 0; j < n; j++) d[j * C + targets[j]] = 1;
        } else {
          for (let j = 0; j < n; j++) {
            const c = targets[j];
            const pc = p[j * C + c];
            for (let q = 0; q < C; q++) d[j * C + q] = pc * ((q === c ? 1 : 0) - p[j * C + q]);
          }
        }
        model.backward(n, { inputGrad: plan.backward === "input", paramGrads: false });
      }
      const predNow = arena.i32(predPtr, n);
      const dinput = plan.backward === "input" ? arena.f32(model.dinput, n * size) : null;
      const view: BatchView = {
        n,
        score: (j) => scores[j],
        predicted: (j) => predNow[j],
        grad: (j) => {
          if (!dinput) throw new Error(`${fn}: no input gradient in a batch run without backward to the input`);
          return dinput.subarray(j * size, (j + 1) * size);
        },
      };
      for (let j = 0; j < n; j++) plan.consume(start + j, j, view);
    }
  } finally {
    arena.reset(mark);
  }
}

/**
 * The class to explain and the model's prediction for each clean image (one forward pass; needed
 * before the rows of a method that perturbs the image, whose target is the clean image's).
 */
export function resolveTargets(
  fn: string,
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  call: CheckedCall,
): { target: Int32Array; predicted: Int32Array } {
  const { count, size } = call;
  const target = new Int32Array(count);
  const predicted = new Int32Array(count);
  runRows(fn, model, {
    rows: count,
    fill: (k, dst) => dst.set(inputs.subarray(k * size, (k + 1) * size)),
    target: (k, pred) => {
      predicted[k] = pred;
      target[k] = checkClass(fn, call.targetMode === "label" ? labels[k] : pred, k, model.classes);
      return target[k];
    },
    score: call.score,
    backward: "none",
    consume: () => {},
  });
  return { target, predicted };
}

/** |x| of every element, a new array. */
export function absOf(a: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.abs(a[i]);
  return out;
}
