import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore, assertClose, assertSameBits, type Core } from "../helpers.js";
import { Model } from "../../src/nn/model.js";
import { PRESETS } from "../../src/nn/spec.js";
import { ADAM_DEFAULTS } from "../../src/nn/optim.js";
import { trainModel } from "../../src/nn/train.js";
import { loadDataset } from "../../src/node/datasets.js";
import { classBalancedSplit, gather } from "../../src/data/split.js";
import { Augmenter, toFloat } from "../../src/data/augment.js";
import { Stream } from "../../src/core/streams.js";
import { METHOD_FNS, manyOf, type AttributionFn } from "../../src/explain/methods.js";
import { attribute as vanilla } from "../../src/explain/saliency.js";
import { mapSSIM, maskedValues } from "../../src/explain/metrics.js";
import {
  sanityChecks,
  sanityChecksMany,
  randomiseLayer,
  weightedLayers,
  compareAttributions,
  summarise,
  SANITY_FAIL_AT,
} from "../../src/explain/trust/sanity.js";
import { localisation, summariseLocalisation, DIGIT_THRESHOLD } from "../../src/explain/trust/localisation.js";
import {
  auc,
  curvesMany,
  deletionInsertion,
  mapOrders,
  orderOf,
  randomOrderCurves,
  randomOrders,
} from "../../src/explain/trust/faithfulness.js";
import { runRows } from "../../src/explain/batch.js";
import { equivariance } from "../../src/explain/trust/equivariance.js";
import { augmentationTransforms } from "../../src/study/transforms.js";

// Ten MNIST digits and a tutorial CNN trained on 100 others (10 per class, 12 epochs: about 0.8
// validation accuracy), shared by the suites below.
const mnist = loadDataset("mnist");
const core = freshCore();
const split = classBalancedSplit(core, mnist.train.labels, { seed: 0, trainPerClass: 10, valPerClass: 2 });
const tr = gather(mnist.train.images, mnist.train.labels, 784, split.train);
const va = gather(mnist.train.images, mnist.train.labels, 784, split.val);
const q = gather(
  mnist.test.images,
  mnist.test.labels,
  784,
  Array.from({ length: 10 }, (_, i) => i),
);
const images = toFloat(q.images);
const labels = Array.from(q.labels);
const set = (g: { images: Uint8Array; labels: Uint8Array }) => ({
  images: toFloat(g.images),
  labels: g.labels,
  count: g.labels.length,
});
const trained = trainModel(core, PRESETS.tutorial, set(tr), set(va), set(va), {
  epochs: 12,
  steps: 10,
  batch: 10,
  optimizer: ADAM_DEFAULTS,
  seed: 0,
});
function trainedModel(c: Core = core): Model {
  const m = new Model(c, PRESETS.tutorial, 40);
  m.setParams(trained.best);
  return m;
}

/** A "method" that ignores the model: the magnitude of the image's own gradient (central
 *  differences), an edge map. */
const edgeMap: AttributionFn = (_model, inputs, labels) => {
  const n = inputs.length / 784;
  const abs = new Float32Array(inputs.length);
  for (let i = 0; i < n; i++) {
    const at = (y: number, x: number) => (y < 0 || y > 27 || x < 0 || x > 27 ? 0 : inputs[i * 784 + y * 28 + x]);
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++)
        abs[i * 784 + y * 28 + x] = Math.hypot(at(y, x + 1) - at(y, x - 1), at(y + 1, x) - at(y - 1, x));
  }
  const t = Int32Array.from({ length: n }, (_, i) => labels[i]);
  return { signed: abs.slice(), abs, target: t, predicted: t.slice() };
};

/** The image itself as its "map": follows any transform exactly. */
const identity: AttributionFn = (_model, inputs, labels) => {
  const n = inputs.length / 784;
  const t = Int32Array.from({ length: n }, (_, i) => labels[i]);
  return { signed: inputs.slice(), abs: inputs.slice(), target: t, predicted: t.slice() };
};

// ---- sanity checks ----------------------------------------------------------------------------

const san = suite("explain/trust/sanity");

san("the trained model is a real one (validation accuracy above 0.6)", () => {
  assert.ok(trained.history.bestVal > 0.6, `best validation accuracy ${trained.history.bestVal}`);
});

san("a weight-independent map (the image's edge map) fails; vanilla gradient on the trained model passes", () => {
  const m = trainedModel();
  const edge = sanityChecks(m, images, labels, edgeMap, { seed: 1 });
  assert.is(edge.fails, true, "edge map flagged");
  assert.is(edge.finalSpearmanAbs, 1);
  const v = sanityChecks(m, images, labels, vanilla, { seed: 1 });
  assert.is(v.fails, false, `vanilla flagged with final Spearman ${v.finalSpearmanAbs}`);
  assert.ok(v.finalSpearmanAbs < SANITY_FAIL_AT);
  assert.equal(v.layers, ["fc", "conv2", "conv1"]);
  assert.equal(
    v.cascading.map((s) => s.layers),
    [["fc"], ["fc", "conv2"], ["fc", "conv2", "conv1"]],
  );
  assert.equal(
    v.independent.map((s) => s.layers),
    [["fc"], ["conv2"], ["conv1"]],
  );
  // The first cascading step and the first independent step randomise the same layer the same way.
  assert.equal(v.cascading[0].spearmanAbs, v.independent[0].spearmanAbs);
});

san("no verdict for a method whose maps are all zero (no ranks to correlate)", () => {
  const zero: AttributionFn = (m, inputs, labels) => ({
    ...edgeMap(m, inputs, labels),
    signed: new Float32Array(inputs.length),
    abs: new Float32Array(inputs.length),
  });
  const r = sanityChecks(trainedModel(), images.subarray(0, 784 * 2), labels, zero, { seed: 1 });
  assert.is(r.fails, null);
  assert.ok(Number.isNaN(r.finalSpearmanAbs));
});

san("the model's parameters are restored, and randomisation is Kaiming from its own stream", () => {
  const m = trainedModel();
  const before = m.getParams();
  sanityChecks(m, images.subarray(0, 784 * 2), labels, vanilla, { seed: 2 });
  assertSameBits(m.getParams(), before, "parameters after the check");
  const layers = weightedLayers(m);
  assert.equal(layers, [
    { index: 0, name: "conv1" },
    { index: 3, name: "conv2" },
    { index: 6, name: "fc" },
  ]);
  randomiseLayer(m, 3, 2);
  const once = m.getParams();
  randomiseLayer(m, 3, 2);
  assertSameBits(m.getParams(), once, "the same draws again");
  const w = m.tensors.find((t) => t.layer === 3 && t.name === "weight")!;
  const vals = once.subarray(w.offset, w.offset + w.count);
  const bound = 1 / Math.sqrt(16 * 25);
  assert.ok(
    vals.every((v) => Math.abs(v) <= bound),
    "within the Kaiming bound 1/sqrt(fan_in)",
  );
  const other = m.tensors.find((t) => t.layer === 0 && t.name === "weight")!;
  assertSameBits(
    once.subarray(other.offset, other.offset + other.count),
    before.subarray(other.offset, other.offset + other.count),
    "other layers untouched",
  );
});

san("several methods at once give each method's single-method result", () => {
  const m = trainedModel();
  const x = images.subarray(0, 784 * 3);
  const opts = { seed: 3, methodOptions: { samples: 3, steps: 4 } };
  const many = sanityChecksMany(m, x, labels, manyOf(["vanilla", "smoothgrad", "vargrad"]), opts);
  assert.equal([...many.keys()], ["vanilla", "smoothgrad", "vargrad"]);
  for (const name of ["vanilla", "smoothgrad", "vargrad"] as const)
    assert.equal(many.get(name), sanityChecks(m, x, labels, METHOD_FNS[name], opts), name);
});

san("compareAttributions of a map set with itself: Spearman 1 and SSIM 1", () => {
  const m = trainedModel();
  const a = vanilla(m, images, labels);
  const s = summarise(compareAttributions(core, a, a, 10, 28, 28));
  assert.equal([s.n, s.spearmanAbs, s.spearmanSigned], [10, 1, 1]);
  assertClose([s.ssim], [1], "ssim", 1e-12, 0);
});

const ssim = suite("explain/metrics/ssim");

/** SSIM by the textbook, window by window with two-pass means (an independent formulation). */
function ssimByHand(a: Float32Array, b: Float32Array, n: number): number {
  const unit = (m: Float32Array) => {
    const lo = Math.min(...m),
      hi = Math.max(...m);
    return Array.from(m, (v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
  };
  const x = unit(a),
    y = unit(b);
  let total = 0,
    cnt = 0;
  for (let i = 3; i < n - 3; i++) {
    for (let j = 3; j < n - 3; j++) {
      const px: number[] = [],
        py: number[] = [];
      for (let di = -3; di <= 3; di++)
        for (let dj = -3; dj <= 3; dj++) {
          px.push(x[(i + di) * n + j + dj]);
          py.push(y[(i + di) * n + j + dj]);
        }
      const mx = px.reduce((s, v) => s + v, 0) / 49,
        my = py.reduce((s, v) => s + v, 0) / 49;
      const vx = px.reduce((s, v) => s + (v - mx) ** 2, 0) / 48,
        vy = py.reduce((s, v) => s + (v - my) ** 2, 0) / 48;
      const cxy = px.reduce((s, v, k) => s + (v - mx) * (py[k] - my), 0) / 48;
      const c1 = 0.01 ** 2,
        c2 = 0.03 ** 2;
      total += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      cnt++;
    }
  }
  return total / cnt;
}

ssim("equals the textbook windowed formula (skimage defaults), is symmetric, and 1 for a map with itself", () => {
  const a = images.subarray(0, 784),
    b = images.subarray(784, 1568);
  assertClose([mapSSIM(a, b, 28, 28)], [ssimByHand(a, b, 28)], "ssim", 1e-12, 1e-9);
  assert.is(mapSSIM(a, b, 28, 28), mapSSIM(b, a, 28, 28));
  assertClose([mapSSIM(a, a, 28, 28)], [1], "self", 1e-12, 0);
  assert.throws(() => mapSSIM(a, b, 27, 28), /does not match/);
  assert.equal(Array.from(maskedValues(new Float32Array([1, 2, 3]), [1, 0, 1])), [1, 3]);
});

// ---- localisation -----------------------------------------------------------------------------

const loc = suite("explain/trust/localisation");

loc("a map equal to the digit's mask scores 1; its complement 0; an all-zero map misses and has no mass", () => {
  const x = images.subarray(0, 784);
  const mask = x.map((v) => (v > DIGIT_THRESHOLD ? 1 : 0));
  const inv = mask.map((v) => 1 - v);
  const zero = new Float32Array(784);
  const maps = new Float32Array([...mask, ...inv, ...zero]);
  const l = localisation(maps, new Float32Array([...x, ...x, ...x]), 3);
  assert.equal(l.mass.slice(0, 2), [1, 0]);
  assert.ok(Number.isNaN(l.mass[2]));
  assert.equal(l.rank.slice(0, 2), [1, 0]);
  assert.equal(l.pointing, [1, 0, 0]);
  const K = mask.reduce((a, b) => a + b, 0);
  assert.equal(l.maskSize, [K, K, K]);
  const s = summariseLocalisation(l, 784);
  assert.equal([s.n, s.mass, s.pointing], [2, 0.5, 1 / 3]);
  assert.is(s.maskShare, K / 784);
});

loc("mass is the share of |map| inside; rank counts the top-K pixels inside", () => {
  const x = new Float32Array(16);
  x.set([1, 1, 1, 1], 0); // mask: the first row, K = 4
  const map = new Float32Array(16);
  map.set([4, 0, 0, 0, 5, 3, 0, 0], 0); // top 4: 5 (out), 4 (in), 3 (out), then ties at 0 by index: 1 (in)
  const l = localisation(map, x, 1);
  assert.is(l.mass[0], 4 / 12);
  assert.is(l.rank[0], 2 / 4);
  assert.is(l.pointing[0], 0);
  assert.throws(
    () =>
      localisation(
        map.map((v) => -v - 1),
        x,
        1,
      ),
    /absolute maps/,
  );
});

// ---- deletion / insertion ---------------------------------------------------------------------

const del = suite("explain/trust/faithfulness");

del("auc is the trapezoid rule; the order is decreasing value, ties by index", () => {
  assert.is(auc([0, 0.5, 1], [1, 1, 0]), 0.75);
  assert.equal(Array.from(orderOf(new Float32Array([1, 3, 3, 0]))), [1, 2, 0, 3]);
});

del("curves start at the image (deletion) and the blurred copy (insertion) and end at 0 and at the image", () => {
  const m = trainedModel();
  const x = images.subarray(0, 784 * 2);
  const t = labels.slice(0, 2);
  const maps = vanilla(m, x, t).abs;
  const c = deletionInsertion(m, x, t, maps, { step: 8, blurSigma: 2 });
  const points = 99;
  assert.is(c.x.length, points);
  assert.equal([c.x[0], c.x[points - 1]], [0, 1]);
  const prob = (img: Float32Array, cls: number) => {
    m.setInput(img, 1);
    m.forward(1);
    const z = Array.from(core.arena.f32(m.logits, 10));
    const mx = Math.max(...z);
    const e = z.map((v) => Math.exp(v - mx));
    return e[cls] / e.reduce((a, b) => a + b, 0);
  };
  const blurred = (img: Float32Array) => {
    const mark = core.arena.mark();
    const s = core.arena.putF32(img),
      d = core.arena.alloc(784 * 4),
      ws = core.arena.alloc(core.exports.aug_blur_ws_bytes(28, 28, 2));
    core.exports.aug_blur(d, s, 1, 28, 28, 2, ws);
    const out = core.arena.f32(d, 784).slice();
    core.arena.reset(mark);
    return out;
  };
  for (let i = 0; i < 2; i++) {
    const xi = x.subarray(i * 784, (i + 1) * 784);
    const row = (a: Float32Array) => a.subarray(i * points, (i + 1) * points);
    assertClose(
      [row(c.deletion)[0], row(c.deletion)[points - 1]],
      [prob(xi, t[i]), prob(new Float32Array(784), t[i])],
      `deletion ends ${i}`,
      1e-6,
      1e-4,
    );
    assertClose(
      [row(c.insertion)[0], row(c.insertion)[points - 1]],
      [prob(blurred(xi), t[i]), prob(xi, t[i])],
      `insertion ends ${i}`,
      1e-6,
      1e-4,
    );
    // the 10th deletion point: the 72 highest pixels of the map set to 0
    const order = orderOf(maps.subarray(i * 784, (i + 1) * 784));
    const y = xi.slice();
    for (let k = 0; k < 72; k++) y[order[k]] = 0;
    assertClose([row(c.deletion)[9]], [prob(y, t[i])], `deletion point 9 of ${i}`, 1e-6, 1e-4);
    assertClose([c.deletionAuc[i]], [auc(c.x, row(c.deletion))], "auc");
  }
});

del("the random-order baseline is reproducible and named by image id", () => {
  const m = trainedModel();
  const x = images.subarray(0, 784 * 2);
  const a = randomOrderCurves(m, x, [7, 2], { seed: 3, ids: [5, 6] });
  const b = randomOrderCurves(m, x, [7, 2], { seed: 3, ids: [5, 6] });
  const c = randomOrderCurves(m, x.subarray(784), [2], { seed: 3, ids: [6] });
  assertSameBits(a.deletion, b.deletion, "twice");
  assertSameBits(a.deletion.subarray(99), c.deletion, "alone, by id");
  assert.throws(() => deletionInsertion(m, x, [7, 2], new Float32Array(784)), /map values/);
});

del("curvesMany: the rows several curves share run once, and every curve has the bits of every row run", () => {
  const m = trainedModel();
  const x = images.subarray(0, 784 * 2);
  const t = [labels[0], labels[1]];
  const sets = [
    mapOrders(m, x, vanilla(m, x, t).abs),
    randomOrders(m, 2, { seed: 3, ids: [5, 6] }),
    mapOrders(m, x, vanilla(m, x, t).abs), // the same orders again: every row shared
  ];
  let rows = 0;
  const forward = m.forward.bind(m);
  m.forward = (n, from, keep) => ((rows += n), forward(n, from, keep));
  const got = curvesMany(m, x, t, sets);
  m.forward = forward;
  const points = 99;
  assert.ok(rows < (sets.length - 1) * 2 * 2 * points, `${rows} rows run`);
  // every row of every curve through the model in order, none shared (blurred copies as the kernel makes them)
  const mark = core.arena.mark();
  const d = core.arena.alloc(x.length * 4);
  core.exports.aug_blur(
    d,
    core.arena.putF32(x),
    2,
    28,
    28,
    2,
    core.arena.alloc(core.exports.aug_blur_ws_bytes(28, 28, 2)),
  );
  const blurred = core.arena.f32(d, x.length).slice();
  core.arena.reset(mark);
  for (const [s, orders] of sets.entries()) {
    const del = new Float32Array(2 * points),
      ins = new Float32Array(2 * points);
    runRows("test", m, {
      rows: 2 * 2 * points,
      fill: (r, dst) => {
        const i = Math.floor(r / (2 * points)),
          q = r % (2 * points);
        const img = x.subarray(i * 784, (i + 1) * 784);
        dst.set(q < points ? img : blurred.subarray(i * 784, (i + 1) * 784));
        const upto = Math.min((q < points ? q : q - points) * 8, 784);
        for (let k = 0; k < upto; k++) dst[orders[i][k]] = q < points ? 0 : img[orders[i][k]];
      },
      target: (r) => t[Math.floor(r / (2 * points))],
      score: "softmax",
      backward: "none",
      consume: (r, j, b) => {
        const i = Math.floor(r / (2 * points)),
          q = r % (2 * points);
        if (q < points) del[i * points + q] = b.score(j);
        else ins[i * points + q - points] = b.score(j);
      },
    });
    assertSameBits(got[s].deletion, del, `deletion ${s}`);
    assertSameBits(got[s].insertion, ins, `insertion ${s}`);
  }
  assertSameBits(got[1].deletion, randomOrderCurves(m, x, t, { seed: 3, ids: [5, 6] }).deletion, "alone");
});

// ---- equivariance -----------------------------------------------------------------------------

const eq = suite("explain/trust/equivariance");

eq("a map that is the image itself follows every geometric transform exactly and every erasing outside the box", () => {
  const m = trainedModel();
  const x = images.subarray(0, 784 * 3);
  const T = augmentationTransforms(core, 28, 28, { seed: 4, ids: [1, 2, 3] });
  const rows = equivariance(m, x, labels.slice(0, 3), identity, T.transforms);
  T.release();
  assert.equal(
    rows.map((r) => [r.name, r.kind]),
    [
      ["scaling", "equivariance"],
      ["crop", "equivariance"],
      ["erasing", "invariance"],
      ["distortion", "equivariance"],
      ["blur", "invariance"],
    ],
  );
  for (const r of rows) {
    if (r.name === "blur") {
      assert.ok(
        r.cc.every((v) => v < 1 && v > 0.5),
        `blur moves the image: ${r.cc}`,
      );
    } else {
      assertClose(r.cc, [1, 1, 1], `${r.name} cc`, 1e-6, 0);
      assertClose(r.spearman, [1, 1, 1], `${r.name} spearman`, 1e-6, 0);
    }
  }
});

eq("vanilla maps: reproducible; the transforms come from their own stream, not the training copies'", () => {
  const aug = new Augmenter(core, "distortion", 28, 28);
  const src = core.arena.putF32(images.subarray(0, 784)),
    dst = core.arena.alloc(784 * 4);
  aug.apply(dst, src, 4, 1, 0, Stream.EQUIVARIANCE);
  const mine = core.arena.f32(dst, 784).slice();
  aug.apply(dst, src, 4, 1, 0);
  assert.not.equal(Array.from(core.arena.f32(dst, 784)), Array.from(mine));
  aug.release();
  const m = trainedModel();
  const x = images.subarray(0, 784 * 2);
  const T = augmentationTransforms(core, 28, 28, { seed: 4, ids: [1, 2], augs: ["distortion", "blur"] });
  const a = equivariance(m, x, labels.slice(0, 2), vanilla, T.transforms);
  const b = equivariance(m, x, labels.slice(0, 2), vanilla, T.transforms);
  T.release();
  assert.equal(a, b);
  for (const r of a) for (const v of r.cc) assert.ok(v > -1 && v < 1, `${r.name}: ${v}`);
});

san.run();
ssim.run();
loc.run();
del.run();
eq.run();
