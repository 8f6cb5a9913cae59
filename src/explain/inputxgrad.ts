// Input x Gradient (Shrikumar et al. 2016, "Not Just a Black Box", and Ancona et al. 2018, "Towards
// better understanding of gradient-based attribution methods", Sec. 2.2): attr = x * d S_c / d x,
// element by element (Captum's attr/_core/input_x_gradient.py). For a model linear in its input this is
// each pixel's exact contribution w_p x_p to the score, and equals Integrated Gradients from a zero
// baseline. abs = |signed|.
import type { Model } from "../nn/model.js";
import { absOf, type Attribution, type AttributionOptions } from "./batch.js";
import { attribute as gradient } from "./saliency.js";

/** The vanilla gradient's pass (saliency.ts), then x * gradient pixel by pixel. */
export function attribute(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: AttributionOptions = {},
): Attribution {
  return fromGradient(inputs, gradient(model, inputs, labels, options));
}

/** x * gradient from the vanilla gradient's maps of the same inputs and options (what attributeMany
 *  reuses when both methods run). */
export function fromGradient(inputs: Float32Array, g: Attribution): Attribution {
  const signed = new Float32Array(g.signed.length);
  for (let p = 0; p < signed.length; p++) signed[p] = inputs[p] * g.signed[p];
  return { signed, abs: absOf(signed), target: g.target, predicted: g.predicted };
}
