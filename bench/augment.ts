// Augmentation throughput: images per second of each kernel on 28 x 28 images, the SIMD kernels
// beside their scalar twins, and buildTrainingSet end to end (one 1,100-image set).
//   node build/ts/bench/augment.js            the table from benchAugment()
//   node build/ts/bench/augment.js --benny    the benny suite
// The machine may be shared: report the numbers with that caveat.
import * as b from "benny";
import { loadCore } from "../src/node/wasm.js";
import type { Core } from "../src/core/load.js";
import { Stream } from "../src/core/streams.js";
import { loadDataset } from "../src/node/datasets.js";
import { AUGMENTATIONS, AUG_IDS, buildTrainingSet, toFloat } from "../src/data/augment.js";

export interface AugBenchRow {
  kernel: string;
  /** Images per second (best of `reps` timed runs). */
  imagesPerSec: number;
  /** Microseconds per image. */
  usPerImage: number;
}

const H = 28, W = 28, PIX = H * W;

interface Fixture {
  core: Core;
  n: number;
  inp: number;
  out: number;
  state: number;
  ws: number;
  noise: number;
}

function fixture(n: number): Fixture {
  const core = loadCore();
  const data = loadDataset("mnist");
  const x = toFloat(data.train.images.subarray(0, n * PIX));
  const ex = core.exports;
  const inp = core.arena.putF32(x);
  const out = core.arena.alloc(n * PIX * 4);
  const state = core.arena.alloc(16);
  const wsBytes = Math.max(ex.aug_scale_ws_bytes(H, W), ex.aug_elastic_ws_bytes(H, W, 4), ex.aug_blur_ws_bytes(H, W, 1.5));
  const ws = core.arena.alloc(wsBytes);
  const noise = core.arena.alloc(2 * PIX * 4);
  ex.rng_seed(state, 1, Stream.TEST, 0, 0, 0);
  ex.rng_fill_uniform(state, noise, 2 * PIX, -1, 1);
  return { core, n, inp, out, state, ws, noise };
}

/** The cases: each processes all n images once. */
function cases(f: Fixture): Record<string, () => void> {
  const ex = f.core.exports;
  const { n, inp, out, state, ws, noise } = f;
  /** one call per image with its own named stream, as buildTrainingSet does */
  const perImage = (id: number, call: (o: number, x: number) => void) => () => {
    for (let k = 0; k < n; k++) {
      ex.rng_seed(state, 0, Stream.AUGMENT, id, k, 0);
      call(out + k * PIX * 4, inp + k * PIX * 4);
    }
  };
  return {
    "scaling (random, per image)": perImage(AUG_IDS.scaling, (o, x) => ex.aug_scale_random(o, x, 1, H, W, 0.3, state, ws)),
    "crop (random, per image)": perImage(AUG_IDS.crop, (o, x) => ex.aug_crop_random(o, x, 1, H, W, 4, state)),
    "crop resize (random, per image)": perImage(AUG_IDS.crop, (o, x) => ex.aug_resized_crop_random(o, x, 1, H, W, 0.6, state, ws)),
    "erasing (random, per image)": perImage(AUG_IDS.erasing, (o, x) => ex.aug_erase_random(o, x, 1, H, W, 0.02, 0.1, state)),
    "distortion (random, per image)": perImage(AUG_IDS.distortion, (o, x) => ex.aug_elastic_random(o, x, 1, H, W, 24, 4, state, ws)),
    "blur (random, per image)": perImage(AUG_IDS.blur, (o, x) => ex.aug_blur_random(o, x, 1, H, W, 0.1, 1.5, state, ws)),
    "aug_scale 1.2 (SIMD, batch)": () => ex.aug_scale(out, inp, n, H, W, 1.2, ws),
    "aug_scale_ref 1.2 (scalar, batch)": () => ex.aug_scale_ref(out, inp, n, H, W, 1.2, ws),
    "aug_resized_crop (SIMD, batch)": () => ex.aug_resized_crop(out, inp, n, H, W, 3, 4, 20, 22, ws),
    "aug_resized_crop_ref (scalar, batch)": () => ex.aug_resized_crop_ref(out, inp, n, H, W, 3, 4, 20, 22, ws),
    "aug_blur 1.5 (SIMD, batch)": () => ex.aug_blur(out, inp, n, H, W, 1.5, ws),
    "aug_blur_ref 1.5 (scalar, batch)": () => ex.aug_blur_ref(out, inp, n, H, W, 1.5, ws),
    "aug_elastic field+warp (SIMD, per image)": () => {
      for (let k = 0; k < n; k++) ex.aug_elastic(out + k * PIX * 4, inp + k * PIX * 4, 1, H, W, noise, 24, 4, ws);
    },
    "aug_elastic_ref field+warp (scalar, per image)": () => {
      for (let k = 0; k < n; k++) ex.aug_elastic_ref(out + k * PIX * 4, inp + k * PIX * 4, 1, H, W, noise, 24, 4, ws);
    },
  };
}

/** Images per second of every case on n MNIST images (best of reps runs after one warm-up), then
 *  buildTrainingSet for each augmentation on n / 11 originals + 10 copies each, counted as the
 *  10 n / 11 augmented images (this includes allocating and filling the JS result arrays). */
export function benchAugment(n = 1100, reps = 5): AugBenchRow[] {
  const f = fixture(n);
  const rows: AugBenchRow[] = [];
  const time = (kernel: string, fn: () => void, images: number) => {
    fn();
    let best = Infinity;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      fn();
      best = Math.min(best, performance.now() - t0);
    }
    rows.push({ kernel, imagesPerSec: images / (best / 1000), usPerImage: (best * 1000) / images });
  };
  for (const [name, fn] of Object.entries(cases(f))) time(name, fn, n);
  const base = Math.ceil(n / 11);
  const data = loadDataset("mnist");
  const x = toFloat(data.train.images.subarray(0, base * PIX));
  const labels = data.train.labels.subarray(0, base);
  const src = Int32Array.from({ length: base }, (_, i) => i);
  for (const a of AUGMENTATIONS) {
    time(`buildTrainingSet ${a} (${base} + ${10 * base})`, () => buildTrainingSet(f.core, x, labels, src, a, 10, 0), 10 * base);
  }
  return rows;
}

/** The benny suite over the same cases (100 images per operation, so ops/s x 100 = images/s). */
export async function augmentSuite(maxTime = 1): Promise<void> {
  const f = fixture(100);
  await b.suite(
    "augment: 100 MNIST images per op",
    b.configure({ cases: { maxTime, minSamples: 5 } }),
    ...Object.entries(cases(f)).map(([name, fn]) => b.add(name, fn)),
    b.cycle(),
    b.complete(),
  );
}

function printTable(rows: AugBenchRow[]): void {
  const w = Math.max(...rows.map((r) => r.kernel.length));
  console.log(`${"kernel".padEnd(w)}  ${"images/s".padStart(12)}  ${"us/image".padStart(9)}`);
  for (const r of rows) {
    console.log(`${r.kernel.padEnd(w)}  ${Math.round(r.imagesPerSec).toLocaleString("en-US").padStart(12)}  ${r.usPerImage.toFixed(2).padStart(9)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes("--benny")) await augmentSuite();
  else printTable(benchAugment());
}
