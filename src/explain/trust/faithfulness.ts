// Faithfulness by deletion and insertion (Petsiuk, Das & Saenko 2018, "RISE: Randomized Input Sampling
// for Explanation of Black-box Models", Sec. 4.1; their evaluation.py CausalMetric). The pixels of an
// image are taken in order of decreasing |attribution| (ties by pixel index, first first), `step` of
// them per step (default 8 of 784: 98 steps, 99 points with the start):
// - deletion: from the image, the pixels so far set to 0 (MNIST's background);
// - insertion: from a blurred copy (Gaussian of sigma `blurSigma`, default 2 px, radius ceil(3 sigma),
//   reflect edges: the wasm aug_blur kernel; RISE blurs ImageNet images with sigma 5 on 224 px), the
//   pixels so far put back to the image's values.
// At each point the model's softmax probability of the class explained, forward passes batched over the
// model's capacity. Area under each curve by the trapezoid rule over the fraction of pixels changed
// (x in [0, 1]; RISE's auc() for equal steps). Low deletion AUC and high insertion AUC mean a faithful
// map. The baseline is the same curves for a uniformly random pixel order, from the stream
// (seed, DELETION_ORDER, image id, 0, 0) (rng_permutation, Fisher-Yates): one per image and model, the
// same for every method.
import type { Model } from "../../nn/model.js";
import { Stream } from "../../core/streams.js";
import { runRows } from "../batch.js";
import { meanSdDefined } from "../metrics.js";

export const FAITHFULNESS_DEFAULTS = { step: 8, blurSigma: 2 } as const;

export interface CurveOptions {
  /** Pixels changed per step; default 8. */
  step?: number;
  /** sigma of the insertion's blurred start, pixels; default 2. */
  blurSigma?: number;
}

export interface Curves {
  /** Fraction of pixels changed at each point, (points). */
  x: Float64Array;
  /** Per image, the probability at each point: (count, points) f32. */
  deletion: Float32Array;
  insertion: Float32Array;
  /** Per image. */
  deletionAuc: number[];
  insertionAuc: number[];
}

/** Trapezoid area under y over x (both the same length >= 2). */
export function auc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let a = 0;
  for (let t = 1; t < x.length; t++) a += ((x[t] - x[t - 1]) * (y[t] + y[t - 1])) / 2;
  return a;
}

/** The pixel order of a map: decreasing value, ties by index. */
export function orderOf(map: Float32Array): Int32Array {
  return Int32Array.from(Array.from({ length: map.length }, (_, p) => p).sort((a, b) => map[b] - map[a] || a - b));
}

function curves(
  model: Model,
  inputs: Float32Array,
  targets: ArrayLike<number>,
  orders: Int32Array[],
  opts: CurveOptions,
): Curves {
  const fn = "deletion/insertion";
  const step = opts.step ?? FAITHFULNESS_DEFAULTS.step;
  const sigma = opts.blurSigma ?? FAITHFULNESS_DEFAULTS.blurSigma;
  const size = model.inputSize;
  const count = orders.length;
  if (!Number.isInteger(step) || step < 1 || step > size)
    throw new RangeError(`${fn}: step must be an integer from 1 to ${size}, got ${step}`);
  if (!(sigma >= 0 && sigma <= 10)) throw new RangeError(`${fn}: blur sigma must be in [0, 10], got ${sigma}`);
  if (inputs.length !== count * size)
    throw new RangeError(`${fn}: ${inputs.length} floats for ${count} images of ${size}`);
  const [C, H, W] = model.spec.input;
  const points = Math.ceil(size / step) + 1;
  const x = new Float64Array(points);
  for (let t = 0; t < points; t++) x[t] = Math.min(t * step, size) / size;
  // The blurred copies (each channel blurred as an image of its own).
  const core = model.core;
  const ex = core.exports;
  let blurred: Float32Array;
  const mark = core.arena.mark();
  try {
    const src = core.arena.putF32(inputs);
    const dst = core.arena.alloc(inputs.length * 4);
    const ws = core.arena.alloc(ex.aug_blur_ws_bytes(H, W, sigma));
    ex.aug_blur(dst, src, count * C, H, W, sigma, ws);
    blurred = core.arena.f32(dst, inputs.length).slice();
  } finally {
    core.arena.reset(mark);
  }
  const deletion = new Float32Array(count * points);
  const insertion = new Float32Array(count * points);
  const per = 2 * points; // rows per image: deletion points, then insertion points
  runRows(fn, model, {
    rows: count * per,
    fill: (r, dst) => {
      const i = Math.floor(r / per),
        q = r % per;
      const del = q < points;
      const t = del ? q : q - points;
      const img = inputs.subarray(i * size, (i + 1) * size);
      dst.set(del ? img : blurred.subarray(i * size, (i + 1) * size));
      const order = orders[i];
      const upto = Math.min(t * step, size);
      for (let k = 0; k < upto; k++) dst[order[k]] = del ? 0 : img[order[k]];
    },
    target: (r) => targets[Math.floor(r / per)],
    score: "softmax",
    backward: "none",
    consume: (r, j, b) => {
      const i = Math.floor(r / per),
        q = r % per;
      if (q < points) deletion[i * points + q] = b.score(j);
      else insertion[i * points + q - points] = b.score(j);
    },
  });
  const deletionAuc: number[] = [],
    insertionAuc: number[] = [];
  for (let i = 0; i < count; i++) {
    deletionAuc.push(auc(x, deletion.subarray(i * points, (i + 1) * points)));
    insertionAuc.push(auc(x, insertion.subarray(i * points, (i + 1) * points)));
  }
  return { x, deletion, insertion, deletionAuc, insertionAuc };
}

/** Deletion and insertion curves of `count` images for their maps (|attribution|, count x size). */
export function deletionInsertion(
  model: Model,
  inputs: Float32Array,
  targets: ArrayLike<number>,
  maps: Float32Array,
  opts: CurveOptions = {},
): Curves {
  const size = model.inputSize;
  const count = inputs.length / size;
  if (maps.length !== inputs.length)
    throw new RangeError(`deletion/insertion: ${maps.length} map values for ${inputs.length} image values`);
  const orders = Array.from({ length: count }, (_, i) => orderOf(maps.subarray(i * size, (i + 1) * size)));
  return curves(model, inputs, targets, orders, opts);
}

/** The random-order baseline: the same curves for a uniformly random order per image, from the
 *  stream (seed, DELETION_ORDER, ids[i], 0, 0). */
export function randomOrderCurves(
  model: Model,
  inputs: Float32Array,
  targets: ArrayLike<number>,
  opts: CurveOptions & { seed?: number; ids?: ArrayLike<number> } = {},
): Curves {
  const size = model.inputSize;
  const count = inputs.length / size;
  const core = model.core;
  const mark = core.arena.mark();
  const orders: Int32Array[] = [];
  try {
    const st = core.arena.alloc(16);
    const p = core.arena.alloc(size * 4);
    for (let i = 0; i < count; i++) {
      core.exports.rng_seed(
        st,
        (opts.seed ?? 0) >>> 0,
        Stream.DELETION_ORDER,
        (opts.ids ? opts.ids[i] : i) >>> 0,
        0,
        0,
      );
      core.exports.rng_permutation(st, p, size);
      orders.push(core.arena.i32(p, size).slice());
    }
  } finally {
    core.arena.reset(mark);
  }
  return curves(model, inputs, targets, orders, opts);
}

export interface FaithfulnessSummary {
  deletionAuc: number;
  deletionAucSd: number;
  insertionAuc: number;
  insertionAucSd: number;
}

export function summariseCurves(c: Curves): FaithfulnessSummary {
  const d = meanSdDefined(c.deletionAuc),
    n = meanSdDefined(c.insertionAuc);
  return { deletionAuc: d.mean, deletionAucSd: d.sd, insertionAuc: n.mean, insertionAucSd: n.sd };
}
