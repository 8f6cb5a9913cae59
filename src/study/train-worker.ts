// A training worker: its own wasm instance and the study data, received once, then training jobs one
// at a time (./job.ts's runJob), run by src/node/pool.ts through src/node/worker.ts.
import { instantiateCoreSync, type Core } from "../core/load.js";
import type { EpochReport } from "../nn/train.js";
import { serveJobs } from "../node/worker.js";
import type { Job, StudyConfig } from "./config.js";
import { prepareData, runJob, type JobResult, type PreparedData, type StudyData } from "./job.js";
import type { TrainingInit } from "./training.js";

let core: Core;
let prep: PreparedData;
let config: StudyConfig;

serveJobs<TrainingInit, Job, JobResult, EpochReport>({
  setup(init) {
    core = instantiateCoreSync(init.module);
    prep = prepareData(init.data as StudyData);
    config = init.config;
  },
  run(job, progress) {
    const result = runJob(core, prep, config, job, progress);
    return { result, transfer: [result.best.buffer as ArrayBuffer] };
  },
});
