// Does the explanation follow the augmentation? For each transform T (the study passes its five
// augmentations, with parameters from the stream (seed, EQUIVARIANCE, augmentation id, image id, 0) so
// they are not the training copies' draws; see study/trust.ts):
// - geometric (scaling, crop, distortion): equivariance, the map of the transformed image against the
//   transformed map, saliency(T(x)) vs T(saliency(x)), T applied to |map| with the same parameters (the
//   same kernel: bilinear, zero fill, the same field for the distortion);
// - photometric (blur, erasing): invariance, saliency(T(x)) vs saliency(x); for erasing over the
//   pixels T left alone (the transform says which: for erasing, an all-ones image erased with the same
//   draws).
// Compared by Pearson CC (MIT CC.m) and Spearman rank correlation of the absolute maps, per image, in
// the wasm core (metrics.ts). The class explained is the one explained on x (its label or the model's
// prediction on x). The question per model: does a model trained with T explain T-transformed inputs
// more consistently than Orig does? The transforms come in as functions, so this module needs no data
// layer (explain uses core and nn only).
import type { Model } from "../../nn/model.js";
import type { Attribution } from "../batch.js";
import type { AttributionFn, MethodOptions, MultiAttributionFn } from "../methods.js";
import { mapCC, mapSpearman, maskedValues, meanSdDefined } from "../metrics.js";

/** One transform of one-channel images, deterministic per image index. */
export interface MapTransform {
  name: string;
  kind: "equivariance" | "invariance";
  /** T applied to image i's plane (H W floats): the same parameters on every call with the same i. */
  apply(plane: Float32Array, i: number): Float32Array;
  /** For an invariance over part of the image: 1 where image i's pixels are compared, 0 elsewhere. */
  keep?(i: number): Float32Array;
}

export interface EquivarianceRow {
  name: string;
  kind: "equivariance" | "invariance";
  /** Per image. */
  cc: number[];
  spearman: number[];
}

export interface EquivarianceOptions {
  methodOptions?: MethodOptions;
  /** The maps of the untransformed images, if already computed (with the same method options). */
  original?: Attribution;
}

export function equivariance(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  method: AttributionFn,
  transforms: readonly MapTransform[],
  opts: EquivarianceOptions = {},
): EquivarianceRow[] {
  const multi: MultiAttributionFn = (m, x, y, o) => new Map([["method", method(m, x, y, o)]]);
  const original = opts.original ? new Map([["method", opts.original]]) : undefined;
  return equivarianceMany(model, inputs, labels, multi, transforms, { ...opts, original }).get("method")!;
}

/** The same for several methods at once (`multi` gives every method's maps from one call). */
export function equivarianceMany(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  multi: MultiAttributionFn,
  transforms: readonly MapTransform[],
  opts: Omit<EquivarianceOptions, "original"> & { original?: Map<string, Attribution> } = {},
): Map<string, EquivarianceRow[]> {
  const [C, H, W] = model.spec.input;
  if (C !== 1) throw new RangeError(`equivariance: the transforms take one-channel images, the model's input has ${C}`);
  const size = H * W;
  const count = inputs.length / size;
  const mo = opts.methodOptions ?? {};
  const original = opts.original ?? multi(model, inputs, labels, mo);
  const names = [...original.keys()];
  const fixed: MethodOptions = { ...mo, target: "label" };
  const targets = original.get(names[0])!.target;
  const core = model.core;
  const out = new Map(names.map((n) => [n, [] as EquivarianceRow[]]));
  const sl = (m: Float32Array, i: number) => m.subarray(i * size, (i + 1) * size);
  for (const T of transforms) {
    const geometric = T.kind === "equivariance";
    const tx = new Float32Array(count * size);
    for (let i = 0; i < count; i++) tx.set(T.apply(sl(inputs, i), i), i * size);
    const after = multi(model, tx, targets, fixed);
    const keeps = T.keep ? Array.from({ length: count }, (_, i) => T.keep!(i)) : null;
    for (const n of names) {
      const row: EquivarianceRow = { name: T.name, kind: T.kind, cc: [], spearman: [] };
      for (let i = 0; i < count; i++) {
        let p = sl(after.get(n)!.abs, i);
        let q = geometric ? T.apply(sl(original.get(n)!.abs, i), i) : sl(original.get(n)!.abs, i);
        if (keeps) {
          p = maskedValues(p, keeps[i]);
          q = maskedValues(q, keeps[i]);
        }
        row.cc.push(mapCC(core, p, q));
        row.spearman.push(mapSpearman(core, p, q));
      }
      out.get(n)!.push(row);
    }
  }
  return out;
}

export interface EquivarianceSummary {
  name: string;
  kind: "equivariance" | "invariance";
  /** Images where CC is defined (neither map constant). */
  n: number;
  cc: number;
  ccSd: number;
  spearman: number;
  spearmanSd: number;
}

export function summariseEquivariance(rows: EquivarianceRow[]): EquivarianceSummary[] {
  return rows.map((r) => {
    const c = meanSdDefined(r.cc),
      s = meanSdDefined(r.spearman);
    return { name: r.name, kind: r.kind, n: c.n, cc: c.mean, ccSd: c.sd, spearman: s.mean, spearmanSd: s.sd };
  });
}
