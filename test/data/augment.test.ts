import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertSameBits, freshCore } from "../helpers.js";
import { loadDataset } from "../../src/node/datasets.js";
import { classBalancedSplit, gather } from "../../src/data/split.js";
import {
  AUGMENTATIONS,
  AUG_IDS,
  AUG_LABELS,
  DEFAULT_STRENGTH,
  augmentImage,
  buildTrainingSet,
  checkStrength,
  figure1Samples,
  toFloat,
} from "../../src/data/augment.js";

// the study's training images: 10 per class from MNIST, seed 0
const mnist = loadDataset("mnist");
const chosen = classBalancedSplit(freshCore(), mnist.train.labels, { seed: 0, valPerClass: 1 });
const g = gather(mnist.train.images, mnist.train.labels, 784, chosen.train);
const images = toFloat(g.images);
const labels = g.labels;
const source = chosen.train;

const aug = suite("data/augment");

aug("names, labels and ids", () => {
  assert.equal([...AUGMENTATIONS], ["scaling", "crop", "erasing", "distortion", "blur"]);
  assert.equal(
    AUGMENTATIONS.map((a) => AUG_LABELS[a]),
    ["Scaling", "RandCrop", "Erasing", "Distortion", "Blur"],
  );
  assert.is(AUG_LABELS.orig, "Orig");
  assert.is(new Set(Object.values(AUG_IDS)).size, 5, "distinct stream ids");
  assert.equal(DEFAULT_STRENGTH, { scaling: 0.3, crop: 4, erasing: 0.1, distortion: 24, blur: 1.5 });
});

aug("toFloat is k / 255 with no normalisation", () => {
  const x = toFloat(new Uint8Array([0, 1, 128, 255]));
  assert.equal(Array.from(x), [0, Math.fround(1 / 255), Math.fround(128 / 255), 1]);
});

aug("orig is the 100 originals; an augmentation adds 10 copies of each (1,100)", () => {
  const core = freshCore();
  const o = buildTrainingSet(core, images, labels, source, "orig");
  assert.is(o.count, 100);
  assertSameBits(o.images, images, "orig images");
  assert.equal(Array.from(o.labels), Array.from(labels));
  for (const a of AUGMENTATIONS) {
    const s = buildTrainingSet(core, images, labels, source, a, 10, 0);
    assert.is(s.count, 1100, a);
    assert.is(s.images.length, 1100 * 784, a);
    assertSameBits(s.images.subarray(0, 100 * 784), images, `${a}: the originals come first`);
    for (let c = 0; c < 10; c++) {
      for (const k of [0, 37, 99]) {
        const at = 100 + c * 100 + k;
        assert.is(s.labels[at], labels[k], `${a}: label of copy ${c} of image ${k}`);
        assert.is(s.sourceIndex[at], source[k]);
        assert.is(s.copy[at], c);
      }
    }
    for (let i = 0; i < s.images.length; i++) {
      const v = s.images[i];
      if (!(v >= 0 && v <= 1.000001)) assert.unreachable(`${a}: pixel ${i} is ${v}, outside [0, 1]`);
    }
    // the copies are not the originals
    let same = 0;
    for (let c = 0; c < 10; c++) {
      const x = s.images.subarray((100 + c * 100) * 784, (200 + c * 100) * 784);
      if (x.every((v, i) => v === images[i])) same++;
    }
    assert.is(same, 0, `${a}: a whole copy block equals the originals`);
  }
});

aug(
  "each copy comes from (seed, AUGMENT, aug, source index, copy): subsets and fewer copies change nothing else",
  () => {
    const core = freshCore();
    for (const a of AUGMENTATIONS) {
      const full = buildTrainingSet(core, images, labels, source, a, 10, 4);
      // images 50..59 alone, 3 copies
      const sub = buildTrainingSet(
        core,
        images.subarray(50 * 784, 60 * 784),
        labels.subarray(50, 60),
        source.subarray(50, 60),
        a,
        3,
        4,
      );
      for (let c = 0; c < 3; c++) {
        for (let k = 0; k < 10; k++) {
          const want = full.images.subarray((100 + c * 100 + 50 + k) * 784, (100 + c * 100 + 51 + k) * 784);
          const got = sub.images.subarray((10 + c * 10 + k) * 784, (11 + c * 10 + k) * 784);
          assertSameBits(got, want, `${a}: copy ${c} of image ${50 + k}`);
        }
      }
      const one = augmentImage(core, images.slice(7 * 784, 8 * 784), a, { seed: 4, source: source[7], copy: 9 });
      assertSameBits(one, full.images.subarray((100 + 900 + 7) * 784, (100 + 900 + 8) * 784), `${a}: augmentImage`);
    }
  },
);

aug("same seed gives the same bytes in a fresh core; other seeds and other augmentations differ", () => {
  const n = 20;
  const x = images.subarray(0, n * 784),
    y = labels.subarray(0, n),
    s = source.subarray(0, n);
  const sets = AUGMENTATIONS.map((a) => buildTrainingSet(freshCore(), x, y, s, a, 2, 1).images);
  AUGMENTATIONS.forEach((a, i) => {
    assertSameBits(buildTrainingSet(freshCore(), x, y, s, a, 2, 1).images, sets[i], `${a}: seed 1 again`);
    const other = buildTrainingSet(freshCore(), x, y, s, a, 2, 2).images;
    assert.ok(
      other.some((v, k) => v !== sets[i][k]),
      `${a}: seeds 1 and 2 agree`,
    );
  });
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      assert.ok(
        sets[i].subarray(n * 784).some((v, k) => v !== sets[j][n * 784 + k]),
        `${AUGMENTATIONS[i]} vs ${AUGMENTATIONS[j]}`,
      );
    }
  }
});

aug("crop-and-resize option and strengths; bad strengths are rejected by name", () => {
  const core = freshCore();
  const r = buildTrainingSet(
    core,
    images.subarray(0, 784),
    labels.subarray(0, 1),
    source.subarray(0, 1),
    "crop",
    4,
    0,
    undefined,
    { crop: "resize" },
  );
  const p = buildTrainingSet(core, images.subarray(0, 784), labels.subarray(0, 1), source.subarray(0, 1), "crop", 4, 0);
  assert.ok(
    r.images.some((v, k) => v !== p.images[k]),
    "resize differs from pad",
  );
  // zero strength is the identity for scaling, crop and distortion
  for (const a of ["scaling", "crop", "distortion"] as const) {
    const z = buildTrainingSet(
      core,
      images.subarray(0, 3 * 784),
      labels.subarray(0, 3),
      source.subarray(0, 3),
      a,
      2,
      0,
      0,
    );
    for (let c = 0; c < 2; c++)
      assertSameBits(
        z.images.subarray((3 + 3 * c) * 784, (6 + 3 * c) * 784),
        images.subarray(0, 3 * 784),
        `${a} strength 0`,
      );
  }
  assert.throws(
    () => checkStrength("scaling", 1),
    /strength of scaling must be in \[0, 1\) \(zoom factors 1 - s .. 1 \+ s\), got 1/,
  );
  assert.throws(() => checkStrength("crop", 2.5), /strength of crop must be an integer padding from 0 to 28, got 2.5/);
  assert.throws(() => checkStrength("crop", 0, { crop: "resize" }), /strength of crop \(resize\) must be in \(0, 1\]/);
  assert.throws(() => checkStrength("erasing", 0.01), /strength of erasing must be in \[0.02, 1\]/);
  assert.throws(() => checkStrength("distortion", -1), /strength of distortion must be in \[0, 1000\]/);
  assert.throws(() => checkStrength("blur", 0.05), /strength of blur must be in \[0.1, 10\]/);
  assert.throws(() => checkStrength("blur", NaN), /must be a finite number/);
  assert.throws(() => buildTrainingSet(core, images, labels, source, "rotate" as never), /unknown set 'rotate'/);
  assert.throws(
    () => buildTrainingSet(core, images.subarray(0, 98), labels.subarray(0, 1), source.subarray(0, 1), "blur"),
    /98 pixels are not square/,
  );
  assert.throws(() => buildTrainingSet(core, images, labels, source, "blur", 10, -3), /seed must be an integer/);
  assert.throws(
    () => buildTrainingSet(core, images, labels, source.subarray(1), "blur"),
    /99 source indices for 100 labels/,
  );
});

aug("non-square images with rows and cols", () => {
  const core = freshCore();
  const x = new Float32Array(2 * 6 * 9).map((_, i) => (i % 7) / 7);
  const s = buildTrainingSet(core, x, [1, 2], [10, 11], "distortion", 3, 0, undefined, { rows: 6, cols: 9 });
  assert.is(s.count, 8);
  assert.is(s.images.length, 8 * 54);
});

aug("the arena is returned after building a set", () => {
  const core = freshCore();
  const before = core.arena.used;
  buildTrainingSet(core, images, labels, source, "distortion", 2, 0);
  assert.is(core.arena.used, before);
});

aug("figure 1: five originals of five classes, sorted by label, with their training copy 0", () => {
  const core = freshCore();
  const fig = figure1Samples(core, images, labels, source, 0);
  assert.is(fig.rows.length, 5);
  const ls = fig.rows.map((r) => r.label);
  assert.is(new Set(ls).size, 5, `distinct classes ${ls}`);
  assert.equal(
    ls,
    [...ls].sort((a, b) => a - b),
  );
  for (const row of fig.rows) {
    const k = Array.from(source).indexOf(row.sourceIndex);
    assert.ok(k >= 0);
    assert.is(labels[k], row.label);
    assertSameBits(row.original, images.subarray(k * 784, (k + 1) * 784), "original");
    for (const a of AUGMENTATIONS) {
      const set = buildTrainingSet(core, images, labels, source, a, 1, 0);
      assertSameBits(
        row.augmented[a],
        set.images.subarray((100 + k) * 784, (101 + k) * 784),
        `${a} of class ${row.label}`,
      );
    }
  }
  const again = figure1Samples(freshCore(), images, labels, source, 0);
  assert.equal(
    again.rows.map((r) => r.sourceIndex),
    fig.rows.map((r) => r.sourceIndex),
  );
  const other = figure1Samples(freshCore(), images, labels, source, 1);
  assert.not.equal(
    other.rows.map((r) => r.sourceIndex),
    fig.rows.map((r) => r.sourceIndex),
  );
  assert.throws(
    () => figure1Samples(core, images, labels, source, 0, { count: 11 }),
    /count must be an integer from 1 to the 10 classes present, got 11/,
  );
});

aug.run();
