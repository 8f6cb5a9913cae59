// Threads change nothing but speed: training steps and saliency maps on build/augsal-mt.wasm with 1, 2
// and 3 threads give the same bytes as each other and as the default module (no threads). The tasks
// are the same for every thread count, but which thread runs which (and so whose scratch it uses)
// differs from run to run (src/core/parallel.ts): equal bytes, also with a claim forced to be
// unbalanced, show that no value depends on it.
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
import { perThread, type Task } from "../../src/core/parallel.js";

const threads = suite("node/threads");

/** 4 Adam steps on N images (29 by default: an odd batch, a partial last block), a forward of N, then
 *  saliency maps of 13 images; returns weights, logits, gradients and maps. */
function run(core: Core, arch: string, N = 29) {
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

threads("an unbalanced claim (the caller runs every task, or the workers do) gives the same bytes", () => {
  const N = 70; // 5 blocks of images
  const ref = run(loadCore(), "tutorial", N);
  // workers that sleep 5 s after every wake-up: the caller claims every task before they look
  const lazy = loadThreadedCore({ maxThreads: 3, claimDelays: [0, 5000, 5000] });
  // a caller that sleeps 20 ms before it claims: the workers (awake, spinning) take the tasks
  const busy = loadThreadedCore({ maxThreads: 2, claimDelays: [20, 0] });
  try {
    for (const [what, core] of [
      ["caller claims all", lazy],
      ["workers claim first", busy],
    ] as const) {
      const r = run(core, "tutorial", N);
      assert.equal(r.losses, ref.losses, `${what}: losses`);
      assertSameBits(r.weights, ref.weights, `${what}: weights after 4 steps`);
      assertSameBits(r.grads, ref.grads, `${what}: last gradients`);
      assertSameBits(r.logits, ref.logits, `${what}: logits`);
      assertSameBits(r.maps, ref.maps, `${what}: saliency maps`);
    }
    // the claims were as unbalanced as meant (else the test would show nothing)
    assert.ok(lazy.parallel.stats.tasks > 50, `tasks run: ${lazy.parallel.stats.tasks}`);
    assert.is(lazy.parallel.stats.callerTasks, lazy.parallel.stats.tasks, "the caller ran every task");
    const { tasks, callerTasks } = busy.parallel.stats;
    assert.ok(tasks - callerTasks > tasks / 4, `the workers ran ${tasks - callerTasks} of ${tasks} tasks`);
  } finally {
    lazy.parallel.close();
    busy.parallel.close();
  }
});

threads("tasks that overflow the control block run in rounds; per-thread arguments are rebased", () => {
  const core = loadThreadedCore({ maxThreads: 2 });
  try {
    const n = 12000; // 12,000 tasks of 7 words: more than the 32,768 words of the task region
    const src = core.arena.allocF32(n),
      dst = core.arena.allocF32(n);
    const s = core.arena.f32(src, n);
    for (let i = 0; i < n; i++) s[i] = i + 0.5;
    core.parallel.run(Array.from({ length: n }, (_, i) => [["copy", dst + 4 * i, src + 4 * i, 4]] as Task));
    assertSameBits(core.arena.f32(dst, n).slice(), s.slice(), "every copy ran once");
    // each task copies 64 floats through the running thread's scratch slot and on to its own output:
    // whoever runs it, the output is its input
    const T = 200,
      F = 64;
    const scratch = core.arena.allocF32(2 * F),
      inp = core.arena.allocF32(T * F),
      out = core.arena.allocF32(T * F);
    const x = core.arena.f32(inp, T * F);
    for (let i = 0; i < T * F; i++) x[i] = Math.sin(i);
    const slot = perThread(scratch, 4 * F);
    core.parallel.run(
      Array.from(
        { length: T },
        (_, t) =>
          [
            ["copy", slot, inp + 4 * F * t, 4 * F],
            ["copy", out + 4 * F * t, slot, 4 * F],
          ] as Task,
      ),
    );
    assertSameBits(core.arena.f32(out, T * F).slice(), x.slice(), "copies through per-thread scratch");
  } finally {
    core.parallel.close();
  }
});

threads.run();
