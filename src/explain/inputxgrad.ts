// Input x Gradient (Shrikumar et al. 2016, "Not Just a Black Box", and Ancona et al. 2018, "Towards
// better understanding of gradient-based attribution methods", Sec. 2.2): attr = x * d S_c / d x,
// element by element (Captum's attr/_core/input_x_gradient.py). For a model linear in its input this is
// each pixel's exact contribution w_p x_p to the score, and equals Integrated Gradients from a zero
// baseline. abs = |signed|.
import type { Model } from "../nn/model.js";
import { absOf, checkCall, runRows, type Attribution, type AttributionOptions } from "./batch.js";

export function attribute(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: AttributionOptions = {},
): Attribution {
  const fn = "inputxgrad";
  const call = checkCall(fn, model, inputs, labels, options);
  const { count, size } = call;
  const signed = new Float32Array(count * size);
  const target = new Int32Array(count);
  const predicted = new Int32Array(count);
  runRows(fn, model, {
    rows: count,
    fill: (k, dst) => dst.set(inputs.subarray(k * size, (k + 1) * size)),
    target: (k, pred) => {
      predicted[k] = pred;
      return (target[k] = call.targetMode === "label" ? labels[k] : pred);
    },
    score: call.score,
    backward: "input",
    consume: (k, j, b) => {
      const g = b.grad(j);
      const o = k * size;
      for (let p = 0; p < size; p++) signed[o + p] = inputs[o + p] * g[p];
    },
  });
  return { signed, abs: absOf(signed), target, predicted };
}
