// Threads change nothing but speed: training steps and saliency maps on build/augsal-mt.wasm with 1, 2
// and 3 threads give the same bytes as each other and as the default module (no threads) — the split
// of every op is different for each thread count (src/core/parallel.ts), so equal bytes show that no
// element's summation order depends on it.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadCore } from "../../src/node/wasm.js";
import { loadThreadedCore } from "../../src/node/threads.js";
import type { Core } from "../../src/core/load.js";
import { Stream } from "../../src/core/streams.js";
import { Model } from "../../src/nn/model.js";
import { PRESETS } from "../../src/nn/spec.js";
import { ADAM_DEFAULTS, Optimizer } from "../../src/nn/optim.js";
import { attribute } from "../../src/explain/saliency.js";
import { assertSameBits } from "../helpers.js";

const threads = suite("node/threads");

/** 4 Adam steps on 29 images (an odd batch: uneven shares and partial blocks for 2 and 3 threads),
 *  a forward of 29, then saliency maps of 13 images; returns weights, logits, gradients and maps. */
function run(core: Core, arch: string) {
  const N = 29;
  const m = new Model(core, PRESETS[arch], N);
  m.init(7);
  const st = core.arena.alloc(16);
  core.exports.rng_seed(st, 7, Stream.TEST, 0x7417, 0, 0);
  core.exports.rng_fill_uniform(st, m.input, N * m.inputSize, 0, 1);
  const images = core.arena.f32(m.input, N * m.inputSize).slice();
  const labels = Array.from({ length: N }, (_, i) => (i * 7) % 10);
  m.setLabels(labels, N);
  const opt = new Optimizer(m, ADAM_DEFAULTS);
  const losses: number[] = [];
  for (let s = 0; s < 4; s++) {
    m.zeroGrads();
    m.forward(N);
    losses.push(m.loss(N, true));
    m.backward(N);
    opt.step();
  }
  const grads = core.arena.f32(m.grads, m.paramLength).slice();
  const logits = core.arena.f32(m.forward(N), N * m.classes).slice();
  // a forward that keeps nothing for a backward (evaluation) gives the same logits
  assertSameBits(
    core.arena.f32(m.forward(N, m.input, false), N * m.classes).slice(),
    logits,
    "logits without kept activations",
  );
  const maps = attribute(m, images.subarray(0, 13 * m.inputSize), labels.slice(0, 13)).signed;
  return { weights: m.getParams(), grads, logits, maps, losses };
}

for (const arch of ["tutorial", "cs231n"]) {
  threads(`${arch}: 1, 2 and 3 threads on the threaded module = the default module, bit for bit`, () => {
    const ref = run(loadCore(), arch);
    for (const t of [1, 2, 3]) {
      const core = loadThreadedCore({ maxThreads: t });
      try {
        const r = run(core, arch);
        const what = `${arch}, ${t} thread(s)`;
        assert.equal(r.losses, ref.losses, `${what}: losses`);
        assertSameBits(r.weights, ref.weights, `${what}: weights after 4 steps`);
        assertSameBits(r.grads, ref.grads, `${what}: last gradients`);
        assertSameBits(r.logits, ref.logits, `${what}: logits`);
        assertSameBits(r.maps, ref.maps, `${what}: saliency maps`);
      } finally {
        core.parallel.close();
      }
    }
  });
}

threads("the thread count may change between steps (the study's scheduler grants cores mid-job)", () => {
  const ref = run(loadCore(), "tutorial");
  const core = loadThreadedCore({ maxThreads: 3, threads: 1 });
  try {
    const N = 29;
    const m = new Model(core, PRESETS.tutorial, N);
    m.init(7);
    const st = core.arena.alloc(16);
    core.exports.rng_seed(st, 7, Stream.TEST, 0x7417, 0, 0);
    core.exports.rng_fill_uniform(st, m.input, N * m.inputSize, 0, 1);
    m.setLabels(
      Array.from({ length: N }, (_, i) => (i * 7) % 10),
      N,
    );
    const opt = new Optimizer(m, ADAM_DEFAULTS);
    for (let s = 0; s < 4; s++) {
      core.parallel.setThreads(1 + (s % 3));
      m.zeroGrads();
      m.forward(N);
      m.loss(N, true);
      m.backward(N);
      opt.step();
    }
    assertSameBits(m.getParams(), ref.weights, "weights after steps on 1, 2, 3, 1 threads");
  } finally {
    core.parallel.close();
  }
});

threads.run();
