// Vanilla gradient saliency (Simonyan, Vedaldi & Zisserman 2013, "Deep Inside Convolutional Networks",
// Sec. 3.1): the map of a query image x for class c is |d S_c / d x| where S_c is the class score.
// One call shape, as Captum's attr/_core/saliency.py: attribute(model, inputs, target, options).
// We keep the signed gradient too; the metrics use the absolute map.
import type { Model } from "../nn/model.js";
import { absOf, checkCall, runRows, type Attribution, type AttributionOptions } from "./batch.js";

export type SaliencyOptions = AttributionOptions;
export type SaliencyResult = Attribution;

/**
 * Saliency maps of n images (n * model.inputSize floats in [0, 1]) for the given labels. Batched
 * through the model's backward pass to the input: every image's score depends on its own input only,
 * so one backward of the summed scores gives every per-image gradient at once. The target of
 * "predicted" is the argmax of the same forward pass. Leaves the model's labels and parameters as
 * they were (batch.ts).
 */
export function attribute(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: SaliencyOptions = {},
): SaliencyResult {
  const fn = "saliency";
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
    consume: (k, j, b) => signed.set(b.grad(j), k * size),
  });
  return { signed, abs: absOf(signed), target, predicted };
}
