// The page's engine, free of the DOM: one core, the run's models, and one call that
// gives every model's prediction, probabilities and saliency map for an image. It uses the same
// Model and attribute() as the study, so a map computed here is the study's map, bit for bit.
import type { Core } from "../core/load.js";
import { Model } from "../nn/model.js";
import { decodeCheckpoint } from "../nn/checkpoint.js";
import type { SaliencyOptions } from "../explain/saliency.js";
import { attributeWith, isMethod, type MethodName } from "../explain/methods.js";

/** Methods the page can run live: every portable method but occlusion (170 forward passes per model). */
export function liveMethods(methods: readonly string[] | undefined): MethodName[] {
  const list = (methods ?? ["vanilla"]).filter((m): m is MethodName => isMethod(m) && m !== "occlusion");
  return list.includes("vanilla") ? list : ["vanilla", ...list];
}

export interface ModelEntry {
  set: string;
  id: string;
  model: Model;
}

export interface Prediction {
  set: string;
  id: string;
  /** The class the map explains. */
  target: number;
  predicted: number;
  /** Softmax probabilities, (classes). */
  probs: Float32Array;
  /** |attribution| of the chosen method (vanilla: |d S_target / d x|), (1, H, W). */
  map: Float32Array;
}

/** Images the page's models take at once: the noisy and path methods (SmoothGrad's 25 samples, IG's 50
 *  points) run their rows in batches of it, which threads share by blocks of images; a map does not
 *  depend on the batch its rows ran in (src/explain/batch.ts), so it is the study's map whatever this is. */
export const LIVE_CAPACITY = 32;

/** Decode each weights file and build its model in the core's arena (`capacity` images at once). */
export function loadModels(
  core: Core,
  files: { set: string; id: string; bytes: Uint8Array }[],
  capacity = 1,
): ModelEntry[] {
  return files.map((f) => {
    const { spec, params } = decodeCheckpoint(f.bytes, `${f.id}.bin`);
    const model = new Model(core, spec, capacity);
    model.setParams(params);
    return { set: f.set, id: f.id, model };
  });
}

/**
 * Every model on one image (inputSize floats in [0, 1]): prediction, probabilities, saliency map.
 * `label` is the class explained when options.target is "label" (a test image); a drawing has none
 * and explains the predicted class. `method` (default vanilla) is any of liveMethods; `seed` and `id` give
 * the noisy methods the study's random draws (id = the test image's index), so a test image's map is the
 * study's map.
 */
export function predictAll(
  models: ModelEntry[],
  image: Float32Array,
  label: number,
  options: SaliencyOptions & { method?: MethodName; seed?: number; id?: number },
): Prediction[] {
  const { method = "vanilla", id = 0, ...rest } = options;
  return models.map(({ set, id: modelId, model }) => {
    const s = attributeWith(method, model, image, [label], { ...rest, ids: [id] });
    const ex = model.core.exports;
    ex.softmax_forward(model.probs, model.logits, 1, model.classes);
    const probs = model.core.arena.f32(model.probs, model.classes).slice();
    return { set, id: modelId, target: s.target[0], predicted: s.predicted[0], probs, map: s.abs };
  });
}

/** The largest value of all maps (the shared colour scale's top); 0 if every map is zero. */
export function sharedMax(maps: Float32Array[]): number {
  let m = 0;
  for (const a of maps) for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}
