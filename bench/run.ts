// `npm run bench`: every benny suite in turn: kernels beside their twins (GFLOP/s, share of the
// measured peak), augmentation kernels (images/s), and whole steps (images/s).
import * as b from "benny";
import { augmentSuite } from "./augment.js";
import { benchSteps } from "../src/bench/steps.js";
import { loadCore } from "../src/node/wasm.js";
import { Model } from "../src/nn/model.js";
import { PRESETS } from "../src/nn/spec.js";
import { Optimizer, ADAM_DEFAULTS } from "../src/nn/optim.js";
import { attribute } from "../src/explain/saliency.js";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

// The kernel suite runs as its own process (its cases allocate their own cores).
spawnSync(process.execPath, [here("./kernels.js"), ...process.argv.slice(2)], { stdio: "inherit" });
await augmentSuite();

function model(batch: number) {
  const core = loadCore();
  const m = new Model(core, PRESETS.tutorial, batch);
  m.init(0);
  const st = core.arena.alloc(16);
  core.exports.rng_seed(st, 0, 0x7e57, 1, 0, 0);
  core.exports.rng_fill_uniform(st, m.input, batch * m.inputSize, 0, 1);
  m.setLabels(Array.from({ length: batch }, (_, i) => i % 10), batch);
  return m;
}
const tr = model(110);
const opt = new Optimizer(tr, ADAM_DEFAULTS);
const inf = model(1000);
const sal = model(100);
const salImages = sal.core.arena.f32(sal.input, 100 * 784).slice();
const salLabels = Array.from({ length: 100 }, (_, i) => i % 10);
const perSec = (images: number) => b.cycle((r) => `  ${r.name}: ${(r.ops * images).toFixed(0)} images/s (${(1000 / r.ops).toFixed(2)} ms per call)`);
await b.suite("train step, batch 110 (forward + backward + Adam)",
  b.add("train step b110", () => {
    tr.zeroGrads();
    tr.forward(110);
    tr.loss(110, true);
    tr.backward(110);
    opt.step();
  }), perSec(110), b.complete());
await b.suite("inference, batch 1000", b.add("forward b1000", () => void inf.forward(1000)), perSec(1000), b.complete());
await b.suite("saliency maps, batch 100", b.add("attribute b100", () => void attribute(sal, salImages, salLabels)), perSec(100), b.complete());
console.log("\nbest-of timings (as `node dist/cli.js bench --json`):", JSON.stringify(benchSteps({ quick: true })));
