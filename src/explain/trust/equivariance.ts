// Does the explanation follow the augmentation? For each augmentation T of the study, with parameters
// drawn from the stream (seed, EQUIVARIANCE, augmentation id, image id, 0) (data/augment.ts Augmenter
// with that purpose, so they are not the training copies' draws):
// - geometric (scaling, crop, distortion): equivariance, the map of the transformed image against the
//   transformed map, saliency(T(x)) vs T(saliency(x)), T applied to |map| with the same parameters (the
//   same kernel: bilinear, zero fill, the same field for the distortion);
// - photometric (blur, erasing): invariance, saliency(T(x)) vs saliency(x); for erasing over the
//   pixels T left alone (the erased rectangle is found by erasing an all-ones image with the same draws).
// Compared by Pearson CC (MIT CC.m) and Spearman rank correlation of the absolute maps, per image, in
// the wasm core (metrics.ts). The class explained is the one explained on x (its label or the model's
// prediction on x). The question per model: does a model trained with T explain T-transformed inputs
// more consistently than Orig does?
import type { Model } from "../../nn/model.js";
import { Stream } from "../../core/streams.js";
import { AUGMENTATIONS, Augmenter, type AugName, type AugOptions } from "../../data/augment.js";
import type { Attribution } from "../batch.js";
import type { AttributionFn, MethodOptions } from "../methods.js";
import { mapCC, mapSpearman, maskedValues, meanSdDefined } from "../metrics.js";

export const GEOMETRIC: readonly AugName[] = ["scaling", "crop", "distortion"];

export interface EquivarianceRow {
  aug: AugName;
  kind: "equivariance" | "invariance";
  /** Per image. */
  cc: number[];
  spearman: number[];
}

export interface EquivarianceOptions {
  seed?: number;
  /** Per image, the number naming its streams; default its position. */
  ids?: ArrayLike<number>;
  /** Strength per augmentation (default data/augment.ts DEFAULT_STRENGTH) and the crop mode. */
  strength?: Partial<Record<AugName, number>>;
  crop?: AugOptions["crop"];
  augs?: readonly AugName[];
  methodOptions?: MethodOptions;
  /** The maps of the untransformed images, if already computed (with the same method options). */
  original?: Attribution;
}

export function equivariance(model: Model, inputs: Float32Array, labels: ArrayLike<number>, method: AttributionFn, opts: EquivarianceOptions = {}): EquivarianceRow[] {
  const [C, H, W] = model.spec.input;
  if (C !== 1) throw new RangeError(`equivariance: the augmentations take one-channel images, the model's input has ${C}`);
  const size = H * W;
  const count = inputs.length / size;
  const seed = opts.seed ?? 0;
  const mo = opts.methodOptions ?? {};
  const original = opts.original ?? method(model, inputs, labels, mo);
  const fixed: MethodOptions = { ...mo, target: "label" };
  const id = (i: number) => (opts.ids ? opts.ids[i] : i);
  const core = model.core;
  const rows: EquivarianceRow[] = [];
  for (const aug of opts.augs ?? AUGMENTATIONS) {
    const geometric = GEOMETRIC.includes(aug);
    // T(x), T(|map(x)|) and, for erasing, T(ones), all in wasm with one Augmenter.
    const tx = new Float32Array(count * size);
    const tm = new Float32Array(count * size);
    const keep = new Float32Array(count * size);
    const mark = core.arena.mark();
    try {
      const a = new Augmenter(core, aug, H, W, opts.strength?.[aug], { crop: opts.crop });
      const src = core.arena.alloc(size * 4);
      const dst = core.arena.alloc(size * 4);
      const run = (from: Float32Array, i: number, into: Float32Array) => {
        core.arena.f32(src, size).set(from.subarray(i * size, (i + 1) * size));
        a.apply(dst, src, seed, id(i), 0, Stream.EQUIVARIANCE);
        into.set(core.arena.f32(dst, size), i * size);
      };
      const ones = new Float32Array(count * size).fill(1);
      for (let i = 0; i < count; i++) {
        run(inputs, i, tx);
        if (geometric) run(original.abs, i, tm);
        if (aug === "erasing") run(ones, i, keep);
      }
    } finally {
      core.arena.reset(mark);
    }
    const after = method(model, tx, original.target, fixed);
    const row: EquivarianceRow = { aug, kind: geometric ? "equivariance" : "invariance", cc: [], spearman: [] };
    for (let i = 0; i < count; i++) {
      const sl = (m: Float32Array) => m.subarray(i * size, (i + 1) * size);
      let p = sl(after.abs);
      let q = geometric ? sl(tm) : sl(original.abs);
      if (aug === "erasing") {
        p = maskedValues(p, sl(keep));
        q = maskedValues(q, sl(keep));
      }
      row.cc.push(mapCC(core, p, q));
      row.spearman.push(mapSpearman(core, p, q));
    }
    rows.push(row);
  }
  return rows;
}

export interface EquivarianceSummary {
  aug: AugName;
  kind: "equivariance" | "invariance";
  /** Images where CC is defined (neither map constant). */
  n: number;
  cc: number; ccSd: number;
  spearman: number; spearmanSd: number;
}

export function summariseEquivariance(rows: EquivarianceRow[]): EquivarianceSummary[] {
  return rows.map((r) => {
    const c = meanSdDefined(r.cc), s = meanSdDefined(r.spearman);
    return { aug: r.aug, kind: r.kind, n: c.n, cc: c.mean, ccSd: c.sd, spearman: s.mean, spearmanSd: s.sd };
  });
}
