// One training job, as a pure function of (core, data, config, job): a worker runs it, and so can a
// test in-process. Everything it draws comes from streams named by the job, so the result does not
// depend on which worker runs it or in what order.
import type { Core } from "../core/load.js";
import { Stream } from "../core/streams.js";
import { parseSpec, type ModelSpec } from "../nn/spec.js";
import { trainModel, type ByteSet, type EpochReport, type History, type LabelledSet } from "../nn/train.js";
import { buildTrainingSet, toFloat } from "../data/augment.js";
import type { Job, StudyConfig } from "./config.js";

/** The images a study works on, as 8-bit pixels (what a worker receives once). */
export interface StudyData {
  rows: number;
  cols: number;
  train: { images: Uint8Array; labels: Uint8Array; source: Int32Array };
  val: { images: Uint8Array; labels: Uint8Array };
  test: { images: Uint8Array; labels: Uint8Array };
}

export interface JobResult {
  job: Job;
  spec: ModelSpec;
  history: History;
  best: Float32Array;
  trainSize: number;
  seconds: number;
}

/** Float views of the study data, made once per worker; the test set, evaluated once per job, stays
 *  8-bit (streamed through the model: no 31 MB float copy per worker). */
export interface PreparedData {
  data: StudyData;
  trainF: Float32Array;
  val: LabelledSet;
  test: ByteSet;
}

export function prepareData(data: StudyData): PreparedData {
  return {
    data,
    trainF: toFloat(data.train.images),
    val: { images: toFloat(data.val.images), labels: data.val.labels, count: data.val.labels.length },
    test: { bytes: data.test.images, labels: data.test.labels, count: data.test.labels.length },
  };
}

/** The words of a diverged job's error, which the study turns into a usage error naming --lr. */
export const DIVERGED = "diverged at epoch";

/** The Repeat control: the n originals tiled copies + 1 times, laid out as buildTrainingSet lays out
 *  an augmented set (copy c of image k at n + c n + k), each copy the identity transform. Same size,
 *  hence same batch, steps and data-order streams as the augmented sets: only the content differs. */
export function repeatSet(images: Float32Array, labels: ArrayLike<number>, copies: number): LabelledSet {
  const n = labels.length;
  const total = n * (copies + 1);
  const out = new Float32Array(images.length * (copies + 1));
  const outLabels = new Int32Array(total);
  for (let c = 0; c <= copies; c++) {
    out.set(images, c * images.length);
    for (let k = 0; k < n; k++) outLabels[c * n + k] = labels[k];
  }
  return { images: out, labels: outLabels, count: total };
}

export function runJob(
  core: Core,
  prep: PreparedData,
  config: StudyConfig,
  job: Job,
  onEpoch?: (r: EpochReport) => void,
): JobResult {
  const t0 = performance.now();
  const spec = parseSpec(config.arch, [1, prep.data.rows, prep.data.cols]);
  const d = prep.data;
  // A diverging job (NaN or infinite loss) stops at that epoch: its weights are never written.
  const watch = (r: EpochReport) => {
    if (!Number.isFinite(r.loss) || !Number.isFinite(r.valLoss)) {
      const what = !Number.isFinite(r.loss) ? `training loss ${r.loss}` : `validation loss ${r.valLoss}`;
      throw new Error(
        `${job.id} ${DIVERGED} ${r.epoch} of ${r.epochs} (${what}): lower --lr (now ${config.optimizer.lr})`,
      );
    }
    onEpoch?.(r);
  };

  const labels = job.permuteLabels ? permutedLabels(core, d.train.labels, config.seed) : d.train.labels;
  const train =
    job.set === "repeat"
      ? repeatSet(prep.trainF, labels, config.copies)
      : buildTrainingSet(
          core,
          prep.trainF,
          labels,
          d.train.source,
          job.set,
          config.copies,
          config.seed,
          job.set === "orig" ? undefined : config.strength[job.set],
          { crop: config.cropMode },
        );
  // The permuted-label model keeps the epoch that fits its own (permuted) labels best: validating on
  // true labels would keep whichever epoch happens to sit nearest chance, often the first.
  const val = job.permuteLabels ? { images: train.images, labels: train.labels, count: train.count } : prep.val;
  const { history, best } = trainModel(
    core,
    spec,
    train,
    val,
    prep.test,
    {
      epochs: config.epochs,
      steps: config.steps,
      batch: config.batch,
      optimizer: config.optimizer,
      seed: job.trainSeed,
      initVariant: job.initVariant,
      orderVariant: job.orderVariant,
    },
    watch,
  );
  return { job, spec, history, best, trainSize: train.count, seconds: (performance.now() - t0) / 1000 };
}

/** The training labels permuted among the images (Adebayo et al. 2018's data randomisation): one
 *  rng_permutation from the stream (seed, LABEL_PERMUTATION, 0, 0, 0); image k gets label[perm[k]]. */
export function permutedLabels(core: Core, labels: ArrayLike<number>, seed: number): Uint8Array {
  const n = labels.length;
  const mark = core.arena.mark();
  try {
    const st = core.arena.alloc(16);
    const p = core.arena.alloc(n * 4);
    core.exports.rng_seed(st, seed >>> 0, Stream.LABEL_PERMUTATION, 0, 0, 0);
    core.exports.rng_permutation(st, p, n);
    const perm = core.arena.i32(p, n);
    return Uint8Array.from({ length: n }, (_, k) => labels[perm[k]]);
  } finally {
    core.arena.reset(mark);
  }
}
