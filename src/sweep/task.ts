// One sweep task, as a pure function of (core, task): one model trained (src/study/job.ts's runJob, as
// the study trains it), its saliency maps of the query images for every method of the grid (the study's
// methodMaps) and its predictions of them. ./train-worker.ts runs it on a pool worker.
import { type Core } from "../core/load.js";
import type { EpochReport, History } from "../nn/train.js";
import { Model } from "../nn/model.js";
import type { ModelSpec } from "../nn/spec.js";
import type { Job, StudyConfig } from "../study/config.js";
import { prepareData, runJob, type StudyData } from "../study/job.js";
import { methodMaps, methodSettings, queryImages } from "../study/trust.js";
import { EXPLAIN_BATCH } from "../study/analysis.js";

export interface SweepWorkerInit {
  module: WebAssembly.Module;
  mtModule?: WebAssembly.Module;
  maxThreads: number;
}

export interface SweepTask {
  /** The job's hash. */
  id: string;
  job: Job;
  config: StudyConfig;
  data: StudyData;
  queries: { index: number; label: number }[];
  /** The query images, (Q, rows, cols) floats in [0, 1]. */
  queryImages: Float32Array;
  /** Fail on purpose (AUGSAL_SWEEP_FAIL, for the failure tests). */
  fail?: string;
}

export interface QueryPrediction {
  index: number;
  label: number;
  predicted: number;
  pTrue: number;
  pPredicted: number;
}

export type SweepTaskResult =
  | {
      id: string;
      ok: true;
      spec: ModelSpec;
      history: History;
      best: Float32Array;
      trainSize: number;
      seconds: number;
      maps: { method: string; abs: Float32Array; signed: Float32Array }[];
      predictions: QueryPrediction[];
    }
  | { id: string; ok: false; error: string };

/** Train one job, then its maps and predictions of the queries. */
export function runSweepTask(c: Core, t: SweepTask, progress?: (r: EpochReport) => void): SweepTaskResult {
  if (t.fail) throw new Error(t.fail);
  const r = runJob(c, prepareData(t.data), t.config, t.job, progress);
  const mark = c.arena.mark();
  try {
    const q = t.queries.length;
    const model = new Model(c, r.spec, Math.max(q, EXPLAIN_BATCH));
    model.setParams(r.best);
    const qi = queryImages(t.queryImages, t.queries, t.data.rows, t.data.cols);
    const { maps } = methodMaps(t.config.methods, model, qi, methodSettings(t.config));
    // predictions of the queries: softmax of the logits (the study's per-query predictions)
    const C = model.classes;
    model.setInput(t.queryImages, q);
    model.forward(q);
    c.exports.softmax_forward(model.probs, model.logits, q, C);
    const p = c.arena.f32(model.probs, q * C);
    const predictions = t.queries.map((x, i) => {
      let best = 0;
      for (let k = 1; k < C; k++) if (p[i * C + k] > p[i * C + best]) best = k;
      return {
        index: x.index,
        label: x.label,
        predicted: best,
        pTrue: p[i * C + x.label],
        pPredicted: p[i * C + best],
      };
    });
    return {
      id: t.id,
      ok: true,
      spec: r.spec,
      history: r.history,
      best: r.best,
      trainSize: r.trainSize,
      seconds: r.seconds,
      maps: [...maps].map(([method, a]) => ({ method, abs: a.abs, signed: a.signed })),
      predictions,
    };
  } finally {
    c.arena.reset(mark);
  }
}
