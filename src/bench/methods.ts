// Attribution methods at batch 100 (the model's capacity; each method fills it with its rows: noisy
// samples, path points, occluded copies), maps per second, single thread, beside the plain
// forward + backward of vanilla saliency (steps.ts's saliency_b100): deriveMethodCosts gives each
// method's cost as a multiple of one gradient map. The slow methods time fewer maps per run.
import type { Core } from "../core/load.js";
import { Stream } from "../core/streams.js";
import { Model } from "../nn/model.js";
import { PRESETS } from "../nn/spec.js";
import { METHOD_FNS, type MethodName } from "../explain/methods.js";
import type { BenchCase } from "./timing.js";

/** Maps per timed run: enough rows to fill the batch several times without long runs. */
const MAPS: Record<MethodName, number> = {
  vanilla: 100,
  inputxgrad: 100,
  smoothgrad: 20,
  smoothgrad2: 20,
  vargrad: 20,
  ig: 10,
  gradcam: 100,
  occlusion: 4,
};

/** The methods timed: SmoothGrad^2 and VarGrad come from SmoothGrad's pass, so they are not timed apart. */
const TIMED: MethodName[] = ["vanilla", "inputxgrad", "smoothgrad", "ig", "gradcam", "occlusion"];

export function methodCases(newCore: () => Core, opts: { arch?: string } = {}): BenchCase[] {
  const core = newCore();
  const m = new Model(core, PRESETS[opts.arch ?? "tutorial"], 100);
  m.init(0);
  const st = core.arena.alloc(16);
  const p = core.arena.alloc(100 * m.inputSize * 4);
  core.exports.rng_seed(st, 0, Stream.TEST, 2, 0, 0);
  core.exports.rng_fill_uniform(st, p, 100 * m.inputSize, 0, 1);
  const images = core.arena.f32(p, 100 * m.inputSize).slice();
  const labels = Array.from({ length: 100 }, (_, i) => i % 10);
  return TIMED.map((name) => {
    const n = MAPS[name];
    return {
      key: `method_${name}_b100`,
      label: `${name}${name === "smoothgrad" ? " (+ smoothgrad2, vargrad)" : ""}, ${n} maps, batch 100`,
      flops: 0,
      images: n,
      per: "maps" as const,
      run: () => void METHOD_FNS[name](m, images.subarray(0, n * m.inputSize), labels),
    };
  });
}

/** method_<name>_cost: how many vanilla gradient maps one map of the method costs (saliency_b100's
 *  maps/s over the method's), for every method timed. */
export function deriveMethodCosts(r: Record<string, number>): void {
  const base = r.saliency_b100_maps_s;
  if (!(base > 0)) return;
  for (const name of TIMED) {
    const v = r[`method_${name}_b100_maps_s`];
    if (v > 0) r[`method_${name}_cost`] = base / v;
  }
}
