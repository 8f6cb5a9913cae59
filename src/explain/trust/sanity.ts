// Sanity checks for saliency maps (Adebayo et al. 2018, "Sanity Checks for Saliency Maps", NeurIPS):
// a map that explains the model must change when the model's weights do.
// - Cascading model-parameter randomisation (their Sec. 3.1): re-initialise the weighted layers from
//   the top down, cumulatively (fc, then fc + conv2, then fc + conv2 + conv1 for the tutorial CNN),
//   and compare each randomised model's maps with the trained model's.
// - Independent randomisation: one layer at a time, the others trained.
// Re-initialisation is our seeded Kaiming init (PyTorch's default, Model.init's kaiming_uniform for
// weight and bias) drawn from the stream (seed, RANDOMISE, layer index, 0, 0), so a layer gets the same
// random weights in both variants and in every run. Similarities per image, as their Fig. 2/3:
// Spearman rank correlation of the absolute maps and of the signed maps (the wasm core's map_spearman,
// scipy.stats.spearmanr), and SSIM of the absolute maps (metrics.ts mapSSIM, each rescaled to [0, 1]).
// The class explained stays the trained model's (its label or its prediction), so only the weights
// change between the maps compared; random methods keep their seed, so their noise is the same too.
// Data randomisation (their Sec. 3.2: a model trained on permuted labels) needs a second model, which
// the study trains; `compareAttributions` compares the two models' maps with the same similarities.
import type { Model } from "../../nn/model.js";
import type { Core } from "../../core/load.js";
import { Stream } from "../../core/streams.js";
import type { Attribution } from "../batch.js";
import type { AttributionFn, MethodOptions, MultiAttributionFn } from "../methods.js";
import { mapSpearman, mapSSIM, meanSdDefined } from "../metrics.js";

/** A method fails the check when the mean Spearman correlation of its absolute maps with the trained
 *  model's is still at least this after full cascading randomisation (mean over the images where it is
 *  defined: a constant map, e.g. an all-zero Grad-CAM, has no rank correlation). Adebayo et al. give no number;
 *  0.5 means the randomised maps still share most of their pixel ranking with the trained ones. */
export const SANITY_FAIL_AT = 0.5;

export interface Similarity {
  /** Per image. */
  spearmanAbs: number[];
  spearmanSigned: number[];
  ssim: number[];
}

export interface SimilaritySummary {
  /** Images where the Spearman correlation of |maps| is defined (neither map constant). */
  n: number;
  spearmanAbs: number;
  spearmanAbsSd: number;
  spearmanSigned: number;
  spearmanSignedSd: number;
  ssim: number;
  ssimSd: number;
}

export interface SanityStep extends Similarity {
  /** The layers re-initialised in this step, e.g. ["fc", "conv2"]. */
  layers: string[];
}

export interface SanityResult {
  /** Names of the weighted layers, top down (the cascade's order). */
  layers: string[];
  cascading: SanityStep[];
  independent: SanityStep[];
  /** Mean Spearman of |maps| after the last cascading step (every layer random). */
  finalSpearmanAbs: number;
  /** finalSpearmanAbs >= SANITY_FAIL_AT; null (no verdict) when it is defined for fewer than half of
   *  the images. */
  fails: boolean | null;
}

/** The weighted layers of a model, bottom up: layer index, name (conv1, conv2, ..., fc or fc1, fc2, ...),
 *  and its weight and bias tensors. */
export function weightedLayers(model: Model): { index: number; name: string }[] {
  const idx = [...new Set(model.tensors.map((t) => t.layer))].sort((a, b) => a - b);
  const types = idx.map((i) => model.spec.layers[i].type);
  const nLinear = types.filter((t) => t === "linear").length;
  const seen = { conv: 0, linear: 0 };
  return idx.map((index, k) => {
    const t = types[k] === "conv" ? "conv" : "linear";
    seen[t]++;
    const name = t === "conv" ? `conv${seen.conv}` : nLinear === 1 ? "fc" : `fc${seen.linear}`;
    return { index, name };
  });
}

/** Re-initialise one layer's weight and bias in place from (seed, RANDOMISE, layer, 0, 0). */
export function randomiseLayer(model: Model, layer: number, seed: number): void {
  const ex = model.core.exports;
  const mark = model.core.arena.mark();
  try {
    const st = model.core.arena.alloc(16);
    ex.rng_seed(st, seed >>> 0, Stream.RANDOMISE, layer, 0, 0);
    for (const name of ["weight", "bias"] as const) {
      const t = model.tensors.find((x) => x.layer === layer && x.name === name);
      if (!t) continue;
      const w = model.tensors.find((x) => x.layer === layer && x.name === "weight")!;
      const fanIn = w.shape.slice(1).reduce((a, b) => a * b, 1); // Cin K K, or In
      ex.kaiming_uniform(st, model.params + t.offset * 4, t.count, fanIn);
    }
  } finally {
    model.core.arena.reset(mark);
  }
}

/** Per-image similarities of map set b with map set a (images of rows x cols, channels folded in). */
export function compareAttributions(
  core: Core,
  a: Attribution,
  b: Attribution,
  count: number,
  rows: number,
  cols: number,
): Similarity {
  const size = a.abs.length / count;
  if (!Number.isInteger(size) || b.abs.length !== a.abs.length)
    throw new RangeError(`compareAttributions: maps of ${a.abs.length} and ${b.abs.length} floats for ${count} images`);
  const out: Similarity = { spearmanAbs: [], spearmanSigned: [], ssim: [] };
  const ch = size / (rows * cols);
  if (!Number.isInteger(ch))
    throw new RangeError(`compareAttributions: ${size}-float maps are not ${rows} x ${cols} images`);
  for (let i = 0; i < count; i++) {
    const sl = (m: Float32Array) => m.subarray(i * size, (i + 1) * size);
    out.spearmanAbs.push(mapSpearman(core, sl(b.abs), sl(a.abs)));
    out.spearmanSigned.push(mapSpearman(core, sl(b.signed), sl(a.signed)));
    out.ssim.push(mapSSIM(sl(b.abs), sl(a.abs), rows * ch, cols)); // channels stacked as rows
  }
  return out;
}

export function summarise(s: Similarity): SimilaritySummary {
  const a = meanSdDefined(s.spearmanAbs),
    g = meanSdDefined(s.spearmanSigned),
    m = meanSdDefined(s.ssim);
  return {
    n: a.n,
    spearmanAbs: a.mean,
    spearmanAbsSd: a.sd,
    spearmanSigned: g.mean,
    spearmanSignedSd: g.sd,
    ssim: m.mean,
    ssimSd: m.sd,
  };
}

export interface SanityOptions {
  /** Seed of the re-initialisation streams; default 0. */
  seed?: number;
  /** Options passed to the method (its own seed, target mode, score, ...). */
  methodOptions?: MethodOptions;
  /** The trained model's maps, if already computed (with the same method options). */
  original?: Attribution;
}

/**
 * Cascading and independent randomisation of `model` for one method. The model's parameters are
 * restored before returning (also on an error).
 */
export function sanityChecks(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  method: AttributionFn,
  opts: SanityOptions = {},
): SanityResult {
  const multi: MultiAttributionFn = (m, x, y, o) => new Map([["method", method(m, x, y, o)]]);
  const original = opts.original ? new Map([["method", opts.original]]) : undefined;
  return sanityChecksMany(model, inputs, labels, multi, { ...opts, original }).get("method")!;
}

/**
 * The same for several methods at once, `multi` giving every method's maps from one call (so
 * methods that share work, like the SmoothGrad family, share it here too). One result per method.
 */
export function sanityChecksMany(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  multi: MultiAttributionFn,
  opts: Omit<SanityOptions, "original"> & { original?: Map<string, Attribution> } = {},
): Map<string, SanityResult> {
  const seed = opts.seed ?? 0;
  const mo = opts.methodOptions ?? {};
  const [, H, W] = model.spec.input;
  const count = inputs.length / model.inputSize;
  const original = opts.original ?? multi(model, inputs, labels, mo);
  const names = [...original.keys()];
  // Explain the trained model's classes in every randomised model (the same for every method).
  const fixed: MethodOptions = { ...mo, target: "label" };
  const targets = original.get(names[0])!.target;
  for (const n of names) {
    if (original.get(n)!.target.some((c, i) => c !== targets[i]))
      throw new RangeError(`sanity: methods explain different classes (${n})`);
  }
  const layers = weightedLayers(model).reverse(); // top down
  const saved = model.getParams();
  const cascading = new Map(names.map((n) => [n, [] as SanityStep[]]));
  const independent = new Map(names.map((n) => [n, [] as SanityStep[]]));
  const step = (into: Map<string, SanityStep[]>, layerNames: string[], b = multi(model, inputs, targets, fixed)) => {
    for (const n of names) {
      into
        .get(n)!
        .push({ layers: layerNames, ...compareAttributions(model.core, original.get(n)!, b.get(n)!, count, H, W) });
    }
    return b;
  };
  try {
    // The cascade's first step (the top layer alone random, the others trained) is the independent
    // test of the top layer: the same weights, so the same maps; they are computed once.
    let topOnly: Map<string, Attribution> | null = null;
    for (let k = 0; k < layers.length; k++) {
      randomiseLayer(model, layers[k].index, seed);
      const b = step(
        cascading,
        layers.slice(0, k + 1).map((l) => l.name),
      );
      if (k === 0) topOnly = b;
    }
    for (const [k, l] of layers.entries()) {
      if (k === 0 && topOnly) {
        step(independent, [l.name], topOnly);
        continue;
      }
      model.setParams(saved);
      randomiseLayer(model, l.index, seed);
      step(independent, [l.name]);
    }
  } finally {
    model.setParams(saved);
  }
  const out = new Map<string, SanityResult>();
  for (const n of names) {
    const c = cascading.get(n)!;
    const final = meanSdDefined(c[c.length - 1].spearmanAbs);
    // No verdict from fewer than half of the images (e.g. Grad-CAM maps that are all zero after the ReLU).
    const fails = final.n * 2 < count ? null : final.mean >= SANITY_FAIL_AT;
    out.set(n, {
      layers: layers.map((l) => l.name),
      cascading: c,
      independent: independent.get(n)!,
      finalSpearmanAbs: final.mean,
      fails,
    });
  }
  return out;
}
