// SmoothGrad and its two relatives, from one set of noisy gradients:
// - SmoothGrad (Smilkov et al. 2017, "SmoothGrad: removing noise by adding noise", Eq. 3):
//   mean over n samples of d S_c / d x at x + N(0, sigma^2); signed = the mean, abs = |mean|.
// - SmoothGrad^2 (the "SG-SQ" of Hooker et al. 2019, "A Benchmark for Interpretability Methods in Deep
//   Neural Networks"; PAIR saliency's GetSmoothedMask(magnitude=True); Captum's smoothgrad_sq): the mean
//   of the squared gradients. Non-negative: signed = abs.
// - VarGrad (Adebayo et al. 2018, "Local explanation methods for deep neural networks lack
//   sensitivity to parameter values"; Captum's vargrad): the variance of the gradients over the samples,
//   divisor n (Captum: E[g^2] - E[g]^2; we sum (g - mean)^2 in a second pass, the same quantity without
//   the cancellation). Non-negative: signed = abs.
// Defaults: n = 25 samples, sigma = 0.15 x (max(x) - min(x)) of each image (PAIR saliency's
// stdev_spread = .15, nsamples = 25; the paper's 10-20 % noise level). No clipping of the noisy image
// (neither PAIR nor Captum clips). Noise: our generator's normal draws (assembly/rng.ts rng_normal,
// Box-Muller in f64), image i's n x size values from the one stream (seed, SMOOTHGRAD, ids[i], 0, 0),
// sample s taking draws s size .. (s + 1) size - 1, so a map does not depend on the batch it ran in.
// Sums over samples run in f64 in sample order. The class explained is the clean image's.
import type { Model } from "../nn/model.js";
import { Stream } from "../core/streams.js";
import { absOf, checkCall, resolveTargets, runRows, type Attribution, type AttributionOptions } from "./batch.js";

export const SMOOTHGRAD_DEFAULTS = { samples: 25, noiseLevel: 0.15 } as const;

export interface SmoothGradOptions extends AttributionOptions {
  /** Noisy samples per image; default 25. */
  samples?: number;
  /** sigma as a fraction of the image's value range (max - min); default 0.15. */
  noiseLevel?: number;
}

export interface NoiseTunnel {
  smoothgrad: Attribution;
  smoothgrad2: Attribution;
  vargrad: Attribution;
  /** sigma of each image's noise. */
  sigma: Float32Array;
}

/** The three maps from one pass over the noisy samples (what the registry shares between them). */
export function noiseTunnel(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: SmoothGradOptions = {},
): NoiseTunnel {
  const fn = "smoothgrad";
  const call = checkCall(fn, model, inputs, labels, options);
  const samples = options.samples ?? SMOOTHGRAD_DEFAULTS.samples;
  const level = options.noiseLevel ?? SMOOTHGRAD_DEFAULTS.noiseLevel;
  if (!Number.isInteger(samples) || samples < 1)
    throw new RangeError(`${fn}: samples must be a positive integer, got ${samples}`);
  if (!(level >= 0) || !Number.isFinite(level))
    throw new RangeError(`${fn}: noise level must be a finite number >= 0, got ${level}`);
  const { count, size } = call;
  const { target, predicted } = resolveTargets(fn, model, inputs, labels, call);
  const sigma = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let lo = Infinity,
      hi = -Infinity;
    for (let p = i * size; p < (i + 1) * size; p++) {
      lo = Math.min(lo, inputs[p]);
      hi = Math.max(hi, inputs[p]);
    }
    sigma[i] = level * (hi - lo);
  }
  const mean = new Float32Array(count * size);
  const sq = new Float32Array(count * size);
  const vr = new Float32Array(count * size);
  const core = model.core;
  const ex = core.exports;
  const mark = core.arena.mark();
  try {
    const st = core.arena.alloc(16);
    const noisePtr = core.arena.alloc(samples * size * 4);
    let noise = new Float32Array(0);
    const grads = new Float32Array(samples * size); // this image's gradients, sample-major
    runRows(fn, model, {
      rows: count * samples,
      fill: (k, dst) => {
        const i = Math.floor(k / samples),
          s = k % samples;
        if (s === 0) {
          ex.rng_seed(st, call.seed, Stream.SMOOTHGRAD, call.ids[i], 0, 0);
          ex.rng_fill_normal(st, noisePtr, samples * size, 0, sigma[i]);
          noise = core.arena.f32(noisePtr, samples * size).slice();
        }
        const x = inputs.subarray(i * size, (i + 1) * size);
        const e = noise.subarray(s * size, (s + 1) * size);
        for (let p = 0; p < size; p++) dst[p] = x[p] + e[p];
      },
      target: (k) => target[Math.floor(k / samples)],
      score: call.score,
      backward: "input",
      consume: (k, j, b) => {
        const i = Math.floor(k / samples),
          s = k % samples;
        grads.set(b.grad(j), s * size);
        if (s < samples - 1) return;
        for (let p = 0; p < size; p++) {
          let sum = 0,
            sumSq = 0;
          for (let t = 0; t < samples; t++) {
            const g = grads[t * size + p];
            sum += g;
            sumSq += g * g;
          }
          const m = sum / samples;
          let ss = 0;
          for (let t = 0; t < samples; t++) {
            const d = grads[t * size + p] - m;
            ss += d * d;
          }
          mean[i * size + p] = m;
          sq[i * size + p] = sumSq / samples;
          vr[i * size + p] = ss / samples;
        }
      },
    });
  } finally {
    core.arena.reset(mark);
  }
  const t = () => target.slice(),
    pr = () => predicted.slice();
  return {
    smoothgrad: { signed: mean, abs: absOf(mean), target: t(), predicted: pr() },
    smoothgrad2: { signed: sq, abs: sq.slice(), target: t(), predicted: pr() },
    vargrad: { signed: vr, abs: vr.slice(), target: t(), predicted: pr() },
    sigma,
  };
}

/** SmoothGrad: the mean noisy gradient (signed; abs = |mean|). */
export function attribute(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: SmoothGradOptions = {},
): Attribution {
  return noiseTunnel(model, inputs, labels, options).smoothgrad;
}

/** SmoothGrad^2: the mean squared noisy gradient. */
export function attributeSquared(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: SmoothGradOptions = {},
): Attribution {
  return noiseTunnel(model, inputs, labels, options).smoothgrad2;
}

/** VarGrad: the variance (divisor n) of the noisy gradients. */
export function attributeVar(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: SmoothGradOptions = {},
): Attribution {
  return noiseTunnel(model, inputs, labels, options).vargrad;
}
