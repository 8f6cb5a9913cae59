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

/** FNV-1a over a row's bits: a first look before rows are compared float by float. */
function rowHash(bits: Int32Array): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < bits.length; k++) h = Math.imul(h ^ bits[k], 0x01000193);
  return h >>> 0;
}

/**
 * The curves of several pixel orders of the same images (one Curves per entry of `orderSets`, each
 * an order per image), in one pass over the model. A row is an image with some pixels changed; rows
 * of one image that are the same bits (the start of every curve, steps that only delete background
 * pixels that are 0 already or insert pixels equal to the blurred ones, the empty image at the end of
 * the deletion) run through the model once: a row's probabilities depend on its own input only (not on
 * the batch it runs in), so every curve gets the bits it would get alone, with fewer forward passes.
 */
export function curvesMany(
  model: Model,
  inputs: Float32Array,
  targets: ArrayLike<number>,
  orderSets: readonly (readonly Int32Array[])[],
  opts: CurveOptions = {},
): Curves[] {
  const fn = "deletion/insertion";
  const step = opts.step ?? FAITHFULNESS_DEFAULTS.step;
  const sigma = opts.blurSigma ?? FAITHFULNESS_DEFAULTS.blurSigma;
  const size = model.inputSize;
  const count = inputs.length / size;
  if (!Number.isInteger(step) || step < 1 || step > size)
    throw new RangeError(`${fn}: step must be an integer from 1 to ${size}, got ${step}`);
  if (!(sigma >= 0 && sigma <= 10)) throw new RangeError(`${fn}: blur sigma must be in [0, 10], got ${sigma}`);
  for (const orders of orderSets)
    if (!Number.isInteger(count) || orders.length !== count)
      throw new RangeError(`${fn}: ${inputs.length} floats for ${orders.length} images of ${size}`);
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
  const sets = orderSets.length;
  const per = 2 * points; // rows per image and order: deletion points, then insertion points
  // Row (s, i, q): order set s, image i, point q (deletion below `points`, insertion from there).
  const fill = (s: number, i: number, q: number, dst: Float32Array) => {
    const del = q < points;
    const t = del ? q : q - points;
    const img = inputs.subarray(i * size, (i + 1) * size);
    dst.set(del ? img : blurred.subarray(i * size, (i + 1) * size));
    const order = orderSets[s][i];
    const upto = Math.min(t * step, size);
    for (let k = 0; k < upto; k++) dst[order[k]] = del ? 0 : img[order[k]];
  };
  // The distinct rows of each image, in the order first met: slot -> (s, i, q) of the row that runs.
  const slotRow: number[] = [];
  const slotOf = new Int32Array(sets * count * per);
  const rowId = (s: number, i: number, q: number) => (i * sets + s) * per + q;
  const a = new Float32Array(size),
    b = new Float32Array(size);
  const aBits = new Int32Array(a.buffer),
    bBits = new Int32Array(b.buffer);
  for (let i = 0; i < count; i++) {
    const seen = new Map<number, number[]>(); // hash -> slots of this image
    for (let s = 0; s < sets; s++) {
      for (let q = 0; q < per; q++) {
        fill(s, i, q, a);
        const h = rowHash(aBits);
        const same = seen.get(h);
        let slot = -1;
        for (const c of same ?? []) {
          const r = slotRow[c];
          fill(Math.floor(r / per) % sets, i, r % per, b);
          let k = 0;
          while (k < size && aBits[k] === bBits[k]) k++;
          if (k === size) {
            slot = c;
            break;
          }
        }
        if (slot < 0) {
          slot = slotRow.length;
          slotRow.push(rowId(s, i, q));
          if (same) same.push(slot);
          else seen.set(h, [slot]);
        }
        slotOf[rowId(s, i, q)] = slot;
      }
    }
  }
  const scores = new Float32Array(slotRow.length);
  runRows(fn, model, {
    rows: slotRow.length,
    fill: (r, dst) => {
      const id = slotRow[r];
      fill(Math.floor(id / per) % sets, Math.floor(id / per / sets), id % per, dst);
    },
    target: (r) => targets[Math.floor(slotRow[r] / per / sets)],
    score: "softmax",
    backward: "none",
    consume: (r, j, v) => {
      scores[r] = v.score(j);
    },
  });
  return orderSets.map((_, s) => {
    const deletion = new Float32Array(count * points);
    const insertion = new Float32Array(count * points);
    for (let i = 0; i < count; i++) {
      for (let q = 0; q < per; q++) {
        const v = scores[slotOf[rowId(s, i, q)]];
        if (q < points) deletion[i * points + q] = v;
        else insertion[i * points + q - points] = v;
      }
    }
    const deletionAuc: number[] = [],
      insertionAuc: number[] = [];
    for (let i = 0; i < count; i++) {
      deletionAuc.push(auc(x, deletion.subarray(i * points, (i + 1) * points)));
      insertionAuc.push(auc(x, insertion.subarray(i * points, (i + 1) * points)));
    }
    return { x: x.slice(), deletion, insertion, deletionAuc, insertionAuc };
  });
}

function curves(
  model: Model,
  inputs: Float32Array,
  targets: ArrayLike<number>,
  orders: Int32Array[],
  opts: CurveOptions,
): Curves {
  const size = model.inputSize;
  if (inputs.length !== orders.length * size)
    throw new RangeError(`deletion/insertion: ${inputs.length} floats for ${orders.length} images of ${size}`);
  return curvesMany(model, inputs, targets, [orders], opts)[0];
}

/** The pixel orders of `count` images' maps (|attribution|, count x size): decreasing value. */
export function mapOrders(model: Model, inputs: Float32Array, maps: Float32Array): Int32Array[] {
  const size = model.inputSize;
  const count = inputs.length / size;
  if (maps.length !== inputs.length)
    throw new RangeError(`deletion/insertion: ${maps.length} map values for ${inputs.length} image values`);
  return Array.from({ length: count }, (_, i) => orderOf(maps.subarray(i * size, (i + 1) * size)));
}

/** Deletion and insertion curves of `count` images for their maps (|attribution|, count x size). */
export function deletionInsertion(
  model: Model,
  inputs: Float32Array,
  targets: ArrayLike<number>,
  maps: Float32Array,
  opts: CurveOptions = {},
): Curves {
  return curves(model, inputs, targets, mapOrders(model, inputs, maps), opts);
}

/** The random pixel order of each image, from the stream (seed, DELETION_ORDER, ids[i], 0, 0). */
export function randomOrders(
  model: Model,
  count: number,
  opts: { seed?: number; ids?: ArrayLike<number> } = {},
): Int32Array[] {
  const size = model.inputSize;
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
  return orders;
}

/** The random-order baseline: the same curves for a uniformly random order per image, from the
 *  stream (seed, DELETION_ORDER, ids[i], 0, 0). */
export function randomOrderCurves(
  model: Model,
  inputs: Float32Array,
  targets: ArrayLike<number>,
  opts: CurveOptions & { seed?: number; ids?: ArrayLike<number> } = {},
): Curves {
  return curves(model, inputs, targets, randomOrders(model, inputs.length / model.inputSize, opts), opts);
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
