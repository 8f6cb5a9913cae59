// A sweep's training worker: its own wasm instance, then tasks one at a time (./task.ts). A task that
// throws comes back as a failure (the sweep records it and goes on with the other jobs) instead of
// stopping the pool (src/node/pool.ts stops on a job's error).
import { instantiateCoreSync, type Core } from "../core/load.js";
import { loadThreadedCore } from "../node/threads.js";
import type { EpochReport } from "../nn/train.js";
import { serveJobs } from "../node/worker.js";
import { runSweepTask, type SweepTask, type SweepTaskResult, type SweepWorkerInit } from "./task.js";

let core: Core;

serveJobs<SweepWorkerInit, SweepTask, SweepTaskResult, EpochReport>({
  setup(init, ctx) {
    core =
      init.maxThreads > 1 && init.mtModule
        ? loadThreadedCore({ module: init.mtModule, maxThreads: init.maxThreads, allowance: ctx.allowance })
        : instantiateCoreSync(init.module);
  },
  run(task, progress) {
    let result: SweepTaskResult;
    try {
      result = runSweepTask(core, task, progress);
    } catch (e) {
      const err = e as Error;
      return { result: { id: task.id, ok: false, error: err.message ?? String(err) } };
    }
    const transfer = result.ok ? [result.best.buffer as ArrayBuffer] : [];
    return { result, transfer };
  },
});
