// The study's training jobs on a pool of worker threads (src/node/pool.ts), each worker running
// ./train-worker.ts.
import type { EpochReport } from "../nn/train.js";
import { runPool } from "../node/pool.js";
import type { Job, StudyConfig } from "./config.js";
import type { JobResult, StudyData } from "./job.js";

/** What every training worker receives once. */
export interface TrainingInit {
  module: WebAssembly.Module;
  data: StudyData;
  config: StudyConfig;
}

export interface TrainingOptions extends TrainingInit {
  workers: number;
  onEpoch?: (job: Job, report: EpochReport) => void;
  /** Called once per finished job, in completion order (which may vary; results must not). */
  onDone: (result: JobResult) => void;
}

export function runTraining(jobs: Job[], o: TrainingOptions): Promise<void> {
  return runPool<Job, JobResult, EpochReport>(jobs, {
    workers: o.workers,
    name: "training",
    script: new URL("./train-worker.js", import.meta.url),
    init: { module: o.module, data: o.data, config: o.config } satisfies TrainingInit,
    onProgress: o.onEpoch,
    onDone: o.onDone,
  });
}
