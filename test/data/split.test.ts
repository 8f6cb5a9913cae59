import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore } from "../helpers.js";
import { loadDataset } from "../../src/node/datasets.js";
import { classBalancedSplit, gather } from "../../src/data/split.js";

const mnist = loadDataset("mnist");
const labels = mnist.train.labels;

const split = suite("data/split");

split("class-balanced: 10 training and 100 validation images per class, disjoint, ascending", () => {
  const s = classBalancedSplit(freshCore(), labels, { seed: 0 });
  assert.equal([s.train.length, s.val.length, s.classes, s.trainPerClass, s.valPerClass], [100, 1000, 10, 10, 100]);
  const count = (idx: Int32Array) => {
    const n = new Array(10).fill(0);
    for (const i of idx) n[labels[i]]++;
    return n;
  };
  assert.equal(count(s.train), new Array(10).fill(10));
  assert.equal(count(s.val), new Array(10).fill(100));
  const all = new Set([...s.train, ...s.val]);
  assert.is(all.size, 1100, "no index repeats within or across the lists");
  for (const idx of [s.train, s.val]) {
    for (let k = 1; k < idx.length; k++) assert.ok(idx[k - 1] < idx[k], "ascending");
    assert.ok(idx[0] >= 0 && idx[idx.length - 1] < labels.length, "in range");
  }
});

split("deterministic across fresh cores; another seed gives another choice", () => {
  const a = classBalancedSplit(freshCore(), labels, { seed: 7 });
  const b = classBalancedSplit(freshCore(), labels, { seed: 7 });
  assert.equal(Array.from(a.train), Array.from(b.train));
  assert.equal(Array.from(a.val), Array.from(b.val));
  const c = classBalancedSplit(freshCore(), labels, { seed: 8 });
  assert.not.equal(Array.from(a.train), Array.from(c.train));
});

split("a class's draw depends only on its own images: relabelling another class changes nothing", () => {
  const core = freshCore();
  const a = classBalancedSplit(core, labels, { seed: 3 });
  const merged = Uint8Array.from(labels, (l) => (l === 9 ? 8 : l)); // class 9 merged into class 8
  assert.throws(() => classBalancedSplit(core, merged, { seed: 3, classes: 10 }), /class 9 has 0 images/);
  const of = (idx: Int32Array, c: number) => Array.from(idx).filter((i) => labels[i] === c);
  // with 9 classes, classes 0..7 drew from the same pools and streams
  const c = classBalancedSplit(core, merged, { seed: 3, classes: 9 });
  for (let k = 0; k < 8; k++) {
    assert.equal(of(c.train, k), of(a.train, k), `class ${k} train`);
    assert.equal(of(c.val, k), of(a.val, k), `class ${k} val`);
  }
  assert.not.equal(of(c.train, 8), of(a.train, 8), "class 8's pool changed, so its draw did");
});

split("training images are the first trainPerClass draws: more validation images keep the training set", () => {
  const core = freshCore();
  const a = classBalancedSplit(core, labels, { seed: 5, valPerClass: 100 });
  const b = classBalancedSplit(core, labels, { seed: 5, valPerClass: 300 });
  assert.equal(Array.from(a.train), Array.from(b.train));
  assert.ok(
    Array.from(a.val).every((i) => b.val.includes(i)),
    "the 100 are among the 300",
  );
});

split("counts that are not available are rejected, naming the class", () => {
  const small = new Uint8Array([0, 0, 0, 1, 1, 2, 2, 2, 2]);
  assert.throws(
    () => classBalancedSplit(freshCore(), small, { seed: 0, trainPerClass: 2, valPerClass: 1 }),
    /class 1 has 2 images, fewer than train-per-class 2 \+ val-per-class 1 = 3/,
  );
  assert.throws(
    () => classBalancedSplit(freshCore(), small, { seed: 0, trainPerClass: 1, valPerClass: 0, classes: 4 }),
    /class 3 has 0 images/,
  );
  assert.throws(
    () => classBalancedSplit(freshCore(), small, { seed: 0, trainPerClass: 1.5 }),
    /trainPerClass must be a non-negative integer, got 1.5/,
  );
  assert.throws(() => classBalancedSplit(freshCore(), small, { seed: -1 }), /seed must be an integer/);
  assert.throws(
    () => classBalancedSplit(freshCore(), labels, { seed: 0, trainPerClass: 5000, valPerClass: 500 }),
    /class 5 has 5421 images, fewer than/,
  );
});

split("gather copies the chosen images and labels", () => {
  const s = classBalancedSplit(freshCore(), labels, { seed: 0 });
  const g = gather(mnist.train.images, labels, 784, s.train);
  assert.is(g.images.length, 100 * 784);
  for (const k of [0, 57, 99]) {
    assert.is(g.labels[k], labels[s.train[k]]);
    assert.equal(
      Array.from(g.images.subarray(k * 784, (k + 1) * 784)),
      Array.from(mnist.train.images.subarray(s.train[k] * 784, (s.train[k] + 1) * 784)),
    );
  }
  assert.throws(() => gather(mnist.train.images, labels, 784, [60000]), /index 60000 is outside 0..59999/);
});

split.run();
