import { suite } from "uvu";
import * as assert from "uvu/assert";
import { errorOf } from "../helpers.js";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DatasetError, FASHION_DIR, findIdxFiles, loadDataset, mnistDir } from "../../src/node/datasets.js";
import { idxBytes } from "../data/fixtures.js";

const tmp = mkdtempSync(join(tmpdir(), "augsal-ds-"));

/** A directory of four small IDX files under the given names (gzipped when a name ends in .gz). */
function idxDir(name: string, names: [string, string, string, string], counts = [6, 4], size = [3, 2]): string {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  const [H, W] = size;
  const files = [
    idxBytes([counts[0], H, W]),
    idxBytes(
      [counts[0]],
      Array.from({ length: counts[0] }, (_, i) => i % 3),
    ),
    idxBytes([counts[1], H, W]),
    idxBytes(
      [counts[1]],
      Array.from({ length: counts[1] }, (_, i) => (i + 1) % 3),
    ),
  ];
  names.forEach((n, i) => writeFileSync(join(d, n), n.endsWith(".gz") ? gzipSync(files[i]) : files[i]));
  return d;
}

const ds = suite("node/datasets");

ds("the bundled MNIST: 60000 / 10000 images of 28 x 28 with the known first labels", () => {
  const d = loadDataset();
  assert.is(d.name, "MNIST");
  assert.equal([d.rows, d.cols, d.train.count, d.test.count], [28, 28, 60000, 10000]);
  assert.is(d.train.images.length, 60000 * 784);
  assert.is(d.test.labels.length, 10000);
  assert.equal(Array.from(d.train.labels.subarray(0, 5)), [5, 0, 4, 1, 9]);
  assert.equal(Array.from(d.test.labels.subarray(0, 5)), [7, 2, 1, 0, 4]);
  assert.ok(d.files.trainImages.startsWith(mnistDir()));
  // the first training image (a 5) has ink in the middle and a blank border
  const first = d.train.images.subarray(0, 784);
  assert.is(first[0], 0);
  assert.ok(first.reduce((a, b) => a + b, 0) > 10000);
});

ds("the class count is one more than the largest label of either split", () => {
  assert.is(loadDataset().classes, 10);
  const d = loadDataset(
    `idx:${idxDir("classes", ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"])}`,
  );
  assert.is(d.classes, 3);
});

ds("idx:DIR with the usual names, raw or gzipped", () => {
  const raw = idxDir("raw", [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
  ]);
  const gz = idxDir("gz", [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
  ]);
  for (const d of [loadDataset(`idx:${raw}`), loadDataset(`idx:${gz}`)]) {
    assert.equal([d.rows, d.cols, d.train.count, d.test.count], [3, 2, 6, 4]);
    assert.equal(Array.from(d.train.labels), [0, 1, 2, 0, 1, 2]);
    assert.equal(Array.from(d.test.labels), [1, 2, 0, 1]);
  }
});

ds("idx:DIR with Kaggle's dotted names or a prefix (EMNIST)", () => {
  const kaggle = idxDir("kaggle", [
    "train-images.idx3-ubyte",
    "train-labels.idx1-ubyte",
    "t10k-images.idx3-ubyte",
    "t10k-labels.idx1-ubyte",
  ]);
  assert.is(loadDataset(`idx:${kaggle}`).train.count, 6);
  const emnist = idxDir("emnist", [
    "emnist-digits-train-images-idx3-ubyte.gz",
    "emnist-digits-train-labels-idx1-ubyte.gz",
    "emnist-digits-test-images-idx3-ubyte.gz",
    "emnist-digits-test-labels-idx1-ubyte.gz",
  ]);
  const f = findIdxFiles(emnist);
  assert.is(f.testLabels, join(emnist, "emnist-digits-test-labels-idx1-ubyte.gz"));
  assert.is(loadDataset(`idx:${emnist}`).test.count, 4);
});

ds("idx:DIR errors list what was looked for and what is there", () => {
  const partial = idxDir("partial", [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "notes.txt",
  ]);
  const e = errorOf(() => loadDataset(`idx:${partial}`));
  assert.instance(e, DatasetError);
  assert.match(
    e.message,
    `idx:${partial}: cannot find t10k-labels-idx1-ubyte or t10k-labels.idx1-ubyte or test-labels-idx1-ubyte (optionally .gz, or with a prefix)`,
  );
  assert.match(
    e.message,
    "The directory holds: notes.txt, t10k-images-idx3-ubyte, train-images-idx3-ubyte, train-labels-idx1-ubyte",
  );
  const nowhere = join(tmp, "does-not-exist");
  assert.match(
    errorOf(() => loadDataset(`idx:${nowhere}`)).message,
    `idx:${nowhere}: cannot read the directory (ENOENT)`,
  );
  const two = idxDir("two", [
    "a-train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
  ]);
  writeFileSync(join(two, "b-train-images-idx3-ubyte"), idxBytes([1, 3, 2]));
  assert.match(
    errorOf(() => loadDataset(`idx:${two}`)).message,
    "several files could be the train images: a-train-images-idx3-ubyte, b-train-images-idx3-ubyte",
  );
});

ds("idx:DIR errors from the files: count mismatch and image sizes that differ", () => {
  const d = idxDir("mismatch", [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
  ]);
  writeFileSync(join(d, "t10k-labels-idx1-ubyte"), idxBytes([5]));
  assert.match(
    errorOf(() => loadDataset(`idx:${d}`)).message,
    `label count 5 in ${join(d, "t10k-labels-idx1-ubyte")} differs from image count 4`,
  );
  writeFileSync(join(d, "t10k-labels-idx1-ubyte"), idxBytes([4]));
  writeFileSync(join(d, "t10k-images-idx3-ubyte"), idxBytes([4, 2, 2]));
  assert.match(errorOf(() => loadDataset(`idx:${d}`)).message, "training images are 3 x 2");
});

ds("fashion: a clear error naming the Debian package when it is absent", () => {
  const e = errorOf(() => loadDataset("fashion", { fashionDir: join(tmp, "no-fashion") }));
  assert.instance(e, DatasetError);
  assert.match(e.message, "apt-get install dataset-fashion-mnist");
  assert.match(e.message, join(tmp, "no-fashion"));
});

ds("fashion: loads Debian's files when installed (60000 / 10000, first labels 9, 0, 0 and 9, 2, 1)", () => {
  if (!existsSync(FASHION_DIR)) {
    // not installed on this machine: the error path above is what a user sees
    assert.throws(() => loadDataset("fashion"), /apt-get install dataset-fashion-mnist/);
    return;
  }
  const d = loadDataset("fashion");
  assert.is(d.name, "Fashion-MNIST");
  assert.equal([d.rows, d.cols, d.train.count, d.test.count], [28, 28, 60000, 10000]);
  assert.equal(Array.from(d.train.labels.subarray(0, 3)), [9, 0, 0]);
  assert.equal(Array.from(d.test.labels.subarray(0, 3)), [9, 2, 1]);
});

ds("unknown specs are rejected by name", () => {
  assert.match(
    errorOf(() => loadDataset("cifar")).message,
    "unknown dataset 'cifar' (choose mnist, fashion or idx:DIR)",
  );
  assert.match(errorOf(() => loadDataset("idx:")).message, "idx: needs a directory");
});

ds.after(() => rmSync(tmp, { recursive: true, force: true }));
ds.run();
