// Every size check of a study, on the data's real image size and class count, before any file is
// touched: the architecture walked layer by layer (and its last layer against the classes), the
// images per step against the smallest training set, the query count against the test set and
// Figure 4's canvas, and an estimate of memory per training worker. Each failure is a UsageError
// naming the flag and the limit, so it exits 2 and the corrected command is accepted.
import { PRESETS, parseSpec, type ModelSpec } from "../nn/spec.js";
import { UsageError, type StudyConfig } from "./config.js";

/** What preflight needs to know of the data. */
export interface DataShape {
  /** The --data spec as given (for messages). */
  spec: string;
  rows: number;
  cols: number;
  trainLabels: ArrayLike<number>;
  testLabels: ArrayLike<number>;
}

export interface Preflight {
  spec: ModelSpec;
  /** Classes present (distinct labels) and the logits the last layer must give (largest label + 1). */
  classes: number;
  logits: number;
  /** Images of the smallest (Orig) and largest (augmented) training set. */
  origSize: number;
  augSize: number;
  /** Estimated bytes one training worker holds (JS arrays + its wasm memory). */
  workerBytes: number;
  /** Float32 parameters of the model. */
  params: number;
}

/** A wasm32 memory holds at most 4 GiB; leave room for the arena's alignment and the core's data. */
export const WASM_MAX_BYTES = 4 * 1024 ** 3 - 64 * 1024 ** 2;
/** PNG canvases are at most this many pixels on a side (src/report/png.ts). */
export const CANVAS_MAX = 16384;

function countClasses(labels: ArrayLike<number>): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) m.set(labels[i], (m.get(labels[i]) ?? 0) + 1);
  return m;
}

const shapeText = (s: readonly number[]) => `${s[0]}x${s[1]}x${s[2]}`;

/** Walk the layers on an input of (1, rows, cols); a layer that cannot run names itself and the shape. */
export function walkArch(
  arch: string,
  rows: number,
  cols: number,
): { spec: ModelSpec; shapes: [number, number, number][]; params: number; acts: number } {
  let spec: ModelSpec;
  try {
    spec = PRESETS[arch] ? { ...PRESETS[arch], input: [1, rows, cols] } : parseSpec(arch, [1, rows, cols]);
  } catch (e) {
    throw new UsageError(`--arch: ${(e as Error).message}`);
  }
  if (spec.layers.length === 0) throw new UsageError("--arch: no layers");
  let shape: [number, number, number] = [1, rows, cols];
  const shapes: [number, number, number][] = [shape];
  let params = 0;
  let acts = rows * cols;
  spec.layers.forEach((l, i) => {
    const at = `--arch: layer ${i + 1} (${l.type === "conv" ? `conv${l.out}k${l.k}p${l.pad}` : l.type === "linear" ? `linear${l.out}` : l.type})`;
    const [C, H, W] = shape;
    if (l.type === "conv") {
      if (l.out < 1) throw new UsageError(`${at}: needs at least 1 output channel`);
      if (l.k < 1) throw new UsageError(`${at}: the kernel must be at least 1x1`);
      const Ho = H + 2 * l.pad - l.k + 1;
      const Wo = W + 2 * l.pad - l.k + 1;
      if (Ho < 1 || Wo < 1) {
        throw new UsageError(
          `${at}: a ${l.k}x${l.k} kernel with padding ${l.pad} does not fit its ${H}x${W} input (the kernel can be at most ${Math.min(H, W) + 2 * l.pad})`,
        );
      }
      params += l.out * C * l.k * l.k + l.out;
      shape = [l.out, Ho, Wo];
    } else if (l.type === "maxpool") {
      if (H < 2 || W < 2)
        throw new UsageError(
          `${at}: 2x2 pooling needs an input of at least 2x2, this one is ${H}x${W} (fewer max-pools, or larger images)`,
        );
      shape = [C, H >> 1, W >> 1];
    } else if (l.type === "linear") {
      if (l.out < 1) throw new UsageError(`${at}: needs at least 1 output`);
      params += l.out * C * H * W + l.out;
      shape = [l.out, 1, 1];
    }
    acts += shape[0] * shape[1] * shape[2];
    shapes.push(shape);
  });
  const last = spec.layers[spec.layers.length - 1];
  if (last.type !== "linear")
    throw new UsageError(
      `--arch: the last layer must be linear (it gives the class scores), got ${last.type}; end with e.g. linear10`,
    );
  return { spec, shapes, params, acts };
}

/** Check a configuration against the data; returns the model and the sizes, or throws a UsageError. */
export function preflight(
  c: StudyConfig,
  d: DataShape,
  opts: { workers?: number; totalMemory?: number } = {},
): Preflight {
  const train = countClasses(d.trainLabels);
  const test = countClasses(d.testLabels);
  const classes = train.size;
  let maxLabel = 0;
  for (const k of [...train.keys(), ...test.keys()]) maxLabel = Math.max(maxLabel, k);
  const logits = maxLabel + 1;
  if (classes < 2)
    throw new UsageError(
      `--data ${d.spec}: the training set has ${classes} class${classes === 1 ? "" : "es"}; a classifier needs at least 2`,
    );

  if (PRESETS[c.arch] && (d.rows !== 28 || d.cols !== 28)) {
    throw new UsageError(
      `--arch ${c.arch} is made for 28x28 images, but --data ${d.spec} has ${d.rows}x${d.cols} images: give the layers ` +
        `instead (e.g. --arch conv16k5p2,relu,maxpool,conv32k5p2,relu,maxpool,linear${logits})`,
    );
  }
  if (d.rows !== d.cols)
    throw new UsageError(
      `--data ${d.spec}: the images are ${d.rows}x${d.cols}; augsal's augmentations and figures need square images`,
    );
  const { spec, shapes, params, acts } = walkArch(c.arch, d.rows, d.cols);
  const out = shapes[shapes.length - 1][0];
  if (out < logits) {
    throw new UsageError(
      `--arch: the last layer gives ${out} class score${out === 1 ? "" : "s"} (${shapeText(shapes[shapes.length - 1])}), but --data ${d.spec} has ` +
        `labels 0..${maxLabel}: end with linear${logits}`,
    );
  }

  // Training set sizes: Orig is the split's training images, an augmented set adds --copies of each.
  const origSize = classes * c.trainPerClass;
  const augSize = c.aug.length ? origSize * (1 + c.copies) : origSize;
  const steps = c.steps;
  if (c.batch > 0 && c.batch * steps > origSize) {
    throw new UsageError(
      `--batch ${c.batch} x --steps ${steps} = ${c.batch * steps} images per epoch, but the Orig training set has ${origSize} ` +
        `(--train-per-class ${c.trainPerClass} x ${classes} classes): lower --batch to at most ${Math.floor(origSize / steps)}` +
        `${origSize >= steps ? "" : " and --steps"}, or use --batch 0 (set size / steps)`,
    );
  }
  if (c.batch === 0 && steps > origSize) {
    throw new UsageError(
      `--steps ${steps} leaves no image per step in the Orig training set of ${origSize} (--train-per-class ${c.trainPerClass} x ${classes} classes): at most --steps ${origSize}`,
    );
  }
  // Queries: c.queries test images of each class 0..logits-1 (src/study/queries.ts).
  const perClass = Array.from({ length: logits }, (_, k) => test.get(k) ?? 0);
  for (let k = 0; k < logits; k++) {
    if (perClass[k] < c.queries) {
      const most = Math.min(...perClass);
      throw new UsageError(
        `--queries ${c.queries}: the test set has ${perClass[k]} image${perClass[k] === 1 ? "" : "s"} of class ${k}` +
          (most >= 1 ? `; at most --queries ${most}` : `; every class needs a test image for the saliency queries`),
      );
    }
  }
  // Memory of one worker: the training images as floats (its JS copy and the wasm resident copy),
  // the validation and test sets resident in wasm, parameters x 4 (weights, grads, Adam's m and v),
  // and the activations and their gradients for a batch.
  const pixels = d.rows * d.cols;
  const batch = c.batch || Math.max(1, Math.floor(augSize / steps));
  const valSize = classes * c.valPerClass;
  const wasm = 4 * (augSize * pixels + (valSize + d.testLabels.length) * pixels + 4 * params + 2 * batch * acts * 1.5);
  const js = 4 * (augSize * pixels + origSize * pixels);
  const workerBytes = Math.round(wasm + js);
  if (wasm > WASM_MAX_BYTES) {
    const setBytes = 4 * augSize * pixels;
    const actBytes = 4 * 2 * batch * acts * 1.5;
    throw new UsageError(
      `--copies ${c.copies} x --train-per-class ${c.trainPerClass}: one worker needs about ${gib(wasm)} of wasm memory ` +
        `(a training set of ${augSize} images of ${d.rows}x${d.cols}: ${gib(setBytes)}; activations for a step of ${batch} images` +
        `${c.batch ? "" : " (set size / --steps)"}: ${gib(actBytes)}), more than the 4 GiB a wasm32 memory holds: ` +
        (actBytes > setBytes
          ? "lower --batch or raise --steps, or lower --copies or --train-per-class"
          : "lower --copies or --train-per-class"),
    );
  }
  const total = opts.totalMemory;
  const workers = Math.max(1, opts.workers ?? 1);
  if (total && workerBytes * workers > 0.8 * total) {
    const fit = Math.floor((0.8 * total) / workerBytes);
    throw new UsageError(
      `--copies ${c.copies} x --train-per-class ${c.trainPerClass} with --workers ${workers}: about ${gib(workerBytes)} per worker, ` +
        `${gib(workerBytes * workers)} in all, and this machine has ${gib(total)}: ` +
        (fit >= 1 ? `use --workers ${fit} or fewer, or lower --copies` : "lower --copies or --train-per-class"),
    );
  }
  return { spec, classes, logits, origSize, augSize, workerBytes, params };
}

function gib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.ceil(bytes / 1024 ** 2)} MiB`;
}
