// Integrated Gradients (Sundararajan, Taly & Yan 2017, "Axiomatic Attribution for Deep Networks",
// Eq. 1 and its Riemann approximation, Sec. 5):
//   IG_p(x) = (x_p - x'_p) * integral_0^1 d S_c(x' + a (x - x')) / d x_p da
// with the zero (black) baseline x' = 0 (the MNIST background) and the integral by the trapezoid rule
// on m = 50 equally spaced points a_k = k / (m - 1), k = 0..m-1, weights 1 / (m - 1) halved at both
// ends: Captum's method="riemann_trapezoid" with n_steps = 50 (its points and weights,
// captum/attr/_utils/approximation_methods.py). The gradients at the m points run as rows of the model's
// batch; the weighted sum runs in f64 in point order. Completeness (the paper's Proposition 1) says
// sum_p IG_p = S_c(x) - S_c(x'); the rule's error is reported per image as
//   gap = sum_p IG_p - (S_c(x) - S_c(x'))
// (Captum's compute_convergence_delta), with S_c(x) and S_c(x') read off the first and last points'
// forward passes. The class explained is the clean image's. abs = |signed|.
import type { Model } from "../nn/model.js";
import { absOf, checkCall, resolveTargets, runRows, type Attribution, type AttributionOptions } from "./batch.js";

export const IG_DEFAULTS = { steps: 50 } as const;

export interface IGOptions extends AttributionOptions {
  /** Points on the path, both ends included (Captum's n_steps); default 50, at least 2. */
  steps?: number;
}

export interface IGAttribution extends Attribution {
  /** Per image: sum(attr) - (S_c(x) - S_c(0)), f64. */
  gap: Float64Array;
  /** Per image: S_c(x) and S_c(baseline), the scores at the path's ends. */
  scoreInput: Float64Array;
  scoreBaseline: Float64Array;
}

export function attribute(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: IGOptions = {},
): IGAttribution {
  const fn = "ig";
  const call = checkCall(fn, model, inputs, labels, options);
  const m = options.steps ?? IG_DEFAULTS.steps;
  if (!Number.isInteger(m) || m < 2)
    throw new RangeError(`${fn}: steps must be an integer of at least 2 (both ends of the path), got ${m}`);
  const { count, size } = call;
  const { target, predicted } = resolveTargets(fn, model, inputs, labels, call);
  const h = 1 / (m - 1);
  const alpha = (k: number) => k * h; // Captum: torch.linspace(0, 1, n); k / (m - 1) in f64, then f32 below
  const weight = (k: number) => (k === 0 || k === m - 1 ? h / 2 : h);
  const signed = new Float32Array(count * size);
  const gap = new Float64Array(count);
  const scoreInput = new Float64Array(count);
  const scoreBaseline = new Float64Array(count);
  const acc = new Float64Array(size);
  runRows(fn, model, {
    rows: count * m,
    fill: (k, dst) => {
      const i = Math.floor(k / m);
      const a = Math.fround(alpha(k % m));
      const x = inputs.subarray(i * size, (i + 1) * size);
      for (let p = 0; p < size; p++) dst[p] = a * x[p]; // baseline 0: x' + a (x - x') = a x
    },
    target: (k) => target[Math.floor(k / m)],
    score: call.score,
    backward: "input",
    consume: (k, j, b) => {
      const i = Math.floor(k / m),
        s = k % m;
      if (s === 0) {
        acc.fill(0);
        scoreBaseline[i] = b.score(j);
      }
      const g = b.grad(j);
      const w = weight(s);
      for (let p = 0; p < size; p++) acc[p] += w * g[p];
      if (s < m - 1) return;
      scoreInput[i] = b.score(j);
      let total = 0;
      for (let p = 0; p < size; p++) {
        signed[i * size + p] = inputs[i * size + p] * acc[p];
        total += signed[i * size + p]; // the saved (f32) map's sum
      }
      gap[i] = total - (scoreInput[i] - scoreBaseline[i]);
    },
  });
  return { signed, abs: absOf(signed), target, predicted, gap, scoreInput, scoreBaseline };
}
