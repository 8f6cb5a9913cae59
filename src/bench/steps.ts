// Whole-step cases at the study's real shapes: a training step (forward + backward + Adam) at batch
// 110, inference at batch 1000, input-gradient saliency maps at batch 100. Each model lives on a core
// of its own (newCore), as the study's workers do; on its threads (core.parallel).
import type { Core } from "../core/load.js";
import { Stream } from "../core/streams.js";
import { Model } from "../nn/model.js";
import { PRESETS } from "../nn/spec.js";
import { Optimizer, ADAM_DEFAULTS } from "../nn/optim.js";
import { attribute } from "../explain/saliency.js";
import type { BenchCase } from "./timing.js";

/** A model of the architecture at the batch, initialised from seed 0, with uniform [0, 1) images from
 *  the stream (0, TEST, 1) and labels 0..9 in turn. */
function randomModel(core: Core, batch: number, arch: string): Model {
  const m = new Model(core, PRESETS[arch], batch);
  m.init(0);
  const st = core.arena.alloc(16);
  core.exports.rng_seed(st, 0, Stream.TEST, 1, 0, 0);
  core.exports.rng_fill_uniform(st, m.input, batch * m.inputSize, 0, 1);
  m.setLabels(
    Array.from({ length: batch }, (_, i) => i % 10),
    batch,
  );
  return m;
}

/** Flops of one image through the model's conv and linear products (a multiply-add is 2): forward,
 *  parameter gradients (= forward), and input gradients (= forward without the first layer's, unless
 *  the input's gradient is wanted). ReLU, pooling, loss and optimizer are not counted. */
function productFlops(m: Model): { fwd: number; first: number } {
  let fwd = 0,
    first = 0;
  let [C, H, W] = m.spec.input;
  m.spec.layers.forEach((l, i) => {
    let f = 0;
    if (l.type === "conv") {
      const Ho = H + 2 * l.pad - l.k + 1,
        Wo = W + 2 * l.pad - l.k + 1;
      f = 2 * l.out * Ho * Wo * C * l.k * l.k;
      [C, H, W] = [l.out, Ho, Wo];
    } else if (l.type === "maxpool") {
      [H, W] = [H >> 1, W >> 1];
    } else if (l.type === "linear") {
      f = 2 * C * H * W * l.out;
      [C, H, W] = [l.out, 1, 1];
    }
    fwd += f;
    if (i === 0) first = f;
  });
  return { fwd, first };
}

/** The three step cases: keys train_b110, infer_b1000 (images/s) and saliency_b100 (maps/s). */
export function stepCases(newCore: () => Core, opts: { arch?: string } = {}): BenchCase[] {
  const arch = opts.arch ?? "tutorial";
  const tr = randomModel(newCore(), 110, arch);
  const opt = new Optimizer(tr, ADAM_DEFAULTS);
  const inf = randomModel(newCore(), 1000, arch);
  const sal = randomModel(newCore(), 100, arch);
  const images = sal.core.arena.f32(sal.input, 100 * sal.inputSize).slice();
  const labels = Array.from({ length: 100 }, (_, i) => i % 10);
  const f = productFlops(tr);
  return [
    {
      key: "train_b110",
      label: "train step (fwd + bwd + Adam), batch 110",
      flops: 110 * (3 * f.fwd - f.first),
      rate: true,
      images: 110,
      threads: tr.core.parallel.threads,
      run: () => {
        tr.zeroGrads();
        tr.forward(110);
        tr.loss(110, true);
        tr.backward(110);
        opt.step();
      },
    },
    {
      key: "infer_b1000",
      label: "inference, batch 1000",
      flops: 1000 * f.fwd,
      rate: true,
      images: 1000,
      threads: inf.core.parallel.threads,
      run: () => void inf.forward(1000, inf.input, false), // as under torch.no_grad()
    },
    {
      key: "saliency_b100",
      label: "saliency maps, batch 100",
      flops: 100 * 2 * f.fwd,
      rate: true,
      images: 100,
      per: "maps",
      threads: sal.core.parallel.threads,
      run: () => void attribute(sal, images, labels),
    },
  ];
}
