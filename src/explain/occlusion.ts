// Occlusion (Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks", Sec. 4.2),
// in Captum's form (attr/_core/occlusion.py with baselines = 0): a square patch of side k (default
// 4) slides over the image with stride s (default 2) in both directions, positions 0, s, 2s, ... while
// the patch fits (floor((H - k) / s) + 1 per axis: 13 x 13 on 28 x 28); each occluded copy has the
// patch set to 0 (the MNIST background) in every channel, and its drop of the target score
//   drop = S_c(x) - S_c(x with the patch zeroed)
// is credited to every pixel under the patch. A pixel's attribution is the mean drop over the
// patches that cover it (Captum divides by the number of windows including the feature); a pixel no
// patch covers gets 0. All copies of an image run as rows of the model's batch, forward only. The
// class explained is the clean image's. abs = |signed|.
import type { Model } from "../nn/model.js";
import { absOf, checkCall, resolveTargets, runRows, type Attribution, type AttributionOptions } from "./batch.js";

export const OCCLUSION_DEFAULTS = { patch: 4, stride: 2 } as const;

export interface OcclusionOptions extends AttributionOptions {
  /** Side of the square patch in pixels; default 4. */
  patch?: number;
  /** Step between patch positions in pixels; default 2. */
  stride?: number;
}

export interface OcclusionAttribution extends Attribution {
  /** Patch positions per axis (rows, columns). */
  grid: [number, number];
  /** The drop of each patch, (n, rows, cols) f64, patch (a, b) covering rows a s .. a s + k - 1 and
   *  columns b s .. b s + k - 1. */
  drops: Float64Array;
}

export function attribute(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: OcclusionOptions = {},
): OcclusionAttribution {
  const fn = "occlusion";
  const call = checkCall(fn, model, inputs, labels, options);
  const k = options.patch ?? OCCLUSION_DEFAULTS.patch;
  const s = options.stride ?? OCCLUSION_DEFAULTS.stride;
  const [C, H, W] = model.spec.input;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(H, W))
    throw new RangeError(`${fn}: patch must be an integer from 1 to ${Math.min(H, W)}, got ${k}`);
  if (!Number.isInteger(s) || s < 1) throw new RangeError(`${fn}: stride must be a positive integer, got ${s}`);
  const { count, size } = call;
  const { target, predicted } = resolveTargets(fn, model, inputs, labels, call);
  const gy = Math.floor((H - k) / s) + 1,
    gx = Math.floor((W - k) / s) + 1;
  const P = gy * gx;
  const rowsPer = P + 1; // row 0: the clean image
  const drops = new Float64Array(count * P);
  const clean = new Float64Array(count);
  runRows(fn, model, {
    rows: count * rowsPer,
    fill: (r, dst) => {
      const i = Math.floor(r / rowsPer),
        q = (r % rowsPer) - 1;
      dst.set(inputs.subarray(i * size, (i + 1) * size));
      if (q < 0) return;
      const y0 = Math.floor(q / gx) * s,
        x0 = (q % gx) * s;
      for (let c = 0; c < C; c++) {
        for (let y = y0; y < y0 + k; y++) dst.fill(0, c * H * W + y * W + x0, c * H * W + y * W + x0 + k);
      }
    },
    target: (r) => target[Math.floor(r / rowsPer)],
    score: call.score,
    backward: "none",
    consume: (r, j, b) => {
      const i = Math.floor(r / rowsPer),
        q = (r % rowsPer) - 1;
      if (q < 0) clean[i] = b.score(j);
      else drops[i * P + q] = clean[i] - b.score(j);
    },
  });
  const signed = new Float32Array(count * size);
  const sum = new Float64Array(H * W);
  const cover = new Int32Array(H * W);
  for (let i = 0; i < count; i++) {
    sum.fill(0);
    cover.fill(0);
    for (let q = 0; q < P; q++) {
      const y0 = Math.floor(q / gx) * s,
        x0 = (q % gx) * s;
      for (let y = y0; y < y0 + k; y++) {
        for (let x = x0; x < x0 + k; x++) {
          sum[y * W + x] += drops[i * P + q];
          cover[y * W + x]++;
        }
      }
    }
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < H * W; p++) signed[i * size + c * H * W + p] = cover[p] ? sum[p] / cover[p] : 0;
    }
  }
  return { signed, abs: absOf(signed), target, predicted, grid: [gy, gx], drops };
}
