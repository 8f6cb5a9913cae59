// A pool of training workers: jobs go to whichever worker is free; results come back as they finish.
// A job that throws stops the pool: every worker is terminated and the promise rejects naming the job,
// so a run never hangs and never writes half files (the caller writes each result atomically).
import { Worker } from "node:worker_threads";
import type { EpochReport } from "../nn/train.js";
import type { Job, StudyConfig } from "./config.js";
import type { JobResult, StudyData } from "./job.js";

export interface PoolOptions {
  workers: number;
  module: WebAssembly.Module;
  data: StudyData;
  config: StudyConfig;
  onEpoch?: (job: Job, report: EpochReport) => void;
  /** Called once per finished job, in completion order (which may vary; results must not). */
  onDone: (result: JobResult) => void;
}

export function runPool(jobs: Job[], o: PoolOptions): Promise<void> {
  if (jobs.length === 0) return Promise.resolve();
  const queue = [...jobs];
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const n = Math.max(1, Math.min(o.workers, jobs.length));
  const workers: Worker[] = [];
  let remaining = jobs.length;
  let failed = false;

  return new Promise<void>((resolve, reject) => {
    const stop = (err?: Error) => {
      if (failed) return;
      if (err) failed = true;
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve();
    };
    const next = (w: Worker) => {
      const job = queue.shift();
      if (job) w.postMessage({ type: "job", job });
    };
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL("./worker.js", import.meta.url));
      workers.push(w);
      w.on("message", (msg: { type: string; id?: string; report?: EpochReport; result?: JobResult; message?: string; stack?: string }) => {
        if (failed) return;
        if (msg.type === "epoch") {
          o.onEpoch?.(byId.get(msg.id!)!, msg.report!);
        } else if (msg.type === "done") {
          try {
            o.onDone(msg.result!);
          } catch (e) {
            stop(e as Error);
            return;
          }
          remaining--;
          if (remaining === 0) stop();
          else next(w);
        } else if (msg.type === "error") {
          stop(new Error(`training job ${msg.id} failed: ${msg.message}`));
        }
      });
      w.on("error", (e) => stop(new Error(`a training worker crashed: ${e.message}`)));
      w.on("exit", (code) => {
        if (!failed && remaining > 0 && code !== 0) stop(new Error(`a training worker exited with code ${code}`));
      });
      w.postMessage({ type: "init", module: o.module, data: o.data, config: o.config });
      next(w);
    }
  });
}
