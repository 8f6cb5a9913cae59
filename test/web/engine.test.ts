import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore } from "../helpers.js";
import { Model } from "../../src/nn/model.js";
import { PRESETS } from "../../src/nn/spec.js";
import { encodeCheckpoint } from "../../src/nn/checkpoint.js";
import { attribute } from "../../src/explain/saliency.js";
import { loadModels, predictAll, sharedMax } from "../../src/web/engine.js";
import { firstTestDigits } from "./fixture.js";
import { chooseThreads, MAX_PAGE_THREADS } from "../../src/web/live.js";

const en = suite("web/engine");

en("predictAll gives each model's attribute() map, prediction and softmax, from its weights file", () => {
  const core = freshCore();
  const ref = new Model(core, PRESETS.tutorial, 1);
  const files = [0, 1].map((k) => {
    ref.init(40 + k);
    return { set: `s${k}`, id: `s${k}-seed${k}`, bytes: encodeCheckpoint(PRESETS.tutorial, ref.getParams()) };
  });
  const models = loadModels(core, files);
  const { images } = firstTestDigits();
  const image = images.subarray(3 * 784, 4 * 784);
  const out = predictAll(models, image, 3, { target: "label" });
  assert.equal(
    out.map((p) => p.set),
    ["s0", "s1"],
  );
  out.forEach((p, k) => {
    ref.init(40 + k);
    const s = attribute(ref, image, [3], { target: "label" });
    assert.equal(Array.from(p.map), Array.from(s.abs), `${p.set}: map`);
    assert.is(p.target, 3);
    assert.is(p.predicted, s.predicted[0]);
    const z = Array.from(core.arena.f32(ref.logits, 10));
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, c) => assert.ok(Math.abs(p.probs[c] - v / sum) < 1e-6, `${p.set}: p[${c}]`));
    assert.is(p.probs.indexOf(Math.max(...p.probs)), p.predicted);
  });
  assert.is(sharedMax(out.map((p) => p.map)), Math.max(...out.map((p) => Math.max(...p.map))));
  assert.is(sharedMax([new Float32Array(4)]), 0);
});

en("the page's thread count: the cores (capped), ?threads=N, and 1 whenever it may not share memory", () => {
  assert.equal(chooseThreads("", true, true, 2), { threads: 2, why: "2 cores" });
  assert.equal(chooseThreads("", true, true, 64), { threads: MAX_PAGE_THREADS, why: `${MAX_PAGE_THREADS} cores` });
  assert.equal(chooseThreads("?threads=3", true, true, 2), { threads: 3, why: "?threads=3" });
  assert.equal(chooseThreads("?threads=1", true, true, 8), { threads: 1, why: "?threads=1" });
  assert.is(chooseThreads("?threads=99", true, true, 8).threads, MAX_PAGE_THREADS);
  assert.equal(chooseThreads("?threads=2", false, true, 8), {
    threads: 1,
    why: "the page is not cross-origin isolated",
  });
  assert.equal(chooseThreads("", true, false, 8), { threads: 1, why: "no SharedArrayBuffer" });
  assert.equal(chooseThreads("", true, true, 0), { threads: 1, why: "1 core" });
  for (const bad of ["0", "-2", "two", "1.5", ""])
    assert.throws(() => chooseThreads(`?threads=${bad}`, true, true, 2), /\?threads= must be a positive integer/);
});

en.run();
