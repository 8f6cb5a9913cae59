// Vanilla gradient saliency (Simonyan, Vedaldi & Zisserman 2013, "Deep Inside Convolutional Networks",
// Sec. 3.1): the map of a query image x for class c is |d S_c / d x| where S_c is the class score.
// One call shape, as Captum's attr/_core/saliency.py: attribute(model, inputs, target, options).
// We keep the signed gradient too; the metrics use the absolute map.
import type { Model } from "../nn/model.js";

export interface SaliencyOptions {
  /** Which class to explain: the true label (default) or the model's prediction. */
  target?: "label" | "predicted";
  /** The score to differentiate: the pre-softmax logit z_c (default, as Simonyan et al.) or the
   *  softmax probability p_c (then d p_c / d z_j = p_c (delta_cj - p_j)). */
  score?: "logit" | "softmax";
}

export interface SaliencyResult {
  /** d S_c / d x for each image, (n, C, H, W) f32. */
  signed: Float32Array;
  /** |signed|. */
  abs: Float32Array;
  /** The class explained for each image. */
  target: Int32Array;
  /** The model's prediction for each image. */
  predicted: Int32Array;
}

/**
 * Saliency maps of n images (n * model.inputSize floats in [0, 1]) for the given labels. Batched
 * through the model's backward pass to the input: every image's score depends on its own input only,
 * so one backward of the summed scores gives every per-image gradient at once.
 */
export function attribute(model: Model, inputs: Float32Array, labels: ArrayLike<number>, options: SaliencyOptions = {}): SaliencyResult {
  const targetMode = options.target ?? "label";
  const score = options.score ?? "logit";
  if (targetMode !== "label" && targetMode !== "predicted") throw new RangeError(`saliency: target must be 'label' or 'predicted', got '${targetMode}'`);
  if (score !== "logit" && score !== "softmax") throw new RangeError(`saliency: score must be 'logit' or 'softmax', got '${score}'`);
  const size = model.inputSize;
  const count = Math.floor(inputs.length / size);
  if (count * size !== inputs.length || count < 1) throw new RangeError(`saliency: ${inputs.length} floats is not a whole number of ${size}-float images`);
  if (labels.length < count) throw new RangeError(`saliency: ${labels.length} labels for ${count} images`);
  const core = model.core;
  const ex = core.exports;
  const C = model.classes;
  const signed = new Float32Array(count * size);
  const target = new Int32Array(count);
  const predicted = new Int32Array(count);
  for (let start = 0; start < count; start += model.capacity) {
    const n = Math.min(model.capacity, count - start);
    model.setInput(inputs.subarray(start * size, (start + n) * size), n);
    model.forward(n);
    ex.argmax_rows(model.labels, model.logits, n, C);
    const pred = core.arena.i32(model.labels, n);
    predicted.set(pred, start);
    for (let i = 0; i < n; i++) {
      const c = targetMode === "label" ? labels[start + i] : pred[i];
      if (!(Number.isInteger(c) && c >= 0 && c < C)) throw new RangeError(`saliency: target class ${c} of image ${start + i} is outside 0..${C - 1}`);
      target[start + i] = c;
    }
    const d = core.arena.f32(model.dlogits, n * C);
    d.fill(0);
    if (score === "logit") {
      for (let i = 0; i < n; i++) d[i * C + target[start + i]] = 1;
    } else {
      ex.softmax_forward(model.probs, model.logits, n, C);
      const p = core.arena.f32(model.probs, n * C);
      for (let i = 0; i < n; i++) {
        const c = target[start + i];
        const pc = p[i * C + c];
        for (let j = 0; j < C; j++) d[i * C + j] = pc * ((j === c ? 1 : 0) - p[i * C + j]);
      }
    }
    model.backward(n, { inputGrad: true, paramGrads: false });
    signed.set(core.arena.f32(model.dinput, n * size), start * size);
  }
  const abs = signed.map(Math.abs);
  return { signed, abs, target, predicted };
}
