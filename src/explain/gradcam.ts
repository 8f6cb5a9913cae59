// Grad-CAM (Selvaraju et al. 2017, "Grad-CAM: Visual Explanations from Deep Networks via
// Gradient-based Localization", Eqs. 1-2) on the last convolutional layer:
//   alpha_k = (1 / (h w)) sum_ij d S_c / d A_k[i, j]          (global-average-pooled gradients)
//   L = ReLU(sum_k alpha_k A_k)                                (h x w)
// A is the last conv layer's rectified output: the ReLU that follows it when there is one (the
// paper's VGG-16 maps are relu5_3's), before any pooling (14 x 14 for the tutorial CNN, 28 x 28 for
// cs231n). L is upsampled to the input size bilinearly as torch.nn.functional.interpolate(
// mode="bilinear", align_corners=False) (the wasm kernel aug_resized_crop with the whole h x w map as
// its box). NO per-image min-max scaling (pytorch-grad-cam's scale_cam_image does one): the raw
// magnitudes are kept so that models can be compared. abs = the upsampled ReLU'd map (the Grad-CAM
// map proper, non-negative); signed = the upsampled map before the ReLU (negative where the evidence
// speaks against the class). Sums run in f64 in channel and pixel order. Maps of a multi-channel
// input are repeated over its channels.
import type { Model } from "../nn/model.js";
import { checkCall, runRows, type Attribution, type AttributionOptions } from "./batch.js";

export interface GradCAMAttribution extends Attribution {
  /** The layer whose output A is (an index into the model's spec.layers). */
  layer: number;
  /** (h, w) of the map before upsampling. */
  camShape: [number, number];
  /** The maps before upsampling, ReLU'd, (n, h, w) f32. */
  cam: Float32Array;
}

/** The layer Grad-CAM reads: the last conv layer, or the ReLU right after it. */
export function gradcamLayer(model: Model): number {
  const layers = model.spec.layers;
  let last = -1;
  layers.forEach((l, i) => {
    if (l.type === "conv") last = i;
  });
  if (last < 0) throw new RangeError("gradcam: the model has no convolutional layer");
  return layers[last + 1]?.type === "relu" ? last + 1 : last;
}

export function attribute(
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: AttributionOptions = {},
): GradCAMAttribution {
  const fn = "gradcam";
  const call = checkCall(fn, model, inputs, labels, options);
  const { count, size } = call;
  const layer = gradcamLayer(model);
  const [Cin, H, W] = model.spec.input;
  const { out, dout, shape } = model.layerOutput(layer);
  const [K, h, w] = shape;
  if (h > H || w > W) throw new RangeError(`gradcam: a ${h}x${w} map cannot be upsampled to a ${H}x${W} input`);
  const hw = h * w;
  const per = K * hw;
  const target = new Int32Array(count);
  const predicted = new Int32Array(count);
  const cam = new Float32Array(count * hw); // before the ReLU
  const core = model.core;
  runRows(fn, model, {
    rows: count,
    fill: (k, dst) => dst.set(inputs.subarray(k * size, (k + 1) * size)),
    target: (k, pred) => {
      predicted[k] = pred;
      return (target[k] = call.targetMode === "label" ? labels[k] : pred);
    },
    score: call.score,
    backward: "layers",
    consume: (k, j) => {
      const A = core.arena.f32(out + j * per * 4, per);
      const dA = core.arena.f32(dout + j * per * 4, per);
      const acc = new Float64Array(hw);
      for (let c = 0; c < K; c++) {
        let s = 0;
        for (let p = 0; p < hw; p++) s += dA[c * hw + p];
        const alpha = s / hw;
        for (let p = 0; p < hw; p++) acc[p] += alpha * A[c * hw + p];
      }
      cam.set(acc, k * hw);
    },
  });
  const relu = cam.map((v) => (v > 0 ? v : 0));
  const up = (maps: Float32Array) => upsample(model, maps, count, h, w, H, W);
  const signedOne = up(cam);
  const absOne = up(relu);
  const signed = new Float32Array(count * size);
  const abs = new Float32Array(count * size);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < Cin; c++) {
      signed.set(signedOne.subarray(i * H * W, (i + 1) * H * W), i * size + c * H * W);
      abs.set(absOne.subarray(i * H * W, (i + 1) * H * W), i * size + c * H * W);
    }
  }
  return { signed, abs, target, predicted, layer, camShape: [h, w], cam: relu };
}

/** n maps of h x w to H x W (h <= H, w <= W), bilinear with align_corners=False, by the wasm
 *  aug_resized_crop kernel: each map sits in the top-left corner of an H x W frame and is the box. */
function upsample(
  model: Model,
  maps: Float32Array,
  n: number,
  h: number,
  w: number,
  H: number,
  W: number,
): Float32Array {
  const core = model.core;
  const ex = core.exports;
  const mark = core.arena.mark();
  try {
    const src = core.arena.allocF32(n * H * W);
    const dst = core.arena.alloc(n * H * W * 4);
    const ws = core.arena.alloc(ex.aug_resized_crop_ws_bytes(H, W));
    const frame = core.arena.f32(src, n * H * W);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < h; r++)
        frame.set(maps.subarray(i * h * w + r * w, i * h * w + (r + 1) * w), i * H * W + r * W);
    }
    ex.aug_resized_crop(dst, src, n, H, W, 0, 0, h, w, ws);
    return core.arena.f32(dst, n * H * W).slice();
  } finally {
    core.arena.reset(mark);
  }
}
