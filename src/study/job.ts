// One training job, as a pure function of (core, data, config, job): a worker runs it, and so can a
// test in-process. Everything it draws comes from streams named by the job, so the result does not
// depend on which worker runs it or in what order.
import type { Core } from "../core/load.js";
import { parseSpec, type ModelSpec } from "../nn/spec.js";
import { trainModel, type EpochReport, type History, type LabelledSet } from "../nn/train.js";
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

/** Float views of the study data, made once per worker. */
export interface PreparedData {
  data: StudyData;
  trainF: Float32Array;
  val: LabelledSet;
  test: LabelledSet;
}

export function prepareData(data: StudyData): PreparedData {
  return {
    data,
    trainF: toFloat(data.train.images),
    val: { images: toFloat(data.val.images), labels: data.val.labels, count: data.val.labels.length },
    test: { images: toFloat(data.test.images), labels: data.test.labels, count: data.test.labels.length },
  };
}

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

export function runJob(core: Core, prep: PreparedData, config: StudyConfig, job: Job, onEpoch?: (r: EpochReport) => void): JobResult {
  const t0 = performance.now();
  const spec = parseSpec(config.arch, [1, prep.data.rows, prep.data.cols]);
  const d = prep.data;
  const train = job.set === "repeat"
    ? repeatSet(prep.trainF, d.train.labels, config.copies)
    : buildTrainingSet(core, prep.trainF, d.train.labels, d.train.source, job.set, config.copies, config.seed,
      job.set === "orig" ? undefined : config.strength[job.set], { crop: config.cropMode });
  const { history, best } = trainModel(
    core,
    spec,
    train,
    prep.val,
    prep.test,
    {
      epochs: config.epochs, steps: config.steps, batch: config.batch, optimizer: config.optimizer, seed: job.trainSeed,
      initVariant: job.initVariant, orderVariant: job.orderVariant,
    },
    onEpoch,
  );
  return { job, spec, history, best, trainSize: train.count, seconds: (performance.now() - t0) / 1000 };
}
