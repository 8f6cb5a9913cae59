// The portable check: one small, fixed computation through the whole engine (seeded init, three Adam
// steps, one saliency map, one SmoothGrad map (normal draws), one Integrated Gradients map) whose
// SHA-256 hashes must be the same in every runtime that loads the core — Node, Deno, Bun and browsers.
// No Node API here: it takes the wasm bytes (or a core) and returns plain values.
// test/e2e/runtimes.test.ts and test/e2e/web.test.ts compare the hashes across runtimes.
import { instantiateCore, type Core } from "./core/load.js";
import { Stream } from "./core/streams.js";
import { sha256F32, sha256Hex } from "./core/sha256.js";
import { Model } from "./nn/model.js";
import { PRESETS } from "./nn/spec.js";
import { ADAM_DEFAULTS, Optimizer } from "./nn/optim.js";
import { attribute } from "./explain/saliency.js";
import { attribute as smoothgrad } from "./explain/smoothgrad.js";
import { attribute as integratedGradients } from "./explain/ig.js";

/** The fixed parameters of the check (part of its definition: changing one changes every hash). */
export const PORTABLE = {
  arch: "tutorial",
  seed: 20240,
  images: 8,
  steps: 3,
  /** Third word of the (seed, TEST, PORTABLE_TAG, 0, 0) stream the images come from. */
  tag: 0x0b7e,
} as const;

export interface PortableResult {
  /** SHA-256 of the wasm bytes the check ran on ("" when given an instantiated core). */
  wasmSha256: string;
  /** SHA-256 of the model's padded parameter region (little-endian f32) after the three steps. */
  weightsSha256: string;
  /** SHA-256 of the signed saliency map of image 0 for its label (little-endian f32, 784 values). */
  mapSha256: string;
  /** SHA-256 of image 0's signed SmoothGrad map (defaults: 25 samples, sigma 0.15 x range, stream
   *  (seed, SMOOTHGRAD, 0, 0, 0)): the generator's normal draws (Box-Muller in wasm f64). */
  smoothgradSha256: string;
  /** SHA-256 of image 0's signed Integrated Gradients map (defaults: zero baseline, 50 points). */
  igSha256: string;
  /** The training loss of each step (also decided bit for bit; shown for humans). */
  losses: number[];
  /** The model's prediction for image 0 after training. */
  predicted: number;
}

/** The 8 fixed images: uniform [0, 1) pixels from the core's generator (stream (seed, TEST, tag)). */
export function portableImages(core: Core): Float32Array {
  const n = PORTABLE.images * 784;
  const mark = core.arena.mark();
  try {
    const st = core.arena.alloc(16);
    const p = core.arena.alloc(n * 4);
    core.exports.rng_seed(st, PORTABLE.seed, Stream.TEST, PORTABLE.tag, 0, 0);
    core.exports.rng_fill_uniform(st, p, n, 0, 1);
    return core.arena.f32(p, n).slice();
  } finally {
    core.arena.reset(mark);
  }
}

/** Run the check on an instantiated core (its arena is restored afterwards). */
export function runPortableCheck(core: Core): PortableResult {
  const mark = core.arena.mark();
  try {
    const images = portableImages(core);
    const labels = Array.from({ length: PORTABLE.images }, (_, i) => i);
    const model = new Model(core, PRESETS[PORTABLE.arch], PORTABLE.images);
    model.init(PORTABLE.seed);
    const opt = new Optimizer(model, ADAM_DEFAULTS);
    const losses: number[] = [];
    model.setInput(images, PORTABLE.images);
    model.setLabels(labels, PORTABLE.images);
    for (let s = 0; s < PORTABLE.steps; s++) {
      model.zeroGrads();
      model.forward(PORTABLE.images);
      losses.push(model.loss(PORTABLE.images, true));
      model.backward(PORTABLE.images);
      opt.step();
    }
    const weights = model.getParams();
    const map = attribute(model, images.subarray(0, 784), [0]);
    // A map is a pure function of weights and image: a second pass must agree bit for bit. (A kernel
    // that writes outside its outputs would still give the same wrong bytes in every runtime.)
    const again = attribute(model, images.subarray(0, 784), [0]);
    if (sha256F32(again.signed) !== sha256F32(map.signed) || sha256F32(model.getParams()) !== sha256F32(weights)) {
      throw new Error(
        "portable check: a second saliency pass changed the map or the weights (a kernel writes outside its outputs)",
      );
    }
    const x0 = images.subarray(0, 784);
    const smoothgradSha256 = sha256F32(smoothgrad(model, x0, [0], { seed: PORTABLE.seed }).signed);
    const igSha256 = sha256F32(integratedGradients(model, x0, [0]).signed);
    const mapSha256 = sha256F32(map.signed);
    return {
      wasmSha256: "",
      weightsSha256: sha256F32(weights),
      mapSha256,
      smoothgradSha256,
      igSha256,
      losses,
      predicted: map.predicted[0],
    };
  } finally {
    core.arena.reset(mark);
  }
}

/** Instantiate the core from its bytes and run the check. */
export async function portableCheck(wasm: Uint8Array | ArrayBuffer): Promise<PortableResult> {
  const bytes = wasm instanceof Uint8Array ? wasm : new Uint8Array(wasm);
  const core = await instantiateCore(bytes);
  return { ...runPortableCheck(core), wasmSha256: sha256Hex(bytes) };
}
