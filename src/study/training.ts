// The study's training jobs on a pool of worker threads (src/node/pool.ts), each worker running
// ./train-worker.ts.
import type { EpochReport } from "../nn/train.js";
import { runPool } from "../node/pool.js";
import type { Job, StudyConfig } from "./config.js";
import type { JobResult, StudyData } from "./job.js";

/** What every training worker receives once. */
export interface TrainingInit {
  module: WebAssembly.Module;
  /** The threaded module (build/augsal-mt.wasm), used when maxThreads > 1. */
  mtModule?: WebAssembly.Module;
  /** Threads one job may use at most (1: every job on the default module, one thread). */
  maxThreads: number;
  data: StudyData;
  config: StudyConfig;
}

export interface TrainingOptions extends Omit<TrainingInit, "maxThreads"> {
  /** Cores the jobs share. */
  workers: number;
  /** Threads one job may use at most (default: workers). */
  maxThreads?: number;
  onEpoch?: (job: Job, report: EpochReport) => void;
  /** Called once per finished job, in completion order (which may vary; results must not). */
  onDone: (result: JobResult) => void;
}

export function runTraining(jobs: Job[], o: TrainingOptions): Promise<void> {
  const maxThreads = Math.max(1, Math.min(o.maxThreads ?? o.workers, o.workers));
  return runPool<Job, JobResult, EpochReport>(jobs, {
    workers: o.workers,
    cores: o.workers,
    maxThreads,
    name: "training",
    script: new URL("./train-worker.js", import.meta.url),
    init: {
      module: o.module,
      mtModule: maxThreads > 1 ? o.mtModule : undefined,
      maxThreads,
      data: o.data,
      config: o.config,
    } satisfies TrainingInit,
    onProgress: o.onEpoch,
    onDone: o.onDone,
  });
}
