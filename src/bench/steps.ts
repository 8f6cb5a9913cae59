// Whole-step throughput at the study's real shapes: a training step (forward + backward + Adam) at
// batch 110, inference at batch 1000, input-gradient saliency maps at batch 100. Single thread.
import { loadCore } from "../node/wasm.js";
import { Model } from "../nn/model.js";
import { PRESETS } from "../nn/spec.js";
import { Optimizer, ADAM_DEFAULTS } from "../nn/optim.js";
import { attribute } from "../explain/saliency.js";
import { timeCase } from "./kernels.js";

function randomModel(batch: number, arch = "tutorial") {
  const core = loadCore();
  const m = new Model(core, PRESETS[arch], batch);
  m.init(0);
  const st = core.arena.alloc(16);
  core.exports.rng_seed(st, 0, 0x7e57, 1, 0, 0);
  core.exports.rng_fill_uniform(st, m.input, batch * m.inputSize, 0, 1);
  m.setLabels(Array.from({ length: batch }, (_, i) => i % 10), batch);
  return { core, m };
}

export interface StepFigures {
  train_b110_img_s: number;
  infer_b1000_img_s: number;
  saliency_b100_maps_s: number;
}

export function benchSteps(opts: { quick?: boolean; arch?: string } = {}): StepFigures {
  const minTime = opts.quick ? 0.15 : 0.8;
  const time = (images: number, run: () => void) => timeCase({ key: "step", label: "step", flops: 0, images, run }, minTime);
  const arch = opts.arch ?? "tutorial";

  const tr = randomModel(110, arch);
  const opt = new Optimizer(tr.m, ADAM_DEFAULTS);
  const train = time(110, () => {
    tr.m.zeroGrads();
    tr.m.forward(110);
    tr.m.loss(110, true);
    tr.m.backward(110);
    opt.step();
  });

  const inf = randomModel(1000, arch);
  const infer = time(1000, () => inf.m.forward(1000));

  const sal = randomModel(100, arch);
  const images = sal.core.arena.f32(sal.m.input, 100 * sal.m.inputSize).slice();
  const labels = Array.from({ length: 100 }, (_, i) => i % 10);
  const maps = time(100, () => attribute(sal.m, images, labels));

  return {
    train_b110_img_s: 110 / train,
    infer_b1000_img_s: 1000 / infer,
    saliency_b100_maps_s: 100 / maps,
  };
}
