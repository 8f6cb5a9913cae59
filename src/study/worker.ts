// A training worker (node:worker_threads): its own wasm instance, the study data received once,
// then jobs one at a time. Messages:
//   in:  { type: "init", module, data, config }   { type: "job", job }   { type: "exit" }
//   out: { type: "epoch", id, report }   { type: "done", result }   { type: "error", id, message }
import { parentPort } from "node:worker_threads";
import { instantiateCoreSync } from "../core/load.js";
import type { Core } from "../core/load.js";
import { prepareData, runJob, type PreparedData, type StudyData } from "./job.js";
import type { Job, StudyConfig } from "./config.js";

let core: Core | undefined;
let prep: PreparedData | undefined;
let config: StudyConfig | undefined;

const port = parentPort;
if (!port) throw new Error("augsal: study/worker.js must run in a worker thread");

port.on("message", (msg: { type: string; module?: WebAssembly.Module; data?: StudyData; config?: StudyConfig; job?: Job }) => {
  if (msg.type === "init") {
    core = instantiateCoreSync(msg.module!);
    prep = prepareData(msg.data!);
    config = msg.config!;
    return;
  }
  if (msg.type === "exit") {
    port.close();
    return;
  }
  if (msg.type === "job") {
    const job = msg.job!;
    try {
      if (!core || !prep || !config) throw new Error("worker received a job before its data");
      const result = runJob(core, prep, config, job, (report) => port.postMessage({ type: "epoch", id: job.id, report }));
      port.postMessage({ type: "done", result }, [result.best.buffer as ArrayBuffer]);
    } catch (e) {
      const err = e as Error;
      port.postMessage({ type: "error", id: job.id, message: err.message, stack: err.stack });
    }
  }
});
