// The augmented training sets of the study: the originals plus `copies` augmented copies of each,
// one augmentation per set, every copy drawn from its own named stream
//   (seed, Stream.AUGMENT, augmentation id, the image's index in the source data, copy index)
// so adding a set, reordering images or changing the worker count changes no other image.
// The pixel work runs in the wasm core (assembly/augment.ts documents each kernel's conventions).
import type { Core } from "../core/load.js";
import { Stream } from "../core/streams.js";
import { AUGMENTATIONS, AUG_IDS, SET_LABELS, isAugName, type AugName, type SetName } from "../sets.js";

export { AUGMENTATIONS, AUG_IDS, type AugName, type SetName };
/** Labels for tables and figures: src/sets.ts's list. */
export const AUG_LABELS = SET_LABELS;

/**
 * The one strength parameter of each augmentation and its default (defaults keep digits legible):
 * - scaling: s, zoom factor uniform in [1 - s, 1 + s]; 0.3.
 * - crop: pad, torchvision RandomCrop(28, padding=pad), offsets uniform in [0, 2 pad]; 4.
 *   With `crop: "resize"`: scale_min, RandomResizedCrop(28, scale=(scale_min, 1), ratio=(3/4, 4/3)); 0.6.
 * - erasing: s, area fraction uniform in [0.02, s], aspect ratio log-uniform in [0.3, 3.3]; 0.1.
 * - distortion: alpha in pixels (Simard et al. 2003 units; torchvision's alpha is twice this), the
 *   noise smoothed by a Gaussian of sigma = 4 px; 24, an RMS displacement of about 1.7 px
 *   (1.2 px per axis) on 28 x 28.
 * - blur: sigma_max, Gaussian sigma uniform in [0.1, sigma_max], radius ceil(3 sigma); 1.5.
 */
export const DEFAULT_STRENGTH: Readonly<Record<AugName, number>> = {
  scaling: 0.3,
  crop: 4,
  erasing: 0.1,
  distortion: 24,
  blur: 1.5,
};

/** Default scale_min of crop-and-resize (the `crop: "resize"` option). */
export const DEFAULT_RESIZED_CROP_SCALE = 0.6;
/** Smallest erased area fraction (torchvision RandomErasing's scale[0]). */
export const ERASE_SCALE_MIN = 0.02;
/** Smallest blur sigma (torchvision GaussianBlur's sigma=(0.1, 2.0) lower end). */
export const BLUR_SIGMA_MIN = 0.1;
/** Smoothing of the elastic displacement field, in pixels (Simard et al. 2003). */
export const ELASTIC_SIGMA = 4;
/** Purpose number of the Figure 1 stream (src/core/streams.ts's Stream.FIGURE). */
export const FIGURE_STREAM = Stream.FIGURE;

export interface AugOptions {
  /** Image height; default: square images, sqrt of the pixels per image. */
  rows?: number;
  /** Image width; default: as rows. */
  cols?: number;
  /** "pad" (RandomCrop with padding, the default) or "resize" (RandomResizedCrop-like). */
  crop?: "pad" | "resize";
}

export interface TrainingSet {
  /** (count, rows, cols) f32 in [0, 1]: the n originals, then copy 0 of every image, copy 1, ... */
  images: Float32Array;
  /** (count) class labels, i32 as the loss kernels take them. */
  labels: Int32Array;
  count: number;
  /** (count) index of each image's original in the source data. */
  sourceIndex: Int32Array;
  /** (count) copy index, -1 for an original. */
  copy: Int32Array;
}

/** Bytes to floats: k / 255, no mean/std normalisation (torchvision's ToTensor). */
export function toFloat(images: Uint8Array): Float32Array {
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = images[i] / 255;
  return out;
}

/** The strength to use (default when undefined), or a RangeError naming the augmentation. */
export function checkStrength(
  aug: AugName,
  strength: number | undefined,
  opts: AugOptions = {},
  rows = 28,
  cols = 28,
): number {
  const resize = aug === "crop" && opts.crop === "resize";
  const s = strength ?? (resize ? DEFAULT_RESIZED_CROP_SCALE : DEFAULT_STRENGTH[aug]);
  const bad = (range: string) =>
    new RangeError(`strength of ${aug}${resize ? " (resize)" : ""} must be ${range}, got ${s}`);
  if (typeof s !== "number" || !Number.isFinite(s)) throw bad("a finite number");
  switch (aug) {
    case "scaling":
      if (!(s >= 0 && s < 1)) throw bad("in [0, 1) (zoom factors 1 - s .. 1 + s)");
      break;
    case "crop":
      if (resize) {
        if (!(s > 0 && s <= 1)) throw bad("in (0, 1] (the smallest crop area fraction)");
      } else if (!Number.isInteger(s) || s < 0 || s > Math.max(rows, cols)) {
        throw bad(`an integer padding from 0 to ${Math.max(rows, cols)}`);
      }
      break;
    case "erasing":
      if (!(s >= ERASE_SCALE_MIN && s <= 1)) throw bad(`in [${ERASE_SCALE_MIN}, 1] (the largest erased area fraction)`);
      break;
    case "distortion":
      if (!(s >= 0 && s <= 1000)) throw bad("in [0, 1000] (alpha, pixels)");
      break;
    case "blur":
      if (!(s >= BLUR_SIGMA_MIN && s <= 10)) throw bad(`in [${BLUR_SIGMA_MIN}, 10] (the largest sigma, pixels)`);
      break;
  }
  return s;
}

function imageShape(pixels: number, opts: AugOptions): [number, number] {
  let rows = opts.rows;
  let cols = opts.cols;
  if (rows === undefined && cols === undefined) {
    const r = Math.round(Math.sqrt(pixels));
    if (r * r !== pixels) throw new RangeError(`images of ${pixels} pixels are not square: pass rows and cols`);
    rows = cols = r;
  }
  rows ??= pixels / (cols as number);
  cols ??= pixels / rows;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows * cols !== pixels) {
    throw new RangeError(`image shape ${rows} x ${cols} does not match ${pixels} pixels per image`);
  }
  return [rows, cols];
}

/**
 * A reusable augmenter on one core: scratch for the kernels, and `apply` which writes the given
 * copy of one image (arena pointers) from its named stream. Call `release` to free the scratch.
 */
export class Augmenter {
  readonly aug: AugName;
  readonly strength: number;
  readonly rows: number;
  readonly cols: number;
  readonly resize: boolean;
  private readonly mark: number;
  private readonly state: number;
  private readonly ws: number;

  constructor(
    private readonly core: Core,
    aug: AugName,
    rows: number,
    cols: number,
    strength?: number,
    opts: AugOptions = {},
  ) {
    if (!isAugName(aug))
      throw new RangeError(`unknown augmentation '${aug}' (choose from ${AUGMENTATIONS.join(", ")})`);
    this.aug = aug;
    this.rows = rows;
    this.cols = cols;
    this.resize = aug === "crop" && opts.crop === "resize";
    this.strength = checkStrength(aug, strength, opts, rows, cols);
    const ex = core.exports;
    const H = rows,
      W = cols;
    let wsBytes = 0;
    switch (aug) {
      case "scaling":
        wsBytes = ex.aug_scale_ws_bytes(H, W);
        break;
      case "crop":
        wsBytes = this.resize ? ex.aug_resized_crop_ws_bytes(H, W) : 0;
        break;
      case "erasing":
        wsBytes = 0;
        break;
      case "distortion":
        wsBytes = ex.aug_elastic_ws_bytes(H, W, ELASTIC_SIGMA);
        break;
      case "blur":
        wsBytes = ex.aug_blur_ws_bytes(H, W, this.strength);
        break;
    }
    this.mark = core.arena.mark();
    this.state = core.arena.alloc(16);
    this.ws = core.arena.alloc(Math.max(wsBytes, 16));
  }

  /** Write copy `copy` of the image at `inp` (source index `source`) to `out`: arena pointers to
   *  rows x cols f32. The stream is (seed, purpose, AUG_IDS[aug], source, copy); purpose defaults to
   *  AUGMENT (the training copies). The same arguments give the same transform, so calling again on
   *  another image (e.g. a saliency map) applies the very same parameters to it. */
  apply(out: number, inp: number, seed: number, source: number, copy: number, purpose: number = Stream.AUGMENT): void {
    const ex = this.core.exports;
    const H = this.rows,
      W = this.cols,
      s = this.strength,
      st = this.state,
      ws = this.ws;
    ex.rng_seed(st, seed >>> 0, purpose >>> 0, AUG_IDS[this.aug], source >>> 0, copy >>> 0);
    switch (this.aug) {
      case "scaling":
        ex.aug_scale_random(out, inp, 1, H, W, s, st, ws);
        break;
      case "crop":
        if (this.resize) ex.aug_resized_crop_random(out, inp, 1, H, W, s, st, ws);
        else ex.aug_crop_random(out, inp, 1, H, W, s, st);
        break;
      case "erasing":
        ex.aug_erase_random(out, inp, 1, H, W, ERASE_SCALE_MIN, s, st);
        break;
      case "distortion":
        ex.aug_elastic_random(out, inp, 1, H, W, s, ELASTIC_SIGMA, st, ws);
        break;
      case "blur":
        ex.aug_blur_random(out, inp, 1, H, W, BLUR_SIGMA_MIN, s, st, ws);
        break;
    }
  }

  /** Free the scratch (and everything allocated on the arena after it). */
  release(): void {
    this.core.arena.reset(this.mark);
  }
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`seed must be an integer from 0 to 2^32 - 1, got ${seed}`);
}

const CHUNK = 256; // images per pass through wasm memory

/**
 * The training set of one augmentation: for "orig" the n originals; otherwise the n originals
 * followed by `copies` augmented copies of each, copy-major (index n + c n + k is copy c of image k),
 * n (copies + 1) images in all. Copy c of image k comes from the stream
 * (seed, Stream.AUGMENT, AUG_IDS[aug], sourceIndices[k], c).
 *
 * images: (n, rows, cols) f32 in [0, 1] (see toFloat); labels: (n); sourceIndices: (n), each image's
 * index in the source data (which names its streams). strength: see DEFAULT_STRENGTH.
 */
export function buildTrainingSet(
  core: Core,
  images: Float32Array,
  labels: ArrayLike<number>,
  sourceIndices: ArrayLike<number>,
  aug: SetName,
  copies = 10,
  seed = 0,
  strength?: number,
  opts: AugOptions = {},
): TrainingSet {
  const n = labels.length;
  if (sourceIndices.length !== n)
    throw new RangeError(`buildTrainingSet: ${sourceIndices.length} source indices for ${n} labels`);
  if (n === 0) throw new RangeError("buildTrainingSet: no images");
  if (images.length % n !== 0)
    throw new RangeError(`buildTrainingSet: ${images.length} pixels do not split into ${n} images`);
  const [rows, cols] = imageShape(images.length / n, opts);
  const pixels = rows * cols;
  if (!Number.isInteger(copies) || copies < 0)
    throw new RangeError(`copies must be a non-negative integer, got ${copies}`);
  checkSeed(seed);
  for (let k = 0; k < n; k++) {
    const s = sourceIndices[k];
    if (!Number.isInteger(s) || s < 0 || s > 0xffffffff)
      throw new RangeError(`buildTrainingSet: source index ${s} of image ${k} is not a non-negative integer`);
  }
  if (aug !== "orig" && !isAugName(aug))
    throw new RangeError(`unknown set '${aug}' (choose orig, ${AUGMENTATIONS.join(", ")})`);

  const total = aug === "orig" ? n : n * (copies + 1);
  const outImages = new Float32Array(total * pixels);
  const outLabels = new Int32Array(total);
  const sourceIndex = new Int32Array(total);
  const copy = new Int32Array(total);
  outImages.set(images);
  for (let k = 0; k < n; k++) {
    outLabels[k] = labels[k];
    sourceIndex[k] = sourceIndices[k];
    copy[k] = -1;
  }
  if (aug === "orig" || copies === 0) return { images: outImages, labels: outLabels, count: total, sourceIndex, copy };

  const mark = core.arena.mark();
  try {
    const augmenter = new Augmenter(core, aug, rows, cols, strength, opts);
    const chunk = Math.min(CHUNK, n);
    const inp = core.arena.alloc(chunk * pixels * 4);
    const out = core.arena.alloc(chunk * pixels * 4);
    for (let k0 = 0; k0 < n; k0 += chunk) {
      const m = Math.min(chunk, n - k0);
      core.arena.f32(inp, m * pixels).set(images.subarray(k0 * pixels, (k0 + m) * pixels));
      for (let c = 0; c < copies; c++) {
        for (let k = 0; k < m; k++) {
          augmenter.apply(out + k * pixels * 4, inp + k * pixels * 4, seed, sourceIndices[k0 + k], c);
        }
        const at = n + c * n + k0;
        outImages.set(core.arena.f32(out, m * pixels), at * pixels);
        for (let k = 0; k < m; k++) {
          outLabels[at + k] = labels[k0 + k];
          sourceIndex[at + k] = sourceIndices[k0 + k];
          copy[at + k] = c;
        }
      }
    }
  } finally {
    core.arena.reset(mark);
  }
  return { images: outImages, labels: outLabels, count: total, sourceIndex, copy };
}

/** One augmented copy of one image (f32 rows x cols in [0, 1]): the image of buildTrainingSet's
 *  set `aug` for that source index and copy. */
export function augmentImage(
  core: Core,
  image: Float32Array,
  aug: AugName,
  opts: AugOptions & { seed: number; source: number; copy: number; strength?: number },
): Float32Array {
  const [rows, cols] = imageShape(image.length, opts);
  checkSeed(opts.seed);
  const mark = core.arena.mark();
  try {
    const a = new Augmenter(core, aug, rows, cols, opts.strength, opts);
    const inp = core.arena.putF32(image);
    const out = core.arena.alloc(image.length * 4);
    a.apply(out, inp, opts.seed, opts.source, opts.copy);
    return core.arena.f32(out, image.length).slice();
  } finally {
    core.arena.reset(mark);
  }
}

export interface Figure1Options extends AugOptions {
  /** Rows (originals of distinct classes); default 5. */
  count?: number;
  /** Which training copy to show; default 0 (the figure shows images the model trained on). */
  copy?: number;
  /** Augmentations, in column order; default all five. */
  augs?: readonly AugName[];
  /** Strength per augmentation (defaults: DEFAULT_STRENGTH). */
  strength?: Partial<Record<AugName, number>>;
}

export interface Figure1Row {
  label: number;
  /** Index of the original in the source data. */
  sourceIndex: number;
  original: Float32Array;
  augmented: Record<AugName, Float32Array>;
}

/**
 * The data of Figure 1: `count` originals of `count` different classes and, for each, its
 * augmented copy `copy` under every augmentation (the very images of the training sets built with
 * the same seed). Choice from the stream (seed, FIGURE_STREAM, 0, 0, 0): a partial Fisher-Yates over
 * the distinct classes present (ascending) picks the classes, then one rng_below per chosen class
 * picks its image among that class's images (in input order). Rows are sorted by label.
 */
export function figure1Samples(
  core: Core,
  images: Float32Array,
  labels: ArrayLike<number>,
  sourceIndices: ArrayLike<number>,
  seed: number,
  opts: Figure1Options = {},
): { rows: Figure1Row[] } {
  const n = labels.length;
  const count = opts.count ?? 5;
  const copy = opts.copy ?? 0;
  const augs = opts.augs ?? AUGMENTATIONS;
  checkSeed(seed);
  if (n === 0 || images.length % n !== 0)
    throw new RangeError(`figure1Samples: ${images.length} pixels do not split into ${n} images`);
  if (sourceIndices.length !== n)
    throw new RangeError(`figure1Samples: ${sourceIndices.length} source indices for ${n} labels`);
  const [rows, cols] = imageShape(images.length / n, opts);
  const pixels = rows * cols;
  const byClass = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    const l = labels[k];
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(k);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  if (!Number.isInteger(count) || count < 1 || count > classes.length) {
    throw new RangeError(
      `figure1Samples: count must be an integer from 1 to the ${classes.length} classes present, got ${count}`,
    );
  }
  const ex = core.exports;
  const mark = core.arena.mark();
  const picked: number[] = [];
  try {
    const st = core.arena.alloc(16);
    ex.rng_seed(st, seed >>> 0, FIGURE_STREAM, 0, 0, 0);
    for (let k = 0; k < count; k++) {
      const j = k + (ex.rng_below(st, classes.length - k) >>> 0);
      [classes[k], classes[j]] = [classes[j], classes[k]];
      const members = byClass.get(classes[k])!;
      picked.push(members[ex.rng_below(st, members.length) >>> 0]);
    }
  } finally {
    core.arena.reset(mark);
  }
  picked.sort((a, b) => labels[a] - labels[b]);
  const rowsOut: Figure1Row[] = picked.map((k) => {
    const original = images.slice(k * pixels, (k + 1) * pixels);
    const augmented = {} as Record<AugName, Float32Array>;
    for (const a of augs) {
      augmented[a] = augmentImage(core, original, a, {
        rows,
        cols,
        crop: opts.crop,
        seed,
        source: sourceIndices[k],
        copy,
        strength: opts.strength?.[a],
      });
    }
    return { label: labels[k], sourceIndex: sourceIndices[k], original, augmented };
  });
  return { rows: rowsOut };
}
