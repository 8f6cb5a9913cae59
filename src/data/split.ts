// The class-balanced choice of training and validation images from a dataset's training split
// (the poster's protocol: 10 training and 100 validation images per class from MNIST's 60,000).
import type { Core } from "../core/load.js";
import { Stream } from "../core/streams.js";

export interface SplitOptions {
  seed: number;
  /** Training images per class (default 10). */
  trainPerClass?: number;
  /** Validation images per class (default 100). */
  valPerClass?: number;
  /** Number of classes (default: largest label + 1); every class must be present. */
  classes?: number;
}

export interface TrainValSplit {
  /** Indices into the source training split, ascending: classes x trainPerClass of them. */
  train: Int32Array;
  /** Indices into the source training split, ascending, disjoint from train. */
  val: Int32Array;
  trainPerClass: number;
  valPerClass: number;
  classes: number;
}

function checkCount(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`split: ${name} must be a non-negative integer, got ${v}`);
}

/**
 * Draw trainPerClass + valPerClass distinct images of every class c, from the stream
 * (seed, Stream.SPLIT, c, 0, 0): a partial Fisher-Yates shuffle of the class's indices (ascending
 * source order), k = 0, 1, ...: swap position k with k + rng_below(m - k), m = the class's image
 * count. Positions 0..trainPerClass-1 go to training, the next valPerClass to validation. Both lists
 * are returned sorted ascending, so they are a plain set that can be written with the results. A
 * class's draw depends only on the seed and that class's images, not on the other classes.
 */
export function classBalancedSplit(core: Core, labels: ArrayLike<number>, opts: SplitOptions): TrainValSplit {
  const trainPerClass = opts.trainPerClass ?? 10;
  const valPerClass = opts.valPerClass ?? 100;
  checkCount("trainPerClass", trainPerClass);
  checkCount("valPerClass", valPerClass);
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed > 0xffffffff) {
    throw new RangeError(`split: seed must be an integer from 0 to 2^32 - 1, got ${opts.seed}`);
  }
  let maxLabel = -1;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0) throw new RangeError(`split: label ${l} at index ${i} is not a class index`);
    if (l > maxLabel) maxLabel = l;
  }
  const classes = opts.classes ?? maxLabel + 1;
  if (!Number.isInteger(classes) || classes < 1)
    throw new RangeError(`split: classes must be a positive integer, got ${classes}`);
  if (maxLabel >= classes) throw new RangeError(`split: label ${maxLabel} is not below classes = ${classes}`);

  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const need = trainPerClass + valPerClass;
  for (let c = 0; c < classes; c++) {
    if (byClass[c].length < need) {
      throw new RangeError(
        `split: class ${c} has ${byClass[c].length} images, fewer than train-per-class ${trainPerClass} + ` +
          `val-per-class ${valPerClass} = ${need}`,
      );
    }
  }

  const ex = core.exports;
  const mark = core.arena.mark();
  const st = core.arena.alloc(16);
  const train: number[] = [];
  const val: number[] = [];
  try {
    for (let c = 0; c < classes; c++) {
      const pool = byClass[c];
      const m = pool.length;
      ex.rng_seed(st, opts.seed >>> 0, Stream.SPLIT, c, 0, 0);
      for (let k = 0; k < need; k++) {
        const j = k + (ex.rng_below(st, m - k) >>> 0);
        const t = pool[k];
        pool[k] = pool[j];
        pool[j] = t;
        (k < trainPerClass ? train : val).push(pool[k]);
      }
    }
  } finally {
    core.arena.reset(mark);
  }
  const asc = (a: number[]) => Int32Array.from(a).sort();
  return { train: asc(train), val: asc(val), trainPerClass, valPerClass, classes };
}

/** Gather the rows of `indices` from (count, rows, cols) bytes (and their labels). */
export function gather(
  images: Uint8Array,
  labels: Uint8Array,
  pixels: number,
  indices: ArrayLike<number>,
): { images: Uint8Array; labels: Uint8Array } {
  const out = new Uint8Array(indices.length * pixels);
  const lab = new Uint8Array(indices.length);
  const count = labels.length;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= count)
      throw new RangeError(`gather: index ${i} is outside 0..${count - 1}`);
    out.set(images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
    lab[k] = labels[i];
  }
  return { images: out, labels: lab };
}
