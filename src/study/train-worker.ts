// A training worker: its own wasm instance and the study data, received once, then training jobs one
// at a time (./job.ts's runJob), run by src/node/pool.ts through src/node/worker.ts.
import { instantiateCoreSync, type Core } from "../core/load.js";
import { loadThreadedCore } from "../node/threads.js";
import type { EpochReport } from "../nn/train.js";
import { serveJobs } from "../node/worker.js";
import type { Job, StudyConfig } from "./config.js";
import { prepareData, runJob, type JobResult, type PreparedData, type StudyData } from "./job.js";
import type { TrainingInit } from "./training.js";

let core: Core;
let prep: PreparedData;
let config: StudyConfig;

serveJobs<TrainingInit, Job, JobResult, EpochReport>({
  setup(init, ctx) {
    // several threads per job: the threaded module over a shared memory, as many threads as the
    // pool's allowance word says at each step (results do not depend on it); one: the default module
    core =
      init.maxThreads > 1 && init.mtModule
        ? loadThreadedCore({ module: init.mtModule, maxThreads: init.maxThreads, allowance: ctx.allowance })
        : instantiateCoreSync(init.module);
    prep = prepareData(init.data as StudyData);
    config = init.config;
  },
  run(job, progress) {
    const result = runJob(core, prep, config, job, progress);
    return { result, transfer: [result.best.buffer as ArrayBuffer] };
  },
});
