// Every size check before the first write, on the data's real shape: each failure names the flag and
// the limit.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { preflight, walkArch, type DataShape } from "../../src/study/preflight.js";
import { DEFAULT_CONFIG, UsageError, type StudyConfig } from "../../src/study/config.js";

const pf = suite("study/preflight");
const labels = (classes: number, per: number) => Uint8Array.from({ length: classes * per }, (_, i) => i % classes);
const MNIST_LIKE: DataShape = {
  spec: "mnist",
  rows: 28,
  cols: 28,
  trainLabels: labels(10, 600),
  testLabels: labels(10, 100),
};
const cfg = (o: Partial<StudyConfig>): StudyConfig => ({ ...DEFAULT_CONFIG, ...o });

const fails = (c: StudyConfig, d: DataShape, ...res: RegExp[]) => {
  try {
    preflight(c, d, { workers: 1 });
    assert.unreachable("accepted");
  } catch (e) {
    assert.instance(e, UsageError);
    for (const re of res) assert.match((e as Error).message, re);
  }
};

pf("the default study passes and its sizes are the poster's", () => {
  const p = preflight(DEFAULT_CONFIG, MNIST_LIKE);
  assert.is(p.classes, 10);
  assert.is(p.origSize, 100);
  assert.is(p.augSize, 1100);
  assert.is(p.params, 16 * 25 + 16 + 32 * 16 * 25 + 32 + 10 * 32 * 7 * 7 + 10);
});

pf("architectures that cannot run on the data name the layer and the shape", () => {
  fails(cfg({ arch: "relu" }), MNIST_LIKE, /--arch: the last layer must be linear/);
  fails(
    cfg({ arch: "conv4k99p0,relu,linear10" }),
    MNIST_LIKE,
    /--arch: layer 1 \(conv4k99p0\): a 99x99 kernel .* does not fit its 28x28 input/,
  );
  fails(
    cfg({ arch: "maxpool,maxpool,maxpool,maxpool,maxpool,linear10" }),
    MNIST_LIKE,
    /--arch: layer 5 \(maxpool\): 2x2 pooling needs an input of at least 2x2, this one is 1x1/,
  );
  fails(
    cfg({ arch: "conv8k5p2,relu,linear5" }),
    MNIST_LIKE,
    /--arch: the last layer gives 5 class scores .* labels 0\.\.9: end with linear10/,
  );
  assert.throws(() => walkArch("conv8k5p2,softmax", 28, 28), /--arch: unknown architecture/);
});

pf("a preset on images that are not 28x28 is refused naming --arch, --data and the size", () => {
  const d32 = { ...MNIST_LIKE, spec: "idx:/d", rows: 32, cols: 32 };
  fails(DEFAULT_CONFIG, d32, /--arch tutorial is made for 28x28 images, but --data idx:\/d has 32x32 images/);
  preflight(cfg({ arch: "conv8k5p2,relu,maxpool,linear10" }), d32);
});

pf("fewer classes: the last layer must match; one class is refused", () => {
  const three = { ...MNIST_LIKE, trainLabels: labels(3, 100), testLabels: labels(3, 10) };
  fails(
    cfg({ arch: "conv8k5p2,relu,maxpool,linear2" }),
    three,
    /the last layer gives 2 class scores .*labels 0\.\.2: end with linear3/,
  );
  preflight(DEFAULT_CONFIG, three); // ten outputs for three classes: wasteful, not wrong
  assert.is(preflight(cfg({ arch: "conv8k5p2,relu,maxpool,linear3" }), three).origSize, 30);
  fails(
    cfg({ arch: "linear1" }),
    { ...MNIST_LIKE, trainLabels: labels(1, 100), testLabels: labels(1, 10) },
    /1 class; a classifier needs at least 2/,
  );
});

pf("--batch x --steps beyond the Orig set, --steps beyond it with --batch 0", () => {
  fails(
    cfg({ batch: 1000 }),
    MNIST_LIKE,
    /--batch 1000 x --steps 10 = 10000 images per epoch, but the Orig training set has 100 .*at most 10/,
  );
  preflight(cfg({ batch: 10 }), MNIST_LIKE);
  fails(cfg({ steps: 101 }), MNIST_LIKE, /--steps 101 leaves no image per step .* at most --steps 100/);
});

pf("--queries beyond the test images of a class names the class and the limit", () => {
  fails(
    cfg({ queries: 101 }),
    MNIST_LIKE,
    /--queries 101: the test set has 100 images of class 0; at most --queries 100/,
  );
});

pf("--copies x --train-per-class beyond a wasm32 memory, or beyond the machine's memory", () => {
  fails(
    cfg({ copies: 1000, trainPerClass: 5000 }),
    MNIST_LIKE,
    /--copies 1000 x --train-per-class 5000: one worker needs about .*a training set of 50050000 images .* 4 GiB/,
  );
  try {
    preflight(cfg({ copies: 100, trainPerClass: 500, batch: 50 }), MNIST_LIKE, {
      workers: 8,
      totalMemory: 4 * 1024 ** 3,
    });
    assert.unreachable("accepted");
  } catch (e) {
    assert.match((e as Error).message, /--workers 8: about .* per worker/);
  }
  fails(
    cfg({ copies: 100, trainPerClass: 500 }),
    MNIST_LIKE,
    /a step of 50500 images \(set size \/ --steps\).*lower --batch/,
  );
});

pf.run();
