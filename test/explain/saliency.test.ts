import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore, randomF32, assertClose, sampleIndices } from "../helpers.js";
import { Model } from "../../src/nn/model.js";
import { PRESETS } from "../../src/nn/spec.js";
import { attribute } from "../../src/explain/saliency.js";

const sal = suite("explain/saliency");

function setup(n: number) {
  const core = freshCore();
  const m = new Model(core, PRESETS.tutorial, n);
  m.init(11);
  const images = core.arena.f32(randomF32(core, n * 784, 21, 0, 1), n * 784).slice();
  return { core, m, images };
}

/** z_c (or p_c) of image i, recomputed with one pixel moved. */
function score(m: Model, images: Float32Array, i: number, c: number, softmax: boolean): number {
  m.setInput(images.subarray(i * 784, (i + 1) * 784), 1);
  m.forward(1);
  const z = Array.from(m.core.arena.f32(m.logits, m.classes));
  if (!softmax) return z[c];
  const mx = Math.max(...z);
  const e = z.map((v) => Math.exp(v - mx));
  return e[c] / e.reduce((a, b) => a + b, 0);
}

for (const softmax of [false, true]) {
  sal(
    `the ${softmax ? "softmax" : "logit"} map equals central finite differences on sampled pixels, image by image in a batch`,
    () => {
      const n = 3;
      const { m, images } = setup(n);
      const labels = [3, 7, 1];
      const r = attribute(m, images, labels, { score: softmax ? "softmax" : "logit" });
      assert.equal(Array.from(r.target), labels);
      for (let i = 0; i < n; i++) {
        const idx = sampleIndices(784, 8);
        const fd = idx.map((p) => {
          const h = 1e-2;
          const x = images.slice();
          x[i * 784 + p] += h;
          const fp = score(m, x, i, labels[i], softmax);
          x[i * 784 + p] -= 2 * h;
          const fm = score(m, x, i, labels[i], softmax);
          return (fp - fm) / (2 * h);
        });
        assertClose(
          idx.map((p) => r.signed[i * 784 + p]),
          fd,
          `image ${i}`,
          softmax ? 2e-4 : 2e-3,
          5e-2,
        );
        for (let p = 0; p < 784; p++) assert.is(r.abs[i * 784 + p], Math.abs(r.signed[i * 784 + p]));
      }
    },
  );
}

sal("target 'predicted' explains the argmax of the logits", () => {
  const { m, images } = setup(2);
  const r = attribute(m, images, [0, 0], { target: "predicted" });
  assert.equal(Array.from(r.target), Array.from(r.predicted));
});

sal("batched maps equal one-at-a-time maps bit for bit", () => {
  const { core, images } = setup(4);
  const big = new Model(core, PRESETS.tutorial, 4);
  big.init(11);
  const one = new Model(core, PRESETS.tutorial, 1);
  one.init(11);
  const labels = [1, 2, 3, 4];
  const a = attribute(big, images, labels).signed;
  const b = attribute(one, images, labels).signed;
  assert.equal(Array.from(a), Array.from(b));
});

sal("bad inputs are errors", () => {
  const { m, images } = setup(1);
  assert.throws(() => attribute(m, images.subarray(0, 700), [1]), /not a whole number/);
  assert.throws(() => attribute(m, images, [12]), /target class 12/);
});

sal.run();
