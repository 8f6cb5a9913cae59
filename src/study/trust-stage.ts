// The maps and trust stage of a study: every model's maps of the queries under every method, its
// predictions, and the trust tables of every model of the first run (./trust.ts), one job per model on
// the worker pool (src/node/pool.ts running ./trust-worker.ts). The analysis (./analysis.ts) takes the
// maps from here, so each model's maps are computed once, on every core. The trust tables are merged in
// the study's set order so that they do not depend on the number of workers or on which finished first.
import { readFileSync } from "node:fs";
import type { Core } from "../core/load.js";
import type { Dataset } from "../data/datasets.js";
import { decodeCheckpoint } from "../nn/checkpoint.js";
import { runPool } from "../node/pool.js";
import { wasmModule } from "../node/wasm.js";
import { wasmMtModule } from "../node/threads.js";
import { studyJobs, studySets, type StudyConfig } from "./config.js";
import { jobPaths } from "./run-folder.js";
import { analyse, studyQueryImages, type Results } from "./analysis.js";
import {
  mergeTrust,
  methodSettings,
  queryImages,
  type ModelJob,
  type ModelJobResult,
  type TrustTables,
} from "./trust.js";
import type { TrustInit } from "./trust-worker.js";

function weightsOf(out: string, id: string): { spec: ModelJob["spec"]; params: Float32Array } {
  const path = jobPaths(out, { id }).w;
  try {
    return decodeCheckpoint(new Uint8Array(readFileSync(path)), path);
  } catch (e) {
    throw new Error(`${(e as Error).message} (delete the file to retrain that model, or run again with --force)`);
  }
}

/** The models' jobs on `workers` cores: `ids` (job ids) with maps only, `trustSets` (of the first run)
 *  with their trust tables too. Results by job id. */
async function modelStage(
  config: StudyConfig,
  out: string,
  images: Float32Array,
  queries: { index: number; label: number }[],
  rows: number,
  cols: number,
  workers: number,
  mapsOnly: string[],
): Promise<{ results: Map<string, ModelJobResult>; trust: TrustTables | null }> {
  const seed = config.seed;
  const trustSets = config.trust ? studySets(config) : [];
  const jobs: ModelJob[] = [
    ...trustSets.map((set) => ({
      id: `${set}-seed${seed}`,
      set,
      trust: true,
      ...weightsOf(out, `${set}-seed${seed}`),
      ...(set === "orig" ? { permuted: weightsOf(out, `orig-permuted-seed${seed}`) } : {}),
    })),
    ...mapsOnly
      .filter((id) => !trustSets.some((set) => id === `${set}-seed${seed}`))
      .map((id) => ({ id, set: id.replace(/-seed\d+$/, ""), trust: false, ...weightsOf(out, id) })),
  ];
  const maxThreads = Math.max(1, workers);
  const init: TrustInit = {
    module: wasmModule(),
    mtModule: maxThreads > 1 ? wasmMtModule() : undefined,
    maxThreads,
    methods: config.methods,
    q: queryImages(images, queries, rows, cols),
    settings: methodSettings(config),
  };
  const done = new Map<string, ModelJobResult>();
  // The slowest first (trust jobs, Orig's with the data test first), so the pool finishes together; the
  // cores of finished jobs go to those still running (threads within a job: the same bytes).
  const order = [...jobs].sort(
    (a, b) => Number(b.trust) - Number(a.trust) || Number(b.set === "orig") - Number(a.set === "orig"),
  );
  await runPool<ModelJob, ModelJobResult, never>(order, {
    workers,
    cores: workers,
    maxThreads,
    name: "maps",
    script: new URL("./trust-worker.js", import.meta.url),
    init,
    onDone: (r) => done.set(r.id, r),
  });
  const trust = config.trust
    ? mergeTrust(
        seed,
        trustSets.map((set) => done.get(`${set}-seed${seed}`)!.tables!),
      )
    : null;
  return { results: done, trust };
}

/** The analysis of a trained run (./analysis.ts) with every model's maps computed on the worker pool
 *  beside the trust tables (config.trust): results.explain.trust filled. */
export async function analyseOnPool(
  core: Core,
  config: StudyConfig,
  out: string,
  ds: Dataset,
  queries: { index: number; label: number }[],
  workers: number,
  timings?: Record<string, number>,
): Promise<Results> {
  const images = studyQueryImages(ds, queries);
  const ids = studyJobs(config)
    .filter((j) => !j.permuteLabels)
    .map((j) => j.id);
  let t = performance.now();
  const stage = await modelStage(config, out, images, queries, ds.rows, ds.cols, workers, ids);
  if (timings) timings[config.trust ? "maps+trust" : "maps"] = +((performance.now() - t) / 1000).toFixed(3);
  t = performance.now();
  const results = analyse(core, config, out, ds, queries, timings, stage.results);
  if (timings) timings["metrics"] = +((performance.now() - t) / 1000).toFixed(3);
  results.explain.trust = stage.trust;
  return results;
}
