// The attribution methods by name, one call shape (Captum's attribute(inputs, target, ...)):
//   fn(model, inputs, labels, options) -> { signed, abs, target, predicted, ...extras }
// Each module documents its paper, rule and defaults:
//   vanilla      saliency.ts     d S_c / d x (Simonyan et al. 2013)
//   inputxgrad   inputxgrad.ts   x * d S_c / d x (Shrikumar et al. 2016)
//   smoothgrad   smoothgrad.ts   mean gradient over 25 noisy copies, sigma = 0.15 (max - min) (Smilkov et al. 2017)
//   smoothgrad2  smoothgrad.ts   mean squared gradient over the same copies (Hooker et al. 2019)
//   vargrad      smoothgrad.ts   variance of the gradient over the same copies (Adebayo et al. 2018)
//   ig           ig.ts           Integrated Gradients, zero baseline, trapezoid on 50 points (Sundararajan et al. 2017)
//   gradcam      gradcam.ts      Grad-CAM, last conv layer, bilinear upsampling, no min-max (Selvaraju et al. 2017)
//   occlusion    occlusion.ts    mean drop of the target score under a 4x4 zero patch, stride 2 (Zeiler & Fergus 2014)
// The default list is every method but occlusion (the slow one: 170 forward passes per image).
import type { Model } from "../nn/model.js";
import type { Attribution, AttributionOptions } from "./batch.js";
import { attribute as vanilla } from "./saliency.js";
import { attribute as inputxgrad, fromGradient } from "./inputxgrad.js";
import { noiseTunnel, type SmoothGradOptions } from "./smoothgrad.js";
import { attribute as ig, type IGOptions } from "./ig.js";
import { attribute as gradcam } from "./gradcam.js";
import { attribute as occlusion, type OcclusionOptions } from "./occlusion.js";

export const METHODS = [
  "vanilla",
  "inputxgrad",
  "smoothgrad",
  "smoothgrad2",
  "vargrad",
  "ig",
  "gradcam",
  "occlusion",
] as const;
export type MethodName = (typeof METHODS)[number];

/** What `--methods` defaults to: all but occlusion. */
export const DEFAULT_METHODS: readonly MethodName[] = METHODS.filter((m) => m !== "occlusion");

/** Labels for tables and figures. */
export const METHOD_LABELS: Readonly<Record<MethodName, string>> = {
  vanilla: "Gradient",
  inputxgrad: "Input x Gradient",
  smoothgrad: "SmoothGrad",
  smoothgrad2: "SmoothGrad²",
  vargrad: "VarGrad",
  ig: "Integrated Gradients",
  gradcam: "Grad-CAM",
  occlusion: "Occlusion",
};

/** Options of every method together (each reads its own). */
export type MethodOptions = AttributionOptions & SmoothGradOptions & IGOptions & OcclusionOptions;

export type AttributionFn = (
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options?: MethodOptions,
) => Attribution;

/** Several methods' maps from one call, by name (e.g. attributeMany bound to a list of methods). */
export type MultiAttributionFn = (
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options?: MethodOptions,
) => Map<string, Attribution>;

/** attributeMany for a fixed list of methods, as a MultiAttributionFn for the trust tests. */
export function manyOf(methods: readonly MethodName[]): MultiAttributionFn {
  return (model, inputs, labels, options) => attributeMany(methods, model, inputs, labels, options);
}

export const METHOD_FNS: Readonly<Record<MethodName, AttributionFn>> = {
  vanilla,
  inputxgrad,
  smoothgrad: (m, x, y, o) => noiseTunnel(m, x, y, o).smoothgrad,
  smoothgrad2: (m, x, y, o) => noiseTunnel(m, x, y, o).smoothgrad2,
  vargrad: (m, x, y, o) => noiseTunnel(m, x, y, o).vargrad,
  ig,
  gradcam,
  occlusion,
};

export function isMethod(name: string): name is MethodName {
  return (METHODS as readonly string[]).includes(name);
}

/** The methods of a comma-separated list ("all" for every one), in the registry's order; a RangeError
 *  names an unknown one. */
export function parseMethods(text: string): MethodName[] {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new RangeError(`no method given (choose from ${METHODS.join(", ")}, or all)`);
  if (names.length === 1 && names[0] === "all") return [...METHODS];
  for (const n of names)
    if (!isMethod(n)) throw new RangeError(`unknown method '${n}' (choose from ${METHODS.join(", ")}, or all)`);
  return METHODS.filter((m) => names.includes(m));
}

/** One method's maps by name. */
export function attributeWith(
  method: MethodName,
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: MethodOptions = {},
): Attribution {
  if (!isMethod(method)) throw new RangeError(`unknown method '${method}' (choose from ${METHODS.join(", ")})`);
  return METHOD_FNS[method](model, inputs, labels, options);
}

/** Several methods on the same images; SmoothGrad, SmoothGrad^2 and VarGrad share one pass over the
 *  noisy samples (the same maps as one call each, at a third of the cost), and Input x Gradient takes
 *  vanilla's gradient when both run. */
export function attributeMany(
  methods: readonly MethodName[],
  model: Model,
  inputs: Float32Array,
  labels: ArrayLike<number>,
  options: MethodOptions = {},
): Map<MethodName, Attribution> {
  const out = new Map<MethodName, Attribution>();
  let tunnel: ReturnType<typeof noiseTunnel> | null = null;
  for (const m of methods) {
    if (!isMethod(m)) throw new RangeError(`unknown method '${m}' (choose from ${METHODS.join(", ")})`);
    if (m === "inputxgrad" && out.has("vanilla")) {
      // the same gradient pass as vanilla's (inputxgrad.ts): x times it
      out.set(m, fromGradient(inputs, out.get("vanilla")!));
    } else if (m === "smoothgrad" || m === "smoothgrad2" || m === "vargrad") {
      tunnel ??= noiseTunnel(model, inputs, labels, options);
      out.set(m, tunnel[m]);
    } else {
      out.set(m, METHOD_FNS[m](model, inputs, labels, options));
    }
  }
  return out;
}
