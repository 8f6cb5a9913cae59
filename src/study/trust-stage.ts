// The trust stage of a study: the trust tables of every model of the first run (./trust.ts), one
// job per model on the worker pool (src/node/pool.ts running ./trust-worker.ts), merged in the study's
// set order so that the tables do not depend on the number of workers or on which finished first.
import { readFileSync } from "node:fs";
import { decodeCheckpoint } from "../nn/checkpoint.js";
import { runPool } from "../node/pool.js";
import { studySets, type StudyConfig } from "./config.js";
import { jobPaths } from "./run-folder.js";
import { mergeTrust, methodSettings, queryImages, type TrustJob, type TrustTables } from "./trust.js";
import type { TrustInit } from "./trust-worker.js";

function weightsOf(out: string, id: string): { spec: TrustJob["spec"]; params: Float32Array } {
  const path = jobPaths(out, { id }).w;
  try {
    return decodeCheckpoint(new Uint8Array(readFileSync(path)), path);
  } catch (e) {
    throw new Error(`${(e as Error).message} (delete the file to retrain that model, or run again with --force)`);
  }
}

/** The trust tables of a trained run (config.trust), with `workers` threads. */
export async function trustStage(
  module: WebAssembly.Module,
  config: StudyConfig,
  out: string,
  images: Float32Array,
  queries: { index: number; label: number }[],
  rows: number,
  cols: number,
  workers: number,
): Promise<TrustTables> {
  const seed = config.seed;
  const jobs: TrustJob[] = studySets(config).map((set) => ({
    id: set,
    set,
    ...weightsOf(out, `${set}-seed${seed}`),
    ...(set === "orig" ? { permuted: weightsOf(out, `orig-permuted-seed${seed}`) } : {}),
  }));
  const init: TrustInit = {
    module,
    methods: config.methods,
    q: queryImages(images, queries, rows, cols),
    settings: methodSettings(config),
  };
  const done = new Map<string, TrustTables>();
  // The slowest first (Orig carries the data test too), so the pool finishes together.
  const order = [...jobs].sort((a, b) => Number(b.set === "orig") - Number(a.set === "orig"));
  await runPool<TrustJob, { id: string; tables: TrustTables }, never>(order, {
    workers,
    name: "trust",
    script: new URL("./trust-worker.js", import.meta.url),
    init,
    onDone: (r) => done.set(r.id, r.tables),
  });
  return mergeTrust(
    seed,
    jobs.map((j) => done.get(j.id)!),
  );
}
